"""Memory layout for speed: convolutional networks run faster on the CPU in channels_last (NHWC).

oneDNN, PyTorch's CPU convolution library, works in NHWC. With NCHW tensors every convolution
reorders its input, weight and output (forward and backward); with the network and its image
batches in torch.channels_last they are used in place. Measured by benchmarks/bench_step.py on
2 cores (DCGAN training step): about 12-15% faster at 32 and 64 px, the same numbers up to
float rounding. Other layouts are untouched: the arithmetic is identical.
"""

from __future__ import annotations

import torch
from torch import nn

_CONVOLUTIONS = (nn.Conv2d, nn.ConvTranspose2d)


def prefers_channels_last(module: nn.Module) -> bool:
    """True when `module` contains 2-D (transposed) convolutions, whose CPU kernels prefer NHWC."""
    return any(isinstance(layer, _CONVOLUTIONS) for layer in module.modules())


def to_channels_last(module: nn.Module) -> nn.Module:
    """Convert the 4-D parameters and buffers of a convolutional `module` to channels_last in place; return it.

    Modules without convolutions are returned unchanged. Feed such a module image batches
    converted with `images_channels_last`, so the first layer needs no reorder either.
    """
    if prefers_channels_last(module):
        module.to(memory_format=torch.channels_last)
    return module


def images_channels_last(images: torch.Tensor) -> torch.Tensor:
    """A (N, C, H, W) batch in channels_last (a copy only if it is not already); other ranks unchanged."""
    if images.dim() != 4:
        return images
    return images.contiguous(memory_format=torch.channels_last)
