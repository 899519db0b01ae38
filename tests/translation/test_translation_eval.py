"""`gankit eval` on a Pix2Pix run: paired metrics of held-out outputs, FID/KID, translation accuracy."""

from __future__ import annotations

import json

import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.evaluation import evaluate_source, format_table
from gankit.metrics.paired import l1_error, psnr, ssim
from cli_helpers import expect_user_error, run_cli

from deblur_data import DIGITS_NAME, TINY_PIX2PIX


@pytest.fixture(scope="module")
def digits_p2p(tmp_path_factory):
    run = tmp_path_factory.mktemp("digits-p2p") / "run"
    options = TINY_PIX2PIX + [f"data.name={DIGITS_NAME}", "pix2pix.d_layers=1", "train.steps=150", "train.ckpt_every=150", "train.amp=false"]
    api.train(load_config("dcgan-fashion", options), run)
    return run


def test_eval_measures_held_out_outputs_against_their_targets(digits_p2p, tmp_path):
    result = evaluate_source(digits_p2p, n=200, cache_dir=tmp_path, log=None)
    assert {"l1", "psnr", "ssim", "fid", "kid", "translation_accuracy"} <= set(result)
    data = load_dataset(DIGITS_NAME)
    outputs = api.translate(digits_p2p, data.test_source[:200]).images
    targets = data.test_target[:200]
    assert result["l1"] == pytest.approx(l1_error(outputs, targets), rel=1e-6)
    assert result["psnr"] == pytest.approx(psnr(outputs, targets), rel=1e-6)
    assert result["ssim"] == pytest.approx(ssim(outputs, targets), rel=1e-6)
    assert 0 <= result["translation_accuracy"] <= 1 and result["fid"] >= 0
    assert result["settings"]["source_kind"] == "translation" and result["settings"]["n_fake"] == 200
    assert "held-out targets" in format_table(result)


def test_eval_cli_on_a_translation_run(capsys, digits_p2p, tmp_path, ring_run):
    code, out, _ = run_cli(capsys, "eval", digits_p2p, "--metrics", "paired", "--n", "50", "--json",
                           "--cache-dir", tmp_path)
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"l1", "psnr", "ssim", "settings"}
    expect_user_error(capsys, "eval", digits_p2p, "--ref", "digits", "--cache-dir", tmp_path,
                      says=("--ref does not apply to a translation run",))
    expect_user_error(capsys, "eval", digits_p2p, "--metrics", "is", "--cache-dir", tmp_path,
                      says=("does not apply to a translation run",))
    expect_user_error(capsys, "eval", ring_run, "--metrics", "paired", "--cache-dir", tmp_path,
                      says=("needs an image-to-image run",))
