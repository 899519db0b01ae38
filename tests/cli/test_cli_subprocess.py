"""The real command in a child process: bad input exits with status 2 and one `error:` line, no traceback.

Each child pays for importing torch (a few seconds on a loaded machine), so only a few cases run this way; the
in-process tests cover the rest through `gankit.cli.main`.
"""

from __future__ import annotations

import json
import subprocess
import sys

from gankit.training.checkpoint import STATE_FILE


def _gankit(*argv: object, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gankit.cli", *map(str, argv)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *says: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout == ""
    for fragment in says:
        assert fragment in lines[0], (fragment, lines[0])


def test_unknown_recipe_in_a_real_process(tmp_path):
    result = _gankit("train", "gan-rng", "--set", "train.stpes=5", "--out", tmp_path / "run", cwd=tmp_path)
    _assert_one_line_error(result, "gan-rng", "did you mean 'gan-ring'")
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_that_does_not_fit_in_a_real_process(ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    state = run / "checkpoints" / "step-00000004" / STATE_FILE
    meta = json.loads(state.read_text(encoding="utf-8"))
    meta["state"]["config"]["model"]["g_hidden"] = [32]
    state.write_text(json.dumps(meta), encoding="utf-8")
    out = tmp_path / "x.npy"
    result = _gankit("sample", run, "--out", out, cwd=tmp_path)
    _assert_one_line_error(result, "does not fit")
    assert not out.exists()


def test_a_reader_that_closes_the_pipe_early_stops_the_command_quietly(tmp_path):
    # `gankit doctor RUN | head`: head exits after a few lines; the command must not print a traceback
    flood = ("import gankit.cli as cli\n"
             "def flood(args):\n"
             "    for _ in range(200_000):\n"
             "        print('x' * 99)\n"
             "    return 0\n"
             "cli._cmd_recipes = flood\n"
             "raise SystemExit(cli.main(['recipes']))\n")
    child = subprocess.Popen([sys.executable, "-c", flood], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout.read(1000)  # 20 MB would be written in all: far beyond what the pipe buffers
    child.stdout.close()
    code = child.wait(timeout=300)
    stderr = child.stderr.read().decode()
    child.stderr.close()
    assert "Traceback" not in stderr and stderr == "", stderr
    assert code == 141
