"""Perceptual path length (PPL): how smoothly a generator's images change along its latent space.

Karras, Laine & Aila 2019 ("A Style-Based Generator Architecture for Generative Adversarial Networks", §3.2):
for random latent pairs (z1, z2) and t ~ U(0, 1), take two points ε apart on the path between them -- slerp in z
for the full path of a noise-to-image generator, a straight line in w for a style-based one -- and measure the
perceptual distance of their images, scaled by 1/ε²,

    l = d(G(path(t)), G(path(t + ε))) / ε²,    ε = 10⁻⁴;

PPL is the mean of l over the pairs after dropping those below the 1st and above the 99th percentile (as the
paper's code does). A smaller PPL means a smoother, more disentangled latent space.

The paper's d is LPIPS (Zhang et al. 2018) on VGG16, whose learned per-channel weights are not available offline;
`feature_distance` is LPIPS without them (every channel weighted 1, the "baseline" variant of the LPIPS paper),
on the frozen VGG16 of asset ``vgg16`` (ImageNet weights lightly fine-tuned for edge detection, HED). Its numbers
therefore rank generators like the paper's PPL but are not on the paper's scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

__all__ = ["EPSILON", "feature_distance", "ppl_summary", "upscaled"]

EPSILON = 1e-4
MIN_SIZE = 64  # images are scaled up to at least this many pixels before the feature network sees them


def upscaled(images: torch.Tensor, min_size: int = MIN_SIZE) -> torch.Tensor:
    """`images` scaled up (bilinear, by a whole factor) until the shorter side is at least `min_size`."""
    side = min(images.shape[-2:])
    if side >= min_size:
        return images
    return F.interpolate(images, scale_factor=math.ceil(min_size / side), mode="bilinear", align_corners=False)


def _unit(features: torch.Tensor) -> torch.Tensor:
    return features / (features.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)


def feature_distance(features: Sequence[torch.Tensor], other: Sequence[torch.Tensor]) -> torch.Tensor:
    """LPIPS without learned weights, per image (N,): at each tap the feature maps are scaled to unit length along
    the channels, and the squared differences are summed over channels, averaged over positions and summed over
    the taps. 0 for identical features; at most 4 per tap."""
    total = None
    for a, b in zip(features, other):
        d = (_unit(a) - _unit(b)).pow(2).sum(1).flatten(1).mean(1)
        total = d if total is None else total + d
    if total is None:
        raise ValueError("feature_distance needs at least one feature map")
    return total


def ppl_summary(lengths: torch.Tensor, low: float = 1.0, high: float = 99.0) -> float:
    """The mean of the path lengths between their `low`-th and `high`-th percentiles (both kept)."""
    values = torch.as_tensor(lengths, dtype=torch.float64).flatten()
    if values.numel() == 0:
        raise ValueError("ppl_summary needs at least one path length")
    lo, hi = torch.quantile(values, low / 100), torch.quantile(values, high / 100)
    kept = values[(values >= lo) & (values <= hi)]
    return float(kept.mean())
