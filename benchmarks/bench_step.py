"""How close does a GAN training step come to this CPU's matmul peak?

    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py              # tuned defaults
    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py --plain      # PyTorch defaults (contiguous NCHW, for-each Adam)
    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py --compile    # also torch.compile the step's networks

1. Peak: the best of several timed 2048x2048 float32 matmuls (2 * 2048^3 FLOPs each) on
   `--threads` threads.
2. One standard training step (Goodfellow et al. 2014 with the non-saturating G loss):
   D step - a real batch and a fake batch from G (under no_grad) through D in two separate
   forwards (batch norm must see real and fake apart), loss softplus(-D(x)) + softplus(D(G(z))),
   backward, Adam; G step - D frozen (requires_grad False), loss softplus(-D(G(z))), backward,
   Adam(2e-4, betas=(0.5, 0.999)).
3. FLOPs of one step from torch.utils.flop_counter.FlopCounterMode (matmuls and convolutions,
   forward and backward; elementwise work, batch norm and Adam count as zero, so the
   percentage is of useful work).
4. Time `--steps` steps after `--warmup` steps, best of `--repeats`; print images/s,
   achieved GFLOPS and % of peak.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, replace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from gankit.models import build_discriminator, build_generator


def matmul_peak_gflops(size: int = 2048, repeats: int = 7) -> float:
    """Best-of-`repeats` float32 matmul throughput in GFLOPS: 2*size^3 / t."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    out = torch.empty(size, size)
    for _ in range(5):  # warm-up: thread pool, caches, clock ramp-up
        torch.mm(a, b, out=out)
    best = 0.0
    for _ in range(repeats):
        count = 10
        start = time.perf_counter()
        for _ in range(count):
            torch.mm(a, b, out=out)
        best = max(best, 2 * size**3 * count / (time.perf_counter() - start) / 1e9)
    return best


@dataclass(frozen=True)
class StepOptions:
    """The knobs under test; none of them changes the networks' architecture or arithmetic."""

    channels_last: bool = True  # networks + image batches in torch.channels_last (NHWC strides)
    adam: str = "fused"  # "default" (PyTorch's CPU default: per-tensor loop), "foreach" or "fused"
    mkldnn: bool = True  # torch.backends.mkldnn.enabled (oneDNN convolutions)
    compile: bool = False  # torch.compile(G), torch.compile(D) with inductor

    def label(self) -> str:
        parts = ["NHWC" if self.channels_last else "NCHW", f"adam={self.adam}"]
        parts += [] if self.mkldnn else ["no-mkldnn"]
        parts += ["compile"] if self.compile else []
        return " ".join(parts)


#: Named configurations for --variants: PyTorch defaults first, then one change at a time.
VARIANTS = {
    "plain": StepOptions(channels_last=False, adam="default"),
    "foreach": StepOptions(channels_last=False, adam="foreach"),
    "nhwc": StepOptions(channels_last=True, adam="default"),
    "tuned": StepOptions(),
    "tuned-no-mkldnn": StepOptions(mkldnn=False),
    "tuned-compile": StepOptions(compile=True),
}


@dataclass
class Case:
    name: str
    arch: str
    g_kwargs: dict
    d_kwargs: dict
    image_shape: tuple[int, ...]
    convolutional: bool


CASES = {
    "dcgan32": Case("dcgan 32px c1 w64", "dcgan", dict(z_dim=100, img_size=32, channels=1, width=64),
                    dict(img_size=32, channels=1, width=64), (1, 32, 32), True),
    "dcgan64": Case("dcgan 64px c3 w64", "dcgan", dict(z_dim=100, img_size=64, channels=3, width=64),
                    dict(img_size=64, channels=3, width=64), (3, 64, 64), True),
    "mlp28": Case("mlp 28px", "mlp", dict(z_dim=100, out_shape=(1, 28, 28)),
                  dict(in_shape=(1, 28, 28)), (1, 28, 28), False),
}


