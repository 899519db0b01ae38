"""`--force` replaces only what gankit wrote, and output-path mistakes are one line with exit 2.

Each case repeats an observation of issue 17 as written: a user's folder named by `--out`, a folder of training
images named as a sample output, the working directory, the home directory, a parent of the data; then paths
that cannot be created. Every refusal leaves every file byte-identical.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import TINY, expect_user_error, fingerprint, run_cli
from PIL import Image

# A tiny MLP GAN on a folder of 8x8 grey images: trains in about a second.
FOLDER = TINY + ["--set", "data.name=folder", "--set", "data.img_size=8", "--set", "data.channels=1",
                 "--set", "model.arch=mlp", "--set", "train.batch_size=8"]


def _images(folder: Path, n: int = 16) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, (12, 12), dtype=np.uint8)).save(folder / f"photo{i}.png")
    return folder


def _users_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "thesis.txt").write_text("four years of work", encoding="utf-8")
    _images(folder / "photos", 2)
    return folder


def test_force_refuses_a_users_folder_and_does_not_suggest_force(capsys, tmp_path):
    precious = _users_folder(tmp_path / "precious")
    before = fingerprint(precious)
    for extra in ((), ("--force",)):
        line = expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", precious, *extra,
                                 says=(str(precious), "not a gankit run folder", "thesis.txt"))
        assert "--force" not in line
    assert fingerprint(precious) == before


def test_force_refuses_a_run_folder_the_user_added_files_to(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    (run / "notes.txt").write_text("mine", encoding="utf-8")
    before = fingerprint(run)
    expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", run, "--force", says=("notes.txt",))
    assert fingerprint(run) == before


def test_force_replaces_a_run_folder_it_recognises(capsys, ring_run, copy_run):
    run = copy_run(ring_run)
    code, _, err = run_cli(capsys, "train", "gan-ring", *TINY, "--set", "train.steps=2", "--out", run, "--force")
    assert code == 0, err
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step-00000002"]


def test_force_refuses_the_working_directory(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("my.yaml").write_text("name: mine\nbase: gan-ring\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", ".", "--force", says=("working directory",))
    assert fingerprint(tmp_path) == before


def test_force_refuses_the_home_directory_and_its_parents(capsys, tmp_path, monkeypatch):
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (home / ".bashrc").write_text("# mine", encoding="utf-8")
    for target, says in ((home, "home directory"), (home.parent, "holds the home directory")):
        expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", target, "--force", says=(says,))
    assert (home / ".bashrc").is_file()


def test_force_refuses_a_folder_that_holds_the_training_data(capsys, tmp_path):
    project = tmp_path / "project"
    data = _images(project / "images")
    (project / "config.yaml").write_text("name: looks like a run\n", encoding="utf-8")
    before = fingerprint(project)
    expect_user_error(capsys, "train", "gan-ring", *FOLDER, "--set", f"data.path={data}", "--out", project,
                      "--force", says=("holds the training data",))
    assert fingerprint(project) == before


def test_sample_force_refuses_a_folder_of_the_users_images(capsys, digits_run, tmp_path):
    flat = _images(tmp_path / "data" / "flat", 5)
    before = fingerprint(flat)
    line = expect_user_error(capsys, "sample", digits_run, "-n", 3, "--out", flat, "--force",
                             says=(str(flat), "gankit did not write"))
    assert "--force" not in line
    assert fingerprint(flat) == before


def test_sample_force_replaces_its_own_folder_output(capsys, digits_run, tmp_path):
    out = tmp_path / "pngs"
    assert run_cli(capsys, "sample", digits_run, "-n", 5, "--out", out)[0] == 0
    expect_user_error(capsys, "sample", digits_run, "-n", 3, "--out", out, says=("already holds samples", "--force"))
    code, _, err = run_cli(capsys, "sample", digits_run, "-n", 3, "--out", out, "--force")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["000000.png", "000001.png", "000002.png"]


def test_sample_to_the_working_directory_is_one_line(capsys, digits_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("keep.txt").write_text("mine", encoding="utf-8")
    for extra in ((), ("--force",)):
        expect_user_error(capsys, "sample", digits_run, "-n", 3, "--out", ".", *extra, says=("working directory",))
    assert sorted(os.listdir(tmp_path)) == ["keep.txt"]


@pytest.mark.parametrize("command", ["train", "sample"])
def test_out_below_a_file_is_one_line(capsys, digits_run, tmp_path, command):
    afile = tmp_path / "afile"
    afile.write_text("mine", encoding="utf-8")
    argv = (["train", "gan-ring", *TINY] if command == "train" else ["sample", digits_run, "-n", 2])
    suffix = "run" if command == "train" else "run/x.png"
    expect_user_error(capsys, *argv, "--out", afile / suffix, says=(str(afile), "is a file"))
    assert afile.read_text(encoding="utf-8") == "mine"


def test_cache_dir_below_a_file_is_one_line(capsys, ring_run, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine", encoding="utf-8")
    expect_user_error(capsys, "eval", ring_run, "--n", 64, "--cache-dir", afile / "cache", says=("--cache-dir",))


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_out_where_nothing_can_be_created_is_one_line(capsys, tmp_path):
    expect_user_error(capsys, "train", "gan-ring", *TINY, "--out", "/proc/gankit-run", says=("/proc/gankit-run",))
    expect_user_error(capsys, "sample", tmp_path / "nothing", "-n", 2, "--out", "/proc/x/y.png", says=("nothing",))
