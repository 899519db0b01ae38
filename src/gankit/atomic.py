"""Atomic file writes: a reader sees the old file or the complete new one, never a half-written file.

The content goes to a hidden temporary file in the target's folder (a unique name per call, so concurrent
writers never share one), is fsynced, renamed over the target (``os.replace`` is atomic on POSIX and
Windows), and the folder is fsynced so that the rename itself survives a crash. On any error the temporary
file is removed and the target is left as it was.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # e.g. Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[str], None]) -> Path:
    """Create ``path`` by calling ``write(tmp_name)``, which must write the whole file to ``tmp_name``."""
    path = Path(path)
    # a unique name the writer creates itself, so the file gets the usual permissions (mkstemp's are 0600)
    tmp = str(path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp"))
    try:
        write(tmp)
        with open(tmp, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fsync_dir(path.parent)
    return path


def atomic_write_bytes(path: str | Path, payload: bytes) -> Path:
    """Write ``payload`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(payload))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))
