"""Stylized-fact scores (QuantGAN) checked by hand, and the GARCH-t / GBM / bootstrap baselines."""

from __future__ import annotations

import numpy as np
import pytest

from gankit.evaluation.baselines import GarchT, bootstrap_paths, fit_garch_t, gbm_paths
from gankit.metrics.stylized import (acf_score, emd, horizon_returns, leverage_score, path_acf, path_leverage,
                                     stylized_facts)


def test_horizon_returns_are_non_overlapping_sums_or_rolling_ones():
    r = np.array([[1.0, 2, 3, 4, 5, 6, 7], [0, 0, 1, 0, 0, 1, 9]])
    assert horizon_returns(r, 3).tolist() == [6, 15, 1, 1]  # blocks [0:3], [3:6] of each path; the 7th is left
    assert horizon_returns(r[0], 1).tolist() == r[0].tolist()
    assert horizon_returns(r[0], 5, overlapping=True).tolist() == [15, 20, 25]
    assert len(horizon_returns(r, 100)) == 0


def test_emd_of_a_shift_is_the_shift_and_of_a_spread_by_hand():
    a = np.array([0.0, 1.0, 2.0, 3.0])
    assert emd(a, a + 0.5) == pytest.approx(0.5)
    assert emd(a, np.stack([a, a])) == pytest.approx(0.0)
    # 2-day sums of a: [1, 5]; of b = 2a: [2, 10]; W1 = (|1 - 2| + |5 - 10|) / 2 = 3
    assert emd(a, 2 * a, t=2) == pytest.approx(3.0)


def test_acf_of_an_alternating_path_and_its_score():
    x = np.array([1.0, -1.0] * 50)
    rho = path_acf(x, 3)[0]
    assert np.allclose(rho, [-1, 1, -1])  # mean 0, every pair at odd lags is -1, even lags +1
    flipped = np.array([-1.0, 1.0] * 50)
    assert acf_score(x, flipped, "r", 3) == pytest.approx(0.0)
    white = np.random.default_rng(0).standard_normal((400, 500))
    # white noise against an alternating path: mean white ACF ~ 0, so the score is ‖(-1, 1, -1)‖ = sqrt(3)
    assert acf_score(x, white, "r", 3) == pytest.approx(np.sqrt(3), abs=0.01)


def test_leverage_by_hand():
    # r = (1, -1, 1, -1, ...) : r² constant, so no correlation; a path where a fall precedes a big move:
    r = np.array([-1.0, 2.0, 1.0, 0.0] * 25)  # r_t = -1 is followed by r²_{t+1} = 4
    lev = path_leverage(r, 2)[0]
    a, s = r - r.mean(), r ** 2 - (r ** 2).mean()
    expected = (a[:-1] * s[1:]).mean() / (r.std() * (r ** 2).std())
    assert lev[0] == pytest.approx(expected) and lev[0] < 0
    assert leverage_score(r, np.stack([r, r]), 2) == pytest.approx(0.0)
    assert leverage_score(r, -r, 1) == pytest.approx(abs(2 * lev[0]))  # L(-r) = -L(r)


def test_stylized_facts_names_every_score():
    r = np.random.default_rng(1).standard_t(4, 600) * 0.01
    facts = stylized_facts(r, gbm_paths(r, 3, 600), horizons=(1, 20), max_lag=10, leverage_lags=5)
    assert set(facts) == {"emd_1", "emd_20", "acf_r", "acf_abs", "acf_sq", "leverage", "kurtosis_real",
                          "kurtosis_fake"}
    assert facts["kurtosis_real"] > 1 and abs(facts["kurtosis_fake"]) < 0.5


def test_gbm_and_bootstrap_paths():
    r = np.random.default_rng(2).standard_normal(1000) * 0.02 + 0.001
    g = gbm_paths(r, 200, 500, seed=3)
    assert g.shape == (200, 500) and g.mean() == pytest.approx(r.mean(), abs=0.0005)
    assert g.std() == pytest.approx(r.std(ddof=1), rel=0.01)
    b = bootstrap_paths(np.arange(10, 1010.0), 50, 400, seed=4, block=20)
    assert set(np.unique(b)) <= set(np.arange(10, 1010.0))
    continues = (np.diff(b, axis=1) == 1) | ((b[:, :-1] == 1009) & (b[:, 1:] == 10))
    assert 1 / (1 - continues.mean()) == pytest.approx(20, rel=0.15)  # blocks of mean length 20


def test_garch_t_simulates_its_unconditional_variance_and_arch_refits_it():
    true = GarchT(mu=0.0005, omega=2e-6, alpha=0.1, beta=0.85, nu=8.0)
    paths = true.simulate(400, 2000, seed=5)
    assert paths.var() == pytest.approx(true.omega / (1 - true.alpha - true.beta), rel=0.1)
    assert paths.mean() == pytest.approx(true.mu, abs=1e-4)
    assert (path_acf(paths[:50], 5, "sq").mean(0) > 0.05).all()  # volatility clustering
    fit = fit_garch_t(paths[0])
    assert abs(fit.alpha + fit.beta - 0.95) < 0.1 and 4 < fit.nu < 30
