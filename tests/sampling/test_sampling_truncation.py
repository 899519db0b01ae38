"""The truncation trick: the truncated normal against its closed-form variance, untruncated sampling unchanged,
and `gankit sample --truncation` on a trained run (including its bad inputs)."""

import math

import numpy as np
import pytest
import torch
from cli_helpers import expect_user_error, fingerprint, run_cli

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.sampling.truncation import truncated_normal


def _truncated_variance(t: float) -> float:
    """Var of N(0, 1) truncated to [-t, t]: 1 - 2 t φ(t) / (Φ(t) - Φ(-t))."""
    pdf = math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(t / math.sqrt(2))  # Φ(t) - Φ(-t)
    return 1 - 2 * t * pdf / mass


@pytest.mark.parametrize("t", [0.5, 1.0, 2.0])
def test_truncated_normal_stays_inside_and_has_the_closed_form_variance(t):
    z = truncated_normal((200_000,), t, generator=torch.Generator().manual_seed(0))
    assert z.abs().max() <= t
    # t = 1: 1 - 2·0.24197/0.68269 = 0.29113 (std 0.5396)
    assert z.var().item() == pytest.approx(_truncated_variance(t), rel=0.02)
    assert z.mean().item() == pytest.approx(0.0, abs=0.01)


def test_without_a_threshold_it_is_plain_randn():
    a = truncated_normal((4, 3), None, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, torch.randn(4, 3, generator=torch.Generator().manual_seed(3)))


@pytest.mark.parametrize("t", [0.0, -1.0, float("nan"), float("inf")])
def test_a_threshold_that_is_not_positive_and_finite_is_refused(t):
    with pytest.raises(ConfigError, match="--truncation must be a positive number"):
        truncated_normal((3,), t, generator=torch.Generator())


def test_truncated_samples_of_a_trained_run_come_from_truncated_codes(ring_run):
    loaded = api.load_generator(ring_run)
    raw = {"jacobian_rejection": 0.0}  # the generator itself, without the recipe's rejection of steep codes
    plain = api.sample(loaded, 300, seed=2, **raw)
    assert torch.equal(plain, api.sample(loaded, 300, seed=2, truncation=None, **raw))
    tight = api.sample(loaded, 300, seed=2, truncation=0.5, **raw)
    assert torch.equal(tight, api.sample(loaded, 300, seed=2, truncation=0.5, **raw))  # reproducible
    z = truncated_normal((300, *loaded.game.latent_shape()), 0.5, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = loaded.game.generate(loaded.module, z)
    torch.testing.assert_close(tight, expected)
    # codes near the origin give a tighter cloud of points than the untruncated codes
    assert tight.std(dim=0).sum() < plain.std(dim=0).sum()


def test_cli_sample_with_truncation_writes_and_says_so(capsys, ring_run, tmp_path):
    out = tmp_path / "tight.npy"
    code, stdout, err = run_cli(capsys, "sample", ring_run, "-n", 40, "--truncation", 0.7, "--out", out)
    assert code == 0, err
    assert "truncated to ±0.7" in stdout
    np.testing.assert_array_equal(np.load(out), api.sample(ring_run, 40, truncation=0.7).numpy())


def test_a_runs_sample_truncation_is_its_default_and_0_turns_it_off(ring_run):
    loaded = api.load_generator(ring_run)
    raw = {"jacobian_rejection": 0.0}
    plain = api.sample(loaded, 200, seed=1, **raw)
    loaded.config.sample.truncation = 0.5  # as if trained with sample.truncation=0.5
    drawn = api.draw_samples(loaded, 200, seed=1, **raw)
    assert drawn.truncation == 0.5
    assert torch.equal(drawn.samples, api.sample(loaded, 200, seed=1, truncation=0.5, **raw))
    off = api.draw_samples(loaded, 200, seed=1, truncation=0, **raw)
    assert off.truncation is None
    assert torch.equal(off.samples, plain)


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_a_bad_sample_truncation_in_the_config_is_refused(value):
    with pytest.raises(ConfigError, match="sample.truncation' must be"):
        load_config("dcgan", [f"sample.truncation={value}"])


def test_cli_truncation_0_samples_untruncated(capsys, ring_run, tmp_path):
    out = tmp_path / "plain.npy"
    code, stdout, err = run_cli(capsys, "sample", ring_run, "-n", 40, "--truncation", 0, "--out", out)
    assert code == 0, err
    assert "truncated" not in stdout
    np.testing.assert_array_equal(np.load(out), api.sample(ring_run, 40).numpy())


@pytest.mark.parametrize("value", ["-2", "nan"])
def test_cli_bad_truncation_is_one_line_and_writes_nothing(capsys, ring_run, tmp_path, value):
    before = fingerprint(tmp_path)
    expect_user_error(capsys, "sample", ring_run, "-n", 5, "--truncation", value, "--out", tmp_path / "x.npy",
                      says=("--truncation", "positive"))
    assert fingerprint(tmp_path) == before
