"""Issue 16 on real data: gankit's conditional GAN on the daily S&P 500 (QuantGAN's window, May 2009 - Dec 2018)
against the econometric baselines, every row's paths scored by the same code.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_series_sp500.py                       # 3 seeds, minutes
    PYTHONPATH=src .venv/bin/python benchmarks/bench_series_sp500.py --steps 50 --seeds 0 --paths 20   # a look

Real data: the 2,433 daily log returns of ``arch``'s S&P 500 Adj Close from 2009-05-01 to 2018-12-31. Each row
draws ``--paths`` (default 500) paths of 2,433 log returns, the training length:

* ``cgan-sp500``, one training per seed (``seed=s``), its generator continued autoregressively from the series'
  first p returns for 2,433 steps (noise seed = s), mapped back through the Lambert-W pipeline to log returns;
  every path is kept (no filtering);
* GARCH(1,1)-t fitted by ``arch`` on the real returns and simulated, Gaussian Monte Carlo (GBM with the
  historical drift and volatility) and the stationary bootstrap (mean block 20 days)
  (`gankit.evaluation.baselines`), simulated with the same seeds.

Scores (`gankit.metrics.stylized`, QuantGAN's definitions): EMD at 1 and 20 days (non-overlapping t-day log
returns, pooled over paths), the ACF score of |r| (250 lags), the leverage score (250 lags) and the ACF score of
r (250 lags), each the mean ± sd over seeds. The issue's target: the GAN beats GARCH-t on at least three of EMD@1,
EMD@20, ACF |r| and leverage, and GBM on all four; and its ACF score of r is within the bootstrap's.
Runs one training at a time. Prints the CPU and one Markdown table; ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from gankit import api
from gankit.config import load_config
from gankit.evaluation.baselines import BASELINES
from gankit.evaluation.series import generated_returns
from gankit.metrics.stylized import stylized_facts
from gankit.sampling import load_generator
from gankit.training.setup import load_data

from machine import cpu_model

MEASURES = ("emd_1", "emd_20", "acf_abs", "leverage", "acf_r")
TARGET = ("emd_1", "emd_20", "acf_abs", "leverage")
LABELS = {"emd_1": "EMD@1 ↓", "emd_20": "EMD@20 ↓", "acf_abs": "ACF score \\|r\\| ↓", "leverage": "leverage score ↓",
          "acf_r": "ACF score r ↓", "emd_5": "EMD@5 ↓", "emd_100": "EMD@100 ↓", "kurtosis_fake": "excess kurtosis"}
QUIET = ["train.progress=false", "train.sample_every=1000000", "train.doctor=false"]




def gan_row(seed: int, args: argparse.Namespace, root: Path) -> tuple[dict, np.ndarray]:
    overrides = [f"seed={seed}", f"train.threads={args.threads}", *QUIET, *args.set]
    if args.steps:
        overrides += [f"train.steps={args.steps}", f"train.ckpt_every={args.steps}"]
    out = root / f"sp500-seed{seed}"
    start = time.perf_counter()
    api.train(load_config(args.recipe, overrides), out)
    seconds = time.perf_counter() - start
    loaded = load_generator(out)
    data = load_data(copy.deepcopy(loaded.config))
    real = data.inverse_transform(data.values)[:, 0].numpy()
    start = time.perf_counter()
    fake = generated_returns(loaded, data, args.paths, seed=seed).numpy()
    sample_seconds = time.perf_counter() - start
    row = {"model": args.recipe, "seed": seed, "train_seconds": round(seconds, 1),
           "sample_seconds": round(sample_seconds, 1), **stylized_facts(real, fake)}
    return row, real


def baseline_rows(real: np.ndarray, seed: int, paths: int) -> list[dict]:
    return [{"model": name, "seed": seed, **stylized_facts(real, simulate(real, paths, len(real), seed=seed))}
            for name, simulate in BASELINES.items()]


def _mean(rows: list[dict], key: str) -> float:
    return statistics.mean(r[key] for r in rows)


def _mean_sd(rows: list[dict], key: str) -> str:
    values = [r[key] for r in rows]
    if len(values) == 1:
        return f"{values[0]:.4g}"
    return f"{statistics.mean(values):.4g} ± {statistics.stdev(values):.2g}"


def verdict(rows: list[dict], recipe: str) -> list[str]:
    by = {m: [r for r in rows if r["model"] == m] for m in {r["model"] for r in rows}}
    gan = by[recipe]
    lines = []
    for other, need in (("garch-t", 3), ("gbm", 4)):
        won = [k for k in TARGET if _mean(gan, k) < _mean(by[other], k)]
        lines.append(f"beats {other} on {len(won)}/4 ({', '.join(won) or 'none'}): "
                     f"{'met' if len(won) >= need else 'NOT met'} (needs {need})")
    ok = _mean(gan, "acf_r") <= _mean(by["bootstrap"], "acf_r")
    lines.append(f"ACF score of r {_mean(gan, 'acf_r'):.4g} vs bootstrap {_mean(by['bootstrap'], 'acf_r'):.4g}: "
                 f"{'within' if ok else 'NOT within'}")
    return lines


def table(rows: list[dict], measures: tuple[str, ...] = MEASURES) -> str:
    lines = ["| model | seeds | " + " | ".join(LABELS[k] for k in measures) + " |",
             "|---|---|" + "---|" * len(measures)]
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model]
        lines.append(f"| {model} | {len(mine)} | " + " | ".join(_mean_sd(mine, k) for k in measures) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="cgan-sp500")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=None, help="generator steps (default: the recipe's)")
    parser.add_argument("--paths", type=int, default=500, help="generated paths per row and seed")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="more overrides of the recipe")
    parser.add_argument("--threads", type=int, default=0, help="train.threads of every run (0: automatic)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the runs in this folder")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; torch {torch.__version__}; {time.strftime('%Y-%m-%d', time.gmtime())}", flush=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for seed in args.seeds:
            row, real = gan_row(seed, args, root)
            rows.append(row)
            print(json.dumps(row), flush=True)
            rows.extend(baseline_rows(real, seed, args.paths))
    print()
    print(table(rows))
    print()
    print(table(rows, ("emd_5", "emd_100", "kurtosis_fake")))
    print()
    print("\n".join(verdict(rows, args.recipe)))
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_model(), "recipe": args.recipe, "steps": args.steps,
                                         "paths": args.paths, "overrides": args.set, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
