"""NumPy .npz datasets: the documented layouts round-trip, everything else is a DataError."""

import numpy as np
import pytest
import torch

from gankit.data import load_dataset
from gankit.errors import DataError


def test_nhwc_uint8_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(5, 6, 7, 3), dtype=np.uint8)
    y = np.array([0, 4, 1, 1, 2])
    np.savez(tmp_path / "d.npz", x=x, y=y)
    data = load_dataset("npz", path=str(tmp_path / "d.npz"))
    assert data.x.shape == (5, 3, 6, 7) and data.x.is_contiguous()
    torch.testing.assert_close(data.x, torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255 * 2 - 1)
    assert data.y.tolist() == y.tolist() and data.num_classes == 5
    # Back to the stored bytes exactly.
    back = ((data.x + 1) / 2 * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    np.testing.assert_array_equal(back, x)


def test_nchw_float_round_trip(tmp_path):
    x = np.random.default_rng(1).random((4, 1, 5, 5)).astype(np.float32)
    np.savez(tmp_path / "f.npz", x=x)
    data = load_dataset("npz", path=str(tmp_path / "f.npz"))
    assert data.y is None and data.num_classes == 0
    torch.testing.assert_close(data.x, torch.from_numpy(x) * 2 - 1)


def test_grey_nhw_and_points(tmp_path):
    np.savez(tmp_path / "g.npz", x=np.full((2, 3, 4), 255, np.uint8))
    assert load_dataset("npz", path=str(tmp_path / "g.npz")).x.shape == (2, 1, 3, 4)
    points = np.array([[1.5, -2.0, 30.0], [0.0, 0.25, -7.0]])
    np.savez(tmp_path / "p.npz", x=points)
    data = load_dataset("npz", path=str(tmp_path / "p.npz"))
    assert data.kind == "points" and data.x.dtype == torch.float32
    torch.testing.assert_close(data.x, torch.tensor(points, dtype=torch.float32))  # not rescaled


def test_bad_files(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, images=np.zeros((2, 3)))
    with pytest.raises(DataError, match="no array 'x'.*images"):
        load_dataset("npz", path=str(path))
    np.savez(path, x=np.full((2, 1, 3, 3), 2.0))
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        load_dataset("npz", path=str(path))
    np.savez(path, x=np.zeros((2, 5, 5, 5)))
    with pytest.raises(DataError, match="channels"):
        load_dataset("npz", path=str(path))
    np.savez(path, x=np.zeros((2, 3)), y=np.array([0.5, 1.0]))
    with pytest.raises(DataError, match="'y' must be 2 integers"):
        load_dataset("npz", path=str(path))
    np.savez(path, x=np.array([{"a": 1}, None], dtype=object))  # needs pickle to read: refused
    with pytest.raises(DataError, match="bad.npz"):
        load_dataset("npz", path=str(path))
    path.write_bytes(b"not a zip at all")
    with pytest.raises(DataError, match="bad.npz"):
        load_dataset("npz", path=str(path))
