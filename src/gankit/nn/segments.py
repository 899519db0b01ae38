"""Softmax and log-sum-exp over many one-hot spans of a row at once (the spans of a table row, Xu et al. 2019).

The columns ``x[:, c]`` are split into S segments by ``segment[c]`` (0..S-1, each column in one). Per row,

    m_s = max_{c in s} x_c                         (held constant: it only keeps exp in range)
    Z_s = Σ_{c in s} exp(x_c - m_s)
    softmax(x)_c = exp(x_c - m_{s(c)}) / Z_{s(c)}
    logsumexp(x)_s = m_s + log Z_s

which is ``torch.softmax`` / ``torch.logsumexp`` of each span alone, in a fixed handful of kernels however many
spans there are (one scatter for the maxima, one index-add for the sums) instead of a few per span: a table of
30 continuous columns has 31 spans, and the per-span loop's small kernels and their autograd nodes were most of
a CTGAN step on one CPU thread. Results equal the per-span ones within float rounding (the order of a sum).
"""

from __future__ import annotations

import torch


def _segment_max(x: torch.Tensor, segment: torch.Tensor, count: int) -> torch.Tensor:
    """``(N, count)``: each segment's maximum of ``x`` ``(N, C)``, without gradient."""
    with torch.no_grad():
        out = x.new_full((x.shape[0], count), float("-inf"))
        return out.scatter_reduce(1, segment.expand(x.shape[0], -1), x, "amax", include_self=True)


def segment_softmax(x: torch.Tensor, segment: torch.Tensor, count: int) -> torch.Tensor:
    """The softmax of each segment of the columns of ``x`` ``(N, C)``; ``segment`` ``(C,)`` int64 on x's device
    gives each column's segment in 0..count-1 (module docstring)."""
    top = _segment_max(x, segment, count)
    e = torch.exp(x - top[:, segment])
    total = x.new_zeros(x.shape[0], count).index_add(1, segment, e)
    return e / total[:, segment]


def segment_logsumexp(x: torch.Tensor, segment: torch.Tensor, count: int) -> torch.Tensor:
    """``(N, count)``: log Σ exp over each segment of the columns of ``x`` ``(N, C)`` (module docstring)."""
    top = _segment_max(x, segment, count)
    total = x.new_zeros(x.shape[0], count).index_add(1, segment, torch.exp(x - top[:, segment]))
    return top + torch.log(total)
