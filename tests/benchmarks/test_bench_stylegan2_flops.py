"""benchmarks/bench_stylegan2_step.py: its FLOP count of a grouped convolution's backward equals that of the same
convolutions run one sample at a time (torch's formula alone counts the weight gradient N times over)."""

import importlib.util
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(_DIR))
_SPEC = importlib.util.spec_from_file_location("bench_stylegan2_step", _DIR / "bench_stylegan2_step.py")
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def test_grouped_backward_counts_like_per_sample_convolutions():
    n, c, o, k, size = 4, 3, 5, 3, 8
    x = torch.randn(n, c, size, size, requires_grad=True)
    w = torch.randn(n, o, c, k, k, requires_grad=True)
    with bench.FlopCount() as grouped:
        F.conv2d(x.reshape(1, n * c, size, size), w.reshape(n * o, c, k, k), padding=1, groups=n).sum().backward()
    with bench.FlopCount() as looped:
        torch.cat([F.conv2d(x[i:i + 1], w[i], padding=1) for i in range(n)]).sum().backward()
    forward = 2 * n * o * c * k * k * size * size  # multiply-adds of one pass, by hand
    assert looped.total == 3 * forward  # forward, input gradient, weight gradient
    assert grouped.total == looped.total
