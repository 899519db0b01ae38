"""A folder of PNG/JPEG images, searched recursively, held in memory as uint8 pixels.

Labels come from class sub-folders: ``root/<class>/**/*.png``; the sorted class names become labels 0..K-1 and
are kept as the dataset's ``class_names``. A folder whose images all sit directly in it (no class sub-folders)
is unlabelled (``y=None``). Images are converted to ``channels`` channels (default: 3 if any image is in a
colour mode, else 1) and, when ``img_size`` is given, resized to ``img_size x img_size`` (stretched, not
cropped); without it all images must have one size.

Memory: each image is decoded straight to its target size and written into one preallocated uint8 tensor, so
loading needs the final tensor plus one decoded image. A JPEG is decoded by libjpeg at a reduced scale (1/2,
1/4 or 1/8, chosen by ``Image.draft`` so the result is still at least ``REDUCING_GAP`` times the target, as
``Image.thumbnail`` does with its ``reducing_gap``), then resized by Pillow's antialiased bilinear filter (the triangle filter widened
by the scale factor, as ``F.interpolate(..., antialias=True)`` does in float) and rounded to uint8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.errors import DataError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})
GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N"})
# libjpeg's reduced-scale decoding stops while the image is still this many times the target size, so the
# final antialiased resize has pixels to average. Measured against a full decode + float antialiased resize
# (100 noisy 1024-px JPEGs and 8 photo crops, to 32/64/128 px): gap 3 differs by 0.003 on average (0.4 of an
# 8-bit level in [-1, 1] units), at most 0.03; gap 2 by up to 0.11 at 64 px. Pillow's docs call a reducing
# gap of 3 "indistinguishable from fair resampling in most cases".
REDUCING_GAP = 3


def _is_image_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def _images_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if _is_image_file(p))


def list_image_files(root: Path) -> tuple[list[Path], list[int] | None, list[str]]:
    """The image files under ``root``, their labels (``None`` when unlabelled) and the sorted class names."""
    loose = sorted(p for p in root.iterdir() if _is_image_file(p))
    class_dirs = [d for d in sorted(root.iterdir()) if d.is_dir() and not d.name.startswith(".") and _images_under(d)]
    if class_dirs and loose:
        raise DataError(
            f"image folder {root} mixes class sub-folders with loose images (e.g. {loose[0].name}); "
            "move them into a class folder"
        )
    if not class_dirs:
        if not loose:
            raise DataError(f"no PNG/JPEG images in folder {root}")
        return loose, None, []
    files: list[Path] = []
    labels: list[int] = []
    for label, class_dir in enumerate(class_dirs):
        found = _images_under(class_dir)
        files.extend(found)
        labels.extend([label] * len(found))
    return files, labels, [d.name for d in class_dirs]


def image_header(path: Path) -> tuple[str, tuple[int, int]]:
    """The image's PIL mode and (width, height), read from its header alone."""
    try:
        with Image.open(path) as image:
            return image.mode, image.size
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"cannot read image {path}: {error}") from None


def _to_channels(image: Image.Image, channels: int) -> Image.Image:
    """An "L" or "RGB" image. 16-bit grey is scaled by 255/65535; colour -> grey uses PIL's ITU-R 601 luma
    (integer ``(299 R + 587 G + 114 B) / 1000``); grey -> RGB repeats the channel."""
    if image.mode.startswith("I"):
        grey = np.rint(np.asarray(image, dtype=np.float64) * (255.0 / 65535.0)).clip(0, 255).astype(np.uint8)
        image = Image.fromarray(grey, mode="L")
    return image.convert("RGB" if channels == 3 else "L")


def decode_image(path: Path, channels: int, img_size: int | None = None) -> np.ndarray:
    """Decode one image to an ``(H, W, channels)`` uint8 array, resized to ``img_size`` square when given.

    A JPEG larger than ``REDUCING_GAP * img_size`` is decoded at a reduced scale first (``Image.draft``),
    so a 4000-pixel photo never exists in memory at full size."""
    try:
        with Image.open(path) as image:
            target = None if img_size is None else (img_size, img_size)
            if target is not None and image.format == "JPEG" and image.size != target:
                image.draft(image.mode, (REDUCING_GAP * img_size, REDUCING_GAP * img_size))
            image.load()
            converted = _to_channels(image, channels)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"cannot read image {path}: {error}") from None
    if target is not None and converted.size != target:
        converted = converted.resize(target, Image.Resampling.BILINEAR)
    array = np.array(converted, dtype=np.uint8)  # a writable copy of one image
    return array if array.ndim == 3 else array[:, :, None]


def load_folder(request: LoadRequest) -> ArrayDataset:
    """Load every PNG/JPEG under ``request.path`` into ``(N, C, H, W)`` uint8 pixels (see the module docstring).

    ``request.limit`` keeps the first files, ``request.subset`` a seeded class-stratified subset; only the kept
    files are decoded.
    """
    if request.path is None:
        raise DataError("the 'folder' dataset needs data.path: a folder of PNG/JPEG images")
    root = Path(request.path).expanduser()
    if not root.is_dir():
        raise DataError(f"image folder does not exist: {root}")
    files, labels, class_names = list_image_files(root)
    y = None if labels is None else torch.tensor(labels, dtype=torch.int64)
    if request.subset is not None:
        keep = request.subset.indices(y, len(files))
        files = [files[i] for i in keep.tolist()]
        y = None if y is None else y[keep]
    elif request.limit is not None:
        files = files[: request.limit]
        y = None if y is None else y[: request.limit]
    headers = [image_header(path) for path in files]
    channels = request.channels or (1 if all(mode in GREY_MODES for mode, _ in headers) else 3)
    if request.img_size is not None:
        height = width = request.img_size
    else:
        sizes: dict[tuple[int, int], Path] = {}
        for path, (_, size) in zip(files, headers):
            sizes.setdefault(size, path)
        if len(sizes) > 1:
            (size_a, file_a), (size_b, file_b) = list(sizes.items())[:2]
            raise DataError(
                f"images in {root} differ in size ({file_a.name} is {size_a[0]}x{size_a[1]}, "
                f"{file_b.name} is {size_b[0]}x{size_b[1]}); set data.img_size to resize them"
            )
        width, height = headers[0][1]
    x = torch.empty((len(files), channels, height, width), dtype=torch.uint8)
    for i, path in enumerate(files):
        x[i] = torch.from_numpy(decode_image(path, channels, request.img_size)).permute(2, 0, 1)
    return ArrayDataset(x=x, y=y, num_classes=len(class_names), name=f"folder:{root}", kind="image",
                        class_names=tuple(class_names))
