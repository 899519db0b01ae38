"""A run's facts for its report, gathered from its folder into one JSON-able dict (`collect_run`).

Everything comes from what the run folder already holds: ``config.yaml`` (the resolved config), ``data.json``,
``metrics.jsonl`` (the ``train`` statistics become curves, the ``eval`` records the evaluation table, a
``diverged`` record the status), ``report/summary.json`` (time and throughput of the last ``gankit train``
call), ``samples/*.png`` (the grids over time) and the doctor's findings, diagnosed afresh exactly as
``gankit doctor`` does (`gankit.doctor.diagnose_run`), so the page and ``gankit doctor --json`` agree.

A run that was stopped and resumed logs the steps after its last checkpoint twice: the last record of a step
wins, as in the doctor.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from gankit.config import read_yaml
from gankit.doctor import diagnose_run
from gankit.errors import GankitError, RunFolderError
from gankit.training.stats import read_metrics

#: At most this many sample grids over time are shown per run (evenly spaced, first and last kept), plus final.png.
MAX_GRIDS = 8
STEP_GRID = re.compile(r"step-(\d+)\.png")
_SKIP_KEYS = ("step", "kind")


def is_run_folder(path: Path) -> bool:
    """What `gankit doctor` accepts as a run: a folder with config.yaml or metrics.jsonl."""
    return path.is_dir() and ((path / "config.yaml").is_file() or (path / "metrics.jsonl").is_file())


def check_run_folder(path: str | Path) -> Path:
    """`path` as a Path; `RunFolderError` (one line) unless it is a run folder."""
    path = Path(path)
    if not path.exists():
        raise RunFolderError(f"not a run folder: {path} does not exist")
    if not is_run_folder(path):
        raise RunFolderError(f"not a run folder: {path} (no config.yaml or metrics.jsonl)")
    return path


def as_number(value: Any) -> float | None:
    """A logged value as a float (``"nan"``/``"inf"`` strings as written by the stats writer), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
        return float(value)
    return None


