"""Real series: the Lambert W transform and its IGMM fit, the QuantGAN pipeline's exact round trip on the S&P 500
that ships in `arch` (no download), user CSV files, and one-line errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gankit.data import SeriesSource, Windowing, load_dataset
from gankit.data.lambert_w import fit_igmm, gaussianize, heavy_tail
from gankit.data.series_pipeline import fit_pipeline
from gankit.data.series_real import QUANTGAN_WINDOW, arch_prices
from gankit.errors import ConfigError, DataError

from cli_helpers import expect_user_error, run_cli

QUANTGAN = SeriesSource(*QUANTGAN_WINDOW)


def test_lambert_w_by_hand():
    # δ = 0.5, u = 2: z = 2·e^{0.5·4/2} = 2e; and W₀(0.5·(2e)²) = W₀(2e²) = 2 (2·e² = 2e^2), so u = sqrt(2/0.5) = 2
    z = heavy_tail(np.array([2.0, -2.0, 0.0]), 0.5)
    assert np.allclose(z, [2 * np.e, -2 * np.e, 0.0], rtol=1e-15)
    assert np.allclose(gaussianize(z, 0.5), [2.0, -2.0, 0.0], rtol=1e-14)
    assert np.array_equal(gaussianize(np.array([1.5, -3.0]), 0.0), [1.5, -3.0])
    u = np.linspace(-8, 8, 1001)
    assert np.allclose(gaussianize(heavy_tail(u, 0.2), 0.2), u, rtol=1e-13, atol=1e-13)


def test_igmm_recovers_the_tail_parameter_of_tukey_h_data():
    u = np.random.default_rng(0).standard_normal(8_000)
    y = 0.3 + 2.0 * heavy_tail(u, 0.2)
    fit = fit_igmm(y)
    assert abs(fit.delta - 0.2) < 0.04 and abs(fit.mu - 0.3) < 0.05 and abs(fit.sigma - 2.0) < 0.1
    gaussian = fit_igmm(np.random.default_rng(1).standard_normal(5_000))
    assert gaussian.delta < 0.02


def test_the_sp500_pipeline_round_trips_prices_exactly():
    prices = arch_prices("sp500", QUANTGAN)
    assert len(prices) == 2434  # QuantGAN's May 2009 - Dec 2018: 2,434 prices, 2,433 log returns
    pipeline = fit_pipeline(prices)
    values = pipeline.forward(prices)
    assert len(values) == 2433 and abs(values.mean()) < 1e-12 and abs(values.std(ddof=1) - 1) < 1e-12
    excess = ((values - values.mean()) ** 4).mean() / values.var() ** 2 - 3
    raw = np.diff(np.log(prices))
    raw_excess = ((raw - raw.mean()) ** 4).mean() / raw.var() ** 2 - 3
    assert raw_excess > 3 and abs(excess) < 0.05  # heavy tails Gaussianized
    assert 0.1 < pipeline.lambert.delta < 0.3  # Goerg reports δ ≈ 0.16 on S&P 500 daily returns
    back = pipeline.inverse(values, prices[0])
    assert np.allclose(back, prices, rtol=1e-12, atol=0)
    assert np.allclose(pipeline.to_returns(values), raw, rtol=1e-10, atol=1e-15)
    both = pipeline.inverse(np.stack([values, values]), prices[0])
    assert both.shape == (2, 2434) and np.allclose(both[1], prices, rtol=1e-12)


def test_sp500_and_nasdaq_are_registered_windowed_series():
    data = load_dataset("sp500", windowing=Windowing(20, 10, 1, 0.0), series=QUANTGAN)
    assert data.values.shape == (2433, 1) and data.history.shape == (2433 - 29, 20, 1) and data.in_sample
    returns = data.inverse_transform(data.values)[:, 0].numpy()
    assert np.allclose(returns, np.diff(np.log(arch_prices("sp500", QUANTGAN))), atol=1e-6)
    nasdaq = load_dataset("nasdaq", series=SeriesSource(transform="standardize"))
    assert len(nasdaq.values) == 5030 and nasdaq.pipeline.lambert is None


def _csv(path, rows, header="date,close"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_user_csv_is_read_by_date_and_column(tmp_path):
    rows = [f"2020-01-{d:02d},{100 * np.exp(0.01 * np.sin(d)):.6f}" for d in range(31, 0, -1)]  # newest first
    path = _csv(tmp_path / "p.csv", rows)
    data = load_dataset("series-csv", str(path), windowing=Windowing(3, 2, 1, 0.0),
                        series=SeriesSource(start="2020-01-03", column="close", transform="standardize"))
    prices = np.array([100 * np.exp(0.01 * np.sin(d)) for d in range(3, 32)])
    assert data.name == "p" and len(data.values) == 28 and data.first == pytest.approx(prices[0], abs=1e-6)
    assert np.allclose(data.inverse_transform(data.values)[:, 0].numpy(), np.diff(np.log(np.round(prices, 6))),
                       atol=1e-6)
    signed = _csv(tmp_path / "v.csv", [f"2020-02-{d:02d},{(-1) ** d * d}" for d in range(1, 20)], "Date,v")
    values = load_dataset("series-csv", str(signed), windowing=Windowing(3, 2, 1, 0.0), series=SeriesSource(column="v", returns="none",
                                                                         transform="standardize"))
    assert len(values.values) == 19


def test_the_preprocessing_is_fitted_on_the_training_part_only(tmp_path):
    # 21 prices -> 20 log returns; holdout 0.25 keeps the last 5 returns (prices 16..20) out of the fit
    prices = 100 * np.exp(np.cumsum(0.01 * np.cos(np.arange(21) * 1.7)))
    later = prices.copy()
    later[17:] *= np.array([1.5, 0.7, 2.0, 0.4])  # a wild held-out part
    loaded = []
    for name, series in (("calm", prices), ("wild", later)):
        rows = [f"2020-01-{d + 1:02d},{v:.10f}" for d, v in enumerate(series)]
        loaded.append(load_dataset("series-csv", str(_csv(tmp_path / f"{name}.csv", rows)),
                                   windowing=Windowing(3, 2, 1, 0.25),
                                   series=SeriesSource(column="close", transform="standardize")))
    train_returns = np.diff(np.log(np.round(prices, 10)))[:15]
    for data in loaded:
        assert data.pipeline.mean1 == pytest.approx(train_returns.mean(), rel=1e-6)
        assert data.pipeline.std1 == pytest.approx(train_returns.std(ddof=1), rel=1e-6)
    assert not torch.equal(loaded[0].values, loaded[1].values)  # the held-out values differ, the fit does not


@pytest.mark.parametrize("rows, column, says", [
    (["2010-01-01,1", "2010-01-02,2", "2010-01-03,3"], "price", "no column 'price' (columns: date, close)"),
    (["2010-01-01,1", "2010-01-02,", "2010-01-03,3", "2010-01-04,3", "2010-01-05,4"], "close", "a gap"),
    (["2010-01-01,1", "2010-01-02,0", "2010-01-03,3", "2010-01-04,3", "2010-01-05,4"], "close", "finite positive"),
])
def test_bad_csv_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, rows, column, says):
    path = _csv(tmp_path / "p.csv", rows)
    with pytest.raises(DataError, match=says.replace("(", r"\(").replace(")", r"\)")):
        load_dataset("series-csv", str(path), series=SeriesSource(column=column))
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "cgan-sp500", "--set", "data.name=series-csv", "--set", f"data.path={path}",
                      "--set", f"data.column={column}", "--out", run, says=(says,))
    assert not run.exists()


def test_bad_dates_and_transforms_are_config_errors(capsys, tmp_path):
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "cgan-sp500", "--set", "data.start=2018-13-01", "--out", run,
                      says=("'data.start' must be a date YYYY-MM-DD",))
    expect_user_error(capsys, "train", "cgan-sp500", "--set", "data.transform=boxcox", "--out", run,
                      says=("'data.transform' must be 'lambertw' or 'standardize'",))
    assert not run.exists()
    assert torch.is_tensor(load_dataset("sp500", series=QUANTGAN).values)


def test_without_arch_the_error_names_the_extra(capsys, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "arch", None)  # import arch raises ImportError
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "cgan-sp500", "--out", run, says=("gankit's extra 'series' (gankit[series]",))
    assert not run.exists()


SP500_TINY = ["train.progress=false", "train.doctor=false", "train.threads=1", "series-cgan.g_width=16",
              "series-cgan.d_width=16", "data.history=5", "data.future=3", "train.log_every=10",
              "train.sample_every=100000", "train.batch_size=64"]


def test_cgan_sp500_learns_the_law_of_returns_and_gankit_eval_reports_the_facts(capsys, tmp_path):
    from gankit import api
    from gankit.config import load_config

    run = tmp_path / "run"
    # λ_acf 1, not the recipe's 5: at this size (p = 5, 200 steps) the recipe's weight slows the marginal's fit
    # (measured: distance at step 200 / step 10 = 0.64 with 5, 0.30 with 1)
    api.train(load_config("cgan-sp500", SP500_TINY + ["train.steps=200", "train.ckpt_every=10", "train.keep=30", "optim.lr_g=1e-3",
                                                  "optim.lr_d=2e-3", "series-cgan.lambda_acf=1"]), run)
    early, late = (api.evaluate_source(run / "checkpoints" / f"step-{step:08d}", metrics="marginal", log=None)
                   for step in (10, 200))
    assert late["marginal_distance"] < 0.5 * early["marginal_distance"], (early, late)
    # r2's least squares has p + 1 = 6 coefficients: 6 windows would fit any target exactly
    with pytest.raises(ConfigError, match="r2: its least squares has 6 coefficients"):
        api.evaluate_source(run, metrics="r2", n=6, log=None)
    assert "r2_tstr" in api.evaluate_source(run, metrics="r2", n=7, log=None)
    figure = tmp_path / "facts.png"
    code, out, _ = run_cli(capsys, "eval", run, "--n", 4, "--plot", figure)
    assert code == 0 and all(k in out for k in ("emd_1", "emd_20", "acf_abs", "leverage", "marginal_distance"))
    from PIL import Image

    with Image.open(figure) as image:
        assert image.format == "PNG" and image.size[0] > 500 and image.size[1] > 400
    before = figure.read_bytes()
    expect_user_error(capsys, "eval", run, "--n", 4, "--plot", figure, says=("exists",))  # never overwritten
    assert figure.read_bytes() == before
    expect_user_error(capsys, "eval", run, "--metrics", "marginal", "--plot", tmp_path / "f2.png", says=("'facts'",))
    assert not (tmp_path / "f2.png").exists()
    # gankit sample: paths of returns or prices after a given price history (p = 5 returns: 6 prices at least)
    history = _csv(tmp_path / "h.csv", [f"2019-01-{d:02d},{2500 + 10 * (-1) ** d + d}" for d in range(1, 9)])
    code, out, _ = run_cli(capsys, "sample", run, "-n", 6, "--length", 40, "--history", history, "--prices",
                           "--out", tmp_path / "p.csv")
    assert code == 0 and "wrote 6 paths of 40 steps (prices)" in out
    prices = np.loadtxt(tmp_path / "p.csv", delimiter=",", skiprows=1)
    assert prices.shape == (6, 41) and np.allclose(prices[:, 0], 2518) and (prices > 0).all()
    code, _, _ = run_cli(capsys, "sample", run, "-n", 6, "--length", 40, "--out", tmp_path / "r.npy", "--seed", 3)
    returns = np.load(tmp_path / "r.npy")
    assert code == 0 and returns.shape == (6, 40) and np.isfinite(returns).all() and returns.std() < 0.2
    assert np.array_equal(returns, api.sample_series(run, 6, 40, seed=3))
    short = _csv(tmp_path / "s.csv", ["2019-01-01,10", "2019-01-02,11", "2019-01-03,12"])
    expect_user_error(capsys, "sample", run, "-n", 2, "--length", 5, "--history", short, "--out", tmp_path / "x.npy",
                      says=("shorter than the model's p = 5",))
    expect_user_error(capsys, "sample", run, "-n", 2, "--length", 0, "--out", tmp_path / "x.npy",
                      says=("--length must be positive",))
    assert not (tmp_path / "x.npy").exists()


def test_the_volatility_head_starts_as_the_plain_step_and_the_bound_holds():
    from gankit.models.arfnn import ARFNNGenerator

    torch.manual_seed(0)
    vol, plain = ARFNNGenerator(1, 5, vol_head=True), ARFNNGenerator(1, 5)
    plain.net.load_state_dict(vol.net.state_dict())
    history, noise = torch.randn(7, 5, 1), torch.randn(7, 12, 1)
    assert torch.allclose(vol(history, noise), plain(history, noise))  # exp(3 tanh(0)) = 1 at the start
    bounded = ARFNNGenerator(1, 5, bound=2.0)
    with torch.no_grad():
        for p in bounded.parameters():
            p.mul_(20)
        path = bounded(10 * history, noise)
    assert path.abs().max() <= 2.0 and path.abs().max() > 1.5


def test_plot_applies_to_series_runs_only(capsys, ring_run, tmp_path):
    expect_user_error(capsys, "eval", ring_run, "--plot", tmp_path / "x.png", says=("--plot does not apply",))
    assert not (tmp_path / "x.png").exists()


def test_cgan_sp500_resumes_bit_exactly(tmp_path):
    """The recipe's volatility head, bounded steps and |window| critic included: stopped at step 7 and resumed to
    12, every weight and optimizer moment equals the unbroken run's."""
    from safetensors.torch import load_file

    from gankit import api
    from gankit.config import load_config
    from gankit.training import checkpoint as ckpt

    options = SP500_TINY + ["train.ckpt_every=100", "optim.decay=none"]  # a decay is laid out over train.steps
    api.train(load_config("cgan-sp500", options + ["train.steps=12"]), tmp_path / "straight")
    api.train(load_config("cgan-sp500", options + ["train.steps=7"]), tmp_path / "stopped")
    api.train(None, tmp_path / "stopped", overrides=["train.steps=12"], resume=True)
    straight, resumed = (load_file(str(ckpt.latest_checkpoint(tmp_path / name / "checkpoints") / ckpt.TENSORS_FILE))
                         for name in ("straight", "stopped"))
    assert straight.keys() == resumed.keys() and any(k.startswith("optimizers.") for k in straight)
    assert [k for k in straight if not torch.equal(straight[k], resumed[k])] == []
