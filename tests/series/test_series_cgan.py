"""The conditional series GAN: AR-FNN networks, its config section, learning the AR(1) law in seconds, bit-exact
resume, `gankit eval` on a series run, and one-line errors for bad input."""

from __future__ import annotations

import pytest
import torch

from gankit import api
from gankit.config import all_keys, load_config
from gankit.errors import ConfigError
from gankit.models.arfnn import ARFNNGenerator, ResidualMLP, WindowCritic

from cli_helpers import expect_user_error, run_cli

QUIET = ["train.progress=false", "train.doctor=false", "train.threads=1", "optim.decay=none"]
TINY = QUIET + ["series-cgan.g_width=8", "series-cgan.d_width=8", "train.batch_size=32", "train.log_every=2",
                "train.sample_every=1000", "train.ckpt_every=3"]


def test_residual_blocks_skip_where_sizes_agree():
    net = ResidualMLP(4, 1, width=50, blocks=3)
    assert net.skips == [False, True, True]
    assert net(torch.randn(5, 4)).shape == (5, 1)


def test_the_generator_slides_its_window_and_rolls_out_to_any_length():
    torch.manual_seed(0)
    g = ARFNNGenerator(dim=1, history=3, width=16).eval()
    history, noise = torch.randn(2, 5, 1), torch.randn(2, 4, 1)
    out = g(history, noise)
    assert out.shape == (2, 4, 1)
    window = history[:, -3:]  # only the last p values are read; oldest out, newest in
    for t in range(4):
        nxt = g.step(window, noise[:, t])
        assert torch.allclose(nxt, out[:, t])
        window = torch.cat([window[:, 1:], nxt[:, None]], 1)
    assert g(history, torch.randn(2, 250, 1)).shape == (2, 250, 1)
    assert WindowCritic(1, 6, width=8)(torch.randn(7, 6, 1)).shape == (7,)


def test_the_series_cgan_section_is_validated_like_any_key():
    config = load_config("cgan-ar1")
    assert config.game == "series-cgan" and config.section("series-cgan").g_width == 50
    assert "series-cgan.lambda_mse" in all_keys()
    with pytest.raises(ConfigError, match="did you mean 'series-cgan.g_width'"):
        load_config("cgan-ar1", ["series-cgan.g_widht=8"])
    with pytest.raises(ConfigError, match="'series-cgan.lambda_mse' must be 0 or more"):
        load_config("cgan-ar1", ["series-cgan.lambda_mse=-1"])
    with pytest.raises(ConfigError, match="read by game series-cgan, not by game 'unconditional'"):
        load_config("gan-ring", ["series-cgan.g_width=8"])


def _continuations(run, data):
    loaded = api.load_generator(run)
    with torch.no_grad():
        return loaded.game.rollout(loaded.module, data.test_history, 3, rng=torch.Generator().manual_seed(0))


def test_the_gan_learns_the_ar1_law_in_seconds(tmp_path):
    """600 steps on AR(1) with φ = 0.8: generated futures continue held-out histories with lag-1 autocorrelation
    near φ, and train-on-synthetic R² comes close to train-on-real (an untrained G is far off on both)."""
    from gankit.data import load_dataset
    from gankit.evaluation import series_scores
    from gankit.metrics.series import acf

    options = QUIET + ["data.name=ar1-0.8", "loss=nonsaturating"]
    api.train(load_config("cgan-ar1", options + ["train.steps=1"]), tmp_path / "untrained")
    api.train(load_config("cgan-ar1", options + ["train.steps=600"]), tmp_path / "trained")
    data = load_dataset("ar1-0.8", seed=0)
    scores = {}
    for run in ("untrained", "trained"):
        fake = _continuations(tmp_path / run, data)
        scores[run] = series_scores(data.test_history, data.test_future, fake)
        scores[run]["rho1"] = acf(torch.cat([data.test_history, fake], 1), 1)[1, 0].item()
    trained, untrained = scores["trained"], scores["untrained"]
    # measured (seeds 0, 1): rho1 0.804 / 0.805 (real 0.802); gap 0.002 / 0.007 against 0.97 / 0.68 untrained
    assert abs(trained["rho1"] - 0.8) < 0.05 and abs(untrained["rho1"] - 0.8) > 0.15
    assert trained["r2_gap"] < 0.05 and trained["r2_gap"] < 0.1 * untrained["r2_gap"]
    assert trained["marginal_distance"] < 0.5 * untrained["marginal_distance"]


def test_series_cgan_resume_is_bit_exact(tmp_path):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    for loss in ("wgan-gp", "nonsaturating"):
        options = TINY + [f"loss={loss}", "train.amp=false"]
        api.train(load_config("cgan-ar1", options + ["train.steps=6"]), tmp_path / loss / "straight")
        api.train(load_config("cgan-ar1", options + ["train.steps=3"]), tmp_path / loss / "stopped")
        api.train(None, tmp_path / loss / "stopped", overrides=["train.steps=6"], resume=True)
        a, b = (load_file(str(ckpt.latest_checkpoint(tmp_path / loss / r / "checkpoints") / ckpt.TENSORS_FILE))
                for r in ("straight", "stopped"))
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _cli_set(options):
    return [arg for option in options for arg in ("--set", option)]


