"""Fashion-MNIST from Debian's dataset-fashion-mnist package."""

import pytest
import torch

from gankit.data import load_dataset
from gankit.data.fashion_mnist import DEFAULT_FOLDER
from gankit.errors import DataError

needs_debian_files = pytest.mark.skipif(
    not DEFAULT_FOLDER.is_dir(), reason="apt-get install dataset-fashion-mnist to run this test"
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


def test_missing_folder_says_how_to_get_it(tmp_path):
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist.*data.path"):
        load_dataset("fashion-mnist", path=str(tmp_path / "absent"))
