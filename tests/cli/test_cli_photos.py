"""A user's own photos, end to end: a class folder of JPEGs trains a conditional DCGAN at 128 px, and the run
knows its classes by name (`gankit sample --label coffee`, `gankit info`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import expect_user_error, run_cli
from photo_helpers import make_photos

from gankit.cli import main

TINY_PHOTOS = ["--set", "data.name=folder", "--set", "data.img_size=128", "--set", "model.g_width=4",
               "--set", "model.d_width=4", "--set", "train.steps=2", "--set", "train.batch_size=6",
               "--set", "train.log_every=1", "--set", "train.sample_every=1000", "--set", "train.ckpt_every=2",
               "--set", "train.progress=false", "--set", "train.num_samples=6"]


@pytest.fixture(scope="module")
def photo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 steps of a conditional DCGAN at 128 px on 3 classes of 160x120 JPEGs (read only)."""
    root = tmp_path_factory.mktemp("photos")
    folder = make_photos(root / "photos", ["dog", "coffee", "cat"], 4, size=(160, 120))
    run = root / "run"
    assert main(["train", "cgan-fashion", *TINY_PHOTOS, "--set", f"data.path={folder}", "--out", str(run)]) == 0
    return run


def test_the_run_keeps_its_class_names(capsys, photo_run):
    data = json.loads((photo_run / "data.json").read_text())
    assert data["class_names"] == ["cat", "coffee", "dog"] and data["sample_shape"] == [3, 128, 128]
    code, out, err = run_cli(capsys, "info", photo_run)
    assert code == 0, err
    assert "[3, 128, 128] classes: cat, coffee, dog" in out


def test_sample_a_class_by_name_or_by_index(capsys, photo_run, tmp_path):
    def draw(label):
        out = tmp_path / f"{label}.npy"
        code, _, err = run_cli(capsys, "sample", photo_run, "-n", 4, "--label", label, "--out", out)
        assert code == 0, err
        return np.load(out)

    coffee = draw("coffee")
    assert coffee.shape == (4, 3, 128, 128)
    np.testing.assert_array_equal(coffee, draw("1"))  # coffee is class 1 (sorted folder names)
    assert not np.array_equal(coffee, draw("cat"))


def test_an_unknown_class_name_is_one_line_with_did_you_mean(capsys, photo_run, tmp_path):
    out = tmp_path / "x.png"
    expect_user_error(capsys, "sample", photo_run, "--label", "cofee", "--out", out,
                      says=("--label 'cofee'", "did you mean 'coffee'?", "cat, coffee, dog"))
    expect_user_error(capsys, "sample", photo_run, "--label", "3", "--out", out, says=("0..2", "got 3"))
    assert not out.exists()
