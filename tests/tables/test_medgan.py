"""medGAN: minibatch averaging and the two dimension-wise measures by hand, the code matrix of a binary/count
table and back, the flchain tables, a tiny medGAN that learns a binary table's column rates, a run resumed
across the pretraining -> adversarial boundary bit-exactly, `gankit eval` with its plot, and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.data.table_codes import code_columns, from_codes, to_codes
from gankit.data.table_transform import TableTransformer
from gankit.errors import ConfigError
from gankit.metrics.dimwise import dimension_wise_prediction, dimension_wise_probability, pearson
from gankit.nn import minibatch_averaging
from gankit.tabular import Synthesizer

from cli_helpers import expect_user_error, run_cli

QUIET = ["train.progress=false", "train.doctor=false", "train.threads=1"]
SMALL = QUIET + ["medgan.code_dim=16", "medgan.d_widths=[32,16]", "train.sample_every=1000",
                 "train.ckpt_every=1000", "train.log_every=5"]


def test_minibatch_averaging_appends_the_batch_mean_to_every_row():
    x = torch.tensor([[1.0, 0.0], [3.0, 2.0]])
    assert torch.equal(minibatch_averaging(x), torch.tensor([[1.0, 0.0, 2.0, 1.0], [3.0, 2.0, 2.0, 1.0]]))


def test_dimension_wise_probability_by_hand():
    real = np.array([[1, 1, 0], [1, 0, 0]])  # rates 1, 0.5, 0
    synthetic = np.array([[1, 1, 0], [0, 0, 0], [1, 1, 0], [0, 0, 0]])  # rates 0.5, 0.5, 0
    result = dimension_wise_probability(real, synthetic)
    assert result.real.tolist() == [1.0, 0.5, 0.0] and result.synthetic.tolist() == [0.5, 0.5, 0.0]
    # deviations (1/2, 0, -1/2) and (1/6, 1/6, -1/3): 1/4 / sqrt(1/2 * 1/6) = sqrt(3)/2
    assert result.correlation == pytest.approx(math.sqrt(3) / 2)
    assert result.mean_abs_diff == pytest.approx(1 / 6)
    assert pearson([0.2, 0.2], [0.2, 0.2]) == 1.0 and pearson([0.1, 0.3], [0.2, 0.2]) == 0.0
    with pytest.raises(ValueError, match="0 and 1 only"):
        dimension_wise_probability(real, synthetic * 2)


def test_dimension_wise_prediction_by_hand():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 200)
    noise = rng.integers(0, 2, 200)
    real = np.stack([a, a, noise, np.zeros(200, dtype=int)], 1)  # column 1 copies column 0; column 3 never set
    test = real[:100]
    flipped = np.stack([a, 1 - a, noise, np.zeros(200, dtype=int)], 1)  # a synthetic table that gets it backwards
    result = dimension_wise_prediction(flipped, real[100:], test)
    assert result.columns.tolist() == [0, 1, 2]  # column 3 has no positive in the test rows: F1 undefined
    assert result.f1_real[:2].tolist() == [1.0, 1.0]  # a copy predicts its twin exactly
    assert result.f1_synthetic[:2].tolist() == [0.0, 0.0]  # the flipped relation predicts every bit wrong
    assert result.mean_abs_gap >= 2 / 3 - 1e-9


def test_the_code_matrix_of_binary_and_count_columns_returns_the_table():
    df = pd.DataFrame({"flag": [True, False, True, True], "sex": ["F", "M", "M", "F"], "bit": [0, 1, 1, 0],
                       "visits": np.array([0, 3, 7, 12] * 1, dtype=np.int64) * 2,
                       "few": [0, 2, 3, 1]})  # an integer with few values: inferred categorical, a count here
    t = TableTransformer.fit(df)
    layout = code_columns(t.columns)
    assert [c.kind for c in layout] == ["binary", "binary", "binary", "count", "count"]
    codes = to_codes(df, layout)
    assert codes.tolist() == [[1, 0, 0, 0, 0], [0, 1, 1, 6, 2], [1, 1, 1, 14, 3], [1, 0, 0, 24, 1]]
    back = from_codes(codes, layout)
    pd.testing.assert_frame_equal(back, df)
    fuzzy = from_codes(codes + np.array([-0.4, 0.3, 0.2, 0.4, -0.4]), layout)  # thresholds and rounding
    pd.testing.assert_frame_equal(fuzzy, df)
    assert from_codes(np.array([[0, 0, 0, 99.0, 9]]), layout)[["visits", "few"]].values.tolist() == [[24, 3]]
    with pytest.raises(ConfigError, match="column 'x' is continuous; medGAN models binary and count"):
        code_columns(TableTransformer.fit(pd.DataFrame({"x": np.linspace(0, 1, 30) ** 2})).columns)
    with pytest.raises(ConfigError, match="column 'c' has missing values"):
        code_columns(TableTransformer.fit(pd.DataFrame({"c": [1.0, None, 0.0]})).columns)


def _flchain_or_skip():
    from gankit.assets import locate

    if locate("flchain") is None:
        pytest.skip("asset flchain is not installed (scripts/setup.sh installs it)")


def test_flchain_and_its_binary_matrix():
    _flchain_or_skip()
    from gankit.data.table import builtin_table

    df = builtin_table("flchain")
    assert df.shape == (7874, 11) and df["creatinine"].isna().sum() == 1350 and df["chapter"].isna().sum() == 5705
    b = builtin_table("flchain-binary")
    assert b.shape == (7874, 26) and set(np.unique(b.to_numpy())) == {0, 1}
    assert (b[[c for c in b.columns if c.startswith("age_")]].sum(axis=1) == 1).all()  # age bands: one-hot
    assert b["male"].sum() == (df["sex"] == "M").sum() and b["creatinine_unknown"].sum() == 1350
    assert (b["dead_within_5y"] <= b["dead"]).all()
    assert b["kappa_high"].sum() == (df["kappa"] > 1.94).sum()
    assert (b[[c for c in b.columns if c.startswith("cause_")]].sum(axis=1) == df["chapter"].notna()).all()
    kinds = {c.name: c.kind for c in TableTransformer.fit(df.head(2000)).columns}
    assert kinds["age"] == "integer" and kinds["kappa"] == "continuous" and kinds["chapter"] == "categorical"


def binary_table(n: int = 800, seed: int = 0) -> pd.DataFrame:
    """12 binary columns with rates from 5% to 90%, a latent 'severity' tying half of them together."""
    rng = np.random.default_rng(seed)
    severity = rng.random(n) < 0.3
    columns = {}
    for k, rate in enumerate(np.linspace(0.05, 0.9, 12)):
        p = np.clip(rate + (0.3 if severity.any() and k % 2 else 0) * (severity - 0.3), 0, 1)
        columns[f"c{k}"] = (rng.random(n) < p).astype(np.int64)
    return pd.DataFrame(columns)


def test_a_tiny_medgan_learns_the_column_rates_of_a_binary_table():
    df = binary_table()
    synth = Synthesizer("medgan", steps=500, batch_size=100, seed=0,
                        overrides=SMALL + ["medgan.pretrain_steps=150", "medgan.binarize=sample"]).fit(df)
    fake = synth.sample(2000, seed=1)
    assert fake.dtypes.equals(df.dtypes) and set(np.unique(fake.to_numpy())) <= {0, 1}
    result = dimension_wise_probability(df.to_numpy(), fake.to_numpy())
    assert result.correlation > 0.9 and result.mean_abs_diff < 0.1, result

    torch.manual_seed(0)
    from gankit.games import build_game

    untrained = build_game(synth.config, synth.spec)
    before = untrained.spans.to_frame(untrained.sample_rows(untrained.module("G").eval(), 2000, 1))
    assert dimension_wise_probability(df.to_numpy(), before.to_numpy()).mean_abs_diff > 0.2
    rows = synth.sample(50, seed=3, where={"c11": "1"})
    assert len(rows) == 50 and (rows["c11"] == 1).all()


def _tensors(run):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    return load_file(str(ckpt.latest_checkpoint(run / "checkpoints") / ckpt.TENSORS_FILE))


def test_a_run_resumed_across_the_end_of_pretraining_continues_bit_exactly(tmp_path):
    """Stopped after step 3 (the last of the pretraining) and resumed to step 7: the same weights and Adam
    moments as the run that went straight through the switch."""
    table = tmp_path / "codes.csv"
    df = binary_table(300)
    df["visits"] = np.random.default_rng(1).poisson(3.0, 300)  # a count column: ReLU output, squared error
    df.to_csv(table, index=False)
    tiny = SMALL + [f"data.path={table}", "data.target=c0", "medgan.pretrain_steps=3", "optim.decay=none", "train.batch_size=50", "train.d_steps=2",
                    "train.log_every=1"]
    api.train(load_config("medgan-flchain", tiny + ["train.steps=7"]), tmp_path / "straight")
    api.train(load_config("medgan-flchain", tiny + ["train.steps=3"]), tmp_path / "stopped")
    from gankit.training import checkpoint as ckpt

    _, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "stopped" / "checkpoints"))
    assert state["game"] == {"stage": "pretrain"}
    api.train(None, tmp_path / "stopped", overrides=["train.steps=7"], resume=True)
    a, b = _tensors(tmp_path / "straight"), _tensors(tmp_path / "stopped")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.startswith("optimizers.D") for k in a) and any(k.startswith("networks.E") for k in a)
    assert any(k.startswith("ema.G") for k in a)
    events = [json.loads(line) for line in (tmp_path / "straight" / "metrics.jsonl").read_text().splitlines()]
    assert [(e["step"], e["stage"]) for e in events if e["kind"] == "stage"] == [(0, "pretrain"), (3, "adversarial")]
    logged = [e for e in events if e["kind"] == "train"]
    assert "loss/AE" in logged[0] and "loss/D" in logged[-1]
    game = api.load_generator(tmp_path / "straight").game
    assert game.spans.binary == [True] * 12 + [False] and game.stage == "adversarial"
    rows = api.sample_table(tmp_path / "straight", 50, seed=0)
    assert rows["visits"].dtype == df["visits"].dtype and rows["visits"].between(0, df["visits"].max()).all()


def test_the_recipe_plays_one_d_step_per_g_step_and_rounds_like_the_paper():
    # d_steps 1 against the paper's 2: dimension-wise prediction F1 0.454 / 0.448 (training seeds 0 / 1)
    # against 0.398 on flchain-binary (train-on-real 0.597), measured 2026-12-07
    config = load_config("medgan-flchain")
    assert config.train.d_steps == 1 and config.section("medgan").binarize == "round"
    assert config.loss == "nonsaturating" and config.train.ema > 0


def test_cli_trains_medgan_and_eval_reports_the_dimension_wise_measures_with_their_plot(capsys, tmp_path):
    table = tmp_path / "codes.csv"
    binary_table(400).to_csv(table, index=False)
    run = tmp_path / "run"
    sets = [a for o in SMALL + [f"data.path={table}", "data.target=c0", "medgan.pretrain_steps=5",
                                "train.steps=10", "train.batch_size=50"] for a in ("--set", o)]
    code, out, _ = run_cli(capsys, "train", "medgan-flchain", *sets, "--out", run)
    assert code == 0 and (run / "samples" / "final.png").is_file(), out
    code, out, _ = run_cli(capsys, "eval", run, "--n", 300, "--plot", tmp_path / "dimwise.png")
    assert code == 0 and (tmp_path / "dimwise.png").stat().st_size > 1000
    for metric in ("dwp_correlation", "dwpred_f1_real", "dwpred_f1_synthetic", "shape_score", "tstr_f1_lr"):
        assert metric in out
    code, out, _ = run_cli(capsys, "sample", run, "-n", 20, "--out", tmp_path / "s.csv")
    assert code == 0 and list(pd.read_csv(tmp_path / "s.csv").columns) == [f"c{k}" for k in range(12)]


def test_bad_input_to_medgan_is_one_line_and_writes_nothing(capsys, tmp_path):
    table = tmp_path / "mixed.csv"
    df = binary_table(200)
    df["weight"] = np.round(np.random.default_rng(0).normal(70, 10, 200), 1)
    df.to_csv(table, index=False)
    run = tmp_path / "run"
    sets = [a for o in SMALL + [f"data.path={table}", "data.target=c0", "train.steps=2", "train.batch_size=50"] for a in ("--set", o)]
    expect_user_error(capsys, "train", "medgan-flchain", *sets, "--out", run,
                      says=("game 'medgan'", "column 'weight' is continuous", "binary and count columns only"))
    assert not run.exists()
    expect_user_error(capsys, "train", "medgan-flchain", "--set", "data.name=ring", "--out", run,
                      says=("game 'medgan' needs a table",))
    expect_user_error(capsys, "train", "medgan-flchain", "--set", "medgan.binarize=maybe", "--out", run,
                      says=("'medgan.binarize' must be round or sample",))
    assert not run.exists()
