"""Class-conditional recipes scored by their label accuracy (issue 14: `--label K` gives class K >= 90% of the time).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_labels.py --out /tmp/bench-labels
    PYTHONPATH=src .venv/bin/python benchmarks/bench_labels.py --recipes sagan-fashion --out /tmp/bench-labels --reuse
    PYTHONPATH=src .venv/bin/python benchmarks/bench_labels.py --recipes cgan-fashion --steps 20 --n 200 --out /tmp/bl

1. Each of ``--recipes`` (default `sagan-fashion`, `biggan-fashion`, `cgan-fashion`) is trained as shipped, one after
   the other on ``--threads`` threads (``--steps`` overrides train.steps; ``--reuse`` scores a finished run already in
   ``--out/<recipe>`` instead of training it again).
2. Each run is scored by `gankit eval` (`gankit.evaluation.evaluate_source`, ``--n`` samples, seed 0, the EMA
   generator where the recipe keeps one): classifier FID, KID, precision/recall and the label accuracy
   (`gankit.evaluation.labels`: n/10 samples drawn for each class k, the share the domain classifier puts in k).
3. The ceiling: the same domain classifier's label accuracy on the real Fashion-MNIST test images (one row per
   image size, as each size has its own classifier).

Prints the CPU, the load average around each training and one Markdown table; ``--out`` keeps runs and results.json.
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
from gankit.data import load_dataset
from gankit.evaluation import evaluate_source
from gankit.metrics import label_accuracy
from gankit.metrics.extractors.classifier_io import load_classifier

from machine import cpu_model

RECIPES = ("sagan-fashion", "biggan-fashion", "cgan-fashion")


def train(recipe: str, run: Path, threads: int, steps: int | None) -> dict:
    overrides = ["train.progress=false", f"train.threads={threads}"] + ([f"train.steps={steps}"] if steps else [])
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    result = api.train(load_config(recipe, overrides), run)
    return {"steps": result.step, "wall_seconds": round(time.perf_counter() - start, 1),
            "images_per_second": round(result.images_per_second, 1), "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def score(run: Path, n: int) -> dict:
    found = evaluate_source(run, n=n, metrics=("fid", "kid", "pr", "labels"), log=None)
    settings = found.pop("settings")
    return {**{k: round(v, 4) for k, v in found.items()}, "per_class": settings["labels"]["per_class"],
            "classifier": settings["classifier"]["path"], "classifier_test_accuracy":
            settings["classifier"].get("test_accuracy")}


def ceiling(classifier: str, img_size: int) -> dict:
    """The domain classifier's label accuracy on the real test images: what a perfect generator would score."""
    model = load_classifier(classifier, torch.device("cpu")).eval()
    test = load_dataset("fashion-mnist", split="test", img_size=img_size)
    with torch.inference_mode():
        predicted = torch.cat([model(test.x[i:i + 1000]).argmax(1) for i in range(0, len(test), 1000)])
    found = label_accuracy(predicted, test.y)
    return {"label_accuracy": round(found["label_accuracy"], 4), "label_accuracy_min":
            round(found["label_accuracy_min"], 4), "per_class": {test.class_names[k]: round(v, 3)
                                                                 for k, v in found["per_class"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = {}
    for recipe in [r.strip() for r in args.recipes.split(",") if r.strip()]:
        run = args.out / recipe
        trained = {} if args.reuse and (run / "report" / "summary.json").is_file() else \
            train(recipe, run, args.threads, args.steps)
        rows[recipe] = {**trained, **score(run, args.n)}
        print(recipe, json.dumps(rows[recipe]), flush=True)
    for recipe, row in list(rows.items()):  # one ceiling per domain classifier (one per image size)
        size = load_config(recipe).data.img_size or 28
        name = f"real test images at {size} px (ceiling)"
        if name not in rows:
            rows[name] = ceiling(row["classifier"], size)
    (args.out / "results.json").write_text(json.dumps({"cpu": cpu_model(), "rows": rows}, indent=1))
    print(f"\nCPU: {cpu_model()}, {args.threads} thread(s); n = {args.n} per run\n")
    print("| recipe | steps | wall s | FID | KID | precision | recall | label accuracy | worst class |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        worst = min(row["per_class"].items(), key=lambda item: item[1])
        print(f"| {name} | {row.get('steps', '—')} | {row.get('wall_seconds', '—')} | {row.get('fid', '—')} | "
              f"{row.get('kid', '—')} | {row.get('precision', '—')} | {row.get('recall', '—')} | "
              f"{row['label_accuracy']:.3f} | {worst[0]} {worst[1]:.3f} |")


if __name__ == "__main__":
    main()
