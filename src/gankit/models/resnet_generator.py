"""The ResNet generator of CycleGAN (Zhu et al. 2017, "Unpaired Image-to-Image Translation using
Cycle-Consistent Adversarial Networks", appendix 7.2; after Johnson et al. 2016's style-transfer network).

In the paper's notation, with ``k`` = ``width`` (64 in the paper):

    c7s1-k, d2k, d4k, R4k × n_blocks, u2k, uk, c7s1-C, Tanh

- ``c7s1-k``: 7 x 7 convolution, stride 1, k filters, after a 3-pixel reflection padding; instance norm, ReLU;
- ``dk``: 3 x 3 convolution, stride 2 (halves the side), instance norm, ReLU;
- ``Rk``: a residual block ``x + IN(conv3(ReLU(IN(conv3(x)))))``, each 3 x 3 convolution after a 1-pixel
  reflection padding (so the borders see mirrored content rather than zeros);
- ``uk``: 3 x 3 fractionally-strided (transposed) convolution, stride 1/2 (doubles the side), instance norm, ReLU;
- the last ``c7s1`` maps to the output channels, without norm, through Tanh.

The paper uses 6 blocks at 128 px and 9 at 256 px. Each block widens the receptive field by 4 pixels of the
bottleneck (a quarter of the image side): at 32 px the bottleneck is 8 x 8, and two blocks already let every
output see the whole of it, so the paper's 6 buy capacity rather than context there. gankit's default of 4
(`cycle.n_blocks`) keeps two blocks of capacity beyond the full field at two thirds of the cost of 6.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.init import dcgan_init_

RESNET_MIN_SIZE = 4  # the side must halve twice to a whole number of pixels


def _norm(channels: int) -> nn.Module:
    return nn.InstanceNorm2d(channels, affine=False)


class ResidualBlock(nn.Module):
    """``x + IN(conv3x3(ReLU(IN(conv3x3(x)))))`` with reflection padding (He et al. 2016, as CycleGAN uses it)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=False), _norm(channels), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=False), _norm(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResNetGenerator(nn.Module):
    """``in_channels`` -> ``out_channels`` images of the same size (side divisible by 4), in [-1, 1]."""

    def __init__(self, in_channels: int, out_channels: int, width: int = 64, n_blocks: int = 4) -> None:
        super().__init__()
        if width < 1 or n_blocks < 0:
            raise ValueError(f"width must be positive and n_blocks 0 or more, got {width} and {n_blocks}")
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, width, 7, bias=False), _norm(width),
                                   nn.ReLU(True)]
        channels = width
        for _ in range(2):  # d2k, d4k
            layers += [nn.Conv2d(channels, 2 * channels, 3, 2, 1, bias=False), _norm(2 * channels), nn.ReLU(True)]
            channels *= 2
        layers += [ResidualBlock(channels) for _ in range(n_blocks)]
        for _ in range(2):  # u2k, uk
            layers += [nn.ConvTranspose2d(channels, channels // 2, 3, 2, 1, output_padding=1, bias=False),
                       _norm(channels // 2), nn.ReLU(True)]
            channels //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(channels, out_channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)  # N(0, 0.02), as the CycleGAN code initialises its networks

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"the ResNet generator needs sides divisible by 4, got {tuple(x.shape[-2:])}")
        return self.net(x)
