"""Small data (issue 14): StyleGAN2 with and without augmentation as the training set shrinks, and on the stamps.

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_small_data.py --minutes 10 --out /tmp/small
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_small_data.py --cases stamps --minutes 20 \\
        --out /tmp/small-stamps
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_small_data.py --minutes 0.1 --n 100 \\
        --fractions 0.01 --augment none,ada --cases fashion --out /tmp/small-smoke                      # smoke

The DiffAugment paper (Zhao et al. 2020, Table 2) reports for StyleGAN2 on CIFAR-10 that the gain of
augmenting D's inputs grows as data shrinks (FID 10k: 100% of the data 11.07 → 9.89, 20% 23.08 → 12.15, 10%
36.02 → 14.50); ADA (Karras et al. 2020) shows the same on FFHQ subsets. This script measures the direction
here, at equal wall clock:

* ``fashion``: `stylegan2-fashion` (32 px) on ``--fractions`` of Fashion-MNIST's 60,000 training images
  (``data.limit`` = fraction × 60,000: a seeded subset stratified by class), for each ``--augment`` mode;
* ``stamps``: the same recipe on the 627 Tux Paint stamps at ``--stamps-size`` px in colour (32 by default, the
  recipe's own size: at 64 px a step costs about four times as much, too few steps for a 10-minute run)
  (``data.name=tuxpaint-stamps``), for each mode.

Augment modes: ``none``, ``diffaugment`` (``stab.diffaugment=color,translation,cutout``, the paper's policy for
100%/limited data) and ``ada`` (``stylegan2.ada=true``: gankit's subset of ADA's pipeline, p adapted toward r_t =
0.6). Each run trains for ``--minutes`` (train.max_minutes, no step limit) once per ``--seeds`` (0 by default) on
``--threads`` threads, ``--parallel`` at once in their own processes (`bench_families.train_all`), and is scored by
`gankit eval` with ``--extractor`` features (Inception by default) on ``--n`` samples: Fashion-MNIST against the
first ``--n`` test images (held out, as the paper's FID against the full set), the stamps against the 627 stamps
themselves (there are no others). Prints a Markdown table: one row per data set, one FID column per mode (the mean
over the seeds, ± their standard deviation when there are several), and the gain of each augmentation over
``none``. Ten-minute runs are too short for D to overfit (docs/BENCHMARKS.md, "Small data"): the effect needs an
hour or more a run and several seeds, e.g. ``--minutes 60 --fractions 0.01 --augment none,diffaugment --seeds
0,1``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from bench_families import score, train_all
from machine import cpu_model

FASHION_TRAIN = 60_000
AUGMENT = {"none": (), "diffaugment": ("stab.diffaugment=color,translation,cutout",), "ada": ("stylegan2.ada=true",)}
RECIPE = "stylegan2-fashion"


def cases(fractions: list[float], augment: list[str], which: list[str], stamps_size: int,
          seeds: tuple[int, ...] = (0,)) -> list[dict]:
    """One dict per run: its name, data-set label, mode, seed and overrides (seed 0 keeps the seedless name)."""
    found = []
    for seed in seeds:
        suffix, seeding = ("", ()) if seed == 0 else (f"-s{seed}", (f"seed={seed}",))
        found += [{**run, "name": run["name"] + suffix, "seed": seed, "extra": (*run["extra"], *seeding)}
                  for run in _cases_of_one_seed(fractions, augment, which, stamps_size)]
    return found


def _cases_of_one_seed(fractions: list[float], augment: list[str], which: list[str], stamps_size: int) -> list[dict]:
    found = []
    for mode in augment:
        if "fashion" in which:
            for fraction in fractions:
                data = ([] if fraction >= 1 else [f"data.limit={round(fraction * FASHION_TRAIN)}"])
                found.append({"name": f"fashion-{fraction:g}-{mode}", "data": f"Fashion-MNIST {fraction:.0%}",
                              "mode": mode, "extra": (*data, *AUGMENT[mode])})
        if "stamps" in which:
            found.append({"name": f"stamps-{mode}", "data": f"Tux Paint stamps (627, {stamps_size} px)", "mode": mode,
                          "extra": ("data.name=tuxpaint-stamps", f"data.img_size={stamps_size}", "data.channels=3",
                                    *AUGMENT[mode])})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fractions", default="0.01,0.1,1", help="shares of Fashion-MNIST's training images")
    parser.add_argument("--augment", default="none,diffaugment,ada", help=f"modes among {', '.join(AUGMENT)}")
    parser.add_argument("--cases", default="fashion,stamps", help="fashion, stamps or both")
    parser.add_argument("--stamps-size", type=int, default=32, help="the recipe's 32 px: 64 px is 4× the step")
    parser.add_argument("--minutes", type=float, default=10.0, help="training wall clock of each run")
    parser.add_argument("--seeds", default="0", help="training seeds, comma-separated: every case once per seed")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--n", type=int, default=2000, help="samples (and Fashion-MNIST test images) per FID")
    parser.add_argument("--extractor", default="inception")
    parser.add_argument("--score-threads", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"error: {args.out} exists; pick another --out")
    modes = args.augment.split(",")
    unknown = [m for m in modes if m not in AUGMENT]
    if unknown:
        raise SystemExit(f"error: unknown --augment {unknown}; choose among {', '.join(AUGMENT)}")
    runs = cases([float(f) for f in args.fractions.split(",")], modes, args.cases.split(","), args.stamps_size,
                 tuple(int(seed) for seed in args.seeds.split(",")))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = train_all([RECIPE] * len(runs), args.minutes, args.threads, args.parallel, args.out,
                     names=[r["name"] for r in runs], extras=[r["extra"] for r in runs])
    torch.set_num_threads(args.score_threads)
    for run, row in zip(runs, rows):
        row.update(run, extra=list(run["extra"]))
        row.update(score(args.out / run["name"], "fid,kid", args.n, args.extractor))
        print(json.dumps(row), flush=True)
    results = {"cpu": cpu_model(), "started": started, "ended": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "torch": torch.__version__, "minutes": args.minutes, "threads": args.threads, "n": args.n,
               "extractor": args.extractor, "rows": rows}
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\n{results['cpu']}, {args.threads} thread(s) per run, {args.parallel} at once, {args.minutes:g} minutes "
          f"each, torch {results['torch']}, {started} – {results['ended']}; FID of {args.n} samples, "
          f"{args.extractor} features\n")
    print("| data | " + " | ".join(f"FID {m} (steps)" for m in modes) + " | " +
          " | ".join(f"gain of {m}" for m in modes if m != "none") + " |")
    print("|---|" + "---|" * (2 * len(modes) - 1))
    for data in dict.fromkeys(r["data"] for r in rows):
        by_mode = {m: [r for r in rows if r["data"] == data and r["mode"] == m] for m in modes}
        fid = {m: statistics.mean(r["fid"] for r in runs_) for m, runs_ in by_mode.items() if runs_}
        cells = [_cell(by_mode[m]) if m in fid else "—" for m in modes]
        gains = [f"{fid['none'] - fid[m]:+.2f}" if "none" in fid and m in fid else "—" for m in modes if m != "none"]
        print(f"| {data} | " + " | ".join(cells + gains) + " |")


def _cell(runs: list[dict]) -> str:
    """FID over the seeds' runs: the mean (± the standard deviation when there are several) and the mean steps."""
    fids = [r["fid"] for r in runs]
    spread = f" ± {statistics.stdev(fids):.2f}" if len(fids) > 1 else ""
    return f"{statistics.mean(fids):.2f}{spread} ({round(statistics.mean(r['steps'] for r in runs)):,})"


if __name__ == "__main__":
    main()
