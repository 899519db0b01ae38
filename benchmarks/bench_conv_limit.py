"""How far a recipe's float32 step is from this machine's convolution limit (issue 18, part 4).

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_conv_limit.py --threads 2 [--recipe dcgan-fashion]

1. Builds the recipe's trainer exactly as `bench_train.py` does, in float32 (``train.amp=false``), and records
   every convolution one training step dispatches (``aten.convolution`` forward, ``aten.convolution_backward``
   with its output mask: input gradient, weight gradient, bias gradient), with each operand's shape, strides
   (NCHW or channels-last) and the layer's stride, padding, dilation, transposition and groups.
2. Replays each distinct call alone, on random operands of the same shapes and memory formats, through the same
   aten operator (oneDNN on this CPU), ``--repeats`` times after a warm-up, and keeps its best time: the speed
   that call's shape allows here. FLOPs come from torch.utils.flop_counter's formulas (`flops.FlopCount`).
3. Times whole steps. The sum over the recorded calls of (count × best isolated time) is the step's
   **convolution limit**: the time the step would take if everything else (batch norm, activations, losses,
   the optimizer, autograd's bookkeeping) were free and each convolution ran as fast as it does alone.

Prints, per distinct call: count per step, GFLOP, isolated ms and GFLOP/s and the share of the fp32 matmul peak;
then the step: measured time, the convolution limit, the share of the step spent outside the convolutions, and
the step's own GFLOP/s against the limit's. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from bench_step import matmul_peak_gflops
from bench_train import build_trainer
from flops import FlopCount
from machine import cpu_model

CONV_OPS = (torch.ops.aten.convolution.default, torch.ops.aten.convolution_backward.default)


def _layout(t: torch.Tensor) -> str:
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(memory_format=torch.channels_last):
        return "NHWC"
    return "NCHW" if t.dim() == 4 else "contiguous"


def _spec(value: Any) -> Any:
    """A hashable description of an operand: (shape, layout, dtype) for tensors, the value otherwise."""
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape), _layout(value), str(value.dtype))
    if isinstance(value, (list, tuple)):
        return tuple(_spec(v) for v in value)
    return value


def _build(spec: Any, generator: torch.Generator) -> Any:
    """Random operands from `_spec`'s description."""
    if isinstance(spec, tuple) and spec[:1] == ("tensor",):
        _, shape, layout, dtype = spec
        t = torch.randn(shape, generator=generator, dtype=getattr(torch, dtype.split(".")[-1]))
        return t.contiguous(memory_format=torch.channels_last) if layout == "NHWC" else t
    if isinstance(spec, tuple):
        return [_build(s, generator) for s in spec]
    return spec


class ConvRecorder(TorchDispatchMode):
    """Counts each distinct convolution call (operator + operand descriptions) dispatched meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func in CONV_OPS:
            self.calls[(func, _spec(tuple(args)))] += 1
        return func(*args, **(kwargs or {}))


def time_call(func: Any, spec: tuple, repeats: int) -> tuple[float, int]:
    """(best seconds of one call, its FLOPs) on random operands of the recorded shapes."""
    args = _build(spec, torch.Generator().manual_seed(0))
    with FlopCount() as counter:
        func(*args)
    for _ in range(3):
        func(*args)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best, counter.total


def describe(func: Any, spec: tuple) -> str:
    """'fwd 64x128x8x8 NHWC * 256x128x4x4 s2 p1 T' style: the input, weight, stride, padding, transposition."""
    if func is torch.ops.aten.convolution.default:
        x, w, stride, padding, transposed = spec[0], spec[1], spec[3], spec[4], spec[6]
        kind = "fwd"
    else:
        x, w, stride, padding, transposed, mask = spec[1], spec[2], spec[4], spec[5], spec[7], spec[10]
        kind = "bwd " + "+".join(name for name, on in zip(("dx", "dw", "db"), mask) if on)
    shape = lambda s: "x".join(map(str, s[1]))  # noqa: E731
    return (f"{kind} {shape(x)} {x[2]} * {shape(w)} s{stride[0]} p{padding[0]}"
            f"{' transposed' if transposed else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="dcgan-fashion")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20, help="whole steps timed")
    parser.add_argument("--repeats", type=int, default=20, help="timings of each isolated call (best kept)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    peak, _ = matmul_peak_gflops()
    trainer, images_per_step = build_trainer(args.recipe, f"/tmp/gankit-conv-limit-{args.recipe}",
                                             ["train.amp=false"])
    for _ in range(3):
        trainer.train_step()
    with ConvRecorder() as recorder:
        trainer.train_step()
    with FlopCount() as counter:
        trainer.train_step()
    start = time.perf_counter()
    for _ in range(args.steps):
        trainer.train_step()
    step_seconds = (time.perf_counter() - start) / args.steps

    print(f"machine: {cpu_model()}, {args.threads} threads, torch {torch.__version__}, float32 matmul peak "
          f"{peak:.1f} GFLOP/s; recipe {args.recipe}, {images_per_step} images per step\n")
    print("| call | per step | GFLOP | isolated ms | GFLOP/s | share of peak |")
    print("|---|---|---|---|---|---|")
    limit, conv_flops = 0.0, 0
    for (func, spec), count in sorted(recorder.calls.items(), key=lambda item: describe(*item[0])):
        seconds, flops = time_call(func, spec, args.repeats)
        limit += count * seconds
        conv_flops += count * flops
        rate = flops / seconds / 1e9
        print(f"| {describe(func, spec)} | {count} | {flops / 1e9:.3f} | {1e3 * seconds:.2f} | {rate:.1f} | "
              f"{100 * rate / peak:.0f}% |")
    print(f"\nstep: {1e3 * step_seconds:.1f} ms measured ({counter.total / step_seconds / 1e9:.1f} GFLOP/s, "
          f"{100 * counter.total / step_seconds / 1e9 / peak:.0f}% of the peak, {images_per_step / step_seconds:.0f} "
          f"images/s); convolutions alone {1e3 * limit:.1f} ms ({conv_flops / limit / 1e9:.1f} GFLOP/s, "
          f"{100 * conv_flops / limit / 1e9 / peak:.0f}% of the peak; {100 * conv_flops / counter.total:.0f}% of the "
          f"step's FLOPs); outside the convolutions {1e3 * (step_seconds - limit):.1f} ms "
          f"({100 * (step_seconds - limit) / step_seconds:.0f}% of the step)")


if __name__ == "__main__":
    main()
