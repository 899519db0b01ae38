"""gankit.atomic: the target holds the old content or the complete new one, and no temporary file remains."""

from __future__ import annotations

import os

import pytest

from gankit.atomic import atomic_write, atomic_write_bytes, atomic_write_text


def test_writes_text_and_bytes_and_replaces_an_old_file(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second, longer ✓")
    assert target.read_text(encoding="utf-8") == "second, longer ✓"
    atomic_write_bytes(tmp_path / "out.bin", b"\x00\x01")
    assert (tmp_path / "out.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin", "out.txt"]


def test_a_writer_that_fails_halfway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "results.json"
    atomic_write_text(target, "old")

    def fails_halfway(tmp: str) -> None:
        with open(tmp, "w") as stream:
            stream.write("half of the new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, fails_halfway)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_the_file_gets_the_usual_permissions_not_those_of_a_private_temporary_file(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    atomic_write_text(tmp_path / "config.yaml", "a: 1\n")
    assert (tmp_path / "config.yaml").stat().st_mode & 0o777 == 0o666 & ~umask
