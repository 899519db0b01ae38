"""Benchmark: every mode-collapse remedy on the ring and the grid, plus the tuned recipes, over 3 seeds.

Runs the `mode-collapse` experiment (gankit.experiments.mode_collapse) with its runs spread over worker
processes, writes results.md / results.json / results.png into --out, and prints the markdown (the table of
docs/stability.md). With --time-recipes it also times `gankit train gan-ring` and `gankit train gan-grid` as a
user runs them (a fresh process; wall and CPU time of the child), once with PyTorch's default thread count and
once with OMP_NUM_THREADS=1.

    .venv/bin/python benchmarks/bench_mode_collapse.py --out runs/bench-mode-collapse --workers 2 --time-recipes
    .venv/bin/python benchmarks/bench_mode_collapse.py --variants plain recipe --mixtures ring --seeds 1
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

import torch


def _run_job(job, workdir: str):
    from gankit.experiments.common import single_thread
    from gankit.experiments.mode_collapse import run_job

    with single_thread():
        return run_job(job, Path(workdir))


def time_cli(recipe: str, threads: str | None) -> dict[str, float]:
    """Wall and CPU seconds (user + system of the child) of `gankit train RECIPE` in a fresh process."""
    gankit = Path(sys.executable).with_name("gankit")
    env = dict(os.environ)
    if threads is not None:
        env["OMP_NUM_THREADS"] = threads
    with tempfile.TemporaryDirectory() as folder:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([str(gankit), "train", recipe, "--out", f"{folder}/run", "--set", "train.progress=false"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_seconds": wall, "cpu_seconds": cpu}


def main() -> None:
    from gankit.experiments import write_result
    from gankit.experiments.mode_collapse import MIXTURES, VARIANTS, plan, summarize

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench-mode-collapse"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", nargs="*", default=None, choices=[v.key for v in VARIANTS])
    parser.add_argument("--mixtures", nargs="*", default=None, choices=list(MIXTURES))
    parser.add_argument("--time-recipes", action="store_true", help="also time `gankit train gan-ring/gan-grid`")
    args = parser.parse_args()

    jobs = plan(args.seeds, variants=tuple(args.variants) if args.variants else None,
                mixtures=tuple(args.mixtures) if args.mixtures else None)
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".runs-", dir=args.out))
    start = time.perf_counter()
    records = []
    try:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            futures = {pool.submit(_run_job, job, str(workdir)): job for job in jobs}
            for done, future in enumerate(as_completed(futures), 1):
                record = future.result()
                records.append(record)
                print(f"[{done}/{len(jobs)}] {futures[future].name}: {record['modes']} modes, "
                      f"{100 * record['high_quality']:.1f}% HQ, KL {record['reverse_kl']:.3f}, "
                      f"{record['cpu_seconds']:.0f} s CPU", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    records.sort(key=lambda r: (r["mixture"], r["variant"], r["seed"]))
    result = summarize(records, args.seeds, quick=False)
    heading = (f"## mode-collapse benchmark, {date.today().isoformat()}: {os.cpu_count()}-core CPU "
               f"({platform.processor() or platform.machine()}), torch {torch.__version__}, shared machine")
    lines = [heading, "", f"{len(jobs)} runs in {args.workers} worker process(es) of one thread each, "
             f"{time.perf_counter() - start:.0f} s wall in all (`benchmarks/bench_mode_collapse.py`).", ""]
    if args.time_recipes:
        rows = []
        for recipe in ("gan-ring", "gan-grid"):
            for threads in (None, "1"):
                t = time_cli(recipe, threads)
                result.data.setdefault("recipe_timings", []).append({"recipe": recipe, "threads": threads or "default", **t})
                rows.append(f"| `gankit train {recipe}` | {threads or f'default ({torch.get_num_threads()})'} | "
                            f"{t['wall_seconds']:.1f} | {t['cpu_seconds']:.1f} |")
        timing = "\n".join(["| command | torch threads | wall s | CPU s |", "| :--- | ---: | ---: | ---: |", *rows])
        result.markdown += "\n### Training time of the tuned recipes\n\n" + timing + "\n"
    body = result.markdown.split("\n", 1)[1] if result.markdown.startswith("## ") else result.markdown
    result.markdown = "\n".join(lines) + body.lstrip("\n")
    write_result(result, args.out)
    print(result.markdown)


if __name__ == "__main__":
    main()
