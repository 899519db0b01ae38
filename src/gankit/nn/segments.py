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

MAX_DENSE = 1 << 22  # entries of a dense membership matrix (16 MiB in float32); wider tables use index kernels


def membership_matrix(segment: torch.Tensor, count: int, dtype: torch.dtype = torch.float32) -> torch.Tensor | None:
    """``(C, count)``: 1 where column c is in segment s, else 0; None when C × count exceeds `MAX_DENSE`."""
    if segment.numel() * count > MAX_DENSE:
        return None
    return torch.nn.functional.one_hot(segment, count).to(dtype)


def _segment_max(x: torch.Tensor, segment: torch.Tensor, count: int) -> torch.Tensor:
    """``(N, count)``: each segment's maximum of ``x`` ``(N, C)``, without gradient."""
    with torch.no_grad():
        out = x.new_full((x.shape[0], count), float("-inf"))
        return out.scatter_reduce(1, segment.expand(x.shape[0], -1), x, "amax", include_self=True)


def _spread(values: torch.Tensor, segment: torch.Tensor, membership: torch.Tensor | None) -> torch.Tensor:
    """``(N, C)``: each column's segment value from ``values`` ``(N, count)`` (exactly: one 1 per column)."""
    if membership is None:
        return values[:, segment]
    with torch.autocast(values.device.type, enabled=False):  # in the values' own precision, not autocast's
        return values @ membership.to(values.dtype).T


def _segment_sums(e: torch.Tensor, segment: torch.Tensor, count: int, membership: torch.Tensor | None) -> torch.Tensor:
    """``(N, count)``: the sum of ``e`` ``(N, C)`` over each segment's columns."""
    if membership is not None:
        with torch.autocast(e.device.type, enabled=False):
            return e @ membership.to(e.dtype)
    return e.new_zeros(e.shape[0], count).index_add(1, segment, e)


def segment_softmax(x: torch.Tensor, segment: torch.Tensor, count: int,
                    membership: torch.Tensor | None = None) -> torch.Tensor:
    """The softmax of each segment of the columns of ``x`` ``(N, C)``; ``segment`` ``(C,)`` int64 on x's device
    gives each column's segment in 0..count-1, ``membership`` its dense form when at hand (module docstring)."""
    top = _segment_max(x, segment, count)
    e = torch.exp(x - _spread(top, segment, membership))
    return e / _spread(_segment_sums(e, segment, count, membership), segment, membership)


def segment_logsumexp(x: torch.Tensor, segment: torch.Tensor, count: int,
                      membership: torch.Tensor | None = None) -> torch.Tensor:
    """``(N, count)``: log Σ exp over each segment of the columns of ``x`` ``(N, C)`` (module docstring)."""
    top = _segment_max(x, segment, count)
    return top + torch.log(_segment_sums(torch.exp(x - _spread(top, segment, membership)), segment, count, membership))
