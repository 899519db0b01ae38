"""Instance noise (Sønderby et al. 2017, "Amortised MAP Inference for Image Super-resolution", §3.2;
Arjovsky & Bottou 2017, "Towards Principled Methods for Training GANs", §4)."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["instance_noise", "annealed_std"]


def instance_noise(x: Tensor, std: float, generator: torch.Generator | None = None) -> Tensor:
    """Return x + std·ε, ε ~ N(0, I), drawn on ``x``'s device.

    Adding the same noise to real and fake inputs of D makes the two distributions overlap, so the
    divergence D estimates stays finite and its gradients informative (Arjovsky & Bottou 2017);
    anneal ``std`` to 0 over training (:func:`annealed_std`). ``std`` = 0 returns ``x`` itself.
    ``generator`` (on ``x.device``) makes the draw reproducible.
    """
    if std < 0:
        raise ValueError(f"instance noise std must be >= 0, got {std}")
    if std == 0:
        return x
    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return x + std * noise


def annealed_std(step: int, total: int, start_std: float) -> float:
    """Linearly annealed noise level: σ(step) = start_std · max(0, 1 - step / total).

    Starts at ``start_std`` at step 0 and reaches 0 at ``step = total`` (and stays there).
    """
    if total <= 0:
        raise ValueError(f"total annealing steps must be positive, got {total}")
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    return start_std * max(0.0, 1.0 - step / total)
