"""Before and around training: --dry-run writes nothing, the start-up summary, plain progress lines in a pipe,
every eval.* key and every API Config checked before anything is written, Ctrl-C (130), --version."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_helpers import TINY, TINY_DIGITS, expect_user_error, run_cli
from PIL import Image

import gankit
from gankit import api
from gankit.config import Config
from gankit.errors import ConfigError
from gankit.training.trainer import Trainer


def test_dry_run_prints_config_networks_and_phases_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "run"
    code, stdout, err = run_cli(capsys, "train", "gan-ring", *TINY, "--out", out, "--dry-run")
    assert code == 0, err
    assert not out.exists()
    assert "train:" in stdout and "steps: 4" in stdout  # the resolved config, as YAML
    assert "parameters" in stdout and "G " in stdout and "D " in stdout
    assert "phases" in stdout and "data     ring: 512 points of 2" in stdout
    assert "nothing was written" in stdout


def test_training_starts_with_a_summary_and_logs_plain_lines(capsys, tmp_path):
    code, _, err = run_cli(capsys, "train", "gan-ring", *TINY, "--set", "train.progress=true",
                           "--out", tmp_path / "run")
    assert code == 0, err
    lines = err.splitlines()
    assert any(line.startswith("device   cpu") for line in lines)
    assert any(line.startswith("G ") and "parameters" in line for line in lines)
    assert [line for line in lines if line.startswith("step ")][-1].startswith("step 4/4 (100%)")
    assert "\r" not in err


@pytest.mark.parametrize(("override", "says"), [
    ("eval.metrics=fid,kdi", "did you mean 'kid'"),
    ("eval.best=kdi", "did you mean 'kid'"),
    ("eval.best=precision", "add 'pr' to eval.metrics"),
    ("eval.metrics=", "eval.metrics"),
])
def test_eval_keys_are_checked_before_anything_is_written(capsys, tmp_path, override, says):
    out = tmp_path / "run"
    expect_user_error(capsys, "train", "gan-ring", *TINY, "--set", override, "--out", out, says=(says,))
    assert not out.exists()


def test_eval_every_on_unlabelled_images_with_the_classifier_is_refused_up_front(capsys, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(16):
        Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(images / f"{i}.png")
    out = tmp_path / "run"
    folder = ["--set", "data.name=folder", "--set", f"data.path={images}", "--set", "data.img_size=8",
              "--set", "model.arch=mlp", "--set", "train.batch_size=8", "--set", "eval.every=2"]
    expect_user_error(capsys, "train", "gan-ring", *TINY, *folder, "--out", out,
                      says=("needs labelled images", "eval.extractor=inception"))
    expect_user_error(capsys, "train", "gan-ring", *TINY_DIGITS, "--set", "eval.every=2",
                      "--set", "eval.metrics=modes", "--set", "eval.best=reverse_kl", "--out", out,
                      says=("'modes' needs a mixture",))
    assert not out.exists()


@pytest.mark.parametrize(("key", "value", "says"), [("steps", -3, "train.steps"), ("steps", "many", "train.steps"),
                                                      ("batch_size", 0, "train.batch_size")])
def test_a_config_built_in_python_is_validated(tmp_path, key, value, says):
    config = Config()
    setattr(config.train, key, value)
    with pytest.raises(ConfigError, match=says):
        api.train(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_ctrl_c_exits_130_with_a_checkpoint_and_the_report(capsys, tmp_path, monkeypatch):
    step = Trainer.train_step

    def interrupted_at_three(self):
        if self.step == 3:
            raise KeyboardInterrupt
        step(self)

    monkeypatch.setattr(Trainer, "train_step", interrupted_at_three)
    run = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", "gan-ring", *TINY, "--out", run)
    assert code == 130
    assert "interrupted at step 3" in err and "--resume" in err
    assert (run / "checkpoints" / "step-00000003").is_dir()
    summary = json.loads((run / "report" / "summary.json").read_text(encoding="utf-8"))
    assert summary["interrupted"] is True and summary["step"] == 3
    assert (run / "report" / "doctor.md").is_file()


def test_version(capsys):
    code, stdout, _ = run_cli(capsys, "--version")
    assert code == 0 and stdout.strip() == f"gankit {gankit.__version__}"
