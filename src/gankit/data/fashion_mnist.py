"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747) from Debian's ``dataset-fashion-mnist`` files.

Read with the IDX reader from ``data.path``, else from the asset ``fashion-mnist``: gankit's cache folder
(``<cache>/assets/fashion-mnist/<version>/``), then where Debian installs it, ``/usr/share/datasets/fashion-mnist``
(``gankit assets install fashion-mnist`` runs apt-get).
train: 60,000 images, test: 10,000; 28x28 grey, 10 classes named in ``CLASS_NAMES`` (the dataset's README order).
"""

from __future__ import annotations

from pathlib import Path

from gankit.assets import find_asset
from gankit.assets.builtin import FASHION_MNIST
from gankit.data.base import ArrayDataset
from gankit.data.idx import find_idx_pair, load_idx_arrays
from gankit.data.registry import LoadRequest
from gankit.errors import DataError

DEFAULT_FOLDER = Path(FASHION_MNIST.source.folder)  # where Debian's dataset-fashion-mnist puts the files
NUM_CLASSES = 10
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def find_fashion_mnist_folder(path: str | Path | None = None) -> Path:
    """The folder holding Fashion-MNIST's IDX files: ``path``, else the asset ``fashion-mnist``'s folder."""
    if path is None:
        return find_asset("fashion-mnist").folder
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DataError(f"Fashion-MNIST folder not found: {folder} (data.path); leave data.path unset to read the "
                        "copy that `gankit assets install fashion-mnist` installs")
    return folder


def load_fashion_mnist(request: LoadRequest) -> ArrayDataset:
    """Load Fashion-MNIST's ``request.split`` ("train" or "test") from ``request.path`` or the asset."""
    folder = find_fashion_mnist_folder(request.path)
    images_path, labels_path = find_idx_pair(folder, request.split)
    if labels_path is None:
        raise DataError(f"Fashion-MNIST labels file missing beside {images_path}")
    x, y, classes = load_idx_arrays(images_path, labels_path, request.limit, request.subset)
    if classes > NUM_CLASSES:
        raise DataError(f"Fashion-MNIST label {classes - 1} out of range 0..9: {labels_path}")
    return ArrayDataset(x=x, y=y, num_classes=NUM_CLASSES, name="fashion-mnist", kind="image", class_names=CLASS_NAMES)
