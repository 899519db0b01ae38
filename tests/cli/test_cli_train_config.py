"""`gankit train` with a bad recipe, YAML file or --set: one line on stderr naming the problem, exit 2, and no
run folder created. Every call carries the tiny settings, so a check that wrongly lets a run start costs a
second, not a full recipe."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import TINY, expect_user_error, run_cli


def _train_fails(capsys, tmp_path: Path, config: str, *extra: str, says: tuple[str, ...]) -> str:
    out = tmp_path / "run"
    line = expect_user_error(capsys, "train", config, *TINY, *extra, "--out", out, says=says)
    assert not out.exists(), "a failed start created the run folder"
    return line


def test_unknown_recipe_suggests_the_close_one(capsys, tmp_path):
    line = _train_fails(capsys, tmp_path, "gan-rng", says=("unknown recipe 'gan-rng'", "did you mean 'gan-ring'"))
    assert "gankit recipes" in line


def test_unknown_recipe_far_from_any_gets_no_suggestion(capsys, tmp_path):
    line = _train_fails(capsys, tmp_path, "quuxnet9", says=("unknown recipe 'quuxnet9'",))
    assert "did you mean" not in line


def test_yaml_file_that_does_not_exist(capsys, tmp_path):
    missing = tmp_path / "nothere.yaml"
    _train_fails(capsys, tmp_path, str(missing), says=("config file not found", str(missing)))


def test_invalid_yaml_names_the_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("loss: hinge\ntrain: {steps: [1, 2\n", encoding="utf-8")
    _train_fails(capsys, tmp_path, str(bad), says=(str(bad), "not valid YAML", "line"))


def test_yaml_that_is_not_a_mapping(capsys, tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n", encoding="utf-8")
    _train_fails(capsys, tmp_path, str(bad), says=(str(bad), "mapping"))


def test_unknown_key_in_yaml_suggests_the_right_one(capsys, tmp_path):
    typo = tmp_path / "typo.yaml"
    typo.write_text("data: {name: ring}\ntrain:\n  stpes: 5\n", encoding="utf-8")
    _train_fails(capsys, tmp_path, str(typo), says=("unknown config key 'train.stpes'", "did you mean 'train.steps'"))


def test_unknown_key_via_set_suggests_the_right_one(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", "train.stpes=5",
                 says=("unknown config key 'train.stpes'", "did you mean 'train.steps'"))


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ("train.steps=-1", ("'train.steps'", "positive", "-1")),
        ("train.steps=0", ("'train.steps'", "positive")),
        ("train.steps=abc", ("'train.steps'", "integer", "abc")),
        ("train.steps=1.5", ("'train.steps'", "integer", "1.5")),
        ("train.batch_size=0", ("'train.batch_size'", "positive")),
        ("loss=foo", ("'loss'", "foo", "hinge")),
        ("game=gan9", ("'game'", "gan9", "conditional")),
        ("optim.lr_g=0", ("'optim.lr_g'", "positive")),
        ("optim.lr_d=-1e-4", ("'optim.lr_d'", "positive")),
        ("optim.beta1=1", ("'optim.beta1'", "[0, 1)")),
        ("optim.lr_g=true", ("'optim.lr_g'", "number", "True")),
        ("device=tpu", ("'device'", "tpu")),
        ("data.channels=2", ("'data.channels'", "1 or 3", "2")),
        ("data.split=val", ("'data.split'", "val")),
        ("train.ema=1.5", ("'train.ema'", "1.5")),
        ("train.progress=maybe", ("'train.progress'", "true or false", "maybe")),
        ("model.g_hidden=[1,a]", ("'model.g_hidden'", "list of integers")),
        ("model.z_dim=0", ("'model.z_dim'", "positive")),
        ("train=5", ("'train'", "mapping")),
        ("train.steps.x=5", ("'train.steps'", "integer")),
        ("name=[1]", ("'name'", "string")),
        ("description=", ("'description'", "empty")),
    ],
)
def test_bad_value_via_set_names_key_and_value(capsys, tmp_path, override, says):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", override, says=says)


def test_bad_value_in_yaml_names_the_key(capsys, tmp_path):
    cfg = tmp_path / "bad-loss.yaml"
    cfg.write_text("data: {name: ring, n_points: 512}\nloss: foo\n", encoding="utf-8")
    _train_fails(capsys, tmp_path, str(cfg), says=("'loss'", "foo"))


@pytest.mark.parametrize("text", ["train.steps", "=5", "  =5"])
def test_set_without_key_equals_value(capsys, tmp_path, text):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", text, says=("--set expects key=value", text.strip() or "="))


def test_unknown_model_and_dataset_names(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", "model.arch=resnet", says=("resnet", "mlp"))
    _train_fails(capsys, tmp_path, "gan-ring", "--set", "data.name=cifar", says=("cifar", "ring"))


def test_bad_data_limit_names_the_config_key(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", "data.limit=0", says=("'data.limit'",))


def test_usage_errors_are_one_line_too(capsys, tmp_path):
    expect_user_error(capsys, "train", says=("RECIPE_OR_YAML",))
    expect_user_error(capsys, "fly", says=("invalid choice",))
    expect_user_error(capsys, "train", "gan-ring", "--bogus", says=("--bogus",))


def test_a_good_override_is_taken_and_the_run_trains(capsys, tmp_path):
    """The counterpart of the checks above: a valid file + --set trains and records the values asked for."""
    cfg = tmp_path / "ok.yaml"
    cfg.write_text("name: mine\ndata: {name: ring}\nmodel: {arch: mlp, z_dim: 2}\n", encoding="utf-8")
    out = tmp_path / "run"
    code, stdout, err = run_cli(capsys, "train", str(cfg), *TINY, "--set", "optim.lr_g=1e-4", "--out", out)
    assert code == 0, err
    assert "trained 4 steps" in stdout
    saved = (out / "config.yaml").read_text(encoding="utf-8")
    assert "name: mine" in saved and "lr_g: 0.0001" in saved and "steps: 4" in saved


def test_malformed_cuda_device(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", "device=cuda:x", says=("'device'", "cuda:x"))


def test_negative_hidden_width(capsys, tmp_path):
    _train_fails(capsys, tmp_path, "gan-ring", "--set", "model.d_hidden=[-1]", says=("'model.d_hidden'",))
