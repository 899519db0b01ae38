"""The float32 step with and without the native path for thin image-side convolutions (issue 18, part 4).

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_thin_conv.py --threads 2 \
        [--recipes dcgan-fashion,cgan-fashion,dcgan-64px-rgb] [--windows 6] [--steps 20]

`gankit.nn.thin_conv` sends G's last layer and the input gradient of D's first layer (1-3 image channels)
through PyTorch's native kernels instead of oneDNN in float32 on a CPU. This script builds each recipe's trainer
as `gankit train` does, in float32 (``train.amp=false``, the arithmetic of CPUs without bfloat16), and times
``--steps`` steps in ``--windows`` alternating windows: the thin path on (as shipped) and off
(``gankit.nn.thin_conv.THIN`` set to 0, so every layer takes torch's plain call). Alternating the two in one
process makes a slow spell of the machine hit both. Prints the best and median window of each, and the ratio.
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import gankit.nn.thin_conv as thin_conv
from bench_train import build_trainer
from machine import cpu_model


def window(trainer, steps: int) -> float:  # noqa: ANN001
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    return (time.perf_counter() - start) / steps


def compare(recipe: str, steps: int, windows: int) -> dict[str, list[float]]:
    """Seconds per step of alternating windows with the thin path on and off, after a warm-up of each."""
    trainer, images = build_trainer(recipe, f"/tmp/gankit-bench-thin-{recipe}", ["train.amp=false"])
    shipped, times = thin_conv.THIN, {"on": [], "off": []}
    try:
        for _ in range(windows):
            for mode in ("on", "off"):
                thin_conv.THIN = shipped if mode == "on" else 0
                window(trainer, 2)  # warm-up after the switch
                times[mode].append(window(trainer, steps))
    finally:
        thin_conv.THIN = shipped
    return {"images": images, **times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--recipes", default="dcgan-fashion,cgan-fashion,dcgan-64px-rgb")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {cpu_model()}, {args.threads} threads, torch {torch.__version__}, float32; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| recipe | batch | thin path | best ms/step | median ms/step | images/s (best) | off / on (best) |")
    print("|---|---|---|---|---|---|---|")
    for recipe in args.recipes.split(","):
        r = compare(recipe, args.steps, args.windows)
        best = {m: min(r[m]) for m in ("on", "off")}
        for mode in ("off", "on"):
            ratio = f"{best['off'] / best['on']:.3f}×" if mode == "on" else ""
            print(f"| {recipe} | {r['images']} | {mode} | {1e3 * best[mode]:.1f} | "
                  f"{1e3 * statistics.median(r[mode]):.1f} | {r['images'] / best[mode]:.0f} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
