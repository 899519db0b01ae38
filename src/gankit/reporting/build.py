"""`build_report`: collect one or more runs, attach saved ``gankit eval --json`` results, render, write atomically.

One run's page goes to ``RUN/report/index.html`` unless told otherwise (and is simply rewritten: it is the
run's own generated page); a page of several runs needs an output file. An existing ``--out`` file is replaced
only with ``force``, and only when it is a page ``gankit report`` wrote (its ``generator`` meta tag says so).
Every input is checked before anything is written: a folder that is not a run, a run given twice, an eval
result that is not JSON or belongs to none of the runs is a one-line `GankitError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from gankit.atomic import atomic_write_text
from gankit.errors import ConfigError, RunFolderError
from gankit.paths import check_creatable, make_dir
from gankit.reporting.collect import check_run_folder, collect_run
from gankit.reporting.page import GENERATOR, render_page

REPORT_NAME = Path("report") / "index.html"


def default_output(run: str | Path) -> Path:
    """Where a run's own page lives: ``RUN/report/index.html``."""
    return Path(run) / REPORT_NAME


def is_report_page(path: Path) -> bool:
    """True for a file whose head carries the ``gankit report`` generator tag."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}' in head


def check_report_output(out: str | Path, *, force: bool = False) -> Path:
    """Check a page may be written to `out` (see the module docstring); returns it as a Path."""
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"cannot write a report to '{out}': give a file ending in .html")
    if out.is_dir():
        raise RunFolderError(f"{out} is a folder; give a file name such as {out / 'report.html'}")
    check_creatable(out.parent, "output folder")
    if out.exists():
        if not force:
            raise RunFolderError(f"{out} already exists; use --force to replace it")
        if not is_report_page(out):
            raise RunFolderError(f"{out} is not a page gankit report wrote; --force replaces only those: "
                                 "choose another --out")
    return out


def load_eval_result(item: str | Path | dict[str, Any]) -> dict[str, Any]:
    """A ``gankit eval --json`` result: the dict itself or the JSON file holding it."""
    where = "eval result"
    if not isinstance(item, dict):
        path = Path(item)
        where = f"eval result {path}"
        try:
            item = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"no such eval result file: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {where}: {getattr(exc, 'strerror', None) or exc}") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where} is not JSON (line {exc.lineno}); write it with gankit eval RUN --json "
                              "> FILE") from None
    settings = item.get("settings") if isinstance(item, dict) else None
    if not isinstance(settings, dict) or not settings.get("source"):
        raise ConfigError(f"{where} is not a gankit eval --json result (no settings.source)")
    return item


def _owner(result: dict[str, Any], runs: Sequence[Path]) -> int | None:
    """The index of the run whose folder holds the evaluated run or checkpoint, or None."""
    settings = result["settings"]
    source = Path(os.path.abspath(str(settings.get("checkpoint") or settings["source"])))
    for i, run in enumerate(runs):
        folder = Path(os.path.abspath(run))
        if source == folder or folder in source.parents:
            return i
    return None


def build_report(runs: str | Path | Iterable[str | Path], out: str | Path | None = None, *,
                 eval_results: Iterable[str | Path | dict[str, Any]] = (), force: bool = False) -> Path:
    """Write the report page of `runs` (one run folder or several) and return its path.

    `out`: the HTML file (default ``RUN/report/index.html`` for one run; required for several);
    `eval_results`: ``gankit eval --json`` results (dicts or JSON files) shown with the run they evaluated;
    `force`: replace an existing `out` that an earlier ``gankit report`` wrote.
    """
    items = [runs] if isinstance(runs, (str, Path)) else list(runs)
    if not items:
        raise ConfigError("report needs at least one run folder")
    paths = [check_run_folder(r) for r in items]
    seen: set[str] = set()
    for path in paths:
        key = os.path.realpath(path)
        if key in seen:
            raise ConfigError(f"run {path} is given twice")
        seen.add(key)
    if out is None:
        if len(paths) > 1:
            raise ConfigError(f"a report of {len(paths)} runs needs --out FILE.html (where to write the page)")
        target = default_output(paths[0])
        if target.is_dir():
            raise RunFolderError(f"{target} is a folder; gankit report writes its page there")
    else:
        target = check_report_output(out, force=force)
    results = [load_eval_result(item) for item in eval_results]
    owners = []
    for result in results:
        owner = _owner(result, paths)
        if owner is None:
            source = result["settings"].get("checkpoint") or result["settings"]["source"]
            raise ConfigError(f"eval result of {source} belongs to none of the runs given "
                              f"({', '.join(str(p) for p in paths)})")
        owners.append(owner)
    facts = [collect_run(p) for p in paths]
    for owner, result in zip(owners, results):
        facts[owner]["eval_results"].append(result)
    page = render_page(facts)
    make_dir(target.parent, "report folder" if out is None else "output folder")
    return atomic_write_text(target, page)
