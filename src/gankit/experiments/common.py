"""What every experiment shares: its result, mean ± std over seeds, quiet training runs and atomic output files."""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch


# Keys every experiment run sets: no progress bar, no intermediate sample grids or checkpoints.
QUIET = ("train.progress=false", "train.sample_every=1000000", "train.ckpt_every=1000000", "train.threads=1")


@dataclass
class ExperimentResult:
    """An experiment's outcome: a markdown report (tables and notes), JSON-able data and a plot function."""

    name: str
    markdown: str
    data: dict[str, Any]
    plot: Callable[[Path], None]
    claim_holds: bool | None = None
    notes: list[str] = field(default_factory=list)


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """(mean, population std) of the finite values, NaN when there are none.

    std = sqrt(Σ(v - mean)² / n) (numpy's default ddof=0): with 3 seeds it describes the spread of the runs
    we made, not an estimate for the population.
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return float("nan"), float("nan")
    return float(np.mean(finite)), float(np.std(finite))


def format_mean_std(values: Sequence[float], digits: int = 2, scale: float = 1.0, suffix: str = "",
                    style: str = "f") -> str:
    """``"m ± s"`` of ``values * scale`` with `digits` decimals (`style` "e": scientific); a single value prints
    alone; ``"n/a"`` if there is no finite value."""
    finite = [float(v) * scale for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return "n/a"
    mean, std = mean_std(finite)
    if len(finite) == 1:
        return f"{mean:.{digits}{style}}{suffix}"
    missing = f" ({len(values) - len(finite)} n/a)" if len(finite) < len(values) else ""
    return f"{mean:.{digits}{style}} ± {std:.{digits}{style}}{suffix}{missing}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub markdown table; the first column left-aligned, the others right-aligned."""
    align = [":---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Run PyTorch on one intra-op thread, then restore the previous count.

    The networks of these experiments are tiny: on a shared 2-core machine two OpenMP threads spin-wait on
    each other and cost ~6x the CPU time of one (measured: 300 steps of gan-ring, 27 s vs 4 s of CPU).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class TimedRun:
    """A finished training run: its folder and the wall and CPU seconds `api.train` took."""

    run_dir: Path
    wall_seconds: float
    cpu_seconds: float


def train_run(recipe: Any, run_dir: Path, overrides: Sequence[str] = ()) -> TimedRun:
    """Train `recipe` (a name, YAML path or `Config`) quietly into `run_dir` (replaced if present)."""
    from gankit import api

    wall, cpu = time.perf_counter(), time.process_time()
    api.train(recipe, run_dir, overrides=[*QUIET, *overrides], force=True)
    done = TimedRun(Path(run_dir), time.perf_counter() - wall, time.process_time() - cpu)
    print(f"trained {Path(run_dir).name} in {done.wall_seconds:.1f} s", file=sys.stderr, flush=True)  # progress
    return done


def to_jsonable(value: Any) -> Any:
    """Nested dicts/lists/tuples with NaN and infinities as strings (strict JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, Path):
        return str(value)
    return value
