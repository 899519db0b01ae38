"""How many CPU threads PyTorch uses: as many as there are idle cores, so a shared machine does not collapse.

PyTorch's CPU kernels split each operation across `torch.get_num_threads()` OpenMP threads and wait for the
slowest. When another process keeps a core busy, the thread scheduled on that core runs only between the other
process's time slices, and every operation waits for it: a small MLP GAN on 2 cores with one competing process
ran 58 times slower with 2 threads than with 1. So the automatic choice (``train.threads: 0``, ``--threads 0``)
counts the cores that are idle when the command starts (from /proc/stat over a quarter of a second; all usable
cores where that is not available) and uses that many, at least one, saying so when it leaves cores out.
An explicit number, or the environment's ``OMP_NUM_THREADS``, is taken as given.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import torch

from gankit.errors import ConfigError


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _cpu_times() -> tuple[float, float] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat, or None where there is no /proc."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [float(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    return total - idle, total


def busy_cores(sample_seconds: float = 0.25) -> float | None:
    """How many cores other work keeps busy right now (this process sleeps while it measures), or None."""
    first = _cpu_times()
    if first is None:
        return None
    time.sleep(sample_seconds)
    second = _cpu_times()
    if second is None or second[1] <= first[1]:
        return None
    share = (second[0] - first[0]) / (second[1] - first[1])
    return share * (os.cpu_count() or 1)


def choose_threads(requested: int = 0, *, busy: Callable[[], float | None] = busy_cores) -> tuple[int, str | None]:
    """(threads to use, a note for the user or None). `requested` > 0 is taken as given; 0 picks automatically
    (``OMP_NUM_THREADS`` when set, else the idle cores, see the module docstring)."""
    if requested < 0:
        raise ConfigError(f"threads must be 0 (automatic) or a positive count, got {requested}")
    if requested:
        return requested, None
    from_env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if from_env.isdigit() and int(from_env) > 0:
        return int(from_env), None
    cores = usable_cores()
    taken = busy()
    if taken is None:
        return cores, None
    idle = max(1, min(cores, int(cores - taken + 0.5)))
    if idle == cores:
        return cores, None
    return idle, (f"note: {cores - idle} of {cores} cores are busy with other work; using {idle} thread"
                  f"{'s' if idle > 1 else ''} (set train.threads or --threads to choose)")


def use_threads(requested: int = 0, log: Callable[[str], None] | None = None) -> int:
    """Set PyTorch's thread count by `choose_threads` and report a busy machine through `log` (default stderr)."""
    threads, note = choose_threads(requested)
    if threads != torch.get_num_threads():
        torch.set_num_threads(threads)
    if note:
        (log or (lambda line: print(line, file=sys.stderr, flush=True)))(note)
    return threads
