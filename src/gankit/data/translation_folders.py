"""The folder layouts translation users already have: ``aligned``, ``unaligned`` and ``paired-folders``.

``data.path`` is the root folder; images are PNG/JPEG files found recursively and sorted by path; they are
decoded by :func:`gankit.data.folder.decode_image` (straight to ``data.img_size`` when it is given; without it,
all images of a data set must share one size). Channels: ``data.channels``, else 3 if any image is in a colour
mode, else 1, the same for both sides.

* ``aligned`` (pix2pix, Isola et al. 2017): each file holds A and B side by side, A left, B right, so its width
  is twice its height. ``PATH/train/`` gives the training pairs, ``PATH/test/`` the held-out ones, else
  ``PATH/val/``. Source = A, target = B.
* ``unaligned`` (CycleGAN, Zhu et al. 2017): domain a in ``PATH/trainA/`` and ``PATH/testA/``, domain b in
  ``PATH/trainB/`` and ``PATH/testB/``; the four folders are needed, no image pairs with any other.
* ``paired-folders``: sources in ``PATH/A/``, targets in ``PATH/B/``; a file pairs with the file of the same
  relative path and stem in the other folder, whatever the extension (``A/shoes/001.png`` with
  ``B/shoes/001.jpg``), and the two must have one size. Held-out pairs: ``PATH/testA/`` with ``PATH/testB/``
  when they exist (same rule), else a seeded 10% of the pairs (at least one; ``torch.randperm`` with the fixed
  seed ``HOLDOUT_SEED``, so the split is a property of the folder, not of the run's seed).

``data.limit`` keeps the first (sorted) training files, of each domain when unaligned, and only those are
decoded; at most ``TEST_LIMIT`` held-out files (the first) are. Bad input is a one-line :class:`DataError`
naming the file or folder.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, UnidentifiedImageError

from gankit.data.folder import GREY_MODES, IMAGE_SUFFIXES, decode_image
from gankit.data.registry import LoadRequest
from gankit.data.transforms import resize_images, uint8_to_signed
from gankit.data.translation import PairedDataset, UnpairedDataset
from gankit.data.translation_finish import TEST_LIMIT, finish_paired, finish_unpaired, kept_indices
from gankit.errors import DataError

HOLDOUT_SEED = 0
HOLDOUT_SHARE = 0.1


def _root(request: LoadRequest, dataset: str, layout: str) -> Path:
    if request.path is None:
        raise DataError(f"the '{dataset}' dataset needs data.path: a folder with {layout}")
    root = Path(request.path).expanduser()
    if not root.is_dir():
        raise DataError(f"{dataset} data folder does not exist: {root}")
    return root


def _folder(root: Path, name: str, dataset: str) -> Path:
    folder = root / name
    if not folder.is_dir():
        raise DataError(f"{dataset} data needs the folder {folder}, which does not exist")
    return folder


def image_files(folder: Path) -> list[Path]:
    """The PNG/JPEG files under ``folder`` (recursively, sorted); none is a :class:`DataError`."""
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
    if not files:
        raise DataError(f"no PNG/JPEG images in folder {folder}")
    return files


def _header(path: Path) -> tuple[str, tuple[int, int]]:
    """The image's PIL mode and (width, height), from its header alone (the same message as ``folder``'s)."""
    try:
        with Image.open(path) as image:
            return image.mode, image.size
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"cannot read image {path}: {error}") from None


def _channels(request: LoadRequest, headers: list[tuple[str, tuple[int, int]]]) -> int:
    return request.channels or (1 if all(mode in GREY_MODES for mode, _ in headers) else 3)


def _one_size(files: list[Path], sizes: list[tuple[int, int]]) -> None:
    """Without ``img_size`` every image must have one size; else a :class:`DataError` naming two that differ."""
    for path, size in zip(files, sizes):
        if size != sizes[0]:
            raise DataError(f"images differ in size ({files[0]} is {sizes[0][0]}x{sizes[0][1]}, {path} is "
                            f"{size[0]}x{size[1]}); set data.img_size to resize them")


def _decode(files: list[Path], channels: int, img_size: int | None) -> torch.Tensor:
    """The files as uint8 ``(N, channels, H, W)``: at ``img_size`` square, or at their one common size."""
    first = decode_image(files[0], channels, img_size)
    x = torch.empty((len(files), channels, *first.shape[:2]), dtype=torch.uint8)
    x[0] = torch.from_numpy(first).permute(2, 0, 1)
    for i, path in enumerate(files[1:], start=1):
        x[i] = torch.from_numpy(decode_image(path, channels, img_size)).permute(2, 0, 1)
    return x


def _limited(files: list[Path], request: LoadRequest) -> list[Path]:
    index = kept_indices(len(files), request)
    return files if index is None else [files[i] for i in index.tolist()]


# --- aligned: A|B side by side ---------------------------------------------------------------------------

def _split_aligned(files: list[Path], channels: int, img_size: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The left (A) and right (B) halves of each file, float32 in [-1, 1], resized to ``img_size`` if given."""
    halves: list[list[torch.Tensor]] = [[], []]
    for path in files:
        pixels = uint8_to_signed(decode_image(path, channels)).permute(2, 0, 1).unsqueeze(0)
        half = pixels.shape[3] // 2
        for side, image in zip(halves, (pixels[..., :half], pixels[..., half:])):
            side.append(image if img_size is None else resize_images(image, img_size))
    return torch.cat(halves[0]), torch.cat(halves[1])


def _check_aligned(files: list[Path], headers: list[tuple[str, tuple[int, int]]]) -> None:
    for path, (_, (width, height)) in zip(files, headers):
        if width != 2 * height:
            raise DataError(f"aligned image {path} is {width}x{height}: its width must be twice its height "
                            "(A and B side by side)")


