"""Pixel-wise feature vector normalization (Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of
GANs", §4.2)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["PixelNorm", "pixel_norm"]


def pixel_norm(x: Tensor, eps: float = 1e-8) -> Tensor:
    """Normalize the feature vector of every pixel to unit average square (ProGAN eq. of §4.2):

        b_{x,y} = a_{x,y} / sqrt( (1/N) Σ_j (a^j_{x,y})² + ε ),   ε = 1e-8,

    over the N channels (dim 1) of ``(N, C, ...)`` input; a latent ``(N, C)`` is normalized the same way.
    """
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + eps)


class PixelNorm(nn.Module):
    """:func:`pixel_norm` as a layer (no parameters); ProGAN's generator applies it after every convolution."""

    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        return pixel_norm(x, self.eps)
