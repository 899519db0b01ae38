"""Minibatch standard deviation layer (Karras et al. 2018, "Progressive Growing of GANs", §3)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["MinibatchStdDev"]


class MinibatchStdDev(nn.Module):
    """Append the average within-group standard deviation as ``num_features`` extra channels.

    For a group of G samples (ProGAN §3; the StyleGAN2 form with ``num_features`` > 1):

        s_f = mean_{c ∈ f, pixels} sqrt( Var_{g=1..G}[x_{g,c,h,w}] + 1e-8 )

    (biased variance over the group, channels split into ``num_features`` equal parts), broadcast
    over the spatial positions and concatenated to every sample of the group. A discriminator that
    sees this statistic can tell a collapsed batch of near-identical fakes from a diverse real one.

    Works on images ``(N, C, H, W)`` (output ``(N, C + F, H, W)``) and vectors ``(N, D)`` (output
    ``(N, D + F)``). The group size is ``min(group_size, N)``; when that does not divide N, it falls
    back to the largest divisor of N below it (so a prime batch size gives groups of one sample and
    a feature of ≈ 1e-4, i.e. no information). Group members are strided: sample n belongs to group
    n mod (N / G), as in StyleGAN2.
    """

    def __init__(self, group_size: int = 4, num_features: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        if group_size < 1 or num_features < 1:
            raise ValueError(f"group_size and num_features must be >= 1, got {group_size}, {num_features}")
        self.group_size = group_size
        self.num_features = num_features
        self.eps = eps

    def effective_group_size(self, batch: int) -> int:
        """The group size actually used for a batch of ``batch`` samples (see class docstring)."""
        size = min(self.group_size, batch)
        while batch % size:
            size -= 1
        return size

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() < 2:
            raise ValueError(f"MinibatchStdDev expects (N, C, ...) input, got shape {tuple(x.shape)}")
        n, c = x.shape[:2]
        spatial = x.shape[2:]
        f = self.num_features
        if c % f:
            raise ValueError(f"channels ({c}) must be divisible by num_features ({f})")
        g = self.effective_group_size(n)
        y = x.reshape(g, n // g, f, c // f, *spatial)  # [G, M, F, C/F, *spatial]
        y = y - y.mean(dim=0)
        y = (y.square().mean(dim=0) + self.eps).sqrt()  # [M, F, C/F, *spatial]
        y = y.flatten(2).mean(dim=2)  # [M, F]
        y = y.reshape(n // g, f, *([1] * len(spatial))).expand(n // g, f, *spatial)
        y = y.repeat(g, *([1] * (1 + len(spatial))))  # sample n = g_idx * M + m
        return torch.cat([x, y.to(x.dtype)], dim=1)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}, num_features={self.num_features}"
