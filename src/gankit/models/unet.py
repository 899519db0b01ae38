"""The U-Net generator of pix2pix (Isola et al. 2017, "Image-to-Image Translation with Conditional Adversarial
Networks", §3.2.1 and appendix 6.1.1).

An encoder halves the image down to 1 x 1 with 4 x 4 stride-2 convolutions (C64-C128-C256-C512-C512-...),
LeakyReLU(0.2) and batch norm (none on the first layer, none at the 1 x 1 bottleneck); a decoder doubles it back
with 4 x 4 stride-2 transposed convolutions, ReLU and batch norm, and concatenates the encoder's activation of
the same size at every level (the skip connections that carry low-level detail, such as the positions of
edges, straight across). Dropout 0.5 in the first three decoder blocks, kept on at test time, is the
generator's only noise: the paper found a latent z ignored. The last layer maps to the output channels through
Tanh. Depth is log2(size), so 32 px has 5 levels and 256 px the paper's 8.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.models.init import dcgan_init_

UNET_MIN_SIZE = 8


def norm_layer(kind: str, channels: int) -> nn.Module:
    """Batch norm (pix2pix's default) or instance norm (CycleGAN's, and pix2pix with batch size 1)."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False)
    raise ValueError(f"norm must be batch or instance, got {kind!r}")


def _unet_depth(img_size: int) -> int:
    depth = int(round(math.log2(img_size))) if img_size > 0 else 0
    if img_size < UNET_MIN_SIZE or 2 ** depth != img_size:
        raise ValueError(f"the U-Net needs a square image whose side is a power of 2 (>= {UNET_MIN_SIZE}), "
                         f"got {img_size}")
    return depth


class UNetGenerator(nn.Module):
    """U-Net ``in_channels`` -> ``out_channels`` for ``img_size`` x ``img_size`` images; widths min(w·2^i, 8w)."""

    def __init__(self, in_channels: int, out_channels: int, img_size: int, width: int = 64, dropout: float = 0.5,
                 norm: str = "batch") -> None:
        super().__init__()
        depth = _unet_depth(img_size)
        widths = [min(width * 2 ** i, width * 8) for i in range(depth)]
        self.down = nn.ModuleList()
        previous = in_channels
        for i, channels in enumerate(widths):
            layers: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2, inplace=False)]
            layers.append(nn.Conv2d(previous, channels, 4, 2, 1, bias=i == 0 or i == depth - 1))
            if 0 < i < depth - 1:
                layers.append(norm_layer(norm, channels))
            self.down.append(nn.Sequential(*layers))
            previous = channels
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):  # decoder level i produces the size of encoder level i - 1
            inner = widths[i] if i == depth - 1 else widths[i] * 2  # concatenated skip doubles the channels
            if i == 0:
                self.up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(inner, out_channels, 4, 2, 1), nn.Tanh()))
                continue
            layers = [nn.ReLU(), nn.ConvTranspose2d(inner, widths[i - 1], 4, 2, 1, bias=False),
                      norm_layer(norm, widths[i - 1])]
            if dropout > 0 and depth - 1 - i < 3:
                layers.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*layers))
        dcgan_init_(self)

    def forward(self, source: torch.Tensor) -> torch.Tensor:
        skips = []
        x = source
        for block in self.down:
            x = block(x)
            skips.append(x)
        skips.pop()  # the bottleneck feeds the decoder directly
        for block in self.up:
            x = block(x)
            if skips:
                x = torch.cat([x, skips.pop()], dim=1)
        return x
