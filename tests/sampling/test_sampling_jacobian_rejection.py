"""Jacobian-norm rejection (Tanielian et al. 2020): the norm against hand-derived Jacobians, Hutchinson's
estimate against the exact value, the sampler removing the bridge of a two-mode generator, and the API and CLI
on trained runs (including bad input)."""

import math

import numpy as np
import pytest
import torch
from cli_helpers import expect_user_error, fingerprint, run_cli

from gankit import api
from gankit.errors import ConfigError
from gankit.sampling.jacobian_rejection import (
    JacobianRejectionSampler,
    JacobianRejectionSettings,
    check_share,
    jacobian_norms,
)


def test_the_exact_norm_of_a_linear_map_is_its_frobenius_norm():
    a = torch.tensor([[1.0, 2.0], [0.0, -3.0], [4.0, 0.5]])  # ‖A‖_F = √(1 + 4 + 9 + 16 + 0.25) = √30.25 = 5.5
    z = torch.randn(7, 2, generator=torch.Generator().manual_seed(0))
    output, norms = jacobian_norms(lambda codes: codes @ a.T, z)
    torch.testing.assert_close(output, z @ a.T)
    torch.testing.assert_close(norms, torch.full((7,), 5.5))


def test_the_exact_norm_of_an_elementwise_map_follows_the_hand_derivative():
    # G(z) = (z0², sin z1): J = diag(2 z0, cos z1), ‖J‖_F = √(4 z0² + cos² z1)
    z = torch.tensor([[0.0, 0.0], [1.0, math.pi / 2], [-0.5, math.pi]])
    _, norms = jacobian_norms(lambda c: torch.stack([c[:, 0] ** 2, torch.sin(c[:, 1])], dim=1), z)
    torch.testing.assert_close(norms, torch.tensor([1.0, 2.0, math.sqrt(1.0 + 1.0)]), atol=1e-6, rtol=1e-6)


def test_hutchinsons_estimate_converges_to_the_exact_norm():
    a = torch.randn(5, 20, generator=torch.Generator().manual_seed(1))
    z = torch.zeros(3, 20)
    _, exact = jacobian_norms(lambda c: c @ a.T, z)
    assert exact[0].item() == pytest.approx(a.norm().item(), rel=1e-5)
    _, estimate = jacobian_norms(lambda c: c @ a.T, z, projections=4000, generator=torch.Generator().manual_seed(2))
    # the square is unbiased; over 4,000 directions its relative std is about √(2/4000) ≈ 2% here
    assert estimate == pytest.approx(exact, rel=0.05)


def _two_mode_sampler(share, seed=0):
    """G(z) = tanh(8 z), z ~ N(0, 1): modes at ±1 joined by a steep bridge through 0, where |G'| = 8 (1 − G²) peaks."""
    latent = torch.Generator().manual_seed(seed)
    draw = lambda m: (torch.randn(m, 1, generator=latent), None)  # noqa: E731
    settings = JacobianRejectionSettings(share, burn_in=20_000, batch_size=1000)
    return JacobianRejectionSampler(lambda z, labels: torch.tanh(8 * z), draw, settings)


def test_the_sampler_removes_the_bridge_between_two_modes_and_keeps_them_balanced():
    raw = torch.tanh(8 * torch.randn(20_000, 1, generator=torch.Generator().manual_seed(3)))
    # on the bridge |x| < 0.9 ⇔ |z| < atanh(0.9)/8 = 0.184: P = 2Φ(0.184) − 1 ≈ 14.6% of raw samples
    assert (raw.abs() < 0.9).float().mean().item() == pytest.approx(0.146, abs=0.01)
    sampler = _two_mode_sampler(0.2)
    kept = sampler(20_000)
    # rejecting the steepest 20% drops |z| < Φ⁻¹(0.6) = 0.253, so every kept |x| ≥ tanh(8 · 0.253) ≈ 0.966
    assert kept.shape == (20_000, 1)
    assert kept.abs().min().item() > 0.95
    assert sampler.threshold == pytest.approx(8 * (1 - math.tanh(8 * 0.2533) ** 2), rel=0.1)
    assert sampler.acceptance_rate == pytest.approx(0.8, abs=0.02)
    assert (kept > 0).float().mean().item() == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("share", [-0.1, 1.0, float("nan")])
