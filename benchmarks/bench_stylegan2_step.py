"""How close does the StyleGAN2 training step at 32 px come to this CPU's float32 matmul peak?

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_stylegan2_step.py                 # recipe, 2 threads
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_stylegan2_step.py --widths 32 64 --batch-sizes 32 64
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_stylegan2_step.py --per-sample   # + the loop baseline

The real `Trainer.train_step()` of the `stylegan2-fashion` recipe (D phase, lazy R1 every 16 steps, G phase, lazy
path length every 4) on random 32-px images, in float32 (``train.amp=false``) and in the mode ``train.amp=auto``
picks here. A timed window is one whole lazy cycle of 16 steps (or a multiple), so the regularizers take their real
share of the time. FLOPs per step are each phase's FLOPs times its share of the steps (1, 1/16, 1/4), from
torch.utils.flop_counter's formulas: convolutions (the FIR filters' depthwise ones too) and matmuls, forward,
backward and the double backward of R1 and path length; elementwise work and Adam count as zero, so the share is
of useful work. The weight gradient of a grouped convolution is counted per group (torch's formula counts it as if
every group saw every input channel, N times too much here). The share is of the float32 matmul peak (the best
2048x2048 matmul, `bench_step.matmul_peak_gflops`) for both modes, as issue 14 asks, with the share of the mode's
own peak (bfloat16 under autocast) beside it. On a machine shared with other work, use ``--threads 1``: two
threads that must wait for each other lose far more than one when another process takes a core.

``--per-sample`` also times the modulated convolutions run as one convolution per sample (a Python loop over the
batch) instead of one grouped convolution, the implementation the grouped one replaces. Best of ``--repeats``
windows after two warm-up steps; "others %" is the CPU share other processes took meanwhile (on a shared machine the
percentages are lower bounds whenever it is not ~0).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from bench_step import OtherLoad, matmul_peak_gflops
from bench_translation_step import bf16_peak_gflops
from flops import FlopCount  # noqa: F401 (tests/benchmarks reads it here)
from machine import cpu_model
from random_batches import random_trainer

from gankit.nn import modulated_conv

QUIET = ["train.progress=false", "train.doctor=false", "train.log_every=1000000", "train.sample_every=1000000",
         "train.ckpt_every=1000000"]
CYCLE = 16  # lcm of the recipe's lazy intervals (R1 every 16, path length every 4)


def _per_sample_forward(self, x, w):
    """ModulatedConv2d.forward as one convolution per sample: the baseline the grouped convolution replaces."""
    weight = self.weights(self.styles(w)).to(x.dtype)
    out = []
    for i in range(x.shape[0]):
        if self.upsample:
            y = F.conv_transpose2d(x[i:i + 1], weight[i].transpose(0, 1), stride=2)
            p = self.kernel.shape[0] - 2 - (self.kernel_size - 1)
            out.append(modulated_conv.blur(y, self.kernel, ((p + 1) // 2 + 1, p // 2 + 1)))
        else:
            out.append(F.conv2d(x[i:i + 1], weight[i], padding=self.kernel_size // 2))
    return torch.cat(out)


@contextlib.contextmanager
def per_sample_convolutions():
    original = modulated_conv.ModulatedConv2d.forward
    modulated_conv.ModulatedConv2d.forward = _per_sample_forward
    try:
        yield
    finally:
        modulated_conv.ModulatedConv2d.forward = original


def measure(width: int, batch: int, amp: str, cycles: int, repeats: int, workdir: Path) -> dict:
    overrides = QUIET + [f"train.amp={amp}", f"train.batch_size={batch}", "data.img_size=32",
                         f"stylegan2.g_width={width}", f"stylegan2.d_width={width}"]
    trainer, config = random_trainer("stylegan2-fashion", overrides, workdir / f"{width}-{batch}-{amp}")
    for _ in range(2):  # warm-up
        trainer.train_step()
    flops = 0.0
    for phase in trainer.game.phases():  # each phase once, counted at its share of a step
        with FlopCount() as counter:
            trainer._run_phase(phase)
        flops += counter.total * phase.repeats / phase.every
    best, others = float("inf"), None
    for _ in range(repeats):
        with OtherLoad() as load:
            start = time.perf_counter()
            for _ in range(CYCLE * cycles):
                trainer.train_step()
            seconds = (time.perf_counter() - start) / (CYCLE * cycles)
        if seconds < best:
            best, others = seconds, load.share
    return {"width": width, "batch": batch, "mode": trainer.precision.mode, "ms": best * 1e3, "gflop": flops / 1e9,
            "gflops": flops / best / 1e9, "images_per_s": batch / best, "others": others}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--widths", type=int, nargs="+", default=[32], help="channels of G and D per resolution")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cycles", type=int, default=1, help="16-step cycles per timed window")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--per-sample", action="store_true", help="also time one convolution per sample")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    fp32_peak, _ = matmul_peak_gflops()
    bf16_peak = bf16_peak_gflops()
    print(f"{cpu_model()}; torch {torch.__version__}, {args.threads} threads; matmul peak float32 {fp32_peak:.0f} "
          f"GFLOP/s, bfloat16 {bf16_peak:.0f}")
    print("\n| width | batch | convolutions | arithmetic | ms/step | GFLOP/step | GFLOP/s | % fp32 peak "
          "| % own peak | img/s | others % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    variants = [("grouped", contextlib.nullcontext)] + ([("per-sample", per_sample_convolutions)]
                                                        if args.per_sample else [])
    with tempfile.TemporaryDirectory() as tmp:
        for width in args.widths:
            for batch in args.batch_sizes:
                for name, context in variants:
                    for amp in ("false", "auto"):
                        with context():
                            r = measure(width, batch, amp, args.cycles, args.repeats, Path(tmp) / name)
                        own = bf16_peak if r["mode"] == "bf16" else fp32_peak
                        others = "?" if r["others"] is None else f"{100 * r['others']:.0f}"
                        print(f"| {width} | {batch} | {name} | {r['mode']} | {r['ms']:.1f} | {r['gflop']:.2f} | "
                              f"{r['gflops']:.0f} | {100 * r['gflops'] / fp32_peak:.0f}% | "
                              f"{100 * r['gflops'] / own:.0f}% | {r['images_per_s']:.0f} | {others} |", flush=True)


if __name__ == "__main__":
    main()
