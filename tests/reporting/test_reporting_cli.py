"""`gankit report`: the command, its output file rules and its one-line errors (exit 2, nothing written)."""

import json

import pytest

from cli_helpers import expect_user_error, fingerprint, run_cli


def test_report_of_one_run_and_of_several(ring_run, digits_run, copy_run, tmp_path, capsys):
    run = copy_run(ring_run)
    (run / "report" / "index.html").unlink()
    code, out, err = run_cli(capsys, "report", run)
    assert code == 0 and out.strip() == f"wrote {run / 'report' / 'index.html'}" and err == ""
    assert (run / "report" / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    both = tmp_path / "pages" / "both.html"  # a missing folder is created
    code, out, _ = run_cli(capsys, "report", run, digits_run, "--out", both)
    assert code == 0 and out.strip() == f"wrote {both}"
    assert "2 runs side by side" in both.read_text(encoding="utf-8")
    code, _, _ = run_cli(capsys, "report", run, digits_run, "--out", both, "--force")  # its own page: replaced
    assert code == 0


def test_an_existing_out_needs_force_and_force_replaces_only_a_report(ring_run, tmp_path, capsys):
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my notes</html>")
    expect_user_error(capsys, "report", ring_run, "--out", mine, says=("already exists", "--force"))
    expect_user_error(capsys, "report", ring_run, "--out", mine, "--force", says=("not a page gankit report wrote",))
    assert mine.read_text() == "<html>my notes</html>"


@pytest.mark.parametrize("case", ["missing", "not a run", "two without out", "twice", "not html", "out is a folder"])
def test_bad_input_is_one_line_and_exit_2(ring_run, digits_run, tmp_path, capsys, case):
    before = fingerprint(ring_run)
    if case == "missing":
        expect_user_error(capsys, "report", tmp_path / "nope", says=("not a run folder", "does not exist"))
    elif case == "not a run":
        (tmp_path / "photos").mkdir()
        expect_user_error(capsys, "report", tmp_path / "photos", says=("not a run folder", "no config.yaml"))
        assert list((tmp_path / "photos").iterdir()) == []
    elif case == "two without out":
        expect_user_error(capsys, "report", ring_run, digits_run, says=("2 runs needs --out",))
    elif case == "twice":
        expect_user_error(capsys, "report", ring_run, ring_run, "--out", tmp_path / "a.html", says=("given twice",))
    elif case == "not html":
        expect_user_error(capsys, "report", ring_run, "--out", tmp_path / "a.txt", says=("ending in .html",))
    else:
        (tmp_path / "x.html").mkdir()
        expect_user_error(capsys, "report", ring_run, "--out", tmp_path / "x.html", says=("is a folder",))
    assert fingerprint(ring_run) == before
    assert not (tmp_path / "a.html").exists() and not (tmp_path / "a.txt").exists()


@pytest.mark.parametrize("case", ["missing", "not json", "not an eval result", "another run"])
def test_bad_eval_json_is_one_line_and_exit_2(ring_run, digits_run, tmp_path, capsys, case):
    saved = tmp_path / "eval.json"
    says = {"missing": ("no such eval result file",), "not json": ("is not JSON", "gankit eval RUN --json"),
            "not an eval result": ("not a gankit eval --json result",),
            "another run": ("belongs to none of the runs", str(ring_run))}[case]
    if case == "not json":
        saved.write_text("fid 12.5\n")
    elif case == "not an eval result":
        saved.write_text(json.dumps({"fid": 12.5}))
    elif case == "another run":
        saved.write_text(json.dumps({"fid": 12.5, "settings": {"source": str(digits_run),
                                                               "checkpoint": str(digits_run / "checkpoints")}}))
    out = tmp_path / "page.html"
    expect_user_error(capsys, "report", ring_run, "--eval-json", saved, "--out", out, says=says)
    assert not out.exists()
