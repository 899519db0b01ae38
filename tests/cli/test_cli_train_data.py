"""`gankit train` on missing, corrupt, too small or unlabelled data: one line naming the file, exit 2, no run
folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from cli_helpers import TINY, expect_user_error, run_cli
from PIL import Image


def _train_fails(capsys, tmp_path: Path, *extra: str, says: tuple[str, ...]) -> str:
    out = tmp_path / "run"
    line = expect_user_error(capsys, "train", "gan-ring", *TINY, *extra, "--out", out, says=says)
    assert not out.exists(), "a failed start created the run folder"
    return line


def _idx_images(n: int, size: int) -> bytes:
    """A valid IDX3 uint8 file: magic 00 00 08 03, three big-endian sizes, then the pixels."""
    header = bytes([0, 0, 0x08, 3]) + np.array([n, size, size], dtype=">u4").tobytes()
    return header + np.arange(n * size * size, dtype=np.uint8).tobytes()


def test_idx_folder_that_does_not_exist(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "--set", "data.name=idx", "--set", "data.path=/nonexistent/gankit-data",
                 says=("/nonexistent/gankit-data", "does not exist"))


def test_idx_without_a_path(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "--set", "data.name=idx", says=("data.path",))


def test_idx_file_with_a_bad_magic_number(capsys, tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    good = _idx_images(8, 4)
    bad = folder / "train-images-idx3-ubyte"
    bad.write_bytes(b"\x08\x08" + good[2:])
    _train_fails(capsys, tmp_path, "--set", "data.name=idx", "--set", f"data.path={folder}",
                 "--set", "model.arch=mlp", says=("bad magic number", str(bad)))


def test_truncated_idx_file(capsys, tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte").write_bytes(_idx_images(8, 4)[:-10])
    _train_fails(capsys, tmp_path, "--set", "data.name=idx", "--set", f"data.path={folder}",
                 "--set", "model.arch=mlp", says=("truncated", "train-images-idx3-ubyte"))


def test_good_idx_folder_trains(capsys, tmp_path):
    """The counterpart: the same folder with a valid file is accepted (so the checks above can fail)."""
    folder = tmp_path / "idx"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte").write_bytes(_idx_images(128, 4))
    out = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", "gan-ring", *TINY, "--set", "data.name=idx", "--set", f"data.path={folder}",
                           "--set", "model.arch=mlp", "--out", out)
    assert code == 0, err
    assert (out / "checkpoints" / "step-00000004" / "state.json").is_file()


def test_image_folder_with_a_file_that_is_not_an_image(capsys, tmp_path):
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(folder / f"{i}.png")
    (folder / "broken.png").write_text("this is not a PNG", encoding="utf-8")
    _train_fails(capsys, tmp_path, "--set", "data.name=folder", "--set", f"data.path={folder}",
                 "--set", "model.arch=mlp", says=("cannot read image", str(folder / "broken.png")))


def test_image_folder_without_images(capsys, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("no images here", encoding="utf-8")
    _train_fails(capsys, tmp_path, "--set", "data.name=folder", "--set", f"data.path={folder}",
                 "--set", "model.arch=mlp", says=("no PNG/JPEG images", str(folder)))


def test_npz_that_does_not_exist(capsys, tmp_path):
    missing = tmp_path / "nope.npz"
    _train_fails(capsys, tmp_path, "--set", "data.name=npz", "--set", f"data.path={missing}", says=(str(missing),))


def test_dataset_smaller_than_one_batch(capsys, tmp_path):
    path = tmp_path / "small.npz"
    np.savez(path, x=np.random.default_rng(0).normal(size=(10, 2)).astype(np.float32))
    _train_fails(capsys, tmp_path, "--set", "data.name=npz", "--set", f"data.path={path}",
                 says=("10 samples", "fewer than one batch of 64"))


def test_ring_smaller_than_one_batch(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "--set", "train.batch_size=1024", says=("512 samples", "batch of 1024"))


def test_conditional_game_on_unlabelled_data(capsys, tmp_path):
    path = tmp_path / "points.npz"
    np.savez(path, x=np.random.default_rng(0).normal(size=(256, 2)).astype(np.float32))
    _train_fails(capsys, tmp_path, "--set", "data.name=npz", "--set", f"data.path={path}", "--set", "game=conditional",
                 says=("conditional", "labels", "points.npz"))


def test_image_model_on_points(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "--set", "model.arch=dcgan", says=("model.arch 'dcgan'", "images"))


def test_conditional_game_on_labelled_points_trains(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", "gan-ring", *TINY, "--set", "game=conditional", "--out", out)
    assert code == 0, err
    assert (out / "samples" / "final.png").is_file()
