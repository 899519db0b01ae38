"""Quality per CPU-hour (issue 14): every image family trained for the same wall clock on Fashion-MNIST at 32 px,
scored by `gankit eval` under one protocol, in one table beside `dcgan-fashion`.

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_families.py --minutes 30 --out /tmp/families
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_families.py --recipes sagan-fashion \\
        --minutes 60 --n 10000 --out /tmp/families-60        # the best family, issue 3's protocol
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_families.py --minutes 0.2 --n 100 \\
        --recipes dcgan-fashion,sagan-fashion --out /tmp/fam-smoke                  # smoke

1. Training: each of ``--recipes`` (default: the DCGAN baseline and the five families of issue 14) runs from seed
   0 for ``--minutes`` of training wall clock (``train.max_minutes``; ``train.steps`` raised to 10^6 so no step
   limit ends it sooner: schedules laid out by step, such as ProGAN's growth, follow the recipe; a decay over
   ``train.steps`` is stretched out of reach) on ``--threads`` threads. ``--parallel`` K runs K trainings at
   once, each in its own process: with 2 cores, ``--threads 1 --parallel 2`` gives every family the same share
   of the machine, 1 core for ``--minutes`` (the issue's "per CPU-hour"), and halves the wall clock of the table.
2. Scoring, one run after another on ``--score-threads`` threads: `gankit.evaluation.evaluate_source` with
   ``--metrics`` (default fid, kid, pr and swd: Fréchet and kernel Inception distances, precision/recall of
   Kynkäänniemi et al. 2019 and ProGAN's sliced Wasserstein distance on Laplacian pyramids) of ``--n`` samples
   (seed 0; the EMA generator where the recipe keeps one; untruncated latent codes, ``--truncation 0``, whatever
   the recipe's ``sample.truncation``: the literature's FID is of the unbiased sampler) against the first ``--n`` Fashion-MNIST test images,
   features from ``--extractor`` (default Inception-v3 pool3, the literature's; it must be installed:
   `gankit assets install inception`).

The 1-minute load average is recorded before and after each training. Prints a Markdown table; ``--out`` keeps
the runs and results.json (with the machine's CPU model and the date).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

from gankit.evaluation import evaluate_source

from bench_progan import train
from machine import cpu_model

FAMILIES = ("dcgan-fashion", "progan-fashion", "stylegan-fashion", "stylegan2-fashion", "sagan-fashion",
            "biggan-fashion")
COLUMNS = (("fid", "FID"), ("kid", "KID ×10³"), ("precision", "precision"), ("recall", "recall"),
           ("swd", "SWD ×10³"))


def _train_in_process(recipe: str, minutes: float, threads: int, out: Path, extra: tuple[str, ...]) -> dict:
    torch.set_num_threads(threads)
    return train(recipe, minutes, threads, out, extra)


def train_all(recipes: list[str], minutes: float, threads: int, parallel: int, out: Path, *,
              names: list[str] | None = None, extras: list[tuple[str, ...]] | None = None) -> list[dict]:
    """Rows of `bench_progan.train`, in the order of ``recipes``, each run in ``out/<name>`` (default: the recipe's
    name) with its ``extras`` overrides; ``parallel`` at once, each in a spawned process of its own."""
    names = names or list(recipes)
    extras = extras or [()] * len(recipes)
    jobs = [(recipe, minutes, threads, out / name, tuple(extra)) for recipe, name, extra in zip(recipes, names, extras)]
    if parallel <= 1:
        return [train(*job) for job in jobs]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=parallel, mp_context=context) as pool:
        return [future.result() for future in [pool.submit(_train_in_process, *job) for job in jobs]]


def score(run: Path, metrics: str, n: int, extractor: str) -> dict:
    """The chosen metrics of ``n`` samples of ``run`` (seed 0, untruncated codes) against the first ``n`` test
    images."""
    found = evaluate_source(run, metrics=metrics, n=n, seed=0, extractor=extractor, truncation=0, log=None)
    return {key: value for key, value in found.items() if key != "settings" and isinstance(value, (int, float))}


def _cell(row: dict, key: str) -> str:
    if key not in row:
        return "—"
    value = row[key] * 1000 if key == "kid" else row[key]  # gankit's SWD is already ×10³ (ProGAN's unit)
    return f"{value:.2f}" if key in ("fid", "kid", "swd") else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", default=",".join(FAMILIES), help="comma-separated recipes")
    parser.add_argument("--minutes", type=float, default=30.0, help="training wall clock of each recipe")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of each training")
    parser.add_argument("--parallel", type=int, default=2, help="trainings at once, each in its own process")
    parser.add_argument("--n", type=int, default=2000, help="samples and test images per score")
    parser.add_argument("--metrics", default="fid,kid,pr,swd")
    parser.add_argument("--extractor", default="inception", help="inception or classifier")
    parser.add_argument("--score-threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="overrides for every training, e.g. train.keep=100 to keep every checkpoint")
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"error: {args.out} exists; pick another --out")
    recipes = args.recipes.split(",")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = train_all(recipes, args.minutes, args.threads, args.parallel, args.out,
                     extras=[tuple(args.set)] * len(recipes))
    torch.set_num_threads(args.score_threads)
    for row in rows:
        row.update(score(args.out / row["recipe"], args.metrics, args.n, args.extractor))
        print(json.dumps(row), flush=True)
    results = {"cpu": cpu_model(), "started": started, "ended": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "torch": torch.__version__, "minutes": args.minutes, "threads": args.threads,
               "parallel": args.parallel, "n": args.n, "extractor": args.extractor, "rows": rows}
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\n{results['cpu']}, {args.threads} thread(s) per training, {args.parallel} at once, torch "
          f"{results['torch']}, {started} – {results['ended']}; {args.n} samples against {args.n} test images, "
          f"{args.extractor} features\n")
    print("| recipe | minutes | steps | images/s | " + " | ".join(title for _, title in COLUMNS) + " | load before/after |")
    print("|---|---|---|---|" + "---|" * len(COLUMNS) + "---|")
    for r in rows:
        cells = " | ".join(_cell(r, key) for key, _ in COLUMNS)
        print(f"| {r['recipe']} | {args.minutes:g} | {r['steps']:,} | {r['images_per_second']} | {cells} | "
              f"{r['load_before']} / {r['load_after']} |")


if __name__ == "__main__":
    main()
