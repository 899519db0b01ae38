"""How close do the image-to-image training steps come to this CPU's matmul peak?

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_translation_step.py              # Pix2Pix, 64 px, batch 16
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_translation_step.py --sizes 32 64 --batch-sizes 1 16
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_translation_step.py --recipes \
        cyclegan-sneaker2boot pix2pixhd-edges2fashion --sizes 0 --batch-sizes 0   # each recipe's own size and batch

For each recipe, image size and batch size (0: the recipe's own): the real `Trainer.train_step()` of the recipe
(for `pix2pix-edges2fashion`: D phase then G phase, U-Net forward without gradients, PatchGAN on real and fake
pairs, backward, Adam; then U-Net forward, PatchGAN, L1, backward through both, Adam; for
`pix2pixhd-edges2fashion` each stage is timed: the global generator at half size, then the whole generator)
on random images of that size, in float32
(``train.amp=false``) and in the mode ``train.amp=auto`` picks here. FLOPs of one step come from
torch.utils.flop_counter.FlopCounterMode (convolutions and matmuls, forward and backward; elementwise work, norms
and Adam count as zero, so the share is of useful work). Each mode's achieved GFLOP/s is divided by the peak of
its own arithmetic: the best 2048x2048 matmul in float32, or in bfloat16 for autocast. Best of `--repeats`
windows of `--steps` steps after 3 warm-up steps; "others %" is the CPU share other processes took meanwhile.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from bench_step import OtherLoad, matmul_peak_gflops
from random_batches import random_trainer

QUIET = ["train.progress=false", "train.doctor=false", "train.log_every=1000000", "train.sample_every=1000000"]


def bf16_peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    a, b = torch.randn(size, size, dtype=torch.bfloat16), torch.randn(size, size, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(8):
            a @ b
        best = max(best, 2 * size**3 * 8 / (time.perf_counter() - start) / 1e9)
    return best


def start_at_last_stage(trainer) -> None:
    """Put the trainer at the first step of the game's last stage: its next step enters that stage."""
    trainer.step = trainer.game.stages()[-1].start


def stage_names(recipe: str) -> list[str]:
    """The stages timed for `recipe`: every stage of a staged game, or just "" for one without stages."""
    return ["global", "local"] if recipe.startswith("pix2pixhd") else [""]


def measure(recipe: str, stage: str, size: int, batch: int, amp: str, steps: int, repeats: int,
            workdir: Path) -> dict:
    overrides = QUIET + [f"train.amp={amp}"]
    overrides += [f"data.img_size={size}"] if size else []
    overrides += [f"train.batch_size={batch}"] if batch else []
    trainer, config = random_trainer(recipe, overrides, workdir / f"{recipe}-{stage}-{size}-{batch}-{amp}")
    if stage == "local":
        start_at_last_stage(trainer)
    for _ in range(3):
        trainer.train_step()
    with FlopCounterMode(display=False) as counter:
        trainer.train_step()
    flops = counter.get_total_flops()
    best, others = float("inf"), None
    for _ in range(repeats):
        with OtherLoad() as load:
            start = time.perf_counter()
            for _ in range(steps):
                trainer.train_step()
            seconds = (time.perf_counter() - start) / steps
        if seconds < best:
            best, others = seconds, load.share
    return {"recipe": recipe, "stage": stage, "size": config.data.img_size, "batch": config.train.batch_size,
            "mode": trainer.precision.mode, "ms": best * 1e3, "gflop": flops / 1e9,
            "gflops": flops / best / 1e9, "images_per_s": config.train.batch_size / best, "others": others}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="+", default=["pix2pix-edges2fashion"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    fp32_peak, _ = matmul_peak_gflops()
    bf16_peak = bf16_peak_gflops()
    print(f"{torch.get_num_threads()} threads; matmul peak float32 {fp32_peak:.0f} GFLOP/s, bfloat16 {bf16_peak:.0f}")
    print("\n| recipe | stage | size | batch | arithmetic | ms/step | GFLOP/step | GFLOP/s | % of its peak | img/s "
          "| others % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for recipe in args.recipes:
            for stage in stage_names(recipe):
                for size in args.sizes:
                    for batch in args.batch_sizes:
                        for amp in ("false", "auto"):
                            r = measure(recipe, stage, size, batch, amp, args.steps, args.repeats, Path(tmp))
                            peak = bf16_peak if r["mode"] == "bf16" else fp32_peak
                            others = "?" if r["others"] is None else f"{100 * r['others']:.0f}"
                            print(f"| {recipe} | {stage or '-'} | {r['size']} | {r['batch']} | {r['mode']} | "
                                  f"{r['ms']:.1f} | {r['gflop']:.2f} | {r['gflops']:.0f} | {100 * r['gflops'] / peak:.0f}% "
                                  f"| {r['images_per_s']:.0f} | {others} |", flush=True)


if __name__ == "__main__":
    main()