def _read_json(path: Path) -> Any:
    """The JSON in `path`, or None when it is absent or unreadable (a report shows what it can)."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _last_per_step(records: list[dict]) -> list[dict]:
    keep: dict[int, dict] = {}
    for record in records:
        keep[int(record.get("step", 0))] = record
    return [keep[s] for s in sorted(keep)]


def curves(train_records: list[dict]) -> dict[str, dict[str, list]]:
    """Each logged statistic as ``{"steps": [...], "values": [...]}`` (non-finite values kept as floats)."""
    out: dict[str, dict[str, list]] = {}
    for record in _last_per_step(train_records):
        step = int(record.get("step", 0))
        for key, value in record.items():
            number = as_number(value)
            if key in _SKIP_KEYS or number is None:
                continue
            series = out.setdefault(key, {"steps": [], "values": []})
            series["steps"].append(step)
            series["values"].append(number)
    return out


def evaluations(records: list[dict]) -> list[dict[str, Any]]:
    """The ``eval`` records (training-time evaluation): step, metrics (floats) and settings, one per step."""
    found = []
    for record in _last_per_step([r for r in records if r.get("kind") == "eval"]):
        metrics = {k: as_number(v) for k, v in (record.get("metrics") or {}).items()}
        found.append({"step": int(record.get("step", 0)),
                      "metrics": {k: v for k, v in metrics.items() if v is not None},
                      "settings": record.get("settings") or {}})
    return found


def sample_grids(run: Path, limit: int = MAX_GRIDS, final_step: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """The sample grids to show, ``[{"path", "step", "label"}]`` in step order with final.png (of `final_step`)
    last, and how many step grids there were: at most `limit`, evenly spaced, the first and the last kept."""
    folder = run / "samples"
    steps = []
    if folder.is_dir():
        for path in folder.glob("step-*.png"):
            match = STEP_GRID.fullmatch(path.name)
            if match:
                steps.append((int(match.group(1)), path))
    steps.sort()
    total = len(steps)
    if total > limit:
        picks = sorted({round(i * (total - 1) / (limit - 1)) for i in range(limit)}) if limit > 1 else [total - 1]
        steps = [steps[i] for i in picks]
    grids = [{"path": str(path), "step": step, "label": f"step {step:,}"} for step, path in steps]
    if (folder / "final.png").is_file():
        label = f"final (step {final_step:,})" if final_step is not None else "final"
        grids.append({"path": str(folder / "final.png"), "step": None, "label": label})
    return grids, total


def _status(summary: dict | None, diverged: list[dict], last_step: int, planned: int | None) -> str:
    """finished, stopped (time budget), interrupted, diverged, or running (no summary of the latest steps)."""
    summary_step = int(summary.get("step", -1)) if isinstance(summary, dict) else -1
    if diverged and int(diverged[-1].get("step", 0)) >= summary_step:
        return "diverged"
    if summary_step < 0 or summary_step < last_step:
        return "running"
    if summary.get("interrupted"):  # type: ignore[union-attr]
        return "interrupted"
    if planned is not None and summary_step < planned:
        return "stopped"
    return "finished"


def collect_run(run_dir: str | Path, *, sample_limit: int = MAX_GRIDS) -> dict[str, Any]:
    """Everything the report shows of one run (see the module docstring), as a JSON-able dict.

    Raises `RunFolderError` when `run_dir` is not a run folder (no config.yaml and no metrics.jsonl).
    """
    run = check_run_folder(run_dir)
    config_text = ""
    config: dict[str, Any] = {}
    if (run / "config.yaml").is_file():
        config_text = (run / "config.yaml").read_text(encoding="utf-8", errors="replace")
        try:
            config = read_yaml(config_text, str(run / "config.yaml"))
        except GankitError:
            config = {}
    records = read_metrics(run, kind=None)
    train = [r for r in records if r.get("kind") == "train"]
    diverged = [r for r in records if r.get("kind") == "diverged"]
    summary = _read_json(run / "report" / "summary.json")
    summary = summary if isinstance(summary, dict) else None
    last_step = max([int(r.get("step", 0)) for r in train + diverged] or [0])
    if summary is not None:
        last_step = max(last_step, int(summary.get("step", 0)))
    train_cfg = config.get("train") if isinstance(config.get("train"), dict) else {}
    planned = train_cfg.get("steps") if isinstance(train_cfg.get("steps"), int) else None
    grids, total = sample_grids(run, sample_limit, int(summary["step"]) if summary and "step" in summary else None)
    return {
        "path": str(run),
        "label": run.resolve().name or str(run),
        "name": str(config.get("name") or run.name),
        "description": str(config.get("description") or ""),
        "config": config,
        "config_text": config_text,
        "data": _read_json(run / "data.json"),
        "status": _status(summary, diverged, last_step, planned),
        "diverged": str(diverged[-1].get("message", "")) if diverged else None,
        "step": last_step,
        "steps_planned": planned,
        "summary": summary,
        "curves": curves(train),
        "evaluations": evaluations(records),
        "findings": [f.to_dict() for f in diagnose_run(run)],
        "samples": grids,
        "sample_grids_total": total,
        "eval_results": [],
    }


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"train": {"steps": 5}}`` -> ``{"train.steps": 5}`` (the keys of ``--set``)."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def config_differences(runs: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """The config keys whose values differ between runs: ``[(key, [value of each run, ...])]`` (missing: None)."""
    flats = [flatten(r["config"]) for r in runs]
    keys = sorted({k for f in flats for k in f})
    rows = []
    for key in keys:
        values = [f.get(key) for f in flats]
        if any(json.dumps(v, sort_keys=True, default=str) != json.dumps(values[0], sort_keys=True, default=str)
               for v in values[1:]):
            rows.append((key, values))
    return rows


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
