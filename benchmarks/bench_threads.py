"""Training throughput on an idle and on a shared machine: PyTorch's default thread count against gankit's choice.

    .venv/bin/python benchmarks/bench_threads.py [--recipes dcgan-fashion,gan-ring] [--repeats 3]

Each measurement is one `gankit train` process (`train.steps` short, no doctor, no samples), read from its
"real images/s" line. Four settings per recipe, run in turn so that a drift of the machine spreads over all:
idle with as many threads as the machine has cores (what PyTorch picks by itself, and gankit before
`train.threads`) and with `train.threads=0` (gankit's automatic choice: the idle cores), then the same two while
one other CPU-bound process (a Python busy loop) runs. Prints a markdown table of medians; run it on an otherwise
idle machine.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_model

STEPS = {"dcgan-fashion": 40, "gan-ring": 300}
QUIET = ["--set", "train.progress=false", "--set", "train.doctor=false", "--set", "train.sample_every=100000",
         "--set", "train.ckpt_every=100000", "--set", "train.log_every=20"]




def train_images_per_second(recipe: str, threads: int, workdir: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = workdir / f"{recipe}-{threads}-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "gankit.cli", "train", recipe, "--out", str(out), *QUIET,
               "--set", f"train.steps={STEPS.get(recipe, 100)}", "--threads", str(threads)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"\(([\d.]+) real images/s\)", done.stdout)
    if not found:
        raise RuntimeError(f"no throughput in: {done.stdout!r} {done.stderr!r}")
    return float(found.group(1))


def busy_loop() -> subprocess.Popen:
    """One other CPU-bound process, as a user's other job would be."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="dcgan-fashion,gan-ring")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for recipe in args.recipes.split(","):
            figures: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.repeats):
                for load in ("idle", "busy"):
                    other = busy_loop() if load == "busy" else None
                    try:
                        time.sleep(0.5 if other else 0.0)  # let the competitor be running when gankit measures
                        for label, threads in ((f"{cores} threads (PyTorch's default)", cores), ("auto", 0)):
                            value = train_images_per_second(recipe, threads, workdir)
                            figures.setdefault((load, label), []).append(value)
                    finally:
                        if other is not None:
                            other.kill()
                            other.wait()
            idle_default = statistics.median(figures[("idle", f"{cores} threads (PyTorch's default)")])
            for (load, label), values in figures.items():
                median = statistics.median(values)
                rows.append(f"| {recipe} | {load} | {label} | {median:,.0f} | {median / idle_default:.0%} | "
                            f"{min(values):,.0f}–{max(values):,.0f} |")
    print(f"{cpu_model()}, {cores} cores, torch threads compared; {time.strftime('%Y-%m-%d')}; "
          f"medians of {args.repeats} runs\n")
    print("| recipe | machine | threads | real images/s | of idle default | range |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
