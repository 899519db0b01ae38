"""Benchmark: every mode-collapse remedy on the ring and the grid, plus the tuned recipes, over 3 seeds.

Runs the `mode-collapse` experiment (gankit.experiments.mode_collapse) with its runs spread over worker
processes, writes results.md / results.json / results.png into --out, and prints the markdown (the table of
docs/stability.md). With --time-recipes it also times `gankit train gan-ring` and `gankit train gan-grid` as a
user runs them (a fresh process; wall and CPU time of the child), once with PyTorch's default thread count and
once with OMP_NUM_THREADS=1.

Every finished run is appended to OUT/records.jsonl at once, with the full config it trained. A later call
with the same --out skips the runs already recorded with the same config and tabulates every recorded run, so
a table can be filled in over several calls (e.g. one mixture, variant or seed at a time, or after a crash);
a recorded run whose config no longer matches (a changed default, a retuned recipe) is run again.

    .venv/bin/python benchmarks/bench_mode_collapse.py --out runs/bench-mode-collapse --workers 2 --time-recipes
    .venv/bin/python benchmarks/bench_mode_collapse.py --variants plain recipe --mixtures ring --seeds 1
    .venv/bin/python benchmarks/bench_mode_collapse.py --variants hinge --mixtures grid   # adds rows to the table
"""

from __future__ import annotations

import argparse
import json
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


RECORDS = "records.jsonl"


def read_records(path: Path) -> list[dict]:
    """The runs recorded by earlier calls; a last line cut short by a crash is dropped with a warning."""
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            print(f"warning: {path}:{number} is not a complete record; that run will be repeated", file=sys.stderr)
    return records


def append_record(path: Path, record: dict) -> None:
    """Add one finished run to the record file, flushed to disk before the next run starts."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def settings_of(job) -> dict:
    """The job's full training config as it reads back from a record (JSON round trip)."""
    return json.loads(json.dumps(job.settings()))


def settings_match(recorded: dict | None, current: dict, defaults: dict) -> bool:
    """Whether a run recorded with `recorded` settings trained what `current` would train today.

    A key the record lacks (added to the schema since) matches when today's value is its default, so adding
    an option that is off by default does not invalidate every stored run.
    """
    if recorded is None:
        return False
    for key, value in current.items():
        if key not in recorded:
            if value != defaults.get(key):
                return False
        elif isinstance(value, dict) and isinstance(recorded[key], dict):
            if not settings_match(recorded[key], value, defaults.get(key, {})):
                return False
        elif recorded[key] != value:
            return False
    return set(recorded) <= set(current)


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
    from gankit.config import Config
    from gankit.experiments import write_result
    from gankit.experiments.mode_collapse import MIXTURES, VARIANTS, Job, plan, summarize

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench-mode-collapse"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", nargs="*", default=None, choices=[v.key for v in VARIANTS])
    parser.add_argument("--mixtures", nargs="*", default=None, choices=list(MIXTURES))
    parser.add_argument("--time-recipes", action="store_true", help="also time `gankit train gan-ring/gan-grid`")
    args = parser.parse_args()

    planned = plan(args.seeds, variants=tuple(args.variants) if args.variants else None,
                   mixtures=tuple(args.mixtures) if args.mixtures else None)
    args.out.mkdir(parents=True, exist_ok=True)
    record_file = args.out / RECORDS
    settings = {job.name: settings_of(job) for job in planned}
    recorded = {}
    for record in read_records(record_file):  # the newest record of a run wins
        recorded[f"{record['variant']}-{record['mixture']}-seed{record['seed']}"] = record
    defaults = json.loads(json.dumps(Config().to_dict()))
    jobs = [job for job in planned
            if not settings_match(recorded.get(job.name, {}).get("settings"), settings[job.name], defaults)]
    if len(jobs) < len(planned):
        print(f"{len(planned) - len(jobs)} of {len(planned)} runs already in {record_file}", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix=".runs-", dir=args.out))
    start = time.perf_counter()
    try:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            futures = {pool.submit(_run_job, job, str(workdir)): job for job in jobs}
            for done, future in enumerate(as_completed(futures), 1):
                job = futures[future]
                record = {**future.result(), "settings": settings[job.name]}
                append_record(record_file, record)
                recorded[job.name] = record
                print(f"[{done}/{len(jobs)}] {job.name}: {record['modes']} modes, "
                      f"{100 * record['high_quality']:.1f}% HQ, KL {record['reverse_kl']:.3f}, "
                      f"{record['cpu_seconds']:.0f} s CPU", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    by_key = {v.key: v for v in VARIANTS}

    def still_valid(record: dict) -> bool:  # recorded with the config the run would train today
        variant = by_key.get(record["variant"])
        if variant is None or record["mixture"] not in MIXTURES:
            return False
        job = Job(variant, record["mixture"], record["seed"])
        today = settings.get(job.name) or settings_of(job)
        return settings_match(record.get("settings"), today, defaults)

    records = sorted(filter(still_valid, recorded.values()), key=lambda r: (r["mixture"], r["variant"], r["seed"]))
    if len(records) < len(recorded):
        print(f"{len(recorded) - len(records)} recorded runs left out of the table: their config has changed since",
              file=sys.stderr)
    result = summarize([{k: v for k, v in r.items() if k != "settings"} for r in records], args.seeds, quick=False)
    heading = (f"## mode-collapse benchmark, {date.today().isoformat()}: {os.cpu_count()}-core CPU "
               f"({platform.processor() or platform.machine()}), torch {torch.__version__}, shared machine")
    lines = [heading, "", f"{len(records)} recorded runs in {record_file.name}; this call ran {len(jobs)} in "
             f"{args.workers} worker process(es) of one thread each, {time.perf_counter() - start:.0f} s wall "
             "(`benchmarks/bench_mode_collapse.py`).", ""]
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
