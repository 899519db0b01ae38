"""Residual blocks of the SNGAN / SAGAN / BigGAN family, and their projection discriminator.

Miyato et al. 2018 ("Spectral Normalization for GANs", Appendix B), Miyato & Koyama 2018 ("cGANs with
Projection Discriminator", Figure 14) and, on them, SAGAN (Zhang et al. 2019) and BigGAN (Brock et al. 2019,
Appendix B):

* generator block: x → BN → ReLU → ×2 upsample → conv3 → BN → ReLU → conv3, plus the shortcut
  conv1(upsample(x)); the batch norms may be conditional (`gankit.nn.conditional_batchnorm`), so each block
  takes a conditioning argument (labels, a vector, or None);
* discriminator block: x → ReLU → conv3 → ReLU → conv3 → 2×2 average pool, plus the shortcut
  avgpool(conv1(x)) (the first block: no leading ReLU, shortcut conv1(avgpool(x)));
* projection discriminator (Miyato & Koyama 2018, eq. 3): with φ(x) the sum over positions of the last
  block's ReLU features,

      D(x, y) = ψ(φ(x)) + ⟨E[y], φ(x)⟩        (ψ a linear map to one logit, E a class embedding)

  and D(x) = ψ(φ(x)) when unconditional.

Spectral normalization (`gankit.nn.apply_spectral_norm`) goes on every convolution, linear layer and the
projection embedding when asked; weights start Xavier-uniform (the SNGAN and SAGAN code), biases at zero.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gankit.nn import SelfAttention2d, apply_spectral_norm

__all__ = ["GBlock", "DBlock", "ResNetProjectionDiscriminator", "block_count", "init_xavier_"]


def block_count(img_size: int) -> int:
    """The number of ×2 blocks between 4 px and `img_size` (a power of two of at least 8); ValueError else."""
    levels = math.log2(img_size / 4) if img_size > 0 else 0
    if img_size < 8 or levels != int(levels):
        raise ValueError(f"needs square images whose side is a power of two of at least 8 px, got {img_size}")
    return int(levels)


def init_xavier_(module: nn.Module) -> nn.Module:
    """Xavier-uniform weights for every convolution, linear layer and embedding; zero biases."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear, nn.Embedding)):
            nn.init.xavier_uniform_(layer.weight)
            if getattr(layer, "bias", None) is not None:
                nn.init.zeros_(layer.bias)
    return module


def sn(layer: nn.Module, on: bool) -> nn.Module:
    """`layer` with spectral normalization when `on`."""
    return apply_spectral_norm(layer) if on else layer


class PlainBatchNorm2d(nn.BatchNorm2d):
    """Batch norm that ignores the conditioning argument: the blocks of an unconditional generator."""

    def forward(self, x: torch.Tensor, cond: object = None) -> torch.Tensor:  # noqa: ARG002
        return super().forward(x)


class GBlock(nn.Module):
    """Up-sampling residual block; `norm(channels)` builds each of its two (conditional) batch norms."""

    def __init__(self, in_channels: int, out_channels: int, norm, spectral_norm: bool = True) -> None:
        super().__init__()
        self.bn1, self.bn2 = norm(in_channels), norm(out_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1)
        for name in ("conv1", "conv2", "shortcut"):  # not the norms: their class gains start at 1 (or W_γ at 0)
            sn(init_xavier_(getattr(self, name)), spectral_norm)

    def forward(self, x: torch.Tensor, cond: object = None) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, cond)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h), cond)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class DBlock(nn.Module):
    """Residual block of the discriminator, halving the side when `down`; `first` drops the leading ReLU."""

    def __init__(self, in_channels: int, out_channels: int, down: bool = True, first: bool = False,
                 spectral_norm: bool = True) -> None:
        super().__init__()
        self.down, self.first = down, first
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        learned = down or in_channels != out_channels
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1) if learned else None
        init_xavier_(self)
        for name in ("conv1", "conv2", "shortcut"):
            if getattr(self, name) is not None:
                sn(getattr(self, name), spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(x if self.first else F.relu(x))
        h = self.conv2(F.relu(h))
        if self.down:
            h = F.avg_pool2d(h, 2)
        skip = x
        if self.shortcut is not None:
            if self.first:  # pool first: the cheaper order where no ReLU comes before
                skip = self.shortcut(F.avg_pool2d(x, 2) if self.down else x)
            else:
                skip = self.shortcut(x)
                skip = F.avg_pool2d(skip, 2) if self.down else skip
        return h + skip


class ResNetProjectionDiscriminator(nn.Module):
    """D(x[, y]) -> logits (N,): residual blocks from `img_size` down to 4 px (one more at 4 px), self-attention
    after the block that reaches `attention` px (0: none), global sum pooling and a projection head.

    Widths: `width` at the first block, doubling per halving up to 4·`width` (the SAGAN/BigGAN 32-px layout
    scaled down: width 64 gives 64, 128, 256, 256 channels at 32 px).
    """

    def __init__(self, img_size: int = 32, channels: int = 1, num_classes: int = 0, width: int = 32,
                 attention: int = 16, spectral_norm: bool = True) -> None:
        super().__init__()
        blocks = block_count(img_size)
        self.num_classes = num_classes
        widths = [width * 2 ** min(i, 2) for i in range(blocks)] + [width * 2 ** min(blocks - 1, 2)]
        layers: list[nn.Module] = []
        in_channels, size = channels, img_size
        for i, out_channels in enumerate(widths):
            down = i < blocks
            layers.append(DBlock(in_channels, out_channels, down=down, first=i == 0, spectral_norm=spectral_norm))
            size = size // 2 if down else size
            if down and size == attention:
                layers.append(sn_attention(out_channels, spectral_norm))
            in_channels = out_channels
        self.blocks = nn.Sequential(*layers)
        self.out_channels = in_channels
        self.linear = sn(init_xavier_(nn.Linear(in_channels, 1)), spectral_norm)
        self.embed = sn(init_xavier_(nn.Embedding(num_classes, in_channels)), spectral_norm) if num_classes else None

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """φ(x): the last block's features after a ReLU, summed over positions, (N, out_channels)."""
        return F.relu(self.blocks(x)).sum(dim=(2, 3))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        phi = self.features(x)
        out = self.linear(phi).reshape(-1)
        if self.embed is not None:
            if labels is None:
                raise ValueError("a conditional discriminator needs labels")
            out = out + (self.embed(labels.long()) * phi).sum(dim=1)
        return out


def sn_attention(channels: int, spectral_norm: bool) -> SelfAttention2d:
    """A SAGAN attention block, its four 1×1 convolutions spectrally normalized when asked (SAGAN §4)."""
    block = init_xavier_(SelfAttention2d(channels))
    return apply_spectral_norm(block) if spectral_norm else block


def attention_sizes(img_size: int) -> list[int]:
    """The sides at which both networks can attend: 8 px up to half of `img_size`."""
    return [2 ** k for k in range(3, int(math.log2(img_size)))]
