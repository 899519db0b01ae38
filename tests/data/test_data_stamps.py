"""The Tux Paint stamps loader on a made-up folder laid out like the package (and on the real stamps when
installed): captions, categories as classes, transparent pixels on white, centred in a square."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gankit.assets import locate
from gankit.data import load_dataset
from gankit.data.stamps import stamp_captions
from gankit.errors import DataError


def _stamp(folder: Path, name: str, image: Image.Image, caption: str | None) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    if caption is not None:
        path.with_suffix(".txt").write_text(f"{caption}\nfr.utf8=en français\n", encoding="utf-8")


@pytest.fixture
def stamps(tmp_path) -> Path:
    """Three stamps in two categories, plus what the loader must skip."""
    red_bar = Image.new("RGBA", (40, 10), (255, 0, 0, 255))  # wide: padded top and bottom with white
    ghost = Image.new("LA", (8, 8), (0, 0))  # fully transparent: white
    palette = Image.new("P", (6, 6), 0)
    palette.putpalette([0, 0, 255] + [0] * 765)  # one blue colour
    _stamp(tmp_path, "vehicles/bar.png", red_bar, "A red bar.")
    _stamp(tmp_path, "animals/ghost.png", ghost, "A ghost.")
    _stamp(tmp_path, "animals/sub/blue.png", palette, "A blue square.")
    _stamp(tmp_path, "animals/bar_mirror.png", red_bar, "mirrored copy")
    _stamp(tmp_path, "symbols/alphabets/a.png", red_bar, "the letter a")
    _stamp(tmp_path, "animals/uncaptioned.png", red_bar, None)
    return tmp_path


def test_stamps_load_with_their_categories_and_captions(stamps):
    data = load_dataset("tuxpaint-stamps", str(stamps), img_size=16)
    assert data.x.shape == (3, 3, 16, 16)
    assert data.class_names == ("animals", "vehicles") and data.y.tolist() == [0, 0, 1]
    assert stamp_captions(stamps) == ["A ghost.", "A blue square.", "A red bar."]
    ghost, blue, bar = data.x
    assert np.allclose(ghost.numpy(), 1.0)  # transparent -> the white page
    assert np.allclose(blue.numpy(), np.array([-1.0, -1.0, 1.0])[:, None, None], atol=0.02)
    assert np.allclose(bar[:, 0].numpy(), 1.0) and np.allclose(bar[:, -1].numpy(), 1.0)  # white above and below
    assert np.allclose(bar[:, 8].numpy(), np.array([1.0, -1.0, -1.0])[:, None], atol=0.02)  # red across the middle


def test_bad_stamp_folders_are_one_line_data_errors(tmp_path, stamps):
    with pytest.raises(DataError, match="stamps folder not found"):
        load_dataset("tuxpaint-stamps", str(tmp_path / "vehicles" / "none"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no stamps under"):
        load_dataset("tuxpaint-stamps", str(tmp_path / "empty"))
    with pytest.raises(DataError, match="one split"):
        load_dataset("tuxpaint-stamps", str(stamps), split="test")


@pytest.mark.skipif(locate("tuxpaint-stamps") is None, reason="run `gankit assets install tuxpaint-stamps`")
def test_the_installed_stamps_are_627_drawings_in_16_categories():
    data = load_dataset("tuxpaint-stamps", img_size=32, limit=627)
    assert data.x.shape == (627, 3, 32, 32) and data.num_classes == 16
    assert len(stamp_captions()) == 627
