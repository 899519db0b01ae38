"""The IDX file format (MNIST's, Fashion-MNIST's, EMNIST's), gzipped or not.

Layout (LeCun et al., http://yann.lecun.com/exdb/mnist/): a 4-byte magic number ``0x00 0x00 <dtype> <ndim>``,
then ``ndim`` big-endian uint32 sizes, then the values in C order, big-endian. Dtype codes:
0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.data.subset import Subset
from gankit.data.transforms import uint8_to_signed
from gankit.errors import DataError

IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

SPLIT_PREFIXES = {"train": "train", "test": "t10k"}


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzipped (detected by its magic ``1f 8b``, not its name)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"cannot read IDX file {path}: {error.strerror or error}") from None
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"corrupt gzip in IDX file {path}: {error}") from None


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into an array of the stored shape and dtype (native byte order).

    Checks the two zero magic bytes, the dtype code, that the header holds ``ndim`` sizes, and that the
    payload length equals ``prod(sizes) * itemsize``; any mismatch raises ``DataError`` naming ``source``.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"not an IDX file (bad magic number {data[:4].hex() or 'empty'}): {source}")
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        raise DataError(f"unknown IDX dtype code 0x{code:02x} in {source}")
    if ndim == 0:
        raise DataError(f"IDX file declares 0 dimensions: {source}")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataError(f"truncated IDX header ({len(data)} bytes, need {header_len}): {source}")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = header_len + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "oversized"
        raise DataError(f"{what} IDX file (shape {shape} needs {expected} bytes, found {len(data)}): {source}")
    values = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape)
    return values.astype(dtype.newbyteorder("="), copy=False)


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (plain or gzipped) into a NumPy array; see :func:`parse_idx` for the checks."""
    path = Path(path)
    return parse_idx(_read_bytes(path), str(path))


def find_idx_pair(folder: str | Path, split: str) -> tuple[Path, Path | None]:
    """Find ``<prefix>-images-idx3-ubyte[.gz]`` and its labels file in ``folder`` (``prefix`` is ``train`` for
    ``split="train"``, ``t10k`` for ``"test"``; a leading name such as ``emnist-digits-`` and a ``.`` instead of
    the ``-`` before ``idx`` are accepted). Returns ``(images, labels or None)``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"IDX folder does not exist: {folder}")
    prefix = SPLIT_PREFIXES.get(split)
    if prefix is None:
        raise DataError(f"IDX data has splits {sorted(SPLIT_PREFIXES)}, not {split!r}: {folder}")
    candidates = sorted(
        p for pattern in (f"*{prefix}-images[-.]idx3-ubyte", f"*{prefix}-images[-.]idx3-ubyte.gz")
        for p in folder.glob(pattern) if p.is_file()
    )
    if not candidates:
        raise DataError(f"no {prefix}-images-idx3-ubyte[.gz] file in {folder}")
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        raise DataError(f"several {split} image files in {folder} ({names}); point data.path at one of them")
    return candidates[0], _matching_labels(candidates[0])


def _matching_labels(images: Path) -> Path | None:
    base = images.name.removesuffix(".gz").replace("-images", "-labels").replace("idx3", "idx1")
    for name in (base, base + ".gz"):
        if (images.parent / name).is_file():
            return images.parent / name
    return None


def load_idx_arrays(
    images_path: Path, labels_path: Path | None, limit: int | None = None, subset: Subset | None = None
) -> tuple[torch.Tensor, torch.Tensor | None, int]:
    """Images as float32 ``(N, 1, H, W)`` in [-1, 1], labels as int64 ``(N,)`` (or ``None``), and the class count
    ``max(label) + 1`` over the whole file (0 without labels); ``limit`` keeps the first samples, ``subset`` a
    seeded class-stratified subset (:mod:`gankit.data.subset`), before the pixels are converted."""
    images = read_idx(images_path)
    if images.ndim != 3:
        raise DataError(f"IDX images must have 3 dimensions (N, H, W), found shape {images.shape}: {images_path}")
    if images.dtype != np.uint8:
        raise DataError(f"IDX images must be uint8, found {images.dtype}: {images_path}")
    if images.shape[0] == 0:
        raise DataError(f"IDX file holds no images: {images_path}")
    labels, num_classes = None, 0
    if labels_path is not None:
        labels = read_idx(labels_path)
        if labels.ndim != 1 or labels.shape[0] != images.shape[0] or not np.issubdtype(labels.dtype, np.integer):
            raise DataError(
                f"IDX labels must be {images.shape[0]} integers, found {labels.dtype} {labels.shape}: {labels_path}"
            )
        if labels.size and labels.min() < 0:
            raise DataError(f"IDX labels must be non-negative: {labels_path}")
        num_classes = int(labels.max()) + 1
    if subset is not None:
        keep = subset.indices(None if labels is None else torch.from_numpy(labels.astype(np.int64)), len(images))
        images = images[keep.numpy()]
        labels = None if labels is None else labels[keep.numpy()]
    elif limit is not None:
        images = images[:limit]
        labels = None if labels is None else labels[:limit]
    x = uint8_to_signed(np.ascontiguousarray(images)).unsqueeze(1)
    y = None if labels is None else torch.from_numpy(labels.astype(np.int64))
    return x, y, num_classes


def load_idx(request: LoadRequest, *, name: str = "idx", num_classes: int | None = None) -> ArrayDataset:
    """Load an IDX image/label pair. ``request.path`` is a folder (searched with :func:`find_idx_pair`) or an
    images file (its labels file is looked up beside it). ``num_classes`` defaults to ``max(label) + 1``."""
    if request.path is None:
        raise DataError("the 'idx' dataset needs data.path: a folder holding *-images-idx3-ubyte[.gz] files")
    path = Path(request.path).expanduser()
    if path.is_file():
        images_path, labels_path = path, _matching_labels(path)
    else:
        images_path, labels_path = find_idx_pair(path, request.split)
    x, y, classes = load_idx_arrays(images_path, labels_path, request.limit, request.subset)
    if y is not None and num_classes is not None:
        if classes > num_classes:
            raise DataError(f"label {classes - 1} out of range for {num_classes} classes: {labels_path}")
        classes = num_classes
    return ArrayDataset(x=x, y=y, num_classes=classes, name=name, kind="image")