def test_gankit_eval_scores_a_series_run(capsys, tmp_path):
    run = tmp_path / "run"
    code, _, _ = run_cli(capsys, "train", "cgan-ar1", *_cli_set(TINY + ["train.steps=4"]), "--out", run)
    assert code == 0 and (run / "samples" / "final.png").is_file()
    code, out, _ = run_cli(capsys, "eval", run, "--n", 500)
    assert code == 0
    for metric in ("marginal_distance", "acf_lag1", "r2_tstr", "r2_trtr", "r2_gap"):
        assert metric in out
    assert "500 samples of" in out and "ar1-0.5 held-out windows" in out
    result = api.evaluate_source(run, metrics="r2", n=300, log=None)
    assert set(result) == {"r2_tstr", "r2_trtr", "r2_gap", "settings"} and result["settings"]["n"] == 300
    expect_user_error(capsys, "eval", run, "--metrics", "fid", says=("does not apply to a series run",))
    expect_user_error(capsys, "eval", run, "--ref", "ring", says=("--ref does not apply to a series run",))
    expect_user_error(capsys, "eval", run, "--n", 0, says=("--n must be a positive integer",))


@pytest.mark.parametrize("options, says", [
    (["data.name=ring"], ("game 'series-cgan' needs series windows (fields history and future); dataset 'ring'",)),
    (["data.history=0"], ("'data.history' must be positive",)),
    (["data.holdout=1"], ("'data.holdout' must be in [0, 1)",)),
    (["data.holdout=0.0001"], ("data.holdout=0.0001 keeps 4 values",)),
    (["eval.every=2"], ("eval.every does not measure series runs yet",)),
])
def test_bad_series_input_is_one_line_and_writes_nothing(capsys, tmp_path, options, says):
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "cgan-ar1", *_cli_set(TINY + ["train.steps=2"] + options), "--out", run,
                      says=says)
    assert not run.exists()


def test_a_noise_to_data_game_on_a_series_names_both(capsys, tmp_path):
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "gan-ring", "--set", "data.name=ar1-0.5", "--out", run,
                      says=("game 'unconditional' needs data with fields x; dataset 'ar1-0.5' yields history, future",))
    assert not run.exists()


def test_sample_paths_continues_a_history_to_any_length(capsys, tmp_path):
    from gankit.errors import DataError

    run = tmp_path / "run"
    api.train(load_config("cgan-ar1", TINY + ["train.steps=2"]), run)
    paths = api.sample_paths(run, n=5, length=300, seed=1)
    assert paths.shape == (5, 300, 1) and torch.isfinite(paths).all()
    assert torch.equal(paths, api.sample_paths(run, n=5, length=300, seed=1))
    given = api.sample_paths(run, n=2, length=4, history=torch.tensor([0.1, -0.2, 0.3, 0.5]))
    assert given.shape == (2, 4, 1)
    with pytest.raises(DataError, match="shorter than the model's p = 3"):
        api.sample_paths(run, n=2, length=4, history=torch.tensor([0.1, 0.2]))
    with pytest.raises(ConfigError, match="--length must be positive"):
        api.sample_paths(run, n=2, length=0)
    expect_user_error(capsys, "sample", run, "-n", 4, "--out", tmp_path / "x.npy", says=("with --length",))
    expect_user_error(capsys, "sample", run, "-n", 4, "--length", 0, "--out", tmp_path / "x.npy",
                      says=("--length must be positive",))
    expect_user_error(capsys, "sample", run, "-n", 4, "--length", 5, "--prices", "--out", tmp_path / "x.npy",
                      says=("--prices needs a run trained on log returns",))
    assert not (tmp_path / "x.npy").exists()


def test_window_autocov_pairs_each_generated_step_with_every_earlier_value():
    from gankit.games.series_cgan import window_autocov

    windows = torch.randn(3, 6, 1, dtype=torch.float64)
    x = windows[..., 0]
    got = window_autocov(windows, start=4)  # p = 4 past values, 2 generated ones (indices 4, 5)
    want = [torch.stack([x[:, j - k] * x[:, j] for j in range(max(4, k), 6)]).mean() for k in range(1, 6)]
    assert got.shape == (5,) and torch.allclose(got, torch.stack(want))
    changed = windows.clone()
    changed[:, 0] += 1.0  # the history alone: only lags that reach a generated step (k >= 4) move
    moved = (window_autocov(changed, 4) != got).nonzero().flatten().tolist()
    assert moved == [3, 4]
    with pytest.raises(ValueError, match="start must be in"):
        window_autocov(windows, 6)


def test_window_autocov_from_lag_0_starts_with_the_generated_steps_second_moment():
    from gankit.games.series_cgan import window_autocov

    windows = torch.randn(3, 6, 1, dtype=torch.float64)
    got = window_autocov(windows.abs(), start=4, first_lag=0)
    assert got.shape == (6,)
    assert torch.allclose(got[0], (windows[:, 4:] ** 2).mean())  # |x_j|·|x_j| over the generated steps
    assert torch.allclose(got[1:], window_autocov(windows.abs(), start=4))


@pytest.mark.parametrize("key, stat, other", [("lambda_acf", "acf_gap", "acf_abs_gap"),
                                              ("lambda_acf_abs", "acf_abs_gap", "acf_gap")])
def test_each_autocovariance_term_enters_the_generator_loss_alone(tmp_path, key, stat, other):
    with pytest.raises(ConfigError, match=f"'series-cgan.{key}' must be 0 or more"):
        load_config("cgan-ar1", [f"series-cgan.{key}=-1"])
    api.train(load_config("cgan-ar1", TINY + ["train.steps=2", f"series-cgan.{key}=1"]), tmp_path / "run")
    import json

    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in rows if r.get("kind") == "train"]
    assert train and all(r[stat] > 0 and other not in r and r["loss/G"] > r["loss/G_gan"] for r in train)
