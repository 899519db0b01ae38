"""Resume continues from the run's own config: the README's sequence (a run trained with a changed learning rate,
then resumed with the recipe and a longer target) works as written, the recipe may be left out, and a target
left out is refused rather than silently kept; YAML paths resolve against the YAML, and the run keeps them
absolute."""

from __future__ import annotations

import numpy as np
import yaml
from cli_helpers import TINY, expect_user_error, run_cli
from PIL import Image


def _train(capsys, *argv):
    code, out, err = run_cli(capsys, "train", *argv)
    assert code == 0, err
    return out


def test_the_readme_sequence_resumes_a_run_trained_with_a_changed_key(capsys, tmp_path):
    run = tmp_path / "short"
    _train(capsys, "gan-ring", *TINY, "--set", "optim.lr_d=1e-4", "--out", run)
    out = _train(capsys, "gan-ring", "--out", run, "--resume", "--set", "train.steps=6")
    assert "trained 6 steps" in out
    saved = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    assert saved["optim"]["lr_d"] == 1e-4 and saved["train"]["steps"] == 6


def test_resume_needs_no_recipe(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    out = _train(capsys, "--resume", "--out", run, "--set", "train.steps=6")
    assert "trained 6 steps" in out


def test_resume_without_a_new_target_says_the_run_is_done(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    expect_user_error(capsys, "train", "--resume", "--out", run, says=("already at step 4", "train.steps"))


def test_resume_with_another_recipe_is_refused(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    expect_user_error(capsys, "train", "gan-grid", "--resume", "--out", run, "--set", "train.steps=6",
                      says=("gan-ring", "gan-grid", "leave the recipe out"))


def test_resume_without_out_and_train_without_recipe_are_one_line(capsys):
    expect_user_error(capsys, "train", "--resume", says=("--out",))
    expect_user_error(capsys, "train", says=("recipe",))


def test_yaml_paths_are_relative_to_the_yaml_and_saved_absolute(capsys, tmp_path, monkeypatch):
    project = tmp_path / "project"
    images = project / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(16):
        Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(images / f"{i}.png")
    (project / "my.yaml").write_text(yaml.safe_dump({
        "name": "mine", "data": {"name": "folder", "path": "images", "img_size": 8, "channels": 1},
        "model": {"arch": "mlp", "g_hidden": [16], "d_hidden": [16]},
        "train": {"steps": 2, "batch_size": 8, "log_every": 1, "sample_every": 1000, "ckpt_every": 2,
                  "progress": False}}), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _train(capsys, str(project / "my.yaml"), "--out", "run")
    saved = yaml.safe_load((elsewhere / "run" / "config.yaml").read_text(encoding="utf-8"))
    assert saved["data"]["path"] == str(images)
    monkeypatch.chdir(tmp_path)  # the run is found and resumed from another directory
    out = _train(capsys, "--resume", "--out", elsewhere / "run", "--set", "train.steps=4")
    assert "trained 4 steps" in out


def test_an_evaluation_fixed_on_resume_is_accepted(capsys, ring_run, copy_run):
    """A typo in eval.* is refused before training; the run resumes with the evaluation set right."""
    run = copy_run(ring_run)
    expect_user_error(capsys, "train", "--resume", "--out", run, "--set", "train.steps=6",
                      "--set", "eval.every=2", "--set", "eval.metrics=modse", says=("did you mean 'modes'",))
    out = _train(capsys, "--resume", "--out", run, "--set", "train.steps=6", "--set", "eval.every=2",
                 "--set", "eval.metrics=modes", "--set", "eval.best=modes_covered", "--set", "eval.n=64")
    assert "trained 6 steps" in out
    assert (run / "checkpoints" / "best" / "best.json").is_file()
