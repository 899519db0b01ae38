"""The PatchGAN discriminator of pix2pix (Isola et al. 2017, §3.2.2 and appendix 6.1.2).

It judges an image patch by patch: 4 x 4 convolutions C64-C128-C256 (stride 2), then C512 and a 1-channel
convolution at stride 1, LeakyReLU(0.2) and norm after all but the first; its output is a map of logits, one
per overlapping receptive field. With ``n_layers`` strided blocks the field is 16, 34, 70 or 142 px for 1, 2, 3
or 4 (the paper's 70 x 70 PatchGAN is ``n_layers=3``). For a conditional discriminator the input is the
channel-wise concatenation of the source image and the (real or generated) target, so it judges whether the
pair matches, not only whether the output looks real.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.init import dcgan_init_
from gankit.models.unet import norm_layer


def patch_receptive_field(n_layers: int) -> int:
    """The receptive field in pixels of one output logit, back through the stack: r <- (r - 1)·stride + kernel."""
    field = 1
    for kernel, stride in reversed([(4, 2)] * n_layers + [(4, 1), (4, 1)]):
        field = (field - 1) * stride + kernel
    return field


class PatchDiscriminator(nn.Module):
    """``n_layers``-deep PatchGAN on ``in_channels``; returns logits ``(N, 1, h, w)``, one per patch."""

    def __init__(self, in_channels: int, width: int = 64, n_layers: int = 3, norm: str = "batch") -> None:
        super().__init__()
        if not 1 <= n_layers <= 5:
            raise ValueError(f"n_layers must be 1 to 5, got {n_layers}")
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels = width
        for i in range(1, n_layers + 1):
            out = width * min(2 ** i, 8)
            stride = 2 if i < n_layers else 1
            layers += [nn.Conv2d(channels, out, 4, stride, 1, bias=False), norm_layer(norm, out), nn.LeakyReLU(0.2)]
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The activation after each LeakyReLU (the intermediate features Pix2PixHD's feature matching compares),
        then the logits: ``n_layers + 2`` tensors, the last equal to `forward(x)`."""
        out = []
        for layer in self.net:
            x = layer(x)
            if isinstance(layer, nn.LeakyReLU):
                out.append(x)
        return out + [x]

    @staticmethod
    def min_size(n_layers: int) -> int:
        """The smallest input side that leaves a logit map: ``3 * 2**n_layers`` px."""
        return 3 * 2 ** n_layers