def load_aligned(request: LoadRequest) -> PairedDataset:
    """pix2pix's aligned format (see the module docstring)."""
    root = _root(request, "aligned", "train/ and test/ (or val/) of A|B images side by side")
    train = _limited(image_files(_folder(root, "train", "aligned")), request)
    held = next((root / name for name in ("test", "val") if (root / name).is_dir()), None)
    if held is None:
        raise DataError(f"aligned data {root} has no test/ or val/ folder of held-out pairs")
    test = image_files(held)[:TEST_LIMIT]
    headers = [_header(path) for path in train + test]
    _check_aligned(train + test, headers)
    if request.img_size is None:
        _one_size(train + test, [size for _, size in headers])
    channels = _channels(request, headers)
    source, target = _split_aligned(train, channels, request.img_size)
    test_source, test_target = _split_aligned(test, channels, request.img_size)
    return finish_paired(source, target, test_source, test_target, request, name=f"aligned:{root}")


# --- unaligned: trainA/ trainB/ testA/ testB/ --------------------------------------------------------------

def load_unaligned(request: LoadRequest) -> UnpairedDataset:
    """CycleGAN's unaligned format (see the module docstring)."""
    root = _root(request, "unaligned", "trainA/, trainB/, testA/ and testB/")
    folders = [_folder(root, name, "unaligned") for name in ("trainA", "trainB", "testA", "testB")]
    lists = [image_files(folder) for folder in folders]
    lists = [_limited(lists[0], request), _limited(lists[1], request), lists[2][:TEST_LIMIT], lists[3][:TEST_LIMIT]]
    every = [path for files in lists for path in files]
    headers = [_header(path) for path in every]
    if request.img_size is None:
        _one_size(every, [size for _, size in headers])
    channels = _channels(request, headers)
    a, b, test_a, test_b = (_decode(files, channels, request.img_size) for files in lists)
    return finish_unpaired(a, b, test_a, test_b, request, name=f"unaligned:{root}",
                           domain_names=("A", "B"))


# --- paired-folders: A/ and B/ pairing by name -------------------------------------------------------------

def _by_stem(folder: Path) -> dict[Path, Path]:
    """The folder's images keyed by relative path without extension; two files on one key are an error."""
    found: dict[Path, Path] = {}
    for path in image_files(folder):
        key = path.relative_to(folder).with_suffix("")
        if key in found:
            raise DataError(f"{found[key]} and {path} share the name {key}: a file must pair with one other")
        found[key] = path
    return found


def _pairs(folder_a: Path, folder_b: Path) -> list[tuple[Path, Path]]:
    """(A file, B file) pairs, sorted by name; a file without a partner is a :class:`DataError`."""
    a, b = _by_stem(folder_a), _by_stem(folder_b)
    for key, path in a.items():
        if key not in b:
            raise DataError(f"{path} has no partner in {folder_b} (files pair by name, whatever the extension)")
    for key, path in b.items():
        if key not in a:
            raise DataError(f"{path} has no partner in {folder_a} (files pair by name, whatever the extension)")
    return [(a[key], b[key]) for key in sorted(a)]


def holdout_split(n: int) -> tuple[list[int], list[int]]:
    """(training, held-out) indices of ``n`` pairs: a seeded ``HOLDOUT_SHARE`` (at least 1) held out."""
    if n < 2:
        raise ValueError("holding out a test pair needs at least 2 pairs")
    held = sorted(torch.randperm(n, generator=torch.Generator().manual_seed(HOLDOUT_SEED))
                  [:max(1, int(n * HOLDOUT_SHARE))].tolist())
    chosen = set(held)
    return [i for i in range(n) if i not in chosen], held


def load_paired_folders(request: LoadRequest) -> PairedDataset:
    """Two folders whose files pair by name (see the module docstring)."""
    root = _root(request, "paired-folders", "A/ and B/ whose files pair by name")
    pairs = _pairs(_folder(root, "A", "paired-folders"), _folder(root, "B", "paired-folders"))
    has_test = [(root / name).is_dir() for name in ("testA", "testB")]
    if any(has_test) and not all(has_test):
        missing = root / ("testB" if has_test[0] else "testA")
        raise DataError(f"paired-folders data has {'testA' if has_test[0] else 'testB'}/ without {missing}")
    if all(has_test):
        test = _pairs(root / "testA", root / "testB")
    else:
        if len(pairs) < 2:
            raise DataError(f"paired-folders data {root} has 1 pair: at least 2 are needed to hold one out "
                            "(or add testA/ and testB/)")
        train_index, test_index = holdout_split(len(pairs))
        pairs, test = [pairs[i] for i in train_index], [pairs[i] for i in test_index]
    index = kept_indices(len(pairs), request)
    pairs = pairs if index is None else [pairs[i] for i in index.tolist()]
    test = test[:TEST_LIMIT]
    headers: dict[Path, tuple[str, tuple[int, int]]] = {}
    for path_a, path_b in pairs + test:
        headers[path_a], headers[path_b] = _header(path_a), _header(path_b)
        if headers[path_a][1] != headers[path_b][1]:
            (wa, ha), (wb, hb) = headers[path_a][1], headers[path_b][1]
            raise DataError(f"paired images differ in size: {path_a} is {wa}x{ha}, {path_b} is {wb}x{hb}")
    if request.img_size is None:
        _one_size(list(headers), [size for _, size in headers.values()])
    channels = _channels(request, list(headers.values()))
    sides = [_decode([pair[k] for pair in group], channels, request.img_size) for group in (pairs, test)
             for k in (0, 1)]
    return finish_paired(*sides, request, name=f"paired-folders:{root}")
