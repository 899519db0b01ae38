"""Exponential moving average of a network's weights (Karras et al. 2018; Yazıcı et al. 2019).

After each generator update: θ_ema ← β θ_ema + (1 − β) θ. Floating-point buffers (batch-norm running
statistics) are averaged the same way so that they stay consistent with the averaged weights; integer
buffers are copied. Before ``start`` steps the average simply copies the live weights.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    def __init__(self, module: nn.Module, beta: float, start: int = 0) -> None:
        self.beta = beta
        self.start = start
        self.module = copy.deepcopy(module).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, module: nn.Module, step: int) -> None:
        beta = self.beta if step >= self.start else 0.0
        ema_params = list(self.module.parameters())
        live_params = [p.detach() for p in module.parameters()]
        torch._foreach_lerp_(ema_params, live_params, 1.0 - beta)
        for ema_buffer, buffer in zip(self.module.buffers(), module.buffers()):
            if ema_buffer.dtype.is_floating_point:
                ema_buffer.lerp_(buffer, 1.0 - beta)
            else:
                ema_buffer.copy_(buffer)
