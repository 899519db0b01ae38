"""Minibatch averaging (Choi et al. 2017, "Generating Multi-label Discrete Patient Records using Generative
Adversarial Networks", §3.2): each sample is judged beside the mean of its minibatch.

    x_i -> x_i ⊕ x̄,   x̄ = (1/m) Σ_j x_j

A discriminator that sees x̄ can tell a batch whose columns have the wrong rates (or that collapsed onto one
record) from a real one, a cheaper cousin of minibatch discrimination (Salimans et al. 2016).
"""

from __future__ import annotations

import torch

__all__ = ["minibatch_averaging"]


def minibatch_averaging(x: torch.Tensor) -> torch.Tensor:
    """``(N, D)`` -> ``(N, 2D)``: each row followed by the mean row of the batch."""
    return torch.cat([x, x.mean(dim=0, keepdim=True).expand_as(x)], dim=1)
