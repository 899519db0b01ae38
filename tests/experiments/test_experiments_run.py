"""gankit.experiments: each experiment in quick mode writes its three files and measures what it claims to."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from gankit.errors import ConfigError
from gankit.experiments import EXPERIMENT_NAMES, run_experiment
from gankit.experiments.common import format_mean_std, markdown_table, mean_std, single_thread
from gankit.experiments.d_accuracy import curve_summary
from gankit.experiments.loss_gradients import generator_gradient_norms
from gankit.experiments.mode_collapse import PLAIN, RECIPES, VARIANTS, Summary, beats_published, plan, summarize
from gankit.experiments.published import PUBLISHED, best_published


def _read(out):
    files = {name: out / name for name in ("results.md", "results.json", "results.png")}
    for path in files.values():
        assert path.is_file() and path.stat().st_size > 0, path
    assert files["results.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files or runs left behind"
    return files["results.md"].read_text(), json.loads(files["results.json"].read_text())


# ------------------------------------------------------------------------------------------ small pieces
def test_mean_std_and_formatting_by_hand():
    assert mean_std([1.0, 2.0, 3.0]) == (2.0, pytest.approx(math.sqrt(2 / 3)))
    assert format_mean_std([0.5, 1.0], digits=1, scale=100, suffix="%") == "75.0 ± 25.0%"
    assert format_mean_std([2.0]) == "2.00"
    assert format_mean_std([float("nan"), 1.0, 3.0], digits=0) == "2 ± 1 (1 n/a)"
    assert format_mean_std([float("nan")]) == "n/a"
    assert format_mean_std([1.5e-4, 2.5e-4], digits=1, style="e") == "2.0e-04 ± 5.0e-05"
    assert markdown_table(["a", "b"], [[1, 2]]).splitlines() == ["| a | b |", "| :--- | ---: |", "| 1 | 2 |"]


def test_single_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with single_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_unknown_experiment_and_bad_seeds_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'mode-collapse'"):
        run_experiment("mode-colapse", tmp_path / "x")
    with pytest.raises(ConfigError, match="--seeds must be a positive integer, got 0"):
        run_experiment("loss-gradients", tmp_path / "x", seeds=0)
    assert not (tmp_path / "x").exists()
    assert set(EXPERIMENT_NAMES) == {"loss-gradients", "mode-collapse", "d-accuracy"}


def test_gradient_norms_follow_the_chain_rule_by_hand():
    """G(z) = w·z, D(x) = x: logit l = w·z; ∂minimax/∂w = -mean(σ(l)·z), ∂NS/∂w = -mean((1-σ(l))·z)."""

    class Game:
        def __init__(self):
            self.G, self.D = torch.nn.Linear(1, 1, bias=False), torch.nn.Identity()
            self.G.weight.data.fill_(2.0)

        def module(self, name):
            return {"G": self.G, "D": lambda x: x.reshape(-1)}[name]

        def generate(self, G, z):
            return G(z)

    z = torch.tensor([[1.0], [-0.5]])
    out = generator_gradient_norms(Game(), z)
    logits = 2.0 * z.reshape(-1)
    s = torch.sigmoid(logits)
    assert out["d_fake"] == pytest.approx(float(s.mean()))
    assert out["minimax"] == pytest.approx(abs(float((s * z.reshape(-1)).mean())), rel=1e-5)
    assert out["nonsaturating"] == pytest.approx(abs(float(((1 - s) * z.reshape(-1)).mean())), rel=1e-5)


def test_curve_summary_by_hand():
    steps = list(range(10, 101, 10))
    acc = [0.5, 0.9, 0.8, 0.75, 0.7, 0.65, 0.6, 0.58, 0.56, 0.55]
    curve = {"step": steps, "acc": acc, "acc_real": acc, "acc_fake": acc}
    s = curve_summary(curve, 100)
    assert s["peak_early"] == 0.9  # steps 10, 20 are within the first quarter
    assert s["last_tenth"] == 0.55  # only step 100 is beyond 90
    assert s["at_0.5"] == 0.7 and s["at_1"] == 0.55
    slope = np.polyfit([60, 70, 80, 90, 100], [0.65, 0.6, 0.58, 0.56, 0.55], 1)[0] * 1000 * 100
    assert s["slope_second_half"] == pytest.approx(slope)


def test_published_tables_and_the_verdict():
    assert best_published("ring") == {"modes": 8.0, "high_quality": 99.3, "reverse_kl": 0.07}
    assert best_published("grid")["reverse_kl"] == 0.04
    assert all(row.status.endswith("unverified") for rows in PUBLISHED.values() for row in rows)
    recipe = next(v for v in VARIANTS if v.key == "recipe")
    perfect = Summary(recipe, "grid", [{"modes": 25, "high_quality": 0.97, "reverse_kl": 0.01}])
    assert beats_published(perfect)["beats_all"]
    too_wide = Summary(recipe, "grid", [{"modes": 25, "high_quality": 0.95, "reverse_kl": 0.01}])
    assert beats_published(too_wide)["misses"] == ["ALI (PacGAN)"]  # ALI's 95.7% HQ is the best on the grid


def test_plan_covers_every_variant_mixture_and_seed():
    jobs = plan(seeds=3)
    assert len(jobs) == len(VARIANTS) * 2 * 3
    assert {j.mixture for j in jobs} == set(PLAIN) == set(RECIPES)
    recipe_job = next(j for j in jobs if j.variant.key == "recipe" and j.mixture == "grid")
    assert recipe_job.recipe_and_overrides() == ("gan-grid", [f"seed={recipe_job.seed}"])
    raw_job = next(j for j in jobs if j.variant.key == "recipe-raw" and j.mixture == "ring")
    assert raw_job.recipe_and_overrides() == ("gan-ring", [f"seed={raw_job.seed}", "sample.jacobian_rejection=0"])
    pack_job = next(j for j in jobs if j.variant.key == "pack4")
    config, overrides = pack_job.recipe_and_overrides()
    assert config.loss == "nonsaturating" and "stab.pack=4" in overrides


def test_job_settings_are_the_full_config_each_run_trains():
    by_name = {job.name: job for job in plan(seeds=2)}
    plain0, plain1 = by_name["plain-ring-seed0"].settings(), by_name["plain-ring-seed1"].settings()
    assert (plain0["seed"], plain1["seed"]) == (0, 1)
    assert {**plain0, "seed": 1} == plain1  # the seed is the only difference between seeds
    assert by_name["pack4-ring-seed0"].settings()["stab"]["pack"] == 4 and plain0["stab"]["pack"] == 1
    assert by_name["recipe-grid-seed0"].settings()["train"]["ema"] > 0  # the built-in recipe, read from its YAML


def test_a_row_with_fewer_seeds_than_the_rest_says_how_many():
    def record(variant, seed):
        return {"variant": variant, "mixture": "ring", "seed": seed, "modes": 8, "high_quality": 0.5,
                "reverse_kl": 0.1, "histogram": None, "wall_seconds": 1.0, "cpu_seconds": 1.0, "points": None}

    records = [record("plain", s) for s in range(3)] + [record("hinge", 0)]
    records[0]["wall_seconds"] = None  # a run entered from a log that did not print it
    result = summarize(records, seeds=3, quick=False)
    assert result.data["summary"]["ring"]["plain"]["wall_seconds"] == (1.0, 0.0)
    markdown = result.markdown
    assert "| gankit: plain GAN (non-saturating) |" in markdown
    assert "| gankit: hinge loss (1 seed) |" in markdown


# ------------------------------------------------------------------------------------------ quick runs
def test_loss_gradients_quick_minimax_gradient_is_far_smaller(tmp_path):
    markdown, data = _read(run_experiment("loss-gradients", tmp_path / "lg", seeds=1, quick=True))
    assert data["claim_holds"] is True and "holds" in markdown
    last = data["curves"]["ring"][0][-1]
    assert last["d_fake"] < 0.1  # D has become confident
    assert last["nonsaturating"] > 5 * last["minimax"]


def test_d_accuracy_quick_reads_the_logged_accuracies(tmp_path):
    markdown, data = _read(run_experiment("d-accuracy", tmp_path / "da", seeds=1, quick=True))
    curve = data["curves"][0]
    assert curve["step"][-1] == 300 and len(curve["step"]) == 30  # log_every 10
    assert all(0 <= a <= 1 for a in curve["acc"])
    assert max(curve["acc"]) > 0.6  # D does learn to tell real from fake at some point
    assert data["summaries"][0]["at_1"] == curve["acc"][-1]
    assert "D accuracy" in markdown and isinstance(data["claim_holds"], bool)


def test_mode_collapse_quick_writes_our_rows_beside_the_published_ones(tmp_path):
    markdown, data = _read(run_experiment("mode-collapse", tmp_path / "mc", seeds=1, quick=True))
    assert "PacGAN2 (published)" in markdown and "gankit: tuned built-in recipe" in markdown
    records = data["records"]
    assert {r["variant"] for r in records} == {"plain", "recipe"}
    for r in records:
        assert sum(r["histogram"]) == pytest.approx(r["high_quality"] * 2500)
        assert r["modes"] == sum(c > 0 for c in r["histogram"])
    recipe = next(r for r in records if r["variant"] == "recipe")
    assert recipe["modes"] >= 1  # a QUICK run is too short to judge; tests/training/test_learning.py holds the
    # full recipe to 8 modes