def test_a_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ConfigError, match="--jacobian-rejection"):
        check_share(share)


def test_api_sampling_with_rejection_is_reproducible_and_follows_the_runs_config(ring_run):
    loaded = api.load_generator(ring_run)
    assert loaded.config.sample.jacobian_rejection == 0.05  # the gan-ring recipe's
    raw = api.sample(loaded, 300, seed=2, jacobian_rejection=0.0)
    with torch.no_grad():  # 0 turns the rejection off: the generator on plain N(0, I) codes
        expected = loaded.game.generate(loaded.module, torch.randn(300, 2, generator=torch.Generator().manual_seed(2)))
    torch.testing.assert_close(raw, expected)
    kept = api.sample(loaded, 300, seed=2, jacobian_rejection=0.2)
    assert kept.shape == (300, 2)
    assert torch.equal(kept, api.sample(loaded, 300, seed=2, jacobian_rejection=0.2))
    assert not torch.equal(kept, raw)
    assert torch.equal(api.sample(loaded, 300, seed=2), api.sample(loaded, 300, seed=2, jacobian_rejection=0.05))
    loaded.config.sample.jacobian_rejection = 0.2  # as if trained with sample.jacobian_rejection=0.2
    assert torch.equal(api.sample(loaded, 300, seed=2), kept)


def test_api_rejection_on_a_conditional_generator_keeps_the_label(digits_run):
    loaded = api.load_generator(digits_run)
    samples = api.sample(loaded, 20, label=3, seed=0, jacobian_rejection=0.1)
    assert samples.shape == (20, *loaded.data.sample_shape)
    sampler = api.jacobian_rejection_sampler(loaded, 0.1, label=3, seed=0, burn_in=500)
    assert sampler.threshold > 0
    assert sampler(10).shape == (10, *loaded.data.sample_shape)


def test_cli_sample_with_jacobian_rejection_writes_and_says_so(capsys, ring_run, tmp_path):
    out = tmp_path / "kept.npy"
    code, stdout, err = run_cli(capsys, "sample", ring_run, "-n", 40, "--jacobian-rejection", 0.1, "--out", out)
    assert code == 0, err
    assert "rejecting 10% of latent codes" in stdout
    np.testing.assert_array_equal(np.load(out), api.sample(ring_run, 40, jacobian_rejection=0.1).numpy())


def test_cli_eval_records_the_share_it_sampled_with(capsys, ring_run):
    code, stdout, err = run_cli(capsys, "eval", ring_run, "--metrics", "modes", "--n", 200,
                                "--jacobian-rejection", 0.1, "--json")
    assert code == 0, err
    assert '"jacobian_rejection": 0.1' in stdout
    code, stdout, err = run_cli(capsys, "eval", ring_run, "--metrics", "modes", "--n", 200)
    assert code == 0, err
    assert "5% of latent codes rejected where G is steepest" in stdout  # the recipe's own share
    code, stdout, err = run_cli(capsys, "eval", ring_run, "--metrics", "modes", "--n", 200, "--jacobian-rejection", 0)
    assert code == 0, err
    assert "rejected" not in stdout


@pytest.mark.parametrize("value", ["-0.1", "1", "nan"])
def test_cli_bad_share_is_one_line_and_writes_nothing(capsys, ring_run, tmp_path, value):
    before = fingerprint(tmp_path)
    expect_user_error(capsys, "sample", ring_run, "-n", 5, "--jacobian-rejection", value, "--out",
                      tmp_path / "x.npy", says=("--jacobian-rejection", "[0, 1)"))
    assert fingerprint(tmp_path) == before


def test_cli_eval_of_an_array_with_a_share_is_a_user_error(capsys, tmp_path):
    array = tmp_path / "points.npy"
    np.save(array, np.zeros((10, 2), dtype=np.float32))
    expect_user_error(capsys, "eval", array, "--metrics", "modes", "--ref", "ring", "--jacobian-rejection", 0.1,
                      says=("--jacobian-rejection", "not a run"))
