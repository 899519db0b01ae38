"""Equalized learning rate layers (Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of
GANs", §4.1; lr_multiplier as in StyleGAN's mapping network)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["EqualizedLinear", "EqualizedConv2d"]


class EqualizedLinear(nn.Module):
    """Linear layer whose weight is stored as N(0, 1/λ²) and scaled at run time:

        y = x · (c·λ·W)ᵀ + λ·b,   c = gain · sqrt(2 / fan_in),   λ = lr_multiplier

    The effective weight c·λ·W ~ N(0, c²) is He-initialised (gain = 1: output variance 2× the input
    variance for unit-variance inputs, right before a ReLU; gain = 1/√2: unit variance). Because the
    scale is applied at run time, Adam's (scale-free) update moves every layer's effective weights
    by the same amount relative to their size, whatever the fan-in; λ < 1 slows a layer down.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        gain: float = 1.0,
        lr_multiplier: float = 1.0,
        bias_init: float = 0.0,
    ) -> None:
        super().__init__()
        if lr_multiplier <= 0:
            raise ValueError(f"lr_multiplier must be positive, got {lr_multiplier}")
        self.in_features = in_features
        self.out_features = out_features
        self.lr_multiplier = lr_multiplier
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.full((out_features,), bias_init / lr_multiplier)) if bias else None
        self.scale = gain * math.sqrt(2.0 / in_features) * lr_multiplier

    def forward(self, x: Tensor) -> Tensor:
        bias = self.bias * self.lr_multiplier if self.bias is not None else None
        return F.linear(x, self.weight * self.scale, bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}, lr_multiplier={self.lr_multiplier}"
        )


class EqualizedConv2d(nn.Module):
    """2-D convolution with an equalized learning rate (Karras et al. 2018, §4.1):

        y = conv(x, c·λ·W) + λ·b,   c = gain · sqrt(2 / fan_in),   fan_in = C_in · k_h · k_w

    with W stored as N(0, 1/λ²); see :class:`EqualizedLinear`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        *,
        gain: float = 1.0,
        lr_multiplier: float = 1.0,
    ) -> None:
        super().__init__()
        if lr_multiplier <= 0:
            raise ValueError(f"lr_multiplier must be positive, got {lr_multiplier}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.lr_multiplier = lr_multiplier
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size) / lr_multiplier)
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        fan_in = in_channels * kernel_size * kernel_size
        self.scale = gain * math.sqrt(2.0 / fan_in) * lr_multiplier

    def forward(self, x: Tensor) -> Tensor:
        bias = self.bias * self.lr_multiplier if self.bias is not None else None
        return F.conv2d(x, self.weight * self.scale, bias, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding}, bias={self.bias is not None}, lr_multiplier={self.lr_multiplier}"
        )
