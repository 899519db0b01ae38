"""ProGAN: the progressively growing generator and discriminator of Karras, Aila, Laine & Lehtinen 2018,
"Progressive Growing of GANs for Improved Quality, Stability, and Variation" (Table 2, scaled down).

Both networks hold every resolution from the start (4 px, 8 px, ... `img_size`; level l is 4·2^l px) and are
run at a `level` and a fade-in weight `alpha` (§3, Figure 2): while a new block fades in, its output is blended
linearly with the previous resolution's,

    G:  y = α · toRGB_l(block_l(h)) + (1 − α) · upsample(toRGB_{l−1}(h))
    D:  h = α · block_l(fromRGB_l(x)) + (1 − α) · fromRGB_{l−1}(avgpool(x))

(upsampling is nearest-neighbour, downsampling a 2×2 box filter, as in the paper). Blocks that have not yet
grown are never run, so their parameters get no gradient.

Layers (§4): every convolution and dense layer has an equalized learning rate (`gankit.nn.EqualizedConv2d`,
weights N(0, 1) scaled at run time by the He constant); G normalizes the latent and every feature vector after
each 3×3 convolution with pixel-wise normalization (`gankit.nn.PixelNorm`), uses LeakyReLU(0.2) and has a
linear output (no Tanh: the paper's); D appends the minibatch standard deviation (`gankit.nn.MinibatchStdDev`)
before its last 3×3 convolution at 4×4 and has no normalization.

Shapes (one width per level; the paper's 512 channels up to 32 px, here small for the CPU):

    G: z (N, z_dim) → pixelnorm → dense → 4×4×w0 → conv3×3 → [upsample, conv3×3, conv3×3] per level → toRGB
    D: fromRGB → [conv3×3, conv3×3, avgpool] per level → 4×4: mbstd, conv3×3, conv4×4 (dense), dense → (N,)
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit.models.dcgan import ImageSizeError
from gankit.nn.equalized import EqualizedConv2d, EqualizedLinear
from gankit.nn.minibatch_stddev import MinibatchStdDev
from gankit.nn.pixel_norm import PixelNorm, pixel_norm

#: The first resolution of a growing network, and the largest built.
BASE_SIZE = 4
MAX_SIZE = 1024
LINEAR_GAIN = 1 / math.sqrt(2)  # gain of an equalized layer with no activation after it: std 1/sqrt(fan_in)


def progan_levels(img_size: int) -> int:
    """The number of resolutions 4, 8, ..., `img_size` px; `img_size` must be a power of two from 8 to 1024."""
    if img_size < 2 * BASE_SIZE or img_size > MAX_SIZE or img_size & (img_size - 1):
        raise ImageSizeError(f"a growing model needs a power-of-two image size from {2 * BASE_SIZE} to {MAX_SIZE} px, "
                             f"got {img_size} (set data.img_size, e.g. 32)")
    return int(math.log2(img_size // BASE_SIZE)) + 1


def level_widths(widths: int | Sequence[int], levels: int) -> list[int]:
    """One channel count per level, coarse to fine: `widths` repeated when it is one number."""
    out = [int(widths)] * levels if isinstance(widths, int) else [int(w) for w in widths]
    if len(out) != levels or min(out) < 1:
        raise ValueError(f"need {levels} positive widths (one per resolution), got {widths!r}")
    return out


def upsample(x: Tensor) -> Tensor:
    """Nearest-neighbour 2× upsampling (each pixel becomes a 2×2 block)."""
    return F.interpolate(x, scale_factor=2, mode="nearest")


def downsample(x: Tensor, factor: int = 2) -> Tensor:
    """Box-filter downsampling: the mean of each `factor`×`factor` block."""
    return F.avg_pool2d(x, factor) if factor > 1 else x


def _act() -> nn.Module:
    return nn.LeakyReLU(0.2)


class ProGANGenerator(nn.Module):
    """z (N, z_dim) → images (N, channels, s, s) at s = 4·2^level px, linear output (about [-1, 1] once trained)."""

    def __init__(self, z_dim: int = 128, img_size: int = 32, channels: int = 1, widths: int | Sequence[int] = 64) -> None:
        super().__init__()
        self.z_dim, self.img_size, self.channels = z_dim, img_size, channels
        self.levels = progan_levels(img_size)
        self.widths = level_widths(widths, self.levels)
        w0 = self.widths[0]
        # the paper's dense layer to 4x4 has gain sqrt(2)/4 in its std (1/4 of He): gain 1/4 here
        self.head = EqualizedLinear(z_dim, w0 * BASE_SIZE * BASE_SIZE, gain=0.25)
        self.head_conv = nn.Sequential(EqualizedConv2d(w0, w0, 3, padding=1), _act(), PixelNorm())
        self.blocks = nn.ModuleList([nn.Identity()])  # level 0 is the head
        for level in range(1, self.levels):
            w_in, w = self.widths[level - 1], self.widths[level]
            self.blocks.append(nn.Sequential(
                EqualizedConv2d(w_in, w, 3, padding=1), _act(), PixelNorm(),
                EqualizedConv2d(w, w, 3, padding=1), _act(), PixelNorm()))
        self.to_rgb = nn.ModuleList(EqualizedConv2d(w, channels, 1, gain=LINEAR_GAIN) for w in self.widths)

    def forward(self, z: Tensor, level: int | None = None, alpha: float = 1.0) -> Tensor:
        level = self.levels - 1 if level is None else level
        if not 0 <= level < self.levels:
            raise ValueError(f"level must be 0 to {self.levels - 1}, got {level}")
        h = self.head(pixel_norm(z.flatten(1))).view(z.shape[0], self.widths[0], BASE_SIZE, BASE_SIZE)
        h = self.head_conv(pixel_norm(F.leaky_relu(h, 0.2)))
        for l in range(1, level):
            h = self.blocks[l](upsample(h))
        if level == 0:
            return self.to_rgb[0](h)
        new = self.to_rgb[level](self.blocks[level](upsample(h)))
        if alpha >= 1:
            return new
        return torch.lerp(upsample(self.to_rgb[level - 1](h)), new, float(alpha))


class ProGANDiscriminator(nn.Module):
    """Images (N, channels, s, s), s = 4·2^level ≤ `img_size` → scores (N,); the level is read from s."""

    def __init__(self, img_size: int = 32, channels: int = 1, widths: int | Sequence[int] = 64,
                 mbstd_group: int = 4) -> None:
        super().__init__()
        self.img_size, self.channels = img_size, channels
        self.levels = progan_levels(img_size)
        self.widths = level_widths(widths, self.levels)
        self.from_rgb = nn.ModuleList(nn.Sequential(EqualizedConv2d(channels, w, 1), _act()) for w in self.widths)
        self.blocks = nn.ModuleList([nn.Identity()])
        for level in range(1, self.levels):
            w, w_out = self.widths[level], self.widths[level - 1]
            self.blocks.append(nn.Sequential(
                EqualizedConv2d(w, w, 3, padding=1), _act(),
                EqualizedConv2d(w, w_out, 3, padding=1), _act(), nn.AvgPool2d(2)))
        w0 = self.widths[0]
        self.final = nn.Sequential(
            MinibatchStdDev(mbstd_group), EqualizedConv2d(w0 + 1, w0, 3, padding=1), _act(),
            EqualizedConv2d(w0, w0, BASE_SIZE), _act(), nn.Flatten(), EqualizedLinear(w0, 1, gain=LINEAR_GAIN))

    def level_of(self, size: int) -> int:
        level = int(math.log2(max(size, 1) // BASE_SIZE)) if size >= BASE_SIZE else -1
        if level < 0 or BASE_SIZE * 2 ** level != size or level >= self.levels:
            raise ValueError(f"the discriminator judges 4, 8, ..., {self.img_size} px images, got {size} px")
        return level

    def forward(self, x: Tensor, alpha: float = 1.0) -> Tensor:
        level = self.level_of(x.shape[-1])
        h = self.from_rgb[level](x)
        if level > 0:
            h = self.blocks[level](h)
            if alpha < 1:
                h = torch.lerp(self.from_rgb[level - 1](downsample(x)), h, float(alpha))
            for l in range(level - 1, 0, -1):
                h = self.blocks[l](h)
        return self.final(h).view(x.shape[0])
