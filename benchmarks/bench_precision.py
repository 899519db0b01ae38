"""What `train.amp: auto` buys on this machine, and what it costs in quality, measured in one run.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_precision.py                     # everything (~30 min on 2 cores)
    PYTHONPATH=src .venv/bin/python benchmarks/bench_precision.py --parts peaks steps  # the fast parts only
    PYTHONPATH=src .venv/bin/python benchmarks/bench_precision.py --quality-steps 1400 --seeds 0 1 2

1. peaks: the best of `--repeats` timed 2048x2048 matmuls (2 * 2048^3 FLOPs each) in float32 and in bfloat16.
2. steps: each built-in image recipe's training step (its own networks, batch and phases, on random images of
   its shape: the speed does not depend on the pixels) in float32 (`train.amp=false`) and in the mode `auto`
   picks here; images/s over `--step-count` steps after 3 warm-up steps, best of 2 windows.
3. quality: dcgan-fashion (or `--quality-recipes`) trained to the same step count in float32 and in auto over
   `--seeds`, then `gankit eval` on 2,000 samples: classifier FID, precision and recall side by side; each
   sample set is measured with float32 and with bfloat16 feature extraction, which gives the FID change of
   bf16 extraction on real runs.

Prints the CPU, its bf16 flags and what auto chose, then one Markdown table per part; `--json FILE` keeps
the numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch

from gankit import api
from gankit.config import load_config, recipe_names
from gankit.evaluation import evaluate_source
from gankit.training.precision import choose_precision, cpu_flags, native_bf16_flags
from random_batches import random_trainer

from machine import cpu_model

QUIET = ["train.progress=false", "train.doctor=false", "train.log_every=1000000", "train.sample_every=1000000"]




def matmul_peak(dtype: torch.dtype, repeats: int, n: int = 2048) -> float:
    """GFLOP/s of the best of `repeats` n x n matmuls in `dtype`."""
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    for _ in range(2):
        a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(4):
            a @ b
        best = min(best, (time.perf_counter() - start) / 4)
    return 2 * n**3 / best / 1e9


def image_recipes() -> list[str]:
    """Built-in recipes whose data are images (folder recipes included: they get random images)."""
    return [r for r in recipe_names() if load_config(r).data.name not in ("ring", "grid", "npz")]


def step_speed(recipe: str, amp: str, count: int, workdir: Path) -> float:
    """Images/s of `recipe`'s training step with train.amp=`amp` on random images of its shape."""
    trainer, config = random_trainer(recipe, QUIET + [f"train.amp={amp}"], workdir / f"{recipe}-{amp}")
    for _ in range(3):
        trainer.train_step()
    best = 0.0
    for _ in range(2):
        start = time.perf_counter()
        for _ in range(count):
            trainer.train_step()
        best = max(best, config.train.batch_size * config.train.d_steps * count / (time.perf_counter() - start))
    return best


def quality(recipe: str, seeds: list[int], steps: int, workdir: Path) -> list[dict]:
    rows = []
    for seed in seeds:
        for amp in ("false", "auto"):
            run = workdir / f"{recipe}-{amp}-{seed}"
            result = api.train(recipe, run, overrides=QUIET + [f"seed={seed}", f"train.steps={steps}",
                                                                f"train.amp={amp}", "train.ckpt_every=1000000",
                                                                f"train.threads={torch.get_num_threads()}"])
            row = {"recipe": recipe, "seed": seed, "amp": amp, "seconds": result.seconds,
                   "images_per_second": result.images_per_second}
            for precision in ("fp32", "bf16"):
                measured = evaluate_source(run, n=2000, metrics="fid,pr", log=None, precision=precision)
                row[precision] = {k: measured[k] for k in ("fid", "precision", "recall")}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", default=["peaks", "steps", "quality"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--step-count", type=int, default=10)
    parser.add_argument("--quality-recipes", nargs="+", default=["dcgan-fashion"])
    parser.add_argument("--quality-steps", type=int, default=1000)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    auto = choose_precision("auto", "cpu")
    out: dict = {"cpu": cpu_model(), "bf16_flags": native_bf16_flags(), "capability":
                 torch.backends.cpu.get_cpu_capability(), "auto": auto.describe(), "threads": args.threads,
                 "torch": torch.__version__, "date": time.strftime("%Y-%m-%d"),
                 "flags": sorted(f for f in cpu_flags() if f.startswith(("avx", "amx")))}
    print(f"# {out['cpu']}, {args.threads} threads, torch {out['torch']}, {out['date']}\n"
          f"# flags: {' '.join(out['flags'])}\n# auto: {out['auto']}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if "peaks" in args.parts:
            out["peaks"] = {name: matmul_peak(dtype, args.repeats)
                            for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16))}
            print(f"\n| matmul 2048 | GFLOP/s |\n|---|---|\n| fp32 | {out['peaks']['fp32']:.0f} |\n"
                  f"| bf16 | {out['peaks']['bf16']:.0f} |", flush=True)
        if "steps" in args.parts:
            out["steps"] = {}
            print("\n| recipe | fp32 images/s | auto images/s | auto / fp32 |\n|---|---|---|---|", flush=True)
            for recipe in image_recipes():
                fp32 = step_speed(recipe, "false", args.step_count, workdir)
                fast = step_speed(recipe, "auto", args.step_count, workdir)
                out["steps"][recipe] = {"fp32": fp32, "auto": fast}
                print(f"| {recipe} | {fp32:.0f} | {fast:.0f} | {fast / fp32:.2f}x |", flush=True)
        if "quality" in args.parts:
            rows = [row for recipe in args.quality_recipes
                    for row in quality(recipe, args.seeds, args.quality_steps, workdir)]
            out["quality"] = rows
            print(f"\n{args.quality_steps} steps, 2,000 samples, classifier features (fp32 | bf16 extraction)\n"
                  "| recipe | seed | train.amp | s | FID | precision | recall | FID, bf16 features | change |\n"
                  "|---|---|---|---|---|---|---|---|---|")
            for r in rows:
                change = r["bf16"]["fid"] / r["fp32"]["fid"] - 1
                print(f"| {r['recipe']} | {r['seed']} | {r['amp']} | {r['seconds']:.0f} | {r['fp32']['fid']:.2f} | "
                      f"{r['fp32']['precision']:.3f} | {r['fp32']['recall']:.3f} | {r['bf16']['fid']:.2f} | "
                      f"{change:+.2%} |")
            for amp in ("false", "auto"):
                fids = [r["fp32"]["fid"] for r in rows if r["amp"] == amp]
                if len(fids) > 1:
                    print(f"train.amp={amp}: FID mean {statistics.mean(fids):.2f}, "
                          f"spread {min(fids):.2f}-{max(fids):.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
