"""Collect per-step statistics and write them to ``metrics.jsonl`` and TensorBoard.

A phase returns its statistics as a dict of scalar tensors (mimicry's design: a step reports, it does not
log); the collector averages them over the logging interval and, on rank 0 only, writes one JSON line per
interval and the same scalars to TensorBoard.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import torch


def mean_stats(records: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The mean of each named statistic over `records` (the micro-batches of one accumulated update)."""
    if len(records) == 1:
        return dict(records[0])
    names = dict.fromkeys(name for record in records for name in record)
    return {name: torch.stack([torch.as_tensor(r[name]).detach().float() for r in records if name in r]).mean()
            for name in names}


class StatsCollector:
    """Running means of named scalars over one logging interval."""

    def __init__(self) -> None:
        self._sums: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)

    def add(self, stats: dict[str, Any]) -> None:
        for name, value in stats.items():
            number = float(value.detach()) if isinstance(value, torch.Tensor) else float(value)
            self._sums[name] += number
            self._counts[name] += 1

    def means(self) -> dict[str, float]:
        return {k: self._sums[k] / self._counts[k] for k in self._sums}

    def reset(self) -> dict[str, float]:
        out = self.means()
        self._sums.clear()
        self._counts.clear()
        return out


def _json_number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


class MetricsWriter:
    """Appends one JSON object per line to ``metrics.jsonl`` and mirrors scalars to TensorBoard."""

    def __init__(self, run_dir: Path, tensorboard: bool = True) -> None:
        self.path = Path(run_dir) / "metrics.jsonl"
        self._file = open(self.path, "a", encoding="utf-8")
        self._tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is a dependency, but a trimmed install still trains
                SummaryWriter = None
            if SummaryWriter is not None:
                self._tb = SummaryWriter(log_dir=str(Path(run_dir) / "tensorboard"))

    def write(self, step: int, values: dict[str, float], kind: str = "train") -> None:
        record = {"step": step, "kind": kind, **{k: _json_number(v) for k, v in values.items()}}
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        if self._tb is not None:
            for name, value in values.items():
                if isinstance(value, (int, float)) and math.isfinite(value):
                    self._tb.add_scalar(f"{kind}/{name}" if kind != "train" else name, value, step)

    def write_event(self, step: int, kind: str, payload: dict[str, Any]) -> None:
        """One JSON line of any JSON-able payload under `kind` (e.g. a doctor's finding)."""
        self._file.write(json.dumps({"step": step, "kind": kind, **payload}) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
        if self._tb is not None:
            self._tb.close()


def read_metrics(run_dir: Path, kind: str | None = "train") -> list[dict[str, Any]]:
    """The records of a run's ``metrics.jsonl`` (optionally only one kind); a torn last line is skipped."""
    path = Path(run_dir) / "metrics.jsonl"
    records = []
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if kind is None or record.get("kind") == kind:
            records.append(record)
    return records
