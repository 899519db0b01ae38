"""Evaluation during training: metrics logged beside the losses, the best checkpoint kept."""

import json

import pytest

from gankit import api
from gankit.errors import ConfigError
from gankit.training.stats import read_metrics
from gankit.evaluation.hook import is_improvement

TINY = ["train.steps=60", "train.log_every=10", "train.sample_every=1000", "train.ckpt_every=1000",
        "train.progress=false", "data.n_points=4000", "model.g_hidden=[32,32]", "model.d_hidden=[32,32]",
        "eval.every=20", "eval.metrics=modes", "eval.n=500", "eval.best=high_quality_fraction"]


def test_eval_every_n_steps_logs_metrics_and_keeps_the_best_checkpoint(tmp_path):
    api.train("gan-ring", tmp_path / "run", overrides=TINY)
    records = read_metrics(tmp_path / "run", kind=None)
    evals = [r for r in records if r["kind"] == "eval"]
    assert [r["step"] for r in evals] == [20, 40, 60]
    assert all("modes_covered" in r["metrics"] and r["settings"]["n"] == 500 for r in evals)
    logged = [r for r in records if r["kind"] == "train" and "eval/high_quality_fraction" in r]
    assert [r["step"] for r in logged] == [20, 40, 60]  # beside the losses, so TensorBoard plots them too
    best = json.loads((tmp_path / "run" / "checkpoints" / "best" / "best.json").read_text())
    scores = {r["step"]: r["metrics"]["high_quality_fraction"] for r in evals}
    assert best["value"] == max(scores.values()) and scores[best["step"]] == best["value"]
    # the best checkpoint is a full checkpoint that gankit can sample from
    assert api.sample(tmp_path / "run" / "checkpoints" / "best", n=10).shape == (10, 2)


def test_lower_is_better_except_for_scores_and_coverage():
    assert is_improvement("fid", 10.0, 12.0) and not is_improvement("fid", 13.0, 12.0)
    assert is_improvement("recall", 0.6, 0.5) and not is_improvement("is", 2.0, 3.0)
    assert is_improvement("kid", 1.0, None)


def test_label_accuracy_during_training_of_a_conditional_run(tmp_path, monkeypatch):
    """eval.metrics=labels logs eval/label_accuracy for a conditional run, and eval.best can keep its best step."""
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    api.train("gan-ring", tmp_path / "run", overrides=[
        "data.name=digits", "model.arch=mlp", "game=conditional", "train.steps=20", "train.log_every=10",
        "train.sample_every=1000", "train.ckpt_every=1000", "train.progress=false", "model.g_hidden=[16]",
        "model.d_hidden=[16]", "eval.every=10", "eval.metrics=labels", "eval.n=100", "eval.best=label_accuracy"])
    evals = [r for r in read_metrics(tmp_path / "run", kind=None) if r["kind"] == "eval"]
    assert [r["step"] for r in evals] == [10, 20]
    assert all(0 <= r["metrics"]["label_accuracy"] <= 1 for r in evals)
    assert is_improvement("label_accuracy", 0.9, 0.5)


def test_label_accuracy_during_training_needs_a_conditional_game(tmp_path):
    with pytest.raises(ConfigError, match="eval.metrics 'labels' measures a class-conditional generator"):
        api.train("gan-ring", tmp_path / "run", overrides=["data.name=digits", "model.arch=mlp", "eval.every=10",
                                                           "eval.metrics=labels", "eval.best=label_accuracy"])
    assert not (tmp_path / "run").exists()
