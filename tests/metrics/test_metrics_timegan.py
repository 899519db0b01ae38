"""TimeGAN's discriminative and predictive scores on cases whose answer is known: the same process scores near 0
(discriminative) and near the best possible error (predictive); a clearly different one scores far off."""

from __future__ import annotations

import math

import pytest
import torch

from gankit.metrics.timegan import discriminative_score, post_hoc_hidden, predictive_score


def ar1_windows(n: int, phi: float, seed: int, length: int = 12, sd: float | None = None) -> torch.Tensor:
    """``n`` stationary AR(1) windows (n, length, 1) with unit variance: innovations of sd sqrt(1 - φ²)."""
    g = torch.Generator().manual_seed(seed)
    sd = math.sqrt(1 - phi ** 2) if sd is None else sd
    x = torch.empty(n, length)
    x[:, 0] = torch.randn(n, generator=g)
    for t in range(1, length):
        x[:, t] = phi * x[:, t - 1] + sd * torch.randn(n, generator=g)
    return x[..., None]


def test_the_post_hoc_width_is_half_the_features_at_least_four():
    assert post_hoc_hidden(1) == 4 and post_hoc_hidden(6) == 4 and post_hoc_hidden(20) == 10


def test_the_discriminative_score_is_near_zero_for_the_same_process_and_large_for_another():
    real = ar1_windows(600, 0.8, seed=0)
    same = discriminative_score(real, ar1_windows(600, 0.8, seed=1), iterations=300, seed=0)
    other = discriminative_score(real, ar1_windows(600, 0.8, seed=2) * 3, iterations=300, seed=0)
    # measured: same 0.06, other 0.44
    assert same < 0.1 and other > 0.35


def test_the_predictive_score_reaches_the_noise_floor_only_on_the_right_process():
    """AR(1), φ = 0.8, unit variance: the best one-step predictor 0.8 x_t leaves N(0, 0.36) errors, whose mean
    absolute value is 0.6 sqrt(2 / π) = 0.479; a predictor learnt on φ = -0.8 predicts -0.8 x_t, off by 1.6 x_t."""
    real = ar1_windows(500, 0.8, seed=0)
    floor = 0.6 * math.sqrt(2 / math.pi)
    right = predictive_score(real, ar1_windows(500, 0.8, seed=1), iterations=600, seed=0)
    wrong = predictive_score(real, ar1_windows(500, -0.8, seed=1), iterations=600, seed=0)
    # measured: right 0.484 (floor 0.479), wrong 1.40
    assert floor - 0.03 < right < floor + 0.08 and wrong > 1.0


def test_several_features_predict_the_last_one():
    """Features (u, v) with v_{t+1} = 2 u_t: from u at steps 1..T-1 the predictor reads v at steps 2..T exactly;
    trained on windows whose v is another window's, it can only guess (E|2 N(0, 1)| = 1.6 at best 0)."""
    g = torch.Generator().manual_seed(0)
    u = torch.randn(400, 10, 1, generator=g)
    v = torch.cat([torch.zeros(400, 1, 1), 2 * u[:, :-1]], dim=1)
    real = torch.cat([u, v], dim=2)
    shuffled = torch.cat([u, v[torch.randperm(400, generator=g)]], dim=2)
    right, wrong = (predictive_score(real, fake, iterations=600) for fake in (real, shuffled))
    # measured: right 0.22, wrong 1.60
    assert right < 0.5 and wrong > 1.2


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="one shape"):
        discriminative_score(torch.zeros(10, 5, 1), torch.zeros(10, 6, 1))
