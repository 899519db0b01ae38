"""How close does a GAN training step come to this CPU's matmul peak?

    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py              # tuned configuration
    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py --plain      # PyTorch defaults
    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py --variants plain nhwc tuned tuned-compile
    PYTHONPATH=src .venv/bin/python benchmarks/bench_step.py --cases dcgan64 --batch-sizes 128 --repeats 10

1. Peak: the best of several timed 2048x2048 float32 matmuls (2 * 2048^3 FLOPs each) on
   `--threads` threads, re-measured between cases (the best is kept: it is a property of
   the machine, and a measurement disturbed by another process can only be lower).
2. One standard training step (Goodfellow et al. 2014 with the non-saturating G loss):
   D step - a real batch and a fake batch from G (under no_grad) through D in two separate
   forwards (batch norm must see real and fake apart), loss softplus(-D(x)) + softplus(D(G(z))),
   backward, Adam; G step - D frozen (requires_grad False), loss softplus(-D(G(z))), backward,
   Adam(2e-4, betas=(0.5, 0.999)). zero_grad(set_to_none=True) throughout.
3. FLOPs of one step from torch.utils.flop_counter.FlopCounterMode (matmuls and convolutions,
   forward and backward, only the gradients actually computed; elementwise work, batch norm
   and Adam count as zero, so the percentage is of useful work).
4. Time `--steps` steps after `--warmup` steps, best of `--repeats` windows; print ms/step,
   real images/s, achieved GFLOPS, % of peak, and the share of the machine's CPU that OTHER
   processes used during the best window ("others %", from /proc/stat; on a shared machine
   read the percentages as lower bounds whenever that column is not ~0).

Configurations (`VARIANTS`): none changes the networks or their arithmetic. "tuned", the
default, is what the training engine should do on a CPU: networks and image batches in
torch.channels_last, fused Adam. See the docstring of gankit.models for the measured table.
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


class OtherLoad:
    """Context manager: the share of all CPUs that other processes (or the hypervisor) used meanwhile.

    share = (busy CPU seconds of the machine - CPU seconds of this process) / (wall seconds * CPUs),
    from the first line of /proc/stat (user, nice, system, irq, softirq, steal). None off Linux.
    """

    share: float | None = None

    @staticmethod
    def _busy_seconds() -> float | None:
        try:
            with open("/proc/stat") as stat:
                fields = [int(v) for v in stat.readline().split()[1:9]]
        except OSError:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> "OtherLoad":
        self._wall, self._own, self._busy = time.perf_counter(), sum(os.times()[:2]), self._busy_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        busy = self._busy_seconds()
        if busy is None or self._busy is None:
            return
        wall = time.perf_counter() - self._wall
        own = sum(os.times()[:2]) - self._own
        self.share = max(0.0, (busy - self._busy - own) / (wall * (os.cpu_count() or 1)))


def wait_for_quiet(patience: float, threshold: float = 0.1) -> float | None:
    """Wait up to `patience` seconds for a second in which other processes use < `threshold` of the CPUs.

    Returns the last measured share (None off Linux). For shared machines: a 2-thread step
    slows down several-fold as soon as another process takes one of the two cores.
    """
    deadline = time.perf_counter() + patience
    while True:
        with OtherLoad() as load:
            time.sleep(1.0)
        if load.share is None or load.share < threshold or time.perf_counter() > deadline:
            return load.share
        time.sleep(4.0)


def matmul_peak_gflops(size: int = 2048, repeats: int = 7) -> tuple[float, float | None]:
    """(best float32 matmul GFLOPS = 2*size^3 / t over `repeats` windows, other processes' CPU share then)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    out = torch.empty(size, size)
    for _ in range(5):  # warm-up: thread pool, caches, clock ramp-up
        torch.mm(a, b, out=out)
    best, others = 0.0, None
    for _ in range(repeats):
        count = 10
        with OtherLoad() as load:
            start = time.perf_counter()
            for _ in range(count):
                torch.mm(a, b, out=out)
            gflops = 2 * size**3 * count / (time.perf_counter() - start) / 1e9
        if gflops > best:
            best, others = gflops, load.share
    return best, others


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


@dataclass(frozen=True)
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


def make_step(case: Case, batch: int, opts: StepOptions) -> Callable[[], None]:
    """Build G, D, their optimizers and one real batch; return a function running one training step."""
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
    g_forward: nn.Module = torch.compile(generator) if opts.compile else generator
    d_forward: nn.Module = torch.compile(discriminator) if opts.compile else discriminator

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

    return step


def count_step_flops(case: Case, batch: int) -> int:
    """FLOPs of one eager training step (matmuls + convolutions, forward and backward)."""
    step = make_step(case, batch, StepOptions(channels_last=False, adam="foreach"))
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def time_steps(step: Callable[[], None], steps: int, warmup: int, repeats: int) -> tuple[float, float | None]:
    """(best-of-`repeats` seconds per step after `warmup` steps, other processes' CPU share in that window)."""
    for _ in range(warmup):
        step()
    best, others = float("inf"), None
    for _ in range(repeats):
        with OtherLoad() as load:
            start = time.perf_counter()
            for _ in range(steps):
                step()
            seconds = (time.perf_counter() - start) / steps
        if seconds < best:
            best, others = seconds, load.share
    return best, others


def measure(case: Case, batch: int, opts: StepOptions, args: argparse.Namespace) -> tuple[float, float | None]:
    """Best seconds per step (and others' CPU share meanwhile) for one case, batch size and configuration."""
    step = make_step(case, batch, opts)
    torch.backends.mkldnn.enabled = opts.mkldnn
    try:
        return time_steps(step, args.steps, args.warmup + (2 if opts.compile else 0), args.repeats)
    finally:
        torch.backends.mkldnn.enabled = True


def _percent(share: float | None) -> str:
    return "?" if share is None else f"{100 * share:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[64, 128])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each measurement wait up to SECONDS for other processes to go quiet")
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
        name = "plain" if args.plain else "tuned"
        configs = {name: VARIANTS[name]}
    if args.compile:
        configs = {name + "+compile": replace(opts, compile=True) for name, opts in configs.items()}
    print(f"torch {torch.__version__}, {args.threads} threads, {os.cpu_count()} CPUs")
    wait_for_quiet(args.wait_quiet)
    peak, peak_others = matmul_peak_gflops()
    rows = []
    for key in args.cases:
        for batch in args.batch_sizes:
            flops = count_step_flops(CASES[key], batch)
            for name, opts in configs.items():
                wait_for_quiet(args.wait_quiet)
                seconds, others = measure(CASES[key], batch, opts, args)
                rows.append((CASES[key].name, batch, name, flops, seconds, others))
                print(f"  measured {CASES[key].name} batch {batch} {name}: {seconds * 1e3:.1f} ms/step", flush=True)
                wait_for_quiet(args.wait_quiet)
                new_peak, new_others = matmul_peak_gflops(repeats=3)
                if new_peak > peak:
                    peak, peak_others = new_peak, new_others
    print(f"float32 matmul peak (2048x2048, best of all measurements): {peak:.1f} GFLOPS "
          f"(others used {_percent(peak_others)}% of the CPUs meanwhile)")
    print(f"{'model':<18} {'batch':>5} {'config':<16} {'ms/step':>8} {'img/s':>6} {'GFLOP/step':>10} "
          f"{'GFLOPS':>7} {'% peak':>6} {'others %':>8}")
    for model, batch, name, flops, seconds, others in rows:
        gflops = flops / seconds / 1e9
        print(f"{model:<18} {batch:>5} {name:<16} {seconds * 1e3:>8.1f} {batch / seconds:>6.0f} "
              f"{flops / 1e9:>10.2f} {gflops:>7.1f} {100 * gflops / peak:>6.1f} {_percent(others):>8}")
    print("configs: " + "; ".join(f"{name} = {opts.label()}" for name, opts in configs.items()))


if __name__ == "__main__":
    main()
