"""Training throughput of every built-in recipe, and the share of the machine's matmul peak the step reaches.

    .venv/bin/python benchmarks/bench_train.py [--threads 2] [--steps 20] [--recipes dcgan-fashion,gan-ring]

For each recipe it builds exactly what `gankit train` builds (same config, data, game and Trainer), counts the
floating-point operations of one training step with `torch.utils.flop_counter.FlopCounterMode` (every matmul
and convolution the step runs, forward and backward), times `--steps` steps after a warm-up, and prints a
markdown table: real images per second, achieved GFLOP/s, and the share of the float32 matmul peak measured
here on a 2048 x 2048 matmul with the same number of threads. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import platform
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from gankit import api
from gankit.config import load_config, recipe_names
from gankit.games import DataSpec, build_game
from gankit.training.data_stream import DataStream
from gankit.training.trainer import Trainer


def matmul_peak_gflops(n: int = 2048, repeats: int = 10) -> float:
    """Best-of-3 float32 GFLOP/s of an n x n matmul (2 n^3 operations each)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            a @ b
        best = max(best, 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9)
    return best


# Cases beyond the recipes: the 64-pixel, 3-channel DCGAN of pytorch/examples (same widths), on Fashion-MNIST
# tiled to RGB and resized, since no colour data set is on this machine.
EXTRA_CASES = {"dcgan-64px-rgb": ("dcgan-fashion", ["data.img_size=64", "data.channels=3", "data.limit=4096"])}


def build_trainer(recipe: str, out: str) -> tuple[Trainer, int]:
    base, overrides = EXTRA_CASES.get(recipe, (recipe, []))
    config = load_config(base, ["train.progress=false", "train.doctor=false"] + overrides)
    data = api.load_data(config)
    torch.manual_seed(config.seed)
    game = build_game(config, DataSpec.of(data))
    stream = DataStream.of(data, config.train.batch_size, seed=config.seed, device=torch.device("cpu"),
                        channels_last=config.train.channels_last)
    trainer = Trainer(game, stream, config, out, torch.device("cpu"))
    images_per_step = config.train.batch_size * config.train.d_steps
    return trainer, images_per_step


def measure(recipe: str, steps: int, warmup: int = 3) -> dict[str, float]:
    trainer, images_per_step = build_trainer(recipe, f"/tmp/gankit-bench-{recipe}")
    for _ in range(warmup):
        trainer.train_step()
    with FlopCounterMode(display=False) as counter:
        trainer.train_step()
    flops = counter.get_total_flops()
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    seconds = (time.perf_counter() - start) / steps
    return {"seconds_per_step": seconds, "images_per_second": images_per_step / seconds,
            "gflops": flops / seconds / 1e9, "gflop_per_step": flops / 1e9, "batch": images_per_step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--recipes", default=",".join(recipe_names() + list(EXTRA_CASES)))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    peak = matmul_peak_gflops()
    print(f"machine: {platform.processor() or platform.machine()}, {args.threads} threads, torch {torch.__version__}; "
          f"float32 matmul peak (2048^3): {peak:.1f} GFLOP/s")
    print()
    print("| recipe | batch | GFLOP/step | s/step | real images/s | GFLOP/s | share of matmul peak |")
    print("|---|---|---|---|---|---|---|")
    for recipe in args.recipes.split(","):
        r = measure(recipe, args.steps)
        print(f"| {recipe} | {r['batch']} | {r['gflop_per_step']:.2f} | {r['seconds_per_step']:.3f} | "
              f"{r['images_per_second']:.0f} | {r['gflops']:.1f} | {100 * r['gflops'] / peak:.0f}% |", flush=True)


if __name__ == "__main__":
    main()
