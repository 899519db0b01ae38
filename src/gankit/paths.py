"""Guards for the paths gankit writes to: what it must never replace, and output paths that cannot be created.

`--force` may replace only what gankit wrote itself, and never a folder that holds more than that: the working
directory, the home directory, a parent of either, the file system's root or a folder that holds the training
data are refused whatever they contain (`protected_reason`). A path whose parent is a file, or that lies where
nothing can be created, is a one-line `RunFolderError` before anything is written (`check_creatable`,
`make_dir`), not an `OSError` traceback half-way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from gankit.errors import RunFolderError


def _resolved(path: str | Path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(path))))


def protected_reason(path: str | Path, data_paths: Iterable[str | Path | None] = ()) -> str | None:
    """Why `path` may never be replaced (a phrase such as "is the working directory"), or None."""
    target = _resolved(path)
    cwd, home = _resolved(Path.cwd()), _resolved(Path.home())
    if target == cwd:
        return "is the working directory"
    if target == home:
        return "is the home directory"
    if target == Path(target.anchor):
        return "is the root of the file system"
    if target in cwd.parents:
        return "holds the working directory"
    if target in home.parents:
        return "holds the home directory"
    for data in data_paths:
        if data is None:
            continue
        data_path = _resolved(data)
        if data_path == target or target in data_path.parents:
            return f"holds the training data {data}"
    return None


def check_creatable(path: str | Path, what: str) -> None:
    """Raise `RunFolderError` unless `path` exists as a folder or can be created as one.

    The nearest existing ancestor must be a folder we may write in; `what` names the path in the message
    (e.g. "run folder", "--cache-dir").
    """
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise RunFolderError(f"{what} {path} exists and is not a folder")
        return
    ancestor = _resolved(path).parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise RunFolderError(f"cannot create {what} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise RunFolderError(f"cannot create {what} {path}: no permission to write in {ancestor}")


def make_dir(path: str | Path, what: str) -> Path:
    """Create the folder `path` (and its parents); an `OSError` becomes one line naming `what` and the reason."""
    path = Path(path)
    check_creatable(path, what)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(f"cannot create {what} {path}: {exc.strerror or exc}") from None
    return path