def make_step(case: Case, batch: int, opts: StepOptions) -> tuple[Callable[[], None], int]:
    """Build G, D, their optimizers and one real batch; return (step function, z_dim)."""
    generator = build_generator(case.arch, **case.g_kwargs)
    discriminator = build_discriminator(case.arch, **case.d_kwargs)
    real = torch.rand(batch, *case.image_shape) * 2 - 1
    if opts.channels_last and case.convolutional:
        generator = generator.to(memory_format=torch.channels_last)
        discriminator = discriminator.to(memory_format=torch.channels_last)
        real = real.contiguous(memory_format=torch.channels_last)
    adam = dict(lr=2e-4, betas=(0.5, 0.999))
    adam.update({"default": {}, "foreach": dict(foreach=True), "fused": dict(fused=True)}[opts.adam])
    opt_g = torch.optim.Adam(generator.parameters(), **adam)
    opt_d = torch.optim.Adam(discriminator.parameters(), **adam)
    z_dim = case.g_kwargs["z_dim"]
    g_forward: nn.Module = generator
    d_forward: nn.Module = discriminator
    if opts.compile:
        g_forward = torch.compile(generator)
        d_forward = torch.compile(discriminator)

    def step() -> None:
        # D step: real and fake in two forwards (batch norm statistics stay per-batch).
        with torch.no_grad():
            fake = g_forward(torch.randn(batch, z_dim))
        d_loss = F.softplus(-d_forward(real)).mean() + F.softplus(d_forward(fake)).mean()
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        # G step through a frozen D.
        discriminator.requires_grad_(False)
        g_loss = F.softplus(-d_forward(g_forward(torch.randn(batch, z_dim)))).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        discriminator.requires_grad_(True)

    return step, z_dim


def count_step_flops(step: Callable[[], None]) -> int:
    """FLOPs of one call of `step` (matmuls + convolutions, forward and backward)."""
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def time_steps(step: Callable[[], None], steps: int, warmup: int, repeats: int) -> float:
    """Best-of-`repeats` seconds per step after `warmup` steps."""
    for _ in range(warmup):
        step()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def measure(case: Case, batch: int, opts: StepOptions, args: argparse.Namespace) -> tuple[int, float]:
    """(FLOPs per step, best seconds per step) for one case, batch size and configuration."""
    step, _ = make_step(case, batch, opts)
    torch.backends.mkldnn.enabled = opts.mkldnn
    try:
        if opts.compile:
            step()  # compile first; FlopCounterMode then counts the eager ops the graphs replace
        flops = count_step_flops(step)
        return flops, time_steps(step, args.steps, args.warmup, args.repeats)
    finally:
        torch.backends.mkldnn.enabled = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[64, 128])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="PyTorch defaults: contiguous NCHW, default Adam")
    parser.add_argument("--compile", action="store_true", help="torch.compile G and D (inductor, needs gcc)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS),
                        help="compare these named configurations (see VARIANTS) instead")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.variants:
        configs = {name: VARIANTS[name] for name in args.variants}
    else:
        configs = {"plain" if args.plain else "tuned": VARIANTS["plain"] if args.plain else VARIANTS["tuned"]}
        if args.compile:
            configs = {name + "-compile": replace(o, compile=True) for name, o in configs.items()}
    load = os.getloadavg()[0]
    print(f"torch {torch.__version__}, {args.threads} threads, load average {load:.2f} before start")
    if load > 0.5:
        print("WARNING: other processes are using the CPU; the percentages below understate this machine.")
    # The peak is a property of the machine: re-measure between cases and keep the best, so one
    # measurement taken while another process ran cannot inflate the percentages.
    peak = matmul_peak_gflops()
    rows = []
    for key in args.cases:
        for batch in args.batch_sizes:
            for name, opts in configs.items():
                flops, seconds = measure(CASES[key], batch, opts, args)
                rows.append((CASES[key].name, batch, name, flops, seconds))
                peak = max(peak, matmul_peak_gflops(repeats=3))
    print(f"float32 matmul peak (2048x2048, best of all measurements): {peak:.1f} GFLOPS")
    print(f"{'model':<18} {'batch':>5} {'config':<16} {'ms/step':>8} {'img/s':>6} {'GFLOP/step':>10} "
          f"{'GFLOPS':>7} {'% peak':>6}")
    for model, batch, name, flops, seconds in rows:
        gflops = flops / seconds / 1e9
        print(f"{model:<18} {batch:>5} {name:<16} {seconds * 1e3:>8.1f} {batch / seconds:>6.0f} "
              f"{flops / 1e9:>10.2f} {gflops:>7.1f} {100 * gflops / peak:>6.1f}")
    print("configs: " + "; ".join(f"{name} = {opts.label()}" for name, opts in configs.items()))


if __name__ == "__main__":
    main()
