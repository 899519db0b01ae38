"""SAGAN's generator (Zhang, Goodfellow, Metaxas & Odena 2019, "Self-Attention Generative Adversarial
Networks", §4 and the official code), scaled to 8–64 px.

z → linear → 4×4 map → residual up-sampling blocks (`gankit.models.resblocks.GBlock`) to the image size, a
self-attention block (`gankit.nn.SelfAttention2d`) after the block that reaches ``attention`` px (SAGAN puts it
at 32 and 64 px of 128-px images; at 32 px the same place is 16 px), then BN → ReLU → conv3 → tanh. The batch
norms of the blocks are class-conditional (`gankit.nn.ConditionalBatchNorm2d`: a gain and bias per class,
de Vries et al. 2017, as SAGAN and Miyato & Koyama 2018) when ``num_classes`` > 0, plain otherwise. Spectral
normalization on every convolution and linear layer of G too (SAGAN §4.1), not on the class gains.

The discriminator is `gankit.models.resblocks.ResNetProjectionDiscriminator` (projection D, Miyato & Koyama
2018), with attention at the same resolution.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.models.resblocks import GBlock, PlainBatchNorm2d, block_count, init_xavier_, sn, sn_attention
from gankit.nn import ConditionalBatchNorm2d

__all__ = ["SAGANGenerator", "generator_widths"]


def generator_widths(img_size: int, width: int) -> list[int]:
    """Channels at 4 px and after each block: 4·`width` down to `width` at the image size (width 64 at 32 px:
    256, 256, 128, 64)."""
    blocks = block_count(img_size)
    return [width * 2 ** min(blocks - i, 2) for i in range(blocks + 1)]


class SAGANGenerator(nn.Module):
    """G(z[, y]) -> (N, channels, img_size, img_size) in [-1, 1]."""

    def __init__(self, z_dim: int = 128, num_classes: int = 0, img_size: int = 32, channels: int = 1,
                 width: int = 32, attention: int = 16, spectral_norm: bool = True) -> None:
        super().__init__()
        self.z_dim, self.num_classes, self.img_size = z_dim, num_classes, img_size
        widths = generator_widths(img_size, width)

        def norm(c: int) -> nn.Module:
            return ConditionalBatchNorm2d(c, num_classes) if num_classes else PlainBatchNorm2d(c)

        self.linear = sn(init_xavier_(nn.Linear(z_dim, widths[0] * 16)), spectral_norm)
        self.blocks = nn.ModuleList(GBlock(a, b, norm, spectral_norm) for a, b in zip(widths, widths[1:]))
        sizes = [4 * 2 ** (i + 1) for i in range(len(self.blocks))]
        self.attention_after = sizes.index(attention) if attention in sizes else -1
        self.attention = sn_attention(widths[sizes.index(attention) + 1], spectral_norm) if attention in sizes else None
        self.out_bn = nn.BatchNorm2d(widths[-1])
        self.out = sn(init_xavier_(nn.Conv2d(widths[-1], channels, 3, padding=1)), spectral_norm)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(N, z_dim) latents (and (N,) int labels when conditional) -> images."""
        if self.num_classes and labels is None:
            raise ValueError("a conditional generator needs labels")
        h = self.linear(z.reshape(z.shape[0], self.z_dim)).view(z.shape[0], -1, 4, 4)
        for i, block in enumerate(self.blocks):
            h = block(h, labels.long() if self.num_classes else None)
            if i == self.attention_after:
                h = self.attention(h)
        return torch.tanh(self.out(F.relu(self.out_bn(h))))
