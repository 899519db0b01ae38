"""Image folders: class sub-folders become labels, flat folders are unlabelled, bad input is a DataError."""

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import load_dataset
from gankit.errors import DataError


def save(path, value, size=(6, 4), mode="L"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)
    return path


def test_class_subfolders_become_sorted_labels(tmp_path):
    save(tmp_path / "dog" / "a.png", 255)
    save(tmp_path / "cat" / "b.png", 0)
    save(tmp_path / "cat" / "nested" / "c.PNG", 0)  # recursive, case-insensitive suffix
    save(tmp_path / "emu" / "d.jpg", 128)
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    data = load_dataset("folder", path=str(tmp_path))
    assert data.num_classes == 3 and data.kind == "image"
    assert data.x.shape == (4, 1, 4, 6)  # all grey -> 1 channel; PIL size is (W, H)
    assert data.y.tolist() == [0, 0, 1, 2]  # cat, cat, dog, emu
    assert torch.all(data.x[data.y == 0] == -1.0) and torch.all(data.x[data.y == 1] == 1.0)


def test_flat_folder_is_unlabelled(tmp_path):
    for i in range(3):
        save(tmp_path / f"{i}.png", 0)
    data = load_dataset("folder", path=str(tmp_path))
    assert data.y is None and data.num_classes == 0 and len(data) == 3


def test_default_channels_is_three_when_any_image_is_colour(tmp_path):
    save(tmp_path / "grey.png", 255)
    save(tmp_path / "red.png", (255, 0, 0), mode="RGB")
    data = load_dataset("folder", path=str(tmp_path))
    assert data.x.shape == (2, 3, 4, 6)
    grey, red = data.x[0], data.x[1]  # sorted file names: grey.png, red.png
    assert torch.all(grey == 1.0)
    torch.testing.assert_close(red[:, 0, 0], torch.tensor([1.0, -1.0, -1.0]))


def test_colour_to_grey_uses_601_luma(tmp_path):
    save(tmp_path / "red.png", (255, 0, 0), mode="RGB")
    data = load_dataset("folder", path=str(tmp_path), channels=1)
    luma = 76  # PIL: 255 * 299 / 1000 = 76.245 -> 76
    torch.testing.assert_close(data.x[0, 0, 0, 0], torch.tensor(luma / 255 * 2 - 1))


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    array = np.array([[0, 65535], [32896, 257]], dtype=np.uint16)  # 32896 = 128 * 257
    Image.fromarray(array).save(tmp_path / "deep.png")
    data = load_dataset("folder", path=str(tmp_path))
    expected = torch.tensor([[0, 255], [128, 1]], dtype=torch.float32) / 255 * 2 - 1
    torch.testing.assert_close(data.x[0, 0], expected)


def test_empty_folder_and_missing_folder(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(DataError, match="no PNG/JPEG images") as info:
        load_dataset("folder", path=str(tmp_path / "empty"))
    assert "empty" in str(info.value)
    with pytest.raises(DataError, match="does not exist"):
        load_dataset("folder", path=str(tmp_path / "nowhere"))


def test_unreadable_image_names_its_path(tmp_path):
    save(tmp_path / "good.png", 0)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataError, match="broken.png"):
        load_dataset("folder", path=str(tmp_path))


def test_truncated_image_names_its_path(tmp_path):
    path = save(tmp_path / "cut.png", 0, size=(64, 64))
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    Image.fromarray(noise).save(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match="cut.png"):
        load_dataset("folder", path=str(tmp_path))


def test_mixed_sizes_need_img_size(tmp_path):
    save(tmp_path / "a.png", 255, size=(8, 8))
    save(tmp_path / "b.png", 0, size=(4, 6))
    with pytest.raises(DataError, match="img_size"):
        load_dataset("folder", path=str(tmp_path))
    data = load_dataset("folder", path=str(tmp_path), img_size=5)
    assert data.x.shape == (2, 1, 5, 5)
    assert torch.allclose(data.x[0], torch.ones(1, 5, 5)) and torch.allclose(data.x[1], -torch.ones(1, 5, 5))


def test_loose_images_beside_class_folders_are_refused(tmp_path):
    save(tmp_path / "cat" / "a.png", 0)
    save(tmp_path / "stray.png", 0)
    with pytest.raises(DataError, match="stray.png"):
        load_dataset("folder", path=str(tmp_path))
