"""The perceptual path length of a generator checked by hand (an identity generator on the sphere), the w path of a
style-based generator, and `gankit eval --metrics ppl` on a trained run."""

import json
import math

import numpy as np
import pytest
import torch
from cli_helpers import expect_user_error, run_cli
from latent_helpers import fake_styled_run, identity_run

from gankit.evaluation.ppl import perceptual_path_length


class WholeImage(torch.nn.Module):
    """Features: the whole image as one feature vector (its pixels as channels, one position)."""

    def forward(self, images):
        return [images.flatten(1)[:, :, None, None]]


def test_the_path_length_of_the_identity_is_the_squared_angle():
    """G(z) = z and d = |z/|z| - z'/|z'||²: along the great circle from z1 to z2 at angle Ω, two points ε apart
    are 2 sin(Ωε/2) ≈ Ωε apart, so l = Ω², and in 4,096 dimensions Ω is π/2 within about 1/64."""
    value, settings = perceptual_path_length(identity_run(64), pairs=200, net=WholeImage(), batch=100)
    assert settings["ppl_space"] == "z" and settings["ppl_pairs"] == 200
    assert value == pytest.approx(math.pi ** 2 / 4, rel=0.02)


def test_a_style_based_generator_is_measured_in_w():
    value, settings = perceptual_path_length(fake_styled_run(), pairs=100, net=WholeImage())
    assert settings["ppl_space"] == "w" and math.isfinite(value) and value > 0


def test_gankit_eval_ppl(digits_gan, tmp_path, capsys, monkeypatch):
    from gankit.models.vgg16 import vgg16_available

    if not vgg16_available():
        pytest.skip("asset vgg16 is not installed")
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    code, out, _ = run_cli(capsys, "eval", digits_gan, "--metrics", "ppl", "--n", "100", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ppl"] > 0 and result["settings"]["ppl_pairs"] == 100
    code, out, _ = run_cli(capsys, "eval", digits_gan, "--metrics", "ppl,msssim", "--n", "100")
    assert code == 0 and "ppl" in out and "msssim" in out


def test_ppl_needs_a_generator(tmp_path, capsys):
    np.save(tmp_path / "images.npy", np.zeros((4, 1, 8, 8), np.float32))
    expect_user_error(capsys, "eval", tmp_path / "images.npy", "--metrics", "ppl", "--ref", "digits",
                      says=("'ppl' measures a generator",))
