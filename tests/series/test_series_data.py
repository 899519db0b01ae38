"""Series data: windows and the chronological split, the benchmark's AR(1) recipe, named batches in a
deterministic stream, log returns and back."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gankit.data import SeriesDataset, Windowing, load_dataset
from gankit.data.series import cut_windows, series_dataset
from gankit.data.series_returns import log_returns, prices_from_returns
from gankit.data.series_synthetic import ar1_raw, ar1_series
from gankit.errors import ConfigError, DataError
from gankit.training.data_stream import DataStream


def test_windows_split_history_from_future_and_never_straddle_the_split():
    values = torch.arange(20.0)
    data = series_dataset(values, "count", Windowing(history=3, future=2, stride=1, holdout=0.25))
    assert data.split == 15 and len(data) == 11  # windows start at 0..10 inside the first 15 values
    assert data.history[0, :, 0].tolist() == [0, 1, 2] and data.future[0, :, 0].tolist() == [3, 4]
    assert data.future[-1, -1, 0].item() == 14  # the last training window ends before the split
    assert data.test_history[0, :, 0].tolist() == [15, 16, 17] and len(data.test_history) == 1
    assert data.field_groups()["windows"].keys() == {"history", "future"}
    history, future = data.eval_windows()
    assert torch.equal(history, data.test_history)


def test_stride_p_plus_q_gives_the_benchmarks_non_overlapping_windows():
    history, future = cut_windows(torch.arange(13.0)[:, None], Windowing(3, 3, stride=6))
    assert torch.cat([history, future], 1)[:, :, 0].tolist() == [list(range(6)), list(range(6, 12))]


def test_in_sample_evaluation_without_holdout():
    data = series_dataset(torch.arange(12.0), "c", Windowing(2, 1, stride=1, holdout=0.0))
    assert data.in_sample and torch.equal(data.eval_windows()[0], data.history)


def test_the_data_spec_carries_the_training_windows_bounds():
    """DataSpec.extra: each feature's least and greatest value over the training windows (not the held-out part)."""
    import json

    from gankit.games.base import DataSpec

    values = torch.stack([torch.arange(20.0), -torch.arange(20.0)], dim=1)
    data = series_dataset(values, "two", Windowing(history=3, future=2, stride=1, holdout=0.25))
    assert json.loads(DataSpec.of(data).extra) == {"low": [0.0, -14.0], "high": [14.0, 0.0]}


def test_ar1_follows_the_recipe():
    phi = 0.5
    raw = ar1_raw(phi, n=5, burn_in=3, seed=7)
    w = np.random.RandomState(7).standard_normal(8)
    x = [0.0]
    for t in range(1, 8):
        x.append(phi * x[-1] + w[t - 1])
    assert raw.tolist() == pytest.approx(x[3:], abs=0)
    values, mean, std = ar1_series(0.8)
    assert values.shape == (40_000, 1)
    assert values.mean().item() == pytest.approx(0.0, abs=1e-12) and values.std().item() == pytest.approx(1.0)
    assert std.item() == pytest.approx(1 / (1 - 0.64) ** 0.5, rel=0.05)  # stationary sd of AR(1) with unit noise
    lag1 = float((values[1:, 0] * values[:-1, 0]).mean())
    assert lag1 == pytest.approx(0.8, abs=0.02)


def test_ar1_datasets_are_registered_seeded_and_checked():
    a = load_dataset("ar1-0.2", seed=0)
    assert isinstance(a, SeriesDataset) and a.kind == "series" and a.sample_shape == (6, 1)
    assert torch.equal(a.values, load_dataset("ar1-0.2", seed=0).values)
    assert not torch.equal(a.values, load_dataset("ar1-0.2", seed=1).values)
    with pytest.raises(ConfigError, match="data.history"):
        Windowing(history=0)
    with pytest.raises(ConfigError, match="data.holdout"):
        Windowing(holdout=1.0)


def test_series_batches_carry_history_and_future_and_resume_exactly():
    data = series_dataset(torch.arange(100.0), "count", Windowing(3, 2, holdout=0.0))

    def stream():
        return DataStream.of(data, 8, seed=3, device=torch.device("cpu"))

    a = stream()
    batches = [a.next() for _ in range(30)]  # several epochs
    first = batches[0]
    assert first["history"].shape == (8, 3, 1) and first["future"].shape == (8, 2, 1)
    assert torch.equal(first["future"][:, 0], first["history"][:, -1] + 1)  # drawn at the same indices
    b = stream()
    for _ in range(17):
        b.next()
    state = b.state_dict()
    c = stream()
    c.load_state_dict(state)
    for batch in batches[17:]:
        assert torch.equal(c.next()["history"], batch["history"])


def test_log_returns_round_trip_exactly():
    prices = torch.tensor([100.0, 101.5, 99.25, 99.25, 250.0, 0.5], dtype=torch.float64)
    returns = log_returns(prices)
    assert returns[0].item() == pytest.approx(np.log(101.5 / 100.0))
    back = prices_from_returns(returns, prices[0])
    assert torch.allclose(back, prices, rtol=1e-14, atol=0)
    long = torch.exp(torch.cumsum(0.01 * torch.randn(5000, generator=torch.Generator().manual_seed(0),
                                                     dtype=torch.float64), 0)) * 50
    assert torch.allclose(prices_from_returns(log_returns(long), long[0]), long, rtol=1e-12, atol=0)


@pytest.mark.parametrize("prices, says", [
    ([1.0, 2.0, 0.0, 3.0], "finite positive prices, got 0.0 at position 2"),
    ([1.0, -2.0], "got -2.0 at position 1"),
    ([1.0, float("nan"), 3.0], "a gap (missing value) at position 1"),
    ([1.0], "at least 2 prices"),
])
def test_bad_prices_are_one_line_data_errors(prices, says):
    with pytest.raises(DataError) as info:
        log_returns(torch.tensor(prices))
    assert says in str(info.value) and "\n" not in str(info.value)


def test_bad_returns_are_data_errors():
    with pytest.raises(DataError, match="position 1"):
        prices_from_returns(torch.tensor([0.1, float("inf")]), 1.0)
    with pytest.raises(DataError, match="first price"):
        prices_from_returns(torch.tensor([0.1]), 0.0)
