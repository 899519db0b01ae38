"""ProGAN (or other Fashion-MNIST recipes) against DCGAN at 32 px, at the same wall clock, scored by `gankit eval`.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_progan.py --minutes 20 --out /tmp/bench-progan
    PYTHONPATH=src .venv/bin/python benchmarks/bench_progan.py --recipes stylegan2-fashion,dcgan-fashion --minutes 10 \
        --threads 2 --out /tmp/bench-sg2
    PYTHONPATH=src .venv/bin/python benchmarks/bench_progan.py --minutes 0.5 --n 500 --out /tmp/bp   # smoke

1. The ``--recipes`` (default `progan-fashion`, which grows 4 -> 8 -> 16 -> 32 px, and `dcgan-fashion`) are
   trained one after the other from the same seed, each with ``train.max_minutes`` = ``--minutes`` and no step
   limit that would end it sooner (train.steps raised to 10^6; ProGAN's growing schedule is the recipe's, by
   step), on ``--threads`` CPU threads each, so all get the same wall clock on the same machine. Start-up (data
   loading) is not counted.
2. Each is scored by `gankit eval` (`gankit.evaluation.evaluate_source`): the classifier FID and KID of ``--n``
   samples (seed 0; the EMA generator where the recipe keeps one) against the first ``--n`` Fashion-MNIST test
   images, with gankit's domain classifier as the feature extractor.

The machine is shared: the 1-minute load average is recorded before and after each training. Prints a Markdown
table; ``--out`` keeps the runs and results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from gankit import api
from gankit.config import load_config
from gankit.evaluation import evaluate_source

from machine import cpu_model

RECIPES = ("progan-fashion", "dcgan-fashion")


def train(recipe: str, minutes: float, threads: int, out: Path, extra: tuple[str, ...] = ()) -> dict:
    """Train ``recipe`` (plus the ``extra`` overrides) for ``minutes`` of training wall clock into ``out``; its row."""
    overrides = ["train.progress=false", "train.steps=1000000", f"train.max_minutes={minutes}",
                 f"train.threads={threads}", "eval.every=0", *extra]
    load_before = os.getloadavg()[0]
    result = api.train(load_config(recipe, overrides), out)
    game = result.game
    row = {"recipe": recipe, "steps": result.step, "loop_seconds": round(result.seconds, 1),
           "images_per_second": round(result.images_per_second, 1), "load_before": round(load_before, 2),
           "load_after": round(os.getloadavg()[0], 2)}
    if game.stage is not None:
        row["stage_at_end"] = game.stage
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=20.0, help="training wall clock of each recipe")
    parser.add_argument("--n", type=int, default=10000, help="samples and test images per FID")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of each training")
    parser.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated recipes, trained in turn")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"error: {args.out} exists; pick another --out")
    rows = []
    for recipe in args.recipes.split(","):
        row = train(recipe, args.minutes, args.threads, args.out / recipe)
        scores = evaluate_source(args.out / recipe, metrics="fid,kid", n=args.n, seed=0, extractor="classifier",
                                 log=None)
        row.update({"classifier_fid": round(scores["fid"], 2), "classifier_kid": round(scores["kid"], 4)})
        rows.append(row)
        print(json.dumps(row), flush=True)
    results = {"cpu": cpu_model(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "torch": torch.__version__, "minutes": args.minutes, "n": args.n, "threads": args.threads, "rows": rows}
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\n{results['cpu']}, {args.threads} thread(s), torch {results['torch']}, {results['date']}\n")
    print("| recipe | minutes | steps | images/s | end stage | classifier FID | KID | load avg before/after |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['recipe']} | {args.minutes:g} | {r['steps']:,} | {r['images_per_second']} | "
              f"{r.get('stage_at_end', '-')} | {r['classifier_fid']} | {r['classifier_kid']} | "
              f"{r['load_before']} / {r['load_after']} |")


if __name__ == "__main__":
    main()
