"""Softmax and log-sum-exp over many spans at once equal the per-span torch functions, values and gradients."""

from __future__ import annotations

import math

import pytest
import torch

from gankit.nn.segments import membership_matrix, segment_logsumexp, segment_softmax

WIDTHS = (1, 3, 2, 5)  # spans of a row, in order (a one-column span is a softmax of one: always 1)
SEGMENT = torch.tensor([s for s, w in enumerate(WIDTHS) for _ in range(w)])
DENSE = membership_matrix(SEGMENT, len(WIDTHS))
BOTH = pytest.mark.parametrize("membership", [None, DENSE], ids=["index", "dense"])


def _spans(x: torch.Tensor) -> list[torch.Tensor]:
    return list(x.split(WIDTHS, dim=1))


@BOTH
def test_by_hand(membership):
    x = torch.tensor([[0.0, math.log(1.0), math.log(3.0), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    p = segment_softmax(x, SEGMENT, len(WIDTHS), membership)
    assert torch.allclose(p[0, :4], torch.tensor([1.0, 0.2, 0.6, 0.2]))  # 1/5, 3/5, 1/5
    lse = segment_logsumexp(x, SEGMENT, len(WIDTHS), membership)
    assert torch.allclose(lse[0], torch.tensor([0.0, math.log(5.0), math.log(2.0), math.log(5.0)]))


@BOTH
def test_equal_to_per_span_functions_with_gradients(membership):
    torch.manual_seed(0)
    x = (torch.randn(6, sum(WIDTHS)) * 30).requires_grad_()  # large logits: the maxima keep exp in range
    weights = torch.randn(6, sum(WIDTHS))
    p = segment_softmax(x, SEGMENT, len(WIDTHS), membership)
    reference = torch.cat([torch.softmax(s, dim=1) for s in _spans(x)], dim=1)
    assert torch.isfinite(p).all() and torch.allclose(p, reference, atol=1e-6)
    grad, = torch.autograd.grad((p * weights).sum(), x)
    grad_ref, = torch.autograd.grad((reference * weights).sum(), x)
    assert torch.allclose(grad, grad_ref, atol=1e-5)

    lse = segment_logsumexp(x, SEGMENT, len(WIDTHS), membership)
    lse_ref = torch.stack([torch.logsumexp(s, dim=1) for s in _spans(x)], dim=1)
    assert torch.allclose(lse, lse_ref, atol=1e-5)
    grad, = torch.autograd.grad(lse.sum(), x)
    assert torch.allclose(grad, reference.detach(), atol=1e-6)  # d logsumexp / dx = softmax


def test_the_dense_membership_matrix_and_its_bound(monkeypatch):
    assert DENSE.shape == (sum(WIDTHS), len(WIDTHS)) and torch.equal(DENSE.sum(1), torch.ones(sum(WIDTHS)))
    assert torch.equal(DENSE.argmax(1), SEGMENT)
    monkeypatch.setattr("gankit.nn.segments.MAX_DENSE", sum(WIDTHS) * len(WIDTHS) - 1)
    assert membership_matrix(SEGMENT, len(WIDTHS)) is None  # too wide: the index kernels


def test_dense_sums_keep_float32_under_bfloat16_autocast():
    """The maxima spread by a product with M must be the maxima themselves: autocast would round them to bfloat16
    and log-sum-exp = m + log Σ exp(x - m̃) would be off by m - m̃."""
    torch.manual_seed(1)
    x = torch.randn(4, sum(WIDTHS)) * 30 + 1000
    with torch.autocast("cpu", dtype=torch.bfloat16):
        dense = segment_logsumexp(x, SEGMENT, len(WIDTHS), DENSE)
        p = segment_softmax(x, SEGMENT, len(WIDTHS), DENSE)
    assert dense.dtype == torch.float32
    assert torch.allclose(dense, segment_logsumexp(x, SEGMENT, len(WIDTHS)), atol=1e-4)
    assert torch.allclose(p, segment_softmax(x, SEGMENT, len(WIDTHS)), atol=1e-6)
