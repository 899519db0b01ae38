"""A NumPy ``.npz`` file with an array ``x`` and optionally integer labels ``y``.

Accepted layouts of ``x`` (read with ``allow_pickle=False``, so the file cannot run code):

* ``(N, D)``: points (tabular or toy data), kept as float32 in their own units;
* ``(N, H, W)``: grey images;
* ``(N, C, H, W)`` with C in {1, 3}: images, channels first (checked first);
* ``(N, H, W, C)`` with C in {1, 3}: images, channels last.

Image values: uint8 (or any integer type) in 0..255, mapped by ``x / 255 * 2 - 1``; or float in [0, 1], mapped by
``2 x - 1``. ``y``, when present, is ``(N,)`` non-negative integers; ``num_classes = max(y) + 1``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.data.transforms import uint8_to_signed, unit_to_signed
from gankit.errors import DataError


def _images_to_nchw(x: np.ndarray, path: Path) -> np.ndarray:
    if x.ndim == 3:
        return x[:, None]
    if x.shape[1] in (1, 3):
        return x
    if x.shape[3] in (1, 3):
        return x.transpose(0, 3, 1, 2)
    raise DataError(f"npz images of shape {x.shape} have neither 1 nor 3 channels (NCHW or NHWC): {path}")


def _scale_images(x: np.ndarray, path: Path) -> torch.Tensor:
    if x.size == 0:
        raise DataError(f"npz array 'x' is empty: {path}")
    low, high = x.min(), x.max()
    if np.issubdtype(x.dtype, np.integer):
        if low < 0 or high > 255:
            raise DataError(f"npz integer images must lie in 0..255, found {low}..{high}: {path}")
        return uint8_to_signed(x.astype(np.uint8, copy=False))
    if not (0.0 <= low and high <= 1.0):
        raise DataError(f"npz float images must lie in [0, 1], found [{low:.4g}, {high:.4g}]: {path}")
    return unit_to_signed(x)


def _labels(y: np.ndarray, n: int, path: Path) -> tuple[torch.Tensor, int]:
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"npz 'y' must be {n} integers, found {y.dtype} {y.shape}: {path}")
    if n and y.min() < 0:
        raise DataError(f"npz labels must be non-negative, found {y.min()}: {path}")
    return torch.from_numpy(y.astype(np.int64)), int(y.max()) + 1 if n else 0


def _read_arrays(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"cannot read npz file {path}: {error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(f"not an .npz archive (a single .npy array?): {path}")
    with archive:
        if "x" not in archive.files:
            raise DataError(f"npz file has no array 'x' (keys: {', '.join(archive.files) or 'none'}): {path}")
        try:
            return archive["x"], (archive["y"] if "y" in archive.files else None)
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
            raise DataError(f"cannot read npz file {path}: {error}") from None


def load_npz(request: LoadRequest) -> ArrayDataset:
    """Load ``request.path`` (an ``.npz``) in one of the layouts above."""
    if request.path is None:
        raise DataError("the 'npz' dataset needs data.path: an .npz file with an array 'x'")
    path = Path(request.path).expanduser()
    if not path.is_file():
        raise DataError(f"npz file does not exist: {path}")
    x, y = _read_arrays(path)
    if x.dtype.kind not in "biuf":
        raise DataError(f"npz 'x' must be numeric, found dtype {x.dtype}: {path}")
    if x.ndim not in (2, 3, 4):
        raise DataError(f"npz 'x' must be (N, D), (N, H, W), (N, C, H, W) or (N, H, W, C), found {x.shape}: {path}")
    labels, num_classes = (None, 0) if y is None else _labels(y, x.shape[0], path)
    if request.limit is not None:
        x = x[: request.limit]
        labels = None if labels is None else labels[: request.limit]
    if x.ndim == 2:
        data = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        kind = "points"
    else:
        data = _scale_images(np.ascontiguousarray(_images_to_nchw(x, path)), path)
        kind = "image"
    return ArrayDataset(x=data, y=labels, num_classes=num_classes, name=f"npz:{path.name}", kind=kind)
