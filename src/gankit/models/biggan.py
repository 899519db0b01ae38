"""BigGAN's generator (Brock, Donahue & Simonyan 2019, "Large Scale GAN Training for High Fidelity Natural Image
Synthesis", §3 and Appendix B), scaled to 8–64 px.

The SAGAN layout (`gankit.models.sagan`) with BigGAN's conditioning:

* a **shared class embedding** e = E[y] (``shared_dim`` wide; 128 in the paper), one for the whole network
  instead of a gain table per batch norm;
* a **hierarchical latent**: z is split into B + 1 equal chunks for B blocks; chunk 0 feeds the first linear
  layer (z₀ → 4×4 map) and chunk i + 1 joins e in block i: every conditional batch norm of the block gets
  c_i = [z_{i+1}; e] and computes gain 1 + W_γ c_i and bias W_β c_i
  (`gankit.nn.LinearConditionalBatchNorm2d`). So ``z_dim`` must be a multiple of B + 1 (the paper: 120 = 6 × 20
  at 128 px; at 32 px, B = 3 and 120 = 4 × 30).

Self-attention after the block that reaches ``attention`` px, spectral norm on G's convolutions and linear
maps, a plain batch norm, ReLU, conv3 and tanh at the output. Unconditional when ``num_classes`` = 0 (then c_i
is the chunk alone). The discriminator is `gankit.models.resblocks.ResNetProjectionDiscriminator`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.models.resblocks import GBlock, block_count, init_xavier_, sn, sn_attention
from gankit.models.sagan import generator_widths
from gankit.nn import LinearConditionalBatchNorm2d

__all__ = ["BigGANGenerator"]


class BigGANGenerator(nn.Module):
    """G(z[, y]) -> (N, channels, img_size, img_size) in [-1, 1]."""

    def __init__(self, z_dim: int = 120, num_classes: int = 0, img_size: int = 32, channels: int = 1,
                 width: int = 32, shared_dim: int = 32, attention: int = 16, spectral_norm: bool = True) -> None:
        super().__init__()
        blocks = block_count(img_size)
        if z_dim % (blocks + 1):
            raise ValueError(f"z_dim={z_dim} must split into {blocks + 1} equal chunks (one for the input layer and "
                             f"one per block at {img_size} px)")
        self.z_dim, self.num_classes, self.img_size = z_dim, num_classes, img_size
        self.chunk = z_dim // (blocks + 1)
        widths = generator_widths(img_size, width)
        self.shared = nn.Embedding(num_classes, shared_dim) if num_classes else None
        cond_dim = self.chunk + (shared_dim if num_classes else 0)
        self.linear = sn(init_xavier_(nn.Linear(self.chunk, widths[0] * 16)), spectral_norm)
        self.blocks = nn.ModuleList(GBlock(a, b, lambda c: LinearConditionalBatchNorm2d(c, cond_dim), spectral_norm)
                                    for a, b in zip(widths, widths[1:]))
        if self.shared is not None:
            nn.init.normal_(self.shared.weight)  # the embedding starts N(0, 1)
        sizes = [4 * 2 ** (i + 1) for i in range(blocks)]
        self.attention_after = sizes.index(attention) if attention in sizes else -1
        self.attention = sn_attention(widths[sizes.index(attention) + 1], spectral_norm) if attention in sizes else None
        self.out_bn = nn.BatchNorm2d(widths[-1])
        self.out = sn(init_xavier_(nn.Conv2d(widths[-1], channels, 3, padding=1)), spectral_norm)

    def orthogonal_weights(self) -> list[torch.Tensor]:
        """The weights orthogonal regularization applies to: every matrix and convolution kernel but the
        shared embedding (BigGAN §3.1; the spectrally normalized layers' raw weights)."""
        return [p for name, p in self.named_parameters() if p.dim() >= 2 and not name.startswith("shared.")]

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(N, z_dim) latents (and (N,) int labels when conditional) -> images."""
        z = z.reshape(z.shape[0], self.z_dim)
        chunks = z.split(self.chunk, dim=1)
        if self.shared is not None:
            if labels is None:
                raise ValueError("a conditional generator needs labels")
            shared = self.shared(labels.long())
        h = self.linear(chunks[0]).view(z.shape[0], -1, 4, 4)
        for i, block in enumerate(self.blocks):
            cond = chunks[i + 1] if self.shared is None else torch.cat([chunks[i + 1], shared], dim=1)
            h = block(h, cond)
            if i == self.attention_after:
                h = self.attention(h)
        return torch.tanh(self.out(F.relu(self.out_bn(h))))
