"""`gankit info` and `gankit recipes`: what they print for a real run, and one error line for what is not a run."""

from __future__ import annotations

import json

from cli_helpers import expect_user_error, fingerprint, run_cli

RECIPES = ("biggan-fashion", "cgan", "cgan-ar1", "cgan-fashion", "cgan-sp500", "ctgan-breast-cancer", "ctgan-superstore",
           "cyclegan-sneaker2boot", "dcgan", "dcgan-fashion", "dcgan-fashion-long", "dcgan-mnist", "gan-grid",
           "gan-mlp-fashion", "gan-ring", "medgan-flchain", "mlp-gan", "pix2pix-edges2fashion", "pix2pixhd-edges2fashion",
           "progan-fashion", "quantgan-sp500", "sagan-fashion", "stylegan-fashion", "stylegan2-fashion", "timegan-sp500", "tvae-breast-cancer",
           "tvae-superstore")


def test_recipes_lists_every_built_in_with_its_description(capsys):
    code, out, err = run_cli(capsys, "recipes")
    assert code == 0, err
    lines = out.splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted(RECIPES)
    ring = next(line for line in lines if line.startswith("gan-ring"))
    assert "ring of 8 Gaussians" in ring


def test_info_prints_the_step_and_checkpoints(capsys, ring_run):
    code, out, err = run_cli(capsys, "info", ring_run)
    assert code == 0, err
    assert "step 4 of 4" in out
    assert "step-00000002, step-00000004" in out
    assert "game       unconditional, loss nonsaturating, model mlp" in out
    assert "ring [2] classes=8" in out


def test_info_json_of_a_conditional_image_run(capsys, digits_run):
    code, out, err = run_cli(capsys, "info", digits_run, "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["step"] == 4 and info["game"] == "conditional"
    assert info["data"] == {"name": "digits", "kind": "image", "sample_shape": [1, 8, 8], "num_classes": 10,
                            "class_names": [str(digit) for digit in range(10)]}
    assert info["last_stats"]["step"] == 4


def test_info_on_a_folder_that_is_not_a_run(capsys, tmp_path):
    expect_user_error(capsys, "info", tmp_path, says=("not a run folder", str(tmp_path)))


def test_info_on_a_path_that_does_not_exist(capsys, tmp_path):
    missing = tmp_path / "nope"
    expect_user_error(capsys, "info", missing, says=("not a run folder", str(missing)))
    assert not missing.exists()


def test_info_on_a_file(capsys, ring_run):
    expect_user_error(capsys, "info", ring_run / "config.yaml", says=("not a run folder",))


def test_info_reads_a_run_with_a_torn_last_metrics_line(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"step": 6, "loss/D": 1.')
    before = fingerprint(run)
    code, out, err = run_cli(capsys, "info", run)
    assert code == 0, err
    assert "step 4 of 4" in out
    assert fingerprint(run) == before


def test_info_on_a_run_with_a_corrupt_config_yaml(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    (run / "config.yaml").write_text("model: {z_dim: [2\n", encoding="utf-8")
    expect_user_error(capsys, "info", run, says=("config.yaml",))


def test_info_on_a_run_whose_config_yaml_is_not_a_mapping(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    (run / "config.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    expect_user_error(capsys, "info", run, says=("config.yaml",))
