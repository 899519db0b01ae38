"""`gankit sample`: bad sources, labels, counts and outputs give one error line and exit 2 without touching
anything; good requests write exactly what was asked (checked by reading the files back)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_helpers import expect_user_error, fingerprint, run_cli
from PIL import Image

from gankit.training.checkpoint import STATE_FILE, TENSORS_FILE

LATEST = "step-00000004"


# ------------------------------------------------------------------------------------------- positive checks
def _npy(capsys, run, tmp_path, n, *extra):
    out = tmp_path / f"ref-{n}-{'-'.join(map(str, extra))}.npy"
    code, _, err = run_cli(capsys, "sample", run, "-n", n, *extra, "--out", out)
    assert code == 0, err
    return np.load(out)


def test_npy_holds_n_points_of_the_ring(capsys, ring_run, tmp_path):
    out = tmp_path / "points.npy"
    code, stdout, err = run_cli(capsys, "sample", ring_run, "-n", 100, "--out", out)
    assert code == 0, err
    assert "100 samples from step 4" in stdout
    points = np.load(out)
    assert points.shape == (100, 2) and points.dtype == np.float32
    assert np.isfinite(points).all() and points.std(axis=0).min() > 0  # 100 distinct draws, not one point repeated
    assert [p.name for p in tmp_path.iterdir()] == ["points.npy"]  # no temporary file left behind


def test_csv_holds_one_line_per_sample(capsys, ring_run, tmp_path):
    out = tmp_path / "points.csv"
    code, _, err = run_cli(capsys, "sample", ring_run, "-n", 100, "--out", out)
    assert code == 0, err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 100
    assert all(len(line.split(",")) == 2 for line in lines)
    np.testing.assert_allclose(np.loadtxt(out, delimiter=","), _npy(capsys, ring_run, tmp_path, 100), rtol=1e-5)


def test_seed_decides_the_samples(capsys, ring_run, tmp_path):
    a = _npy(capsys, ring_run, tmp_path, 20, "--seed", 1)
    again = tmp_path / "again"
    again.mkdir()
    b = _npy(capsys, ring_run, again, 20, "--seed", 1)
    c = _npy(capsys, ring_run, tmp_path, 20, "--seed", 2)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_folder_output_writes_one_png_per_sample(capsys, digits_run, tmp_path):
    out = tmp_path / "pngs"
    code, _, err = run_cli(capsys, "sample", digits_run, "-n", 12, "--out", out)
    assert code == 0, err
    files = sorted(out.iterdir())
    assert len(files) == 12 and all(f.suffix == ".png" for f in files)
    with Image.open(files[0]) as image:
        assert image.size == (8, 8)
    assert [p.name for p in tmp_path.iterdir()] == ["pngs"]


def test_png_output_writes_a_grid(capsys, digits_run, tmp_path):
    out = tmp_path / "grid.png"
    code, _, err = run_cli(capsys, "sample", digits_run, "-n", 16, "--label", 3, "--out", out)
    assert code == 0, err
    with Image.open(out) as image:
        assert image.width >= 4 * 8 and image.height >= 4 * 8


def test_sampling_a_checkpoint_folder_uses_that_step(capsys, ring_run, tmp_path):
    code, stdout, err = run_cli(capsys, "sample", ring_run / "checkpoints" / "step-00000002", "-n", 5,
                                "--out", tmp_path / "early.npy")
    assert code == 0, err
    assert "from step 2" in stdout


def test_force_replaces_an_existing_output(capsys, ring_run, tmp_path):
    out = tmp_path / "points.npy"
    out.write_bytes(b"old")
    code, _, err = run_cli(capsys, "sample", ring_run, "-n", 7, "--out", out, "--force")
    assert code == 0, err
    assert np.load(out).shape == (7, 2)


# ------------------------------------------------------------------------------------------- bad requests
def _sample_fails(capsys, tmp_path, *argv, says):
    """`gankit sample <argv>` fails with one line and leaves tmp_path exactly as it was."""
    before = fingerprint(tmp_path)
    line = expect_user_error(capsys, "sample", *argv, says=says)
    assert fingerprint(tmp_path) == before, "a failed sample changed the output folder"
    return line


def test_missing_run(capsys, tmp_path):
    missing = tmp_path / "no-run"
    _sample_fails(capsys, tmp_path, missing, "--out", tmp_path / "x.npy", says=("no such run", str(missing)))


def test_folder_that_is_not_a_run(capsys, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    _sample_fails(capsys, tmp_path, folder, "--out", tmp_path / "x.npy", says=(str(folder), "neither"))


def test_label_on_an_unconditional_model(capsys, ring_run, tmp_path):
    _sample_fails(capsys, tmp_path, ring_run, "--label", 1, "--out", tmp_path / "x.npy",
                  says=("--label", "not conditional"))


@pytest.mark.parametrize("label", [99, 10, -1])
def test_label_out_of_range(capsys, digits_run, tmp_path, label):
    _sample_fails(capsys, tmp_path, digits_run, "--label", label, "--out", tmp_path / "x.png",
                  says=("--label", "0..9", str(label)))


@pytest.mark.parametrize("n", [0, -5])
def test_non_positive_count(capsys, ring_run, tmp_path, n):
    _sample_fails(capsys, tmp_path, ring_run, "-n", n, "--out", tmp_path / "x.npy", says=("-n", "positive", str(n)))


def test_count_that_is_not_a_number(capsys, ring_run, tmp_path):
    _sample_fails(capsys, tmp_path, ring_run, "-n", "many", "--out", tmp_path / "x.npy", says=("-n", "many"))


def test_missing_out(capsys, ring_run, tmp_path):
    _sample_fails(capsys, tmp_path, ring_run, says=("--out",))


@pytest.mark.parametrize("name", ["x.npy", "x.csv", "x.png"])
def test_existing_output_file_stays_byte_identical(capsys, ring_run, digits_run, tmp_path, name):
    out = tmp_path / name
    out.write_bytes(b"precious bytes")
    run = digits_run if name.endswith(".png") else ring_run
    _sample_fails(capsys, tmp_path, run, "-n", 4, "--out", out, says=(str(out), "already exists", "--force"))
    assert out.read_bytes() == b"precious bytes"


def test_existing_output_folder_stays_untouched(capsys, digits_run, tmp_path):
    out = tmp_path / "pngs"
    out.mkdir()
    (out / "keep.png").write_bytes(b"precious")
    _sample_fails(capsys, tmp_path, digits_run, "-n", 4, "--out", out, says=(str(out), "already exists"))


def test_png_of_points_says_to_write_npy_or_csv(capsys, ring_run, tmp_path):
    _sample_fails(capsys, tmp_path, ring_run, "-n", 4, "--out", tmp_path / "x.png", says=(".npy", ".csv"))


def test_folder_of_points_says_to_write_npy_or_csv(capsys, ring_run, tmp_path):
    _sample_fails(capsys, tmp_path, ring_run, "-n", 4, "--out", tmp_path / "pngs", says=(".npy", ".csv"))


def test_unknown_suffix_on_images(capsys, digits_run, tmp_path):
    _sample_fails(capsys, tmp_path, digits_run, "-n", 4, "--out", tmp_path / "x.gif",
                  says=("x.gif", ".png", ".npy", ".csv", "folder"))


def test_unknown_suffix_on_points(capsys, ring_run, tmp_path):
    _sample_fails(capsys, tmp_path, ring_run, "-n", 4, "--out", tmp_path / "x.gif", says=(".npy", ".csv"))


def test_refused_output_creates_no_folder(capsys, digits_run, tmp_path):
    _sample_fails(capsys, tmp_path, digits_run, "-n", 4, "--out", tmp_path / "new" / "x.gif", says=("x.gif",))


# ------------------------------------------------------------------------------------------- bad checkpoints
def _edit_state(checkpoint, change):
    state_file = checkpoint / STATE_FILE
    meta = json.loads(state_file.read_text(encoding="utf-8"))
    change(meta)
    state_file.write_text(json.dumps(meta), encoding="utf-8")


def _set_g_hidden(meta):
    meta["state"]["config"]["model"]["g_hidden"] = [32]


def test_checkpoint_whose_config_does_not_fit_its_weights(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    _edit_state(run / "checkpoints" / LATEST, _set_g_hidden)
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=("does not fit", "(16, 2)", "(32, 2)"))


def test_checkpoint_that_does_not_fit_is_named(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    _edit_state(run / "checkpoints" / LATEST, _set_g_hidden)
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=(LATEST,))


def test_truncated_tensors_file(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    tensors = run / "checkpoints" / LATEST / TENSORS_FILE
    tensors.write_bytes(tensors.read_bytes()[: tensors.stat().st_size // 2])
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=("corrupt checkpoint", str(tensors)))


def test_state_json_that_is_not_json(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    state = run / "checkpoints" / LATEST / STATE_FILE
    state.write_text('{"format": "gankit-checkpoint", "ver', encoding="utf-8")
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=("corrupt checkpoint", str(state)))


def test_checkpoint_of_another_format_version(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    _edit_state(run / "checkpoints" / LATEST, lambda meta: meta.update(version=99))
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=(LATEST, "version 99"))


def test_checkpoint_config_from_another_version(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    _edit_state(run / "checkpoints" / LATEST, lambda meta: meta["state"]["config"]["model"].update(width_mult=2))
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=(LATEST, "model.width_mult"))


def test_latest_checkpoint_without_state_json(capsys, ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    latest = run / "checkpoints" / LATEST
    (latest / STATE_FILE).unlink()
    _sample_fails(capsys, tmp_path, run, "--out", tmp_path / "x.npy", says=(str(latest), STATE_FILE))
    _sample_fails(capsys, tmp_path, latest, "--out", tmp_path / "x.npy", says=(str(latest),))
