"""`gankit train` never loses a run: an existing run folder, a refused --resume, a contradictory or failing
--force all leave every file byte-identical (compared by a SHA-256 fingerprint of the whole folder)."""

from __future__ import annotations

import json

import pytest
import yaml
from cli_helpers import TINY, expect_user_error, fingerprint, run_cli

from gankit.training.checkpoint import STATE_FILE, TENSORS_FILE


def _refused(capsys, run, *extra, says):
    """Train into existing `run` with `extra` args; assert a one-line refusal and an untouched folder."""
    before = fingerprint(run)
    line = expect_user_error(capsys, "train", "gan-ring", *TINY, *extra, "--out", run, says=says)
    assert fingerprint(run) == before, "a refused train changed the run folder"
    return line


def test_existing_run_folder_is_refused_and_untouched(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    _refused(capsys, run, says=(str(run), "already exists", "--resume", "--force"))


def test_folder_holding_any_file_is_refused(capsys, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious", encoding="utf-8")
    _refused(capsys, folder, says=("already exists",))


def test_out_that_is_a_file_is_refused(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("precious", encoding="utf-8")
    expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", path, says=(str(path), "not a folder"))
    assert path.read_text(encoding="utf-8") == "precious"


def test_resume_and_force_together(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    _refused(capsys, run, "--resume", "--force", says=("--resume", "--force"))


def test_force_with_a_failing_start_keeps_the_old_run(capsys, ring_run, copy_run, tmp_path):
    """--force replaces the folder only once the new run is built; bad data must leave the old run whole."""
    run = copy_run(ring_run)
    _refused(capsys, run, "--force", "--set", "data.name=idx", "--set", f"data.path={tmp_path / 'missing'}",
             says=("missing",))
    _refused(capsys, run, "--force", "--set", "train.stpes=3", says=("train.stpes",))
    _refused(capsys, run, "--force", "--set", "train.batch_size=1024", says=("fewer than one batch",))


def test_resume_on_a_folder_without_checkpoints(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "config.yaml").write_text("name: x\n", encoding="utf-8")
    _refused(capsys, empty, "--resume", says=("nothing to resume", str(empty)))


def test_resume_on_a_folder_that_does_not_exist(capsys, tmp_path):
    missing = tmp_path / "missing"
    expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", missing, "--resume", says=("nothing to resume",))
    assert not missing.exists()


@pytest.mark.parametrize(("override", "key"), [("model.z_dim=3", "model.z_dim"), ("loss=hinge", "loss"),
                                               ("model.g_hidden=[32]", "model.g_hidden"),
                                               ("data.n_points=600", "data.n_points")])
def test_resume_with_a_changed_key_is_refused(capsys, ring_run, copy_run, override, key):
    run = copy_run(ring_run)
    _refused(capsys, run, "--resume", "--set", "train.steps=6", "--set", override,
             says=("cannot resume", str(run), f"'{key}'"))


def test_resume_continues_the_run(capsys, ring_run, copy_run):
    """The counterpart of the refusals: a schedule change (more steps) is allowed and continues from step 4."""
    run = copy_run(ring_run)
    code, out, err = run_cli(capsys, "train", "gan-ring", *TINY, "--set", "train.steps=6", "--out", run, "--resume")
    assert code == 0, err
    assert "trained 6 steps" in out
    assert (run / "checkpoints" / "step-00000006").is_dir()
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if r.get("kind", "train") == "train"] == [2, 4, 6]


def test_resume_when_the_run_is_already_done(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    _refused(capsys, run, "--resume", says=("step 4", "train.steps"))


def test_resume_from_a_truncated_checkpoint(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    tensors = run / "checkpoints" / "step-00000004" / TENSORS_FILE
    tensors.write_bytes(tensors.read_bytes()[:100])
    _refused(capsys, run, "--resume", "--set", "train.steps=6", says=("corrupt checkpoint", str(tensors)))


def test_resume_from_a_checkpoint_without_state_json(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    latest = run / "checkpoints" / "step-00000004"
    (latest / STATE_FILE).unlink()
    _refused(capsys, run, "--resume", "--set", "train.steps=6", says=(str(latest), STATE_FILE))


def test_resume_trusts_the_checkpoint_not_a_corrupt_config_yaml(capsys, ring_run, copy_run):
    """The checkpoint carries the config it was trained with; resuming checks against that and rewrites
    config.yaml whole, so a damaged config.yaml neither blocks the resume nor survives it."""
    run = copy_run(ring_run)
    (run / "config.yaml").write_text("model: {z_dim: [2\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "train", "gan-ring", *TINY, "--set", "train.steps=6", "--out", run, "--resume")
    assert code == 0, err
    assert yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))["train"]["steps"] == 6


def test_resume_checks_the_checkpoint_config_when_config_yaml_is_gone(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    (run / "config.yaml").unlink()
    _refused(capsys, run, "--resume", "--set", "train.steps=6", "--set", "loss=hinge", says=("'loss'",))
