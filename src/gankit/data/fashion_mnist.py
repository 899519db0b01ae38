"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747) from Debian's ``dataset-fashion-mnist`` files.

Read with the IDX reader; found on its own at ``/usr/share/datasets/fashion-mnist`` (or ``data.path``).
train: 60,000 images, test: 10,000; 28x28 grey, 10 classes named in ``CLASS_NAMES`` (the dataset's README order).
"""

from __future__ import annotations

from pathlib import Path

from gankit.data.base import ArrayDataset
from gankit.data.idx import find_idx_pair, load_idx_arrays
from gankit.data.registry import LoadRequest
from gankit.errors import DataError

DEFAULT_FOLDER = Path("/usr/share/datasets/fashion-mnist")
NUM_CLASSES = 10
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def load_fashion_mnist(request: LoadRequest) -> ArrayDataset:
    """Load Fashion-MNIST's ``request.split`` ("train" or "test") from ``request.path`` or the Debian folder."""
    folder = Path(request.path).expanduser() if request.path is not None else DEFAULT_FOLDER
    if not folder.is_dir():
        raise DataError(
            f"Fashion-MNIST not found at {folder}: run `apt-get install dataset-fashion-mnist` "
            "or set data.path to a folder holding its *-idx*-ubyte.gz files"
        )
    images_path, labels_path = find_idx_pair(folder, request.split)
    if labels_path is None:
        raise DataError(f"Fashion-MNIST labels file missing beside {images_path}")
    x, y, classes = load_idx_arrays(images_path, labels_path, request.limit, request.subset)
    if classes > NUM_CLASSES:
        raise DataError(f"Fashion-MNIST label {classes - 1} out of range 0..9: {labels_path}")
    return ArrayDataset(x=x, y=y, num_classes=NUM_CLASSES, name="fashion-mnist", kind="image", class_names=CLASS_NAMES)
