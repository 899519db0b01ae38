"""TimeGAN: its three stages in one run, the D-update rule (a gated phase), bit-exact resume across the stage
boundaries, learning briefly on S&P 500 windows, sampling from noise, and `gankit eval` with its post-hoc scores."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games.timegan import moment_loss

from cli_helpers import expect_user_error, run_cli

QUIET = ["train.progress=false", "train.doctor=false", "train.threads=1"]
TINY = QUIET + ["timegan.hidden=6", "timegan.layers=2", "data.history=4", "data.future=4", "train.batch_size=16",
                "timegan.embedding_steps=2", "timegan.supervised_steps=2", "train.log_every=1",
                "train.sample_every=1000", "train.ckpt_every=2", "train.amp=false"]


def _records(run, kind="train"):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()
            if json.loads(line)["kind"] == kind]


def test_the_moment_loss_by_hand():
    real = torch.tensor([[[0.0]], [[2.0]]])  # mean 1, sd 1 (over the batch)
    fake = torch.tensor([[[1.0]], [[1.0]]])  # mean 1, sd 0
    assert abs(moment_loss(fake, real).item() - (1.0 - 1e-3)) < 1e-3  # |sqrt(0 + 1e-6) - sqrt(1 + 1e-6)| + 0


def test_the_timegan_section_and_stages():
    config = load_config("timegan-sp500")
    assert config.game == "timegan" and config.data.history + config.data.future == 24
    with pytest.raises(ConfigError, match="did you mean 'timegan.hidden'"):
        load_config("timegan-sp500", ["timegan.hiden=8"])
    with pytest.raises(ConfigError, match="'timegan.d_threshold' must be 0 or more"):
        load_config("timegan-sp500", ["timegan.d_threshold=-1"])
    with pytest.raises(ConfigError, match="'timegan.scale' must be one of minmax, none"):
        load_config("timegan-sp500", ["timegan.scale=zscore"])
    with pytest.raises(ConfigError, match="'timegan.z_dim' must be 0 or more"):
        load_config("timegan-sp500", ["timegan.z_dim=-1"])


def test_minmax_scaling_maps_the_training_bounds_to_0_and_1_and_back():
    """The paper's scaling: u = (x - low) / (high - low) in the losses, R ends in a sigmoid, samples come back to
    [low, high]; without bounds in the data spec (runs saved before) or with scale=none, x as it is and a linear R."""
    from gankit.games.base import DataSpec
    from gankit.games.timegan import build_timegan

    fields = (("history", (3, 2)), ("future", (2, 2)))
    spec = DataSpec("s", "series", (5, 2), fields=fields, extra='{"low": [-2.0, 0.0], "high": [2.0, 10.0]}')
    small = ["timegan.hidden=4", "timegan.layers=1", "timegan.z_dim=0"]
    game = build_timegan(load_config("timegan-sp500", small + ["timegan.scale=minmax"]), spec)
    x = torch.tensor([[[-2.0, 0.0], [0.0, 5.0], [2.0, 10.0]]])
    assert torch.allclose(game.to_unit(x), torch.tensor([[[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]]]))
    assert torch.allclose(game.from_unit(game.to_unit(x)), x)
    with torch.no_grad():
        paths = game.generate(game.module("G"), torch.rand(50, 30, 2))
    assert game.module("R").activation == "sigmoid" and game.z_dim == 2  # z_dim 0: the data's dimension
    assert build_timegan(load_config("timegan-sp500", ["timegan.z_dim=5"]), spec).latent_shape() == (5, 5)
    assert load_config("timegan-sp500").section("timegan").z_dim == 24  # the recipe's: 24 noise values per step
    assert bool((paths[..., 0].abs() <= 2).all()) and bool(((paths[..., 1] >= 0) & (paths[..., 1] <= 10)).all())
    for config, data in ((["timegan.scale=none"], spec), (["timegan.scale=minmax"], DataSpec("s", "series", (5, 2),
                                                                                               fields=fields))):
        plain = build_timegan(load_config("timegan-sp500", small + config), data)
        assert torch.equal(plain.to_unit(x), x) and plain.module("R").activation == "none"
    flat = DataSpec("s", "series", (5, 2), fields=fields, extra='{"low": [1.0, 0.0], "high": [1.0, 10.0]}')
    with pytest.raises(ConfigError, match="needs each feature to vary"):
        build_timegan(load_config("timegan-sp500", ["timegan.scale=minmax"]), flat)


def test_one_run_walks_the_three_stages_and_gates_d(tmp_path):
    """Stages switch at steps 2 and 4 (logged); each stage runs its own phases; with d_threshold 100 the D loss
    (about 3 log 2 = 2.1) is never above it, so D is never updated, and with 0 always."""
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    for threshold, updated in ((100.0, 0.0), (0.0, 1.0)):
        run = tmp_path / f"gate{threshold:g}"
        api.train(load_config("timegan-sp500", TINY + ["train.steps=6", f"timegan.d_threshold={threshold}"]), run)
        stages = [(r["step"], r["stage"]) for r in _records(run, "stage")]
        assert stages == [(0, "embedding"), (2, "supervised"), (4, "joint")]
        rows = {r["step"]: r for r in _records(run)}
        assert "loss/AE" in rows[1] and "loss/S" in rows[3] and "loss/AE" not in rows[3]
        assert "loss/G" in rows[5] and "loss/E" in rows[5] and rows[5]["updated/D"] == updated
        first, last = (load_file(str(run / "checkpoints" / f"step-{s:08d}" / ckpt.TENSORS_FILE)) for s in (4, 6))
        same_d = all(torch.equal(first[k], last[k]) for k in first if k.startswith("networks.D."))
        assert same_d == (updated == 0.0)


def test_timegan_resume_is_bit_exact_across_the_stage_boundaries(tmp_path):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    options = TINY + ["timegan.embedding_steps=3", "timegan.supervised_steps=2", "timegan.d_threshold=1.0"]
    api.train(load_config("timegan-sp500", options + ["train.steps=8"]), tmp_path / "straight")
    api.train(load_config("timegan-sp500", options + ["train.steps=2"]), tmp_path / "stopped")  # in stage 1
    api.train(None, tmp_path / "stopped", overrides=["train.steps=8"], resume=True)  # through stages 2 and 3
    a, b = (load_file(str(ckpt.latest_checkpoint(tmp_path / r / "checkpoints") / ckpt.TENSORS_FILE))
            for r in ("straight", "stopped"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert _records(tmp_path / "stopped", "stage")[-1]["stage"] == "joint"


def test_timegan_learns_briefly_on_sp500_windows(tmp_path):
    """The autoencoder learns to reconstruct (√MSE falls well below the data's sd of 1), and after a short joint
    stage generated windows match the real marginal far better than an untrained generator's (whose windows are
    nearly constant), and their per-step moments far better than at the start of the joint stage."""
    from scipy.stats import wasserstein_distance

    from gankit.training.setup import load_data

    options = QUIET + ["timegan.hidden=12", "timegan.layers=2", "train.batch_size=64", "train.log_every=10",
                       "train.sample_every=100000", "train.ckpt_every=100000", "timegan.embedding_steps=150",
                       "timegan.supervised_steps=50"]
    api.train(load_config("timegan-sp500", options + ["train.steps=1"]), tmp_path / "untrained")
    api.train(load_config("timegan-sp500", options + ["train.steps=350"]), tmp_path / "trained")
    records = _records(tmp_path / "trained")
    recon = [r["recon"] for r in records if "recon" in r]
    moments = [r["moments"] for r in records if "moments" in r]
    # measured: √MSE 0.99 -> 0.03; L_V 1.09 at step 210 -> 0.30 at step 350
    assert recon[0] > 0.8 and recon[-1] < 0.5 * recon[0]
    assert moments[-1] < 0.5 * moments[0]
    data = load_data(load_config("timegan-sp500", options))
    emd = {run: wasserstein_distance(api.sample_paths(tmp_path / run, n=100, length=24, seed=1).flatten().numpy(),
                                     data.values[:, 0].numpy()) for run in ("untrained", "trained")}
    # measured: untrained 0.76, trained 0.41
    assert emd["trained"] < 0.65 * emd["untrained"]


def _cli_set(options):
    return [arg for option in options for arg in ("--set", option)]


def test_gankit_eval_reports_the_post_hoc_scores_of_a_timegan_run(capsys, tmp_path, monkeypatch):
    import gankit.evaluation.series as series_eval
    from gankit.metrics import timegan as scores

    seen = {}

    def discriminative(real, fake, **options):
        seen["real"] = real
        return scores.discriminative_score(real, fake, iterations=20, **options)

    monkeypatch.setattr(series_eval, "discriminative_score", discriminative)
    monkeypatch.setattr(series_eval, "predictive_score", partial(scores.predictive_score, iterations=20))
    run = tmp_path / "run"
    code, _, _ = run_cli(capsys, "train", "timegan-sp500", *_cli_set(TINY + ["train.steps=5"]), "--out", run)
    assert code == 0 and (run / "samples" / "final.png").is_file()
    code, out, _ = run_cli(capsys, "eval", run, "--n", 40)
    assert code == 0
    for metric in ("discriminative", "predictive", "predictive_real", "emd_1", "acf_abs"):
        assert metric in out
    # the real windows scored are 40 drawn at random (eval seed 0) from all, not the first 40 of the series
    from gankit.training.setup import load_data

    history, future = load_data(load_config("timegan-sp500", TINY)).eval_windows()
    picked = torch.randperm(len(history), generator=torch.Generator().manual_seed(0))[:40]
    assert torch.equal(seen["real"], torch.cat([history[picked], future[picked]], dim=1))
    assert not torch.equal(seen["real"], torch.cat([history[:40], future[:40]], dim=1))
    paths = api.sample_series(run, 3, 50)
    assert paths.shape == (3, 50) and np.isfinite(paths).all()
    expect_user_error(capsys, "train", "timegan-sp500", *_cli_set(TINY + ["train.ema=0.999"]), "--out",
                      tmp_path / "ema", says=("game 'timegan' keeps no EMA",))
    assert not (tmp_path / "ema").exists()
