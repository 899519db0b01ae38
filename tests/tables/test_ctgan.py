"""CTGAN on the engine: its networks, learning the wine table in seconds (column distances fall, a model trained
on synthetic rows classifies real held-out rows far above chance), save/load giving the same rows in a fresh
process, and the CLI end to end (train on any CSV, sample a CSV, eval) with one-line errors for bad tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gankit.data.table import builtin_table, split_frame
from gankit.games import build_game
from gankit.metrics.table import fidelity, utility
from gankit.models.tabular import PacCritic, ResidualConcatGenerator
from gankit.tabular import Synthesizer

from cli_helpers import expect_user_error, run_cli

SRC = Path(__file__).resolve().parents[2] / "src"
QUIET = ["train.progress=false", "train.doctor=false", "train.threads=1"]


def test_networks_shapes_and_packing():
    g = ResidualConcatGenerator(8, 3, 20, (16, 16))
    assert g(torch.randn(10, 8), torch.zeros(10, 3)).shape == (10, 20)
    assert g.out.in_features == 8 + 3 + 16 + 16  # each block's output concatenated to its input
    d = PacCritic(23, pac=5, widths=(16,))
    rows = torch.randn(10, 23)
    packed = d.pack(rows)
    assert packed.shape == (2, 115) and torch.equal(packed[1, :23], rows[5])
    assert d(packed).shape == (2,)
    with pytest.raises(ValueError, match="packs of 5"):
        d.pack(torch.randn(7, 23))


def clustered_table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A group (a, b, c at 50/30/20%) that sets x's mean (-4, 0, 4), and y = 2x + noise."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    x = np.round(pd.Series(group).map({"a": -4.0, "b": 0.0, "c": 4.0}).to_numpy() + rng.normal(size=n) * 0.5, 3)
    return pd.DataFrame({"group": group, "x": x, "y": np.round(2 * x + rng.normal(size=n) * 0.3, 3)})


def test_ctgan_learns_the_relations_of_a_table_and_sampling_is_reproducible_in_a_fresh_process(tmp_path):
    train, test = split_frame(clustered_table(), 0.25, seed=0)
    synth = Synthesizer(steps=700, batch_size=50, seed=0, target="group", overrides=QUIET + [
        "ctgan.g_widths=[64,64]", "ctgan.d_widths=[64,64]", "ctgan.pac=5", "optim.lr_g=1e-3", "optim.lr_d=1e-3"]
                        ).fit(train)
    fake = synth.sample(len(train), seed=1)
    assert list(fake.columns) == list(train.columns) and fake.dtypes.equals(train.dtypes)
    assert set(fake["group"]) == {"a", "b", "c"}

    torch.manual_seed(0)
    untrained = build_game(synth.config, synth.spec)
    before = untrained.spans.to_frame(untrained.sample_rows(untrained.module("G").eval(), len(train), 1))
    # untrained, x and y ignore the group and each other (mode-specific normalization alone already puts the
    # values near the modes of each column, so the column distances start low: the joint law is what is learned)
    assert abs(np.corrcoef(before.x, before.y)[0, 1]) < 0.3
    assert utility(before, train, test, "group")["tstr_f1_lr"] < 0.6  # chance is about 0.33
    assert np.corrcoef(fake.x, fake.y)[0, 1] > 0.9
    scores = utility(fake, train, test, "group")
    assert scores["tstr_f1_lr"] > 0.85 and scores["tstr_f1_gb"] > 0.85, scores
    assert fidelity(train, fake)["tv_mean"] < 0.1 and fidelity(train, fake)["ks_mean"] < 0.35
    rare = synth.sample(200, seed=2, where={"group": "c"})  # the conditional vector picks the group
    assert (rare["group"] == "c").all() and rare["x"].mean() > 2.5  # and x follows it (real mean 4)

    folder = synth.save(tmp_path / "table.synth")
    assert sorted(p.name for p in folder.iterdir()) == ["generator.safetensors", "synthesizer.json"]
    code = ("import sys; from gankit.tabular import Synthesizer; "
            "Synthesizer.load(sys.argv[1]).sample(300, seed=7).to_csv(sys.argv[2], index=False)")
    subprocess.run([sys.executable, "-c", code, str(folder), str(tmp_path / "fresh.csv")], check=True,
                   env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    here = Synthesizer.load(folder).sample(300, seed=7)
    assert here.equals(synth.sample(300, seed=7))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "fresh.csv"), pd.read_csv(
        __import__("io").StringIO(here.to_csv(index=False))), check_exact=True)


def _cli_set(options):
    return [arg for option in options for arg in ("--set", option)]


TINY = QUIET + ["ctgan.g_widths=[16]", "ctgan.d_widths=[16]", "ctgan.z_dim=8", "ctgan.pac=5",
                "train.batch_size=20", "train.sample_every=1000", "train.ckpt_every=1000", "train.log_every=5"]


def test_cli_trains_any_csv_samples_a_table_and_evaluates_it(capsys, tmp_path):
    table = tmp_path / "wine.csv"
    wine = builtin_table("wine").rename(columns={"target": "cultivar"})
    wine.to_csv(table, index=False)
    run = tmp_path / "run"
    code, out, _ = run_cli(capsys, "train", "ctgan-breast-cancer", *_cli_set(TINY + [
        "train.steps=10", f"data.path={table}", "data.target=cultivar"]), "--out", run)
    assert code == 0 and (run / "samples" / "final.png").is_file(), out
    code, out, _ = run_cli(capsys, "sample", run, "-n", 250, "--seed", 4, "--out", tmp_path / "synth.csv")
    assert code == 0 and "wrote 250 rows of 14 columns" in out
    synth = pd.read_csv(tmp_path / "synth.csv")
    assert list(synth.columns) == list(wine.columns) and synth.dtypes.equals(wine.dtypes)
    first = (tmp_path / "synth.csv").read_bytes()
    run_cli(capsys, "sample", run, "-n", 250, "--seed", 4, "--out", tmp_path / "synth.csv", "--force")
    assert (tmp_path / "synth.csv").read_bytes() == first
    expect_user_error(capsys, "sample", run, "-n", 5, "--out", tmp_path / "synth.csv", says=("already exists",))
    code, out, _ = run_cli(capsys, "sample", run, "-n", 250, "--seed", 4, "--out", tmp_path / "synth.parquet")
    assert code == 0 and pd.read_parquet(tmp_path / "synth.parquet").equals(synth)  # the same rows, as Parquet
    expect_user_error(capsys, "sample", run, "-n", 5, "--out", tmp_path / "s.png", says=("use .csv or .parquet",))
    code, out, _ = run_cli(capsys, "sample", run, "-n", 40, "--where", "cultivar=2", "--out", tmp_path / "w.csv")
    assert code == 0 and (pd.read_csv(tmp_path / "w.csv")["cultivar"] == 2).all()
    expect_user_error(capsys, "sample", run, "-n", 5, "--where", "colour=red", "--out", tmp_path / "x.csv",
                      says=("--where names column 'colour'", "categorical columns: cultivar"))
    expect_user_error(capsys, "sample", run, "-n", 5, "--where", "cultivar=7", "--out", tmp_path / "x.csv",
                      says=("no such category (known: 0, 1, 2)",))
    expect_user_error(capsys, "sample", run, "-n", 5, "--where", "alcohol=13", "--out", tmp_path / "x.csv",
                      says=("'alcohol' is not categorical",))
    assert not (tmp_path / "x.csv").exists()
    code, out, _ = run_cli(capsys, "eval", run, "--n", 200)
    assert code == 0
    for metric in ("shape_score", "ks_mean", "tstr_f1_gb", "trtr_f1_lr", "dcr_ratio", "exact_copies"):
        assert metric in out
    expect_user_error(capsys, "eval", run, "--metrics", "fid", says=("does not apply to a table run",))


@pytest.mark.parametrize("make, options, says", [
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), [], ("is not a table",)),
    (lambda p: pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50) % 3}).to_csv(p, index=False),
     ["data.target=nope"], ("'data.target' names column 'nope'", "columns: a, b")),
    (lambda p: pd.DataFrame({"a": np.arange(50.0), "target": np.arange(50) % 3, "e": np.nan}).to_csv(p, index=False),
     [], ("column 'e' has no value",)),
    (lambda p: pd.DataFrame({"a": np.arange(12.0), "target": np.arange(12) % 3}).to_csv(p, index=False),
     [], ("fewer than one batch of 20",)),
    (lambda p: pd.DataFrame({"a": np.arange(50.0), "target": np.arange(50) % 3}).to_csv(p, index=False),
     ["eval.every=5"], ("eval.every does not measure table runs yet",)),
    (lambda p: pd.DataFrame({"a": np.arange(50.0), "target": np.arange(50) % 3}).to_csv(p, index=False),
     ["ctgan.pac=3"], ("train.batch_size=20 must be a multiple of ctgan.pac=3",)),
])
def test_bad_tables_are_one_line_and_write_nothing(capsys, tmp_path, make, options, says):
    table = tmp_path / "t.csv"
    make(table)
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "ctgan-breast-cancer", *_cli_set(TINY + ["train.steps=2", f"data.path={table}"]
                                                                         + options), "--out", run, says=says)
    assert not run.exists()


def test_tvae_learns_the_relations_of_a_table():
    train, test = split_frame(clustered_table(), 0.25, seed=0)
    synth = Synthesizer("tvae", steps=1000, batch_size=50, seed=0, target="group",
                        overrides=QUIET + ["tvae.widths=[64,64]", "tvae.z_dim=16"]).fit(train)
    fake = synth.sample(len(train), seed=1)
    assert fake.dtypes.equals(train.dtypes)
    assert np.corrcoef(fake.x, fake.y)[0, 1] > 0.6  # untrained: about 0 (the CTGAN test checks it)
    scores = utility(fake, train, test, "group")
    assert scores["tstr_f1_lr"] > 0.85, scores
    assert fidelity(train, fake)["tv_mean"] < 0.1
    rare = synth.sample(100, seed=2, where={"group": "c"})  # by rejection: TVAE has no conditional input
    assert len(rare) == 100 and (rare["group"] == "c").all() and rare["x"].mean() > 1.5  # all rows: -1.2


def test_tvae_one_hots_argmax_decodes_the_most_likely_category_and_bad_values_are_one_line(capsys, tmp_path):
    train, _ = split_frame(clustered_table(200), 0.25, seed=0)
    synth = Synthesizer("tvae", steps=5, batch_size=50, seed=0, target="group",
                        overrides=QUIET + ["tvae.widths=[16]", "tvae.z_dim=4"]).fit(train)
    game, decoder = synth.game, synth.game.module("G")
    z = torch.randn(40, 4, generator=torch.Generator().manual_seed(3))
    logits = decoder(z)
    decoded = {}
    for mode in ("sample", "argmax"):
        game.one_hots = mode
        decoded[mode] = game._decode(decoder, z, torch.Generator().manual_seed(0))
    same_as_argmax = [torch.equal(decoded["argmax"][:, o : o + w].argmax(1), logits[:, o : o + w].argmax(1))
                      for o, w in game.spans.softmax]
    assert all(same_as_argmax)
    assert not all(torch.equal(decoded["sample"][:, o : o + w].argmax(1), logits[:, o : o + w].argmax(1))
                   for o, w in game.spans.softmax)  # drawn from the softmax: some rows differ from the argmax
    assert torch.equal(decoded["sample"][:, game.spans.tanh], decoded["argmax"][:, game.spans.tanh])  # same α noise
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "tvae-breast-cancer", *_cli_set(QUIET + ["tvae.one_hots=mode", "train.steps=2"]),
                      "--out", run, says=("'tvae.one_hots' must be one of sample, argmax",))
    assert not run.exists()
