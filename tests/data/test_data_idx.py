"""The IDX reader: hand-written files, plain and gzipped, and every kind of corruption."""

import gzip
import struct

import numpy as np
import pytest
import torch

from gankit.data import load_dataset, read_idx
from gankit.errors import DataError


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """IDX by hand: 0x00 0x00 <code> <ndim>, big-endian uint32 sizes, big-endian values."""
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian).tobytes()


def write(path, data: bytes, gz: bool):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_reads_uint8_images_plain_and_gzipped(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write(tmp_path / "a-idx3-ubyte", idx_bytes(images, 0x08), gz)
    got = read_idx(path)
    assert got.shape == (2, 3, 4) and got.dtype == np.uint8
    np.testing.assert_array_equal(got, images)


@pytest.mark.parametrize("code,dtype", [(0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_reads_every_dtype_big_endian(tmp_path, code, dtype):
    values = np.array([[-3, 0, 7], [100, -100, 1]], dtype=dtype)
    got = read_idx(write(tmp_path / "v.idx", idx_bytes(values, code), gz=False))
    np.testing.assert_array_equal(got, values)
    assert got.dtype == np.dtype(dtype)  # native byte order after reading


def test_known_bytes_decode_by_hand(tmp_path):
    # 0x0C = int32, 1 dim of size 2, values 1 and 258 (0x00000102).
    raw = bytes([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2])
    np.testing.assert_array_equal(read_idx(write(tmp_path / "by-hand", raw, gz=False)), [1, 258])


@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic_names_the_file(tmp_path, gz):
    data = bytearray(idx_bytes(np.zeros((2, 2, 2), np.uint8), 0x08))
    data[0] = 0x12
    path = write(tmp_path / "bad-magic-idx3-ubyte", bytes(data), gz)
    with pytest.raises(DataError, match="magic") as info:
        read_idx(path)
    assert "bad-magic-idx3-ubyte" in str(info.value)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_file_names_the_file(tmp_path, gz):
    data = idx_bytes(np.zeros((3, 4, 4), np.uint8), 0x08)[:-5]
    path = write(tmp_path / "short-idx3-ubyte", data, gz)
    with pytest.raises(DataError, match="truncated") as info:
        read_idx(path)
    assert "short-idx3-ubyte" in str(info.value) and "\n" not in str(info.value)


def test_truncated_header_oversized_payload_and_unknown_dtype(tmp_path):
    good = idx_bytes(np.zeros((3, 4, 4), np.uint8), 0x08)
    with pytest.raises(DataError, match="truncated IDX header"):
        read_idx(write(tmp_path / "h", good[:9], gz=False))
    with pytest.raises(DataError, match="oversized"):
        read_idx(write(tmp_path / "o", good + b"\0", gz=False))
    with pytest.raises(DataError, match="dtype code 0x07"):
        read_idx(write(tmp_path / "d", bytes([0, 0, 7, 1, 0, 0, 0, 0]), gz=False))


def test_broken_gzip_stream_names_the_file(tmp_path):
    data = gzip.compress(idx_bytes(np.zeros((3, 4, 4), np.uint8), 0x08))
    path = tmp_path / "cut-idx3-ubyte.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cut-idx3-ubyte.gz"):
        read_idx(path)


def make_idx_folder(folder, n_train=6, n_test=4, gz=True):
    rng = np.random.default_rng(0)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 5, 5), dtype=np.uint8)
        labels = (np.arange(n) % 3).astype(np.uint8)
        suffix = ".gz" if gz else ""
        write(folder / f"{prefix}-images-idx3-ubyte{suffix}", idx_bytes(images, 0x08), gz)
        write(folder / f"{prefix}-labels-idx1-ubyte{suffix}", idx_bytes(labels, 0x08), gz)
        arrays[prefix] = (images, labels)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_load_dataset_idx_finds_the_split_in_a_folder(tmp_path, gz):
    arrays = make_idx_folder(tmp_path, gz=gz)
    train = load_dataset("idx", path=str(tmp_path))
    test = load_dataset("idx", path=str(tmp_path), split="test")
    assert train.x.shape == (6, 1, 5, 5) and test.x.shape == (4, 1, 5, 5)
    images, labels = arrays["t10k"]
    expected = torch.from_numpy(images.astype(np.float32)).unsqueeze(1) / 255 * 2 - 1
    torch.testing.assert_close(test.x, expected)
    assert test.y.dtype == torch.int64 and test.y.tolist() == labels.tolist()
    assert train.num_classes == 3 and train.kind == "image" and train.x.dtype == torch.float32


def test_idx_limit_keeps_the_first_samples_and_counts_classes_over_the_file(tmp_path):
    make_idx_folder(tmp_path, n_train=9)
    data = load_dataset("idx", path=str(tmp_path), limit=2)
    assert len(data) == 2 and data.y.tolist() == [0, 1] and data.num_classes == 3


def test_idx_images_file_without_labels_is_unlabelled(tmp_path):
    write(tmp_path / "x-images-idx3-ubyte", idx_bytes(np.zeros((2, 3, 3), np.uint8), 0x08), gz=False)
    data = load_dataset("idx", path=str(tmp_path / "x-images-idx3-ubyte"))
    assert data.y is None and data.num_classes == 0 and data.x.shape == (2, 1, 3, 3)


def test_idx_folder_without_files_or_with_mismatched_labels(tmp_path):
    with pytest.raises(DataError, match="no train-images-idx3-ubyte"):
        load_dataset("idx", path=str(tmp_path))
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(np.zeros((3, 2, 2), np.uint8), 0x08), gz=False)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(2, np.uint8), 0x08), gz=False)
    with pytest.raises(DataError, match="train-labels-idx1-ubyte"):
        load_dataset("idx", path=str(tmp_path))
    with pytest.raises(DataError, match="data.path"):
        load_dataset("idx")
