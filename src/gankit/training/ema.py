"""Exponential moving average of a network's weights (Karras et al. 2018; Yazıcı et al. 2019), with the ramp-up
of StyleGAN2-ADA (Karras et al. 2020).

After each generator update: θ_ema ← β θ_ema + (1 − β) θ. Floating-point buffers (batch-norm running
statistics) are averaged the same way so that they stay consistent with the averaged weights; integer
buffers are copied, and so are the buffers a network names in its ``ema_copied_buffers`` attribute (a running
mean that is an average already, StyleGAN2's w_avg). Before ``start`` steps the average simply copies the live
weights.

Spectral norm's power-iteration vectors u, v are not averaged: an average of unit vectors is shorter than 1
and off the averaged weight's singular vectors, so the σ = uᵀWv the averaged network divides by in eval mode
would be too small (measured on a SAGAN G after 1,500 steps: up to 2.3× too small, its activations 6× too
large). They are copied while the average copies the weights, and after each update one power iteration on
the averaged weights carries them along (`gankit.nn.power_iteration_`), as training does for the live weights.

Ramp-up (``rampup`` r > 0): early in training the average would hold on to the random initial weights for many
steps, so its half-life, h = ln 0.5 / ln β steps, is capped at r·t after t steps (StyleGAN2-ADA's
``ema_rampup``, there in images: min(ema_kimg, r·cur_kimg)). The β of step t is then

    β_t = min(β, 0.5^(1 / (r·t)))

(r = 0.05: after 100 steps the half-life is at most 5 steps).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from gankit.nn import power_iteration_, power_iteration_vectors


def ramped_beta(beta: float, rampup: float, step: int) -> float:
    """β after `step` ≥ 1 updates with ramp-up `rampup` (0: off): min(β, 0.5^(1 / (rampup·step)))."""
    if rampup <= 0:
        return beta
    return min(beta, 0.5 ** (1.0 / max(rampup * step, 1e-8)))


class EMA:
    def __init__(self, module: nn.Module, beta: float, start: int = 0, rampup: float = 0.0) -> None:
        self.beta = beta
        self.start = start
        self.rampup = rampup
        self.module = copy.deepcopy(module).eval().requires_grad_(False)
        self.copied = set(getattr(module, "ema_copied_buffers", ()))
        self.vectors = power_iteration_vectors(self.module)

    @torch.no_grad()
    def update(self, module: nn.Module, step: int) -> None:
        beta = ramped_beta(self.beta, self.rampup, step) if step >= self.start else 0.0
        ema_params = list(self.module.parameters())
        live_params = [p.detach() for p in module.parameters()]
        torch._foreach_lerp_(ema_params, live_params, 1.0 - beta)
        for (name, ema_buffer), buffer in zip(self.module.named_buffers(), module.buffers()):
            if name in self.vectors:
                if beta == 0.0:
                    ema_buffer.copy_(buffer)
            elif ema_buffer.dtype.is_floating_point and name not in self.copied:
                ema_buffer.lerp_(buffer, 1.0 - beta)
            else:
                ema_buffer.copy_(buffer)
        if self.vectors and beta > 0.0:
            power_iteration_(self.module)
