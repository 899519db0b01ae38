"""Discriminator rejection sampling: the acceptance rule by hand, exactness on a 1-D case with a known density
ratio, calibration recovering a known log-ratio, and the API and CLI on a trained ring run."""

import math

import numpy as np
import pytest
import torch
from cli_helpers import run_cli
from torch import nn

from gankit import api
from gankit.errors import ConfigError
from gankit.sampling.rejection import (DRSSettings, acceptance_probability, calibrate_discriminator,
                                      calibration_pool_size, rejection_sample)


def test_gamma_zero_accepts_with_the_exact_ratio_and_gamma_shifts_it():
    logits = torch.tensor([-6.0, -2.0, -0.5, 0.0])
    exact = torch.exp(logits)  # max logit 0: accept with p_data / (M p_g) = exp(logit - max)
    assert acceptance_probability(logits, 0.0, 0.0) == pytest.approx(exact, rel=1e-4, abs=1e-5)
    assert (acceptance_probability(logits, 0.0, 2.0) < exact).all()  # γ > 0: stricter
    assert (acceptance_probability(logits, 0.0, -2.0)[:3] > exact[:3]).all()  # γ < 0: more lenient (1 stays 1)
    # a logit above the running maximum is clamped to it: accepted with probability ~1
    assert float(acceptance_probability(torch.tensor([1.0]), 0.0, 0.0)) > 0.999


def _propose_normal(seed):
    g = torch.Generator().manual_seed(seed)
    return lambda m: torch.randn(m, 1, generator=g)


def test_rejection_sampling_with_the_true_log_ratio_samples_the_target():
    # proposals q = N(0, 1); target p(x) ∝ q(x) σ(2x), so log p/q = log σ(2x) + const (bounded above by 0)
    score = lambda x: nn.functional.logsigmoid(2 * x).reshape(-1)  # noqa: E731
    result = rejection_sample(_propose_normal(0), score, 20_000, DRSSettings(percentile=None, burn_in=5000),
                              torch.Generator().manual_seed(1))
    grid = np.linspace(-8, 8, 20_001)
    weight = np.exp(-grid**2 / 2) / (1 + np.exp(-2 * grid))
    target_mean = float((grid * weight).sum() / weight.sum())  # ≈ 0.63, by quadrature
    samples = result.samples.numpy().ravel()
    assert len(samples) == 20_000
    assert abs(samples.mean() - target_mean) < 4 * samples.std() / math.sqrt(len(samples))
    # acceptance = E_q[σ(2x)] / max σ = 1/2 / ~1: about half the proposals
    assert 0.45 < result.acceptance_rate < 0.55


def test_a_lower_percentile_keeps_more_samples():
    score = lambda x: nn.functional.logsigmoid(3 * x).reshape(-1)  # noqa: E731
    rates = [rejection_sample(_propose_normal(0), score, 2000, DRSSettings(percentile=p, burn_in=4000),
                              torch.Generator().manual_seed(1)).acceptance_rate for p in (10, 50, 90)]
    assert rates[0] > rates[1] > rates[2]


def test_calibration_learns_the_log_density_ratio_of_two_gaussians():
    # real N(1, 1) against proposals N(0, 1): the optimal logit is log p/q = x - 1/2
    real = torch.randn(20_000, 1, generator=torch.Generator().manual_seed(2)) + 1.0
    start = nn.Linear(1, 1)
    nn.init.zeros_(start.weight), nn.init.zeros_(start.bias)
    settings = DRSSettings(calibration_steps=1500, calibration_lr=0.02, batch_size=512)
    proposals = _propose_normal(3)(20_000)
    calibrated = calibrate_discriminator(start, proposals, real, settings, torch.Generator().manual_seed(4))
    assert float(calibrated.weight) == pytest.approx(1.0, abs=0.15)
    assert float(calibrated.bias) == pytest.approx(-0.5, abs=0.15)
    assert float(start.weight.detach()) == 0.0  # the run's own discriminator is untouched


def test_the_calibration_pool_matches_the_real_set_within_what_the_steps_use():
    assert calibration_pool_size(DRSSettings(calibration_steps=100, batch_size=256), 50_000) == 25_600
    assert calibration_pool_size(DRSSettings(calibration_steps=2000, batch_size=256), 50_000) == 50_000
    assert calibration_pool_size(DRSSettings(calibration_pool=3000), 50_000) == 3000


def test_api_draws_n_points_by_drs_from_a_trained_run(ring_run):
    settings = DRSSettings(calibration_steps=20, burn_in=500)
    loaded = api.load_generator(ring_run)
    result = api.sample_drs(loaded, 300, seed=5, settings=settings)
    assert result.samples.shape == (300, 2) and torch.isfinite(result.samples).all()
    assert 0 < result.acceptance_rate <= 1 and result.accepted >= 300
    again = api.sample_drs(loaded, 300, seed=5, settings=settings)
    assert torch.equal(result.samples, again.samples)  # reproducible with the same seed


def test_drs_refuses_a_conditional_generator(digits_run):
    with pytest.raises(ConfigError, match="unconditional"):
        api.sample(digits_run, 10, drs=True)


def test_cli_sample_with_drs_writes_the_points(capsys, ring_run, tmp_path):
    out = tmp_path / "drs.npy"
    code, stdout, err = run_cli(capsys, "sample", ring_run, "-n", 50, "--drs", "--out", out)
    assert code == 0, err
    assert np.load(out).shape == (50, 2)
    assert "discriminator rejection sampling" in stdout and "accepted" in stdout


def test_cli_sample_with_drs_and_a_label_is_a_user_error(capsys, digits_run, tmp_path):
    code, _, err = run_cli(capsys, "sample", digits_run, "-n", 5, "--drs", "--label", 1, "--out", tmp_path / "x.npy")
    assert code == 2 and "unconditional" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.npy").exists()
