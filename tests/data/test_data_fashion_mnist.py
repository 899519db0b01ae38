"""Fashion-MNIST from Debian's dataset-fashion-mnist package."""

import gzip

import pytest
import torch

from gankit.data import load_dataset
from gankit.assets import locate
from gankit.errors import DataError

needs_debian_files = pytest.mark.skipif(
    locate("fashion-mnist") is None, reason="gankit assets install fashion-mnist to run this test"
)


@needs_debian_files
def test_train_split_shape_labels_and_range():
    data = load_dataset("fashion-mnist")
    assert data.x.shape == (60000, 1, 28, 28) and data.x.dtype == torch.float32 and data.x.is_contiguous()
    assert data.x.min() == -1.0 and data.x.max() == 1.0
    assert data.num_classes == 10
    assert torch.equal(torch.bincount(data.y), torch.full((10,), 6000))
    # The first training labels of Fashion-MNIST: ankle boot, T-shirt, T-shirt, dress, T-shirt.
    assert data.y[:5].tolist() == [9, 0, 0, 3, 0]


@needs_debian_files
def test_test_split_and_resize():
    data = load_dataset("fashion-mnist", split="test", img_size=32, limit=500)
    assert data.x.shape == (500, 1, 32, 32)
    full = load_dataset("fashion-mnist", split="test")
    assert len(full) == 10000 and torch.equal(torch.bincount(full.y), torch.full((10,), 1000))
    torch.testing.assert_close(data.x.mean(), full.x[:500].mean(), atol=0.02, rtol=0)


def test_missing_folder_says_how_to_get_it(tmp_path, no_assets):
    with pytest.raises(DataError, match=r"absent \(data.path\).*`gankit assets install fashion-mnist`"):
        load_dataset("fashion-mnist", path=str(tmp_path / "absent"))
    with pytest.raises(DataError, match=r"^Fashion-MNIST not found: run `gankit assets install fashion-mnist`, "
                       r"or set data.path to a folder"):
        load_dataset("fashion-mnist")


def test_the_copy_in_gankits_cache_is_read_first(no_assets):
    """Four IDX files in <cache>/assets/fashion-mnist/<version>/ are found without data.path."""
    from gankit.assets.builtin import FASHION_MNIST

    folder = no_assets / "assets" / "fashion-mnist" / FASHION_MNIST.source.version
    folder.mkdir(parents=True)
    for prefix, n in (("train", 5), ("t10k", 3)):
        images = bytes([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28]) + bytes(range(n)) * 784
        labels = bytes([0, 0, 8, 1, 0, 0, 0, n]) + bytes(range(n))
        (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(images))
        (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels))
    data = load_dataset("fashion-mnist", split="test")
    assert data.x.shape == (3, 1, 28, 28) and data.y.tolist() == [0, 1, 2]
