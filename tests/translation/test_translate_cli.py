"""`gankit translate`: one image or a folder through a trained Pix2Pix run; bad input refused, nothing written."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from gankit import api
from gankit.config import load_config
from cli_helpers import expect_user_error, fingerprint, run_cli

from deblur_data import TINY_PIX2PIX


@pytest.fixture(scope="module")
def pix2pix_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("p2p") / "run"
    api.train(load_config("dcgan-fashion", TINY_PIX2PIX + ["train.steps=4", "train.ckpt_every=4"]), run)
    return run


def _write(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def _grey(seed, size=16):
    return np.random.default_rng(seed).integers(0, 256, (size, size), dtype=np.uint8)


def test_one_image_and_a_folder_are_translated(capsys, tmp_path, pix2pix_run):
    one = _write(tmp_path / "in" / "shoe.png", _grey(0))
    _write(tmp_path / "in" / "coat.png", _grey(1, size=28))  # another size: resized to the run's 16 px
    code, out, _ = run_cli(capsys, "translate", pix2pix_run, "--input", one, "--out", tmp_path / "shoe_out.png")
    assert code == 0 and "translated 1 image" in out
    assert Image.open(tmp_path / "shoe_out.png").size == (16, 16)
    code, out, _ = run_cli(capsys, "translate", pix2pix_run, "--input", tmp_path / "in", "--out", tmp_path / "out")
    assert code == 0 and "translated 2 images" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["coat.png", "shoe.png"]
    # the CLI writes what the API computes
    result = api.translate(pix2pix_run, tmp_path / "in")
    assert result.names == ["coat", "shoe"] and result.images.shape == (2, 1, 16, 16)
    written = np.asarray(Image.open(tmp_path / "out" / "shoe.png"), dtype=np.float32) / 127.5 - 1
    assert np.abs(written - result.images[1, 0].numpy()).max() <= 1 / 127.5 + 1e-6


def test_translate_api_takes_a_tensor(pix2pix_run):
    images = torch.rand(3, 1, 16, 16) * 2 - 1
    result = api.translate(pix2pix_run, images)
    assert result.images.shape == (3, 1, 16, 16) and result.images.abs().max() <= 1


def test_bad_input_gets_one_line_and_nothing_is_written(capsys, tmp_path, pix2pix_run, ring_run):
    rgb = _write(tmp_path / "rgb.png", np.zeros((16, 16, 3), dtype=np.uint8))
    grey = _write(tmp_path / "grey.png", _grey(2))
    _write(tmp_path / "taken" / "old.png", _grey(3))
    before = fingerprint(tmp_path)
    expect_user_error(capsys, "translate", pix2pix_run, "--input", rgb, "--out", tmp_path / "o.png",
                      says=("rgb.png has 3 channels", "1-channel"))
    expect_user_error(capsys, "translate", ring_run, "--input", grey, "--out", tmp_path / "o.png",
                      says=("game 'unconditional'", "gankit sample"))
    expect_user_error(capsys, "translate", pix2pix_run, "--input", tmp_path / "missing", "--out", tmp_path / "o",
                      says=("no such input",))
    expect_user_error(capsys, "translate", pix2pix_run, "--input", grey, "--out", tmp_path / "taken" / "old.png",
                      says=("already exists", "--force"))
    expect_user_error(capsys, "translate", pix2pix_run, "--input", tmp_path / "taken", "--out", tmp_path / "taken",
                      says=("holds the input",))
    expect_user_error(capsys, "translate", pix2pix_run, "--input", grey, "--out", tmp_path / "folder",
                      says=("writes one .png file",))
    assert fingerprint(tmp_path) == before


def test_sampling_a_translation_run_points_to_translate(capsys, tmp_path, pix2pix_run):
    expect_user_error(capsys, "sample", pix2pix_run, "--out", tmp_path / "s.png",
                      says=("maps images to images", "gankit translate"))
    assert not (tmp_path / "s.png").exists()


def test_info_shows_the_family_options(capsys, pix2pix_run):
    code, out, _ = run_cli(capsys, "info", pix2pix_run)
    assert code == 0 and "pix2pix: lambda_l1=100.0, lambda_gan=1.0" in out and "model dcgan" not in out
