"""Fixtures for the CLI tests: two tiny trained runs (a 2-D ring run and a conditional digits image run), trained
once per session and only ever read; tests that change a run copy it first with `copy_run`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import TINY_DIGITS, train_tiny


@pytest.fixture(scope="session")
def ring_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 4-step ring run (read only: copy it with `copy_run` to change it)."""
    return train_tiny(tmp_path_factory.mktemp("ring") / "run")


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 4-step conditional MLP run on 8x8 digits (read only)."""
    return train_tiny(tmp_path_factory.mktemp("digits") / "run", base=TINY_DIGITS)


@pytest.fixture
def copy_run(tmp_path: Path):
    """`copy_run(run)` -> a private copy of a session run under this test's tmp_path."""

    def _copy(run: Path, name: str = "run") -> Path:
        target = tmp_path / name
        shutil.copytree(run, target)
        return target

    return _copy
