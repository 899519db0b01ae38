"""Pix2PixHD's multi-scale discriminators (Wang et al. 2018, §3.2): ``num_d`` PatchGANs of one architecture,
D_k judging the input average-pooled k times by 2 (3x3 window, stride 2), so D_1 sees fine detail and the
coarsest one the global layout with the same receptive field. `forward` returns, per scale, the list of the
PatchGAN's intermediate features followed by its logits (`PatchDiscriminator.features`), which the feature-
matching loss compares. A scale whose input would be smaller than its PatchGAN's smallest input
(``3 * 2**n_layers`` px) is skipped: at 64 px with 2-layer PatchGANs the three scales see 64, 32 and 16 px;
on the 32-px images of Pix2PixHD's global stage only the first two judge.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.hd_generator import half
from gankit.models.patchgan import PatchDiscriminator


class MultiScaleDiscriminator(nn.Module):
    """``num_d`` PatchGANs on ``in_channels`` at scales 1, 1/2, 1/4, ...; returns [features..., logits] per scale."""

    def __init__(self, in_channels: int, num_d: int = 3, width: int = 64, n_layers: int = 3,
                 norm: str = "instance") -> None:
        super().__init__()
        if num_d < 1:
            raise ValueError(f"num_d must be at least 1, got {num_d}")
        self.scales = nn.ModuleList(PatchDiscriminator(in_channels, width, n_layers, norm) for _ in range(num_d))
        self.min_size = PatchDiscriminator.min_size(n_layers)

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        outputs = []
        for k, d in enumerate(self.scales):
            if k:
                x = half(x)
            if min(x.shape[-2:]) < self.min_size:
                break
            outputs.append(d.features(x))
        return outputs
