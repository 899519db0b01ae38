"""The series metrics against numbers computed by hand, and the benchmark's published train-on-real R²."""

from __future__ import annotations

import math

import pytest
import torch

from gankit.metrics.series import acf, acf_distance, kurtosis, marginal_distance, r2_trtr, r2_tstr


def test_acf_of_an_alternating_path_is_minus_one_then_one():
    x = torch.tensor([1.0, -1.0, 1.0, -1.0])  # mean 0, variance 1
    rho = acf(x, 3)[:, 0]
    assert rho.tolist() == pytest.approx([1.0, -1.0, 1.0, -1.0])


def test_acf_pools_pairs_inside_windows_only():
    # two windows [0, 2] and [2, 0]: grand mean 1, variance 1; lag-1 products (-1)(1) and (1)(-1): mean -1
    windows = torch.tensor([[0.0, 2.0], [2.0, 0.0]])
    assert acf(windows, 1)[1, 0].item() == pytest.approx(-1.0)
    assert math.isnan(acf(windows, 2)[2, 0].item())  # no pair 2 apart inside a 2-step window


def test_acf_of_f_and_the_lag_one_distance():
    x = torch.tensor([[1.0, -1.0, 1.0, -1.0]])
    assert acf(x, 1, f=torch.abs)[0, 0].isnan()  # |x| is constant: variance 0 (0/0)
    y = torch.tensor([[1.0, 1.0, -1.0, -1.0]])  # lag-1 pairs: 1, -1, 1 -> mean 1/3
    assert acf_distance(x, y) == pytest.approx(abs(-1.0 - 1.0 / 3.0))


def test_kurtosis_by_hand():
    x = torch.tensor([-1.0, 1.0, -1.0, 1.0])  # m2 = 1, m4 = 1
    assert kurtosis(x, excess=False).item() == pytest.approx(1.0)
    assert kurtosis(x).item() == pytest.approx(-2.0)
    gauss = torch.randn(200_000, generator=torch.Generator().manual_seed(0))
    assert abs(kurtosis(gauss).item()) < 0.05


def test_marginal_distance_by_hand():
    real = torch.tensor([0.0, 1.0])  # 2 bins of width 0.5: density 1 in each
    fake = torch.tensor([0.25, 0.25])  # density 2 at centre 0.25, 0 at 0.75
    assert marginal_distance(real, fake, bins=2) == pytest.approx((1.0 + 1.0) / 2)
    outside = torch.tensor([0.25, 7.0])  # counts in n_fake, in no bin: density 1 at 0.25, 0 at 0.75
    assert marginal_distance(real, outside, bins=2) == pytest.approx((0.0 + 1.0) / 2)
    assert marginal_distance(real, torch.tensor([0.25, 0.75]), bins=2) == pytest.approx(0.0)
    # the fake side counts values strictly inside a bin's half-width: the real extremes 0 and 1 sit on edges
    assert marginal_distance(real, real, bins=2) == pytest.approx(1.0)


def test_r2_by_hand():
    history = torch.tensor([[-1.0], [0.0], [1.0], [2.0]])[:, :, None]  # (N, p=1, d=1)
    real = torch.tensor([-2.0, 0.0, 2.0, 4.0]) - 1.0  # exactly linear in the history
    assert r2_trtr(history, real) == pytest.approx(1.0)
    # synthetic targets twice as far from their mean: the fitted line is twice as steep;
    # on the real ones its residuals equal the real deviations, so R² = 1 - Σd²/Σd² = 0
    synthetic = 2.0 * (real - real.mean()) + real.mean()
    assert r2_tstr(history, synthetic, real) == pytest.approx(0.0, abs=1e-12)


def test_the_benchmark_ar1_data_gives_its_published_train_on_real_r2():
    """The committed summary's r2_trtr (0.64179, 0.26250, 0.05102) on its 6,666 non-overlapping windows."""
    from gankit.data import Windowing, load_dataset

    for phi, published in ((0.8, 0.64179), (0.5, 0.26250), (0.2, 0.05102)):
        data = load_dataset(f"ar1-{phi}", windowing=Windowing(3, 3, stride=6, holdout=0.0), seed=0)
        assert len(data) == 6666
        assert r2_trtr(data.history, data.future[:, 0]) == pytest.approx(published, abs=5e-6)
