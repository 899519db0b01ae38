"""Training throughput of every built-in recipe, and the share of the machine's matmul peak the step reaches.

    .venv/bin/python benchmarks/bench_train.py [--threads 2] [--steps 20] [--recipes dcgan-fashion,gan-ring]

For each recipe it builds exactly what `gankit train` builds (same config, data, game and Trainer), counts the
floating-point operations of one training step with torch.utils.flop_counter's formulas (`flops.FlopCount`: every matmul
and convolution the step runs, forward and backward), times `--steps` steps after a warm-up, and prints a
markdown table: the arithmetic `gankit train` chose (train.amp=auto: bf16 where the CPU has it), real images per
second, achieved GFLOP/s, and its share of the float32 and of its own arithmetic's matmul peak, both measured here on
2048 x 2048 matmuls with the same number of threads. A staged game is timed at its last stage (ProGAN at full size).
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import time

import torch

from gankit import api
from gankit.config import load_config, recipe_names
from gankit.games import DataSpec, build_game
from gankit.training.data_stream import DataStream
from gankit.training.precision import choose_precision
from gankit.training.trainer import Trainer

from bench_step import matmul_peak_gflops
from bench_translation_step import bf16_peak_gflops, start_at_last_stage
from flops import FlopCount
from machine import cpu_model


# Cases beyond the recipes: the 64-pixel, 3-channel DCGAN of pytorch/examples (same widths), on Fashion-MNIST
# tiled to RGB and resized, since no colour data set is on this machine.
EXTRA_CASES = {"dcgan-64px-rgb": ("dcgan-fashion", ["data.img_size=64", "data.channels=3", "data.limit=4096"])}


def build_trainer(recipe: str, out: str, extra: list[str] | None = None) -> tuple[Trainer, int]:
    """The recipe's Trainer as `gankit train` builds it (plus the `extra` overrides), and its images per step."""
    base, overrides = EXTRA_CASES.get(recipe, (recipe, []))
    config = load_config(base, ["train.progress=false", "train.doctor=false"] + overrides + list(extra or []))
    data = api.load_data(config)
    torch.manual_seed(config.seed)
    game = build_game(config, DataSpec.of(data))
    stream = DataStream.of(data, config.train.batch_size, seed=config.seed, device=torch.device("cpu"),
                        channels_last=config.train.channels_last)
    device = torch.device("cpu")
    trainer = Trainer(game, stream, config, out, device,
                      precision=choose_precision(config.train.amp, device, data_kind=data.kind))
    images_per_step = config.train.batch_size * config.train.d_steps
    return trainer, images_per_step


def measure(recipe: str, steps: int, warmup: int = 3) -> dict[str, float]:
    """One recipe's step (at its last stage when it has stages: ProGAN at full size, a pretrained model's
    adversarial phase), in the arithmetic `gankit train` chooses (train.amp=auto)."""
    trainer, images_per_step = build_trainer(recipe, f"/tmp/gankit-bench-{recipe}")
    if trainer.game.stages():
        start_at_last_stage(trainer)
    for _ in range(warmup):
        trainer.train_step()
    with FlopCount() as counter:
        trainer.train_step()
    flops = counter.total
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    seconds = (time.perf_counter() - start) / steps
    return {"seconds_per_step": seconds, "images_per_second": images_per_step / seconds,
            "gflops": flops / seconds / 1e9, "gflop_per_step": flops / 1e9, "batch": images_per_step,
            "mode": trainer.precision.mode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--recipes", default=",".join(recipe_names() + list(EXTRA_CASES)))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    peak, _ = matmul_peak_gflops()
    bf16_peak = bf16_peak_gflops()
    print(f"machine: {cpu_model()}, {args.threads} threads, torch {torch.__version__}; matmul peak (2048^3): "
          f"float32 {peak:.1f}, bfloat16 {bf16_peak:.1f} GFLOP/s")
    print()
    print("| recipe | batch | arithmetic | GFLOP/step | s/step | real images/s | GFLOP/s | share of fp32 peak | "
          "share of its own peak |")
    print("|---|---|---|---|---|---|---|---|---|")
    for recipe in args.recipes.split(","):
        r = measure(recipe, args.steps)
        own = bf16_peak if r["mode"] == "bf16" else peak
        print(f"| {recipe} | {r['batch']} | {r['mode']} | {r['gflop_per_step']:.2f} | {r['seconds_per_step']:.3f} | "
              f"{r['images_per_second']:.0f} | {r['gflops']:.1f} | {100 * r['gflops'] / peak:.0f}% | "
              f"{100 * r['gflops'] / own:.0f}% |", flush=True)


if __name__ == "__main__":
    main()
