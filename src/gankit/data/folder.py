"""A folder of PNG/JPEG images, searched recursively.

Labels come from class sub-folders: ``root/<class>/**/*.png``; the sorted class names become labels 0..K-1.
A folder whose images all sit directly in it (no class sub-folders) is unlabelled (``y=None``).
Images are converted to ``channels`` channels (default: 3 if any image is in a colour mode, else 1) and, when
their sizes differ, must be resized to ``img_size``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.data.transforms import resize_images, uint8_to_signed
from gankit.errors import DataError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})
GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N"})


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


def _mode(path: Path) -> str:
    """The image's PIL mode, read from its header alone."""
    try:
        with Image.open(path) as image:
            return image.mode
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"cannot read image {path}: {error}") from None


def _open(path: Path) -> Image.Image:
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"cannot read image {path}: {error}") from None
    try:
        image.load()
    except (OSError, ValueError) as error:
        image.close()
        raise DataError(f"cannot read image {path}: {error}") from None
    return image


def _to_uint8(image: Image.Image, channels: int) -> np.ndarray:
    """An ``(H, W, channels)`` uint8 array. 16-bit grey is scaled by 255/65535; colour -> grey uses PIL's
    ITU-R 601 luma; grey -> RGB repeats the channel."""
    if image.mode.startswith("I"):
        grey = np.rint(np.asarray(image, dtype=np.float64) * (255.0 / 65535.0)).clip(0, 255).astype(np.uint8)
        array = grey[:, :, None]
        return np.repeat(array, 3, axis=2) if channels == 3 else array
    converted = image.convert("RGB" if channels == 3 else "L")
    array = np.asarray(converted, dtype=np.uint8)
    return array if array.ndim == 3 else array[:, :, None]


def load_folder(request: LoadRequest) -> ArrayDataset:
    """Load every PNG/JPEG under ``request.path`` into ``(N, C, H, W)`` float32 in [-1, 1].

    Images of one size are stacked as they are (``load_dataset`` resizes them afterwards if ``img_size`` is
    set); images of different sizes are each resized to ``img_size`` here, grouped by size, and without
    ``img_size`` they are a ``DataError``.
    """
    if request.path is None:
        raise DataError("the 'folder' dataset needs data.path: a folder of PNG/JPEG images")
    root = Path(request.path).expanduser()
    if not root.is_dir():
        raise DataError(f"image folder does not exist: {root}")
    files, labels, class_names = list_image_files(root)
    if request.limit is not None:
        files = files[: request.limit]
        labels = None if labels is None else labels[: request.limit]
    channels = request.channels or (1 if all(_mode(path) in GREY_MODES for path in files) else 3)
    arrays = []
    for path in files:
        with _open(path) as image:
            arrays.append(_to_uint8(image, channels))
    x = _stack_resizing(arrays, files, request.img_size, root)
    y = None if labels is None else torch.tensor(labels, dtype=torch.int64)
    return ArrayDataset(x=x, y=y, num_classes=len(class_names), name=f"folder:{root}", kind="image")


def _stack_resizing(arrays: list[np.ndarray], files: list[Path], img_size: int | None, root: Path) -> torch.Tensor:
    by_size: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, array in enumerate(arrays):
        by_size[array.shape[:2]].append(index)
    if len(by_size) == 1:
        return uint8_to_signed(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
    if img_size is None:
        (size_a, first_a), (size_b, first_b) = list(by_size.items())[:2]
        raise DataError(
            f"images in {root} differ in size ({files[first_a[0]].name} is {size_a[1]}x{size_a[0]}, "
            f"{files[first_b[0]].name} is {size_b[1]}x{size_b[0]}); set data.img_size to resize them"
        )
    channels = arrays[0].shape[2]
    x = torch.empty((len(arrays), channels, img_size, img_size), dtype=torch.float32)
    for indices in by_size.values():
        group = uint8_to_signed(np.stack([arrays[i] for i in indices])).permute(0, 3, 1, 2)
        x[torch.tensor(indices)] = resize_images(group, img_size)
    return x
