"""What the benchmarks say about the machine they ran on: the CPU's model name (speeds differ by CPU)."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_model() -> str:
    """The first 'model name' of /proc/cpuinfo, else the machine type (platform.machine())."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine() or "unknown"
