"""CycleGAN on sneaker2boot: the recipe, and the identity-loss ablation at the same budget.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_cyclegan.py                       # ~35 min on 2 cores
    PYTHONPATH=src .venv/bin/python benchmarks/bench_cyclegan.py --steps 300 --n 300   # a quick look

Each variant is the recipe `cyclegan-sneaker2boot` (the second with ``cycle.lambda_identity=0``), trained for
the same `--steps` from the same seed, one after the other (never two trainings at once on 2 cores). Then
`gankit eval` on the first `--n` held-out images of each domain: translation accuracy a->b (the share of
translated sneakers the Fashion-MNIST classifier calls "Ankle boot"; target >= 80%) and b->a ("Sneaker"), the
cycle reconstruction L1 on [0, 1] of both domains, and classifier FID of the outputs against the held-out
images of the target domain. Prints the CPU, the load average (another job on the machine slows the
training) and one Markdown table; `--json FILE` keeps the numbers, `--keep DIR` the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import torch

from gankit import api
from gankit.config import load_config
from gankit.evaluation import evaluate_source

from machine import cpu_model

VARIANTS = {"recipe (identity 0.5)": [], "no identity loss": ["cycle.lambda_identity=0"]}
QUIET = ["train.progress=false", "train.sample_every=1000000"]


def run_variant(name: str, extra: list[str], steps: int | None, root: Path, n: int) -> dict:
    overrides = [f"train.steps={steps}", f"train.ckpt_every={steps}"] if steps else []
    config = load_config("cyclegan-sneaker2boot", [*overrides, *QUIET, *extra])
    out = root / ("identity" if not extra else "no-identity")
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    result = api.train(config, out)
    seconds = time.perf_counter() - start
    scores = evaluate_source(out, n=n, log=None)
    return {"variant": name, "steps": result.step, "train_seconds": round(seconds, 1),
            "images_per_second": round(result.images_per_second, 1), "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2), **{k: v for k, v in scores.items() if k != "settings"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, help="generator steps (default: the recipe's)")
    parser.add_argument("--n", type=int, default=1000, help="held-out images of each domain evaluated")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the runs in this folder")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores, torch {torch.__version__}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-cyclegan-"))
    rows = [run_variant(name, VARIANTS[name], args.steps, root, args.n) for name in args.variants]
    print("\n| variant | steps | train min | img/s | load avg | accuracy a→b (boot) | accuracy b→a (sneaker) | "
          "cycle L1 a | cycle L1 b | FID a→b | FID b→a |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['steps']} | {r['train_seconds'] / 60:.1f} | {r['images_per_second']:.1f} | "
              f"{r['load_before']:.1f}–{r['load_after']:.1f} | {r['translation_accuracy_a2b']:.1%} | "
              f"{r['translation_accuracy_b2a']:.1%} | {r['cycle_l1_a']:.4f} | {r['cycle_l1_b']:.4f} | "
              f"{r['fid_a2b']:.2f} | {r['fid_b2a']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
