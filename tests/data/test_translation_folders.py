"""User translation data: pix2pix's aligned A|B files, CycleGAN's trainA/trainB/testA/testB, and two folders
whose files pair by name; each bad layout is a one-line DataError naming the file or folder."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import PairedDataset, UnpairedDataset, load_dataset
from gankit.data.translation_folders import holdout_split
from gankit.errors import DataError


def _grey(path: Path, value: int, size: tuple[int, int] = (8, 8)) -> None:
    """A flat grey PNG of (width, height) ``size`` and pixel ``value``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full(size[::-1], value, dtype=np.uint8)).save(path)


def _aligned(path: Path, left: int, right: int, height: int = 8, colour: bool = False) -> None:
    """An A|B file: a flat ``left`` half beside a flat ``right`` half, each ``height`` square."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.concatenate([np.full((height, height), left), np.full((height, height), right)], axis=1)
    image = Image.fromarray(pixels.astype(np.uint8))
    (image.convert("RGB") if colour else image).save(path)


def _signed(value: int) -> float:
    return value / 255 * 2 - 1


def test_aligned_splits_each_file_into_source_left_and_target_right(tmp_path):
    for i in range(3):
        _aligned(tmp_path / "train" / f"{i}.png", 10 * i, 200 + 10 * i)
    _aligned(tmp_path / "test" / "t.png", 50, 150)
    _aligned(tmp_path / "val" / "v.png", 0, 0)
    data = load_dataset("aligned", tmp_path)
    assert isinstance(data, PairedDataset) and data.source.shape == data.target.shape == (3, 1, 8, 8)
    expected = torch.tensor([_signed(10 * i) for i in range(3)])
    torch.testing.assert_close(data.source.mean(dim=(1, 2, 3)), expected, atol=1e-5, rtol=0)
    torch.testing.assert_close(data.target[2], torch.full((1, 8, 8), _signed(220)), atol=1e-6, rtol=0)
    torch.testing.assert_close(data.test_source, torch.full((1, 1, 8, 8), _signed(50)), atol=1e-6, rtol=0)
    torch.testing.assert_close(data.test_target, torch.full((1, 1, 8, 8), _signed(150)), atol=1e-6, rtol=0)
    (tmp_path / "test" / "t.png").unlink()
    (tmp_path / "test").rmdir()
    assert torch.all(load_dataset("aligned", tmp_path).test_source == -1)  # no test/: val/ holds the test pairs
    small = load_dataset("aligned", tmp_path, img_size=4, channels=3, limit=2)
    assert small.source.shape == (2, 3, 4, 4) and small.test_target.shape == (1, 3, 4, 4)


def test_aligned_mixed_sizes_need_img_size_and_colour_gives_three_channels(tmp_path):
    _aligned(tmp_path / "train" / "a.png", 0, 255, height=8, colour=True)
    _aligned(tmp_path / "train" / "b.png", 0, 255, height=16)
    _aligned(tmp_path / "val" / "c.png", 0, 255)
    with pytest.raises(DataError, match=r"^images differ in size \(.*a.png is 16x8, .*b.png is 32x16\); set data.img"):
        load_dataset("aligned", tmp_path)
    data = load_dataset("aligned", tmp_path, img_size=8)
    assert data.source.shape == (2, 3, 8, 8)
    torch.testing.assert_close(data.target, torch.ones(2, 3, 8, 8), atol=1e-6, rtol=0)


@pytest.mark.parametrize("layout, message", [
    ({"train/x.png": (10, 8), "test/y.png": (16, 8)},
     r"^aligned image .*train/x.png is 10x8: its width must be twice its height \(A and B side by side\)$"),
    ({"train/x.png": (16, 8)}, r"^aligned data .* has no test/ or val/ folder of held-out pairs$"),
    ({"test/y.png": (16, 8)}, r"^aligned data needs the folder .*train, which does not exist$"),
    ({"train/x.png": (16, 8), "test/notes.txt": None}, r"^no PNG/JPEG images in folder .*test$"),
])
def test_aligned_errors_name_the_file_or_folder(tmp_path, layout, message):
    for name, size in layout.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if size is None:
            path.write_text("not an image")
        else:
            Image.new("L", size).save(path)
    with pytest.raises(DataError, match=message):
        load_dataset("aligned", tmp_path)


def test_unaligned_loads_four_folders_as_two_domains(tmp_path):
    for i in range(3):
        _grey(tmp_path / "trainA" / f"{i}.png", 20)
    for i in range(2):
        _grey(tmp_path / "trainB" / "sub" / f"{i}.png", 220)  # found recursively
    _grey(tmp_path / "testA" / "0.png", 30)
    _grey(tmp_path / "testB" / "0.png", 230)
    data = load_dataset("unaligned", tmp_path)
    assert isinstance(data, UnpairedDataset)
    assert data.a.shape == (3, 1, 8, 8) and data.b.shape == (2, 1, 8, 8) and data.test_a.shape == (1, 1, 8, 8)
    torch.testing.assert_close(data.b, torch.full((2, 1, 8, 8), _signed(220)), atol=1e-6, rtol=0)
    torch.testing.assert_close(data.test_a, torch.full((1, 1, 8, 8), _signed(30)), atol=1e-6, rtol=0)
    limited = load_dataset("unaligned", tmp_path, limit=1, img_size=16, channels=3)
    assert limited.a.shape == limited.b.shape == (1, 3, 16, 16)


def test_unaligned_empty_or_missing_folders_are_named(tmp_path):
    _grey(tmp_path / "trainA" / "0.png", 0)
    (tmp_path / "trainB").mkdir()
    _grey(tmp_path / "testA" / "0.png", 0)
    _grey(tmp_path / "testB" / "0.png", 0)
    with pytest.raises(DataError, match=r"^no PNG/JPEG images in folder .*trainB$"):
        load_dataset("unaligned", tmp_path)
    (tmp_path / "trainB").rmdir()
    with pytest.raises(DataError, match=r"^unaligned data needs the folder .*trainB, which does not exist$"):
        load_dataset("unaligned", tmp_path)
    with pytest.raises(DataError, match=r"^unaligned data folder does not exist: .*absent$"):
        load_dataset("unaligned", tmp_path / "absent")
    with pytest.raises(DataError, match=r"^the 'unaligned' dataset needs data.path"):
        load_dataset("unaligned")


def _pairs(root: Path, n: int, a: str = "A", b: str = "B") -> None:
    """n pairs: A/NN.png of value 10 k beside B/NN.PNG of value 255 - 10 k."""
    for k in range(n):
        _grey(root / a / f"{k:02d}.png", 10 * k)
        _grey(root / b / f"{k:02d}.PNG", 255 - 10 * k)  # another extension: pairs by name alone


def test_paired_folders_pair_by_name_and_hold_out_a_seeded_tenth(tmp_path):
    _pairs(tmp_path, 20)
    data = load_dataset("paired-folders", tmp_path)
    assert data.source.shape == (18, 1, 8, 8) and data.test_source.shape == (2, 1, 8, 8)
    for source, target in ((data.source, data.target), (data.test_source, data.test_target)):
        torch.testing.assert_close(target, -source, atol=1e-6, rtol=0)  # 255 - v maps to minus v's value
    train, held = holdout_split(20)
    assert len(held) == 2 and sorted(train + held) == list(range(20)) and holdout_split(20) == (train, held)
    expected = torch.tensor([_signed(10 * k) for k in held])
    torch.testing.assert_close(data.test_source.mean(dim=(1, 2, 3)), expected, atol=1e-5, rtol=0)
    assert holdout_split(2)[1] and len(holdout_split(9)[1]) == 1  # at least one held out


def test_paired_folders_use_testA_and_testB_when_present(tmp_path):
    _pairs(tmp_path, 4)
    _pairs(tmp_path, 2, "testA", "testB")
    data = load_dataset("paired-folders", tmp_path, limit=3)
    assert data.source.shape == (3, 1, 8, 8) and data.test_source.shape == (2, 1, 8, 8)
    torch.testing.assert_close(data.test_target, -data.test_source, atol=1e-6, rtol=0)


def test_paired_folders_errors_name_the_file(tmp_path):
    _pairs(tmp_path, 3)
    _grey(tmp_path / "A" / "lonely.png", 0)
    with pytest.raises(DataError, match=r"^.*A/lonely.png has no partner in .*B \(files pair by name"):
        load_dataset("paired-folders", tmp_path)
    _grey(tmp_path / "B" / "lonely.png", 0, size=(8, 6))
    with pytest.raises(DataError, match=r"^paired images differ in size: .*A/lonely.png is 8x8, .*B/lonely.png is 8x6"):
        load_dataset("paired-folders", tmp_path, img_size=8)  # resizing would hide a misaligned pair
    (tmp_path / "B" / "lonely.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"^cannot read image .*B/lonely.png"):
        load_dataset("paired-folders", tmp_path)
    (tmp_path / "B" / "lonely.png").unlink()
    _grey(tmp_path / "B" / "lonely.jpg", 0)
    _grey(tmp_path / "B" / "lonely.png", 0)
    with pytest.raises(DataError, match=r"^.*B/lonely.jpg and .*B/lonely.png share the name lonely"):
        load_dataset("paired-folders", tmp_path)
    (tmp_path / "B" / "lonely.png").unlink()
    assert len(load_dataset("paired-folders", tmp_path).source) == 3  # 4 pairs, one held out
    (tmp_path / "testA").mkdir()
    with pytest.raises(DataError, match=r"^paired-folders data has testA/ without .*testB$"):
        load_dataset("paired-folders", tmp_path)


def test_paired_folders_need_two_pairs_to_hold_one_out(tmp_path):
    _pairs(tmp_path, 1)
    with pytest.raises(DataError, match=r"^paired-folders data .* has 1 pair: at least 2 are needed"):
        load_dataset("paired-folders", tmp_path)
