"""Helpers for the CLI tests: call `gankit.cli.main` in-process, check the one-line error contract, fingerprint
folders, train tiny runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gankit.cli import main

# A ring run that trains in about a second: 4 steps of tiny MLPs, checkpoints at steps 2 and 4.
TINY = [
    "--set", "train.steps=4", "--set", "train.log_every=2", "--set", "train.sample_every=1000",
    "--set", "train.ckpt_every=2", "--set", "train.progress=false", "--set", "data.n_points=512",
    "--set", "train.batch_size=64", "--set", "model.g_hidden=[16]", "--set", "model.d_hidden=[16]",
    # the recipe's decay and top-k are laid out over train.steps, which resume tests change
    "--set", "optim.decay=none", "--set", "stab.top_k=1",
]
# The same on scikit-learn's 8x8 digits, as a conditional MLP GAN (an image run with 10 classes).
TINY_DIGITS = TINY + ["--set", "data.name=digits", "--set", "model.arch=mlp", "--set", "game=conditional"]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``gankit <argv>`` run in this process."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def expect_user_error(capsys: pytest.CaptureFixture[str], *argv: object, says: tuple[str, ...] = ()) -> str:
    """Run ``gankit <argv>``; assert exit 2, nothing on stdout, and exactly one stderr line ``error: ...`` that
    contains every fragment of `says`. Returns that line."""
    code, out, err = run_cli(capsys, *argv)
    lines = err.splitlines()
    assert code == 2, f"exit status {code}, stderr {err!r}"
    assert len(lines) == 1, f"stderr is not one line: {err!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in err
    assert out == ""
    for fragment in says:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` (relative path -> SHA-256 of its bytes, or 'dir')."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def train_tiny(out: Path, *extra: str, base: list[str] = TINY) -> Path:
    """Train a tiny gan-ring run (or `base`) into `out`; fail the test if the CLI does not exit 0."""
    code = main(["train", "gan-ring", *base, *extra, "--out", str(out)])
    assert code == 0, f"training {out} failed with exit status {code}"
    return out
