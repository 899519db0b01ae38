"""Adaptive discriminator augmentation, a plain-PyTorch subset (Karras, Aittala, Hellsten, Laine, Lehtinen & Aila
2020, "Training Generative Adversarial Networks with Limited Data", §2.3 and §3).

Every image D sees, real or generated, in the D and the G steps, goes through the same stochastic pipeline; each
transformation is applied to each image independently with probability p. Since every operation is
differentiable in the image, G learns through it, and as long as p < 0.8 the augmentations do not leak into the
generated distribution (§2.3). The probability adapts (§3): every few D steps,

    r_t = E[sign(D(x_real))]     (the share of reals D is sure of, from −1 to 1)
    p  ← clamp(p + sign(r_t − target) · (images seen since the last update) / speed, 0, 1)

so p rises while D overfits its real data (r_t above the target, 0.6) and falls otherwise; `speed` is the number
of images over which p may move from 0 to 1 (500k in the paper).

The pipeline here is a SUBSET of the paper's 18 transformations, in its order and without its
non-integer geometric warps (which need an upsampled, filtered resampling): x-flip, 90° rotations and integer
translation (up to 1/8 of the side, zero fill) — the 'pixel blitting' group —, then brightness (+N(0, 0.2²)),
contrast (×lognormal(0, (0.5·ln 2)²)), saturation (×lognormal(0, (ln 2)²), colour images only), and cutout (a
square of half the side, zero; the paper's cutout is an ablation too).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["ada_augment", "ada_adjust", "ADA_OPERATIONS"]

ADA_OPERATIONS = ("xflip", "rotate90", "translate", "brightness", "contrast", "saturation", "cutout")


def _chosen(n: int, p: float, x: Tensor, generator: torch.Generator | None) -> Tensor:
    """(N, 1, 1, 1) booleans: which images the next transformation applies to (each with probability p)."""
    return torch.rand((n, 1, 1, 1), generator=generator, device=x.device) < p


def _per_sample(n: int, x: Tensor, generator: torch.Generator | None) -> Tensor:
    return torch.randn((n, 1, 1, 1), generator=generator, device=x.device, dtype=x.dtype)


def _translate(x: Tensor, dy: Tensor, dx: Tensor) -> Tensor:
    """Shift image n by integers (dy_n, dx_n) (shape (N,)), zero fill: out[i, j] = x[i − dy, j − dx]."""
    n, _, h, w = x.shape
    rows = torch.arange(h, device=x.device).view(1, h, 1) - dy.view(n, 1, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - dx.view(n, 1, 1)
    inside = ((rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)).unsqueeze(1)
    index = (rows.clamp(0, h - 1) * w + cols.clamp(0, w - 1)).view(n, 1, h * w).expand(-1, x.shape[1], -1)
    shifted = x.reshape(n, x.shape[1], h * w).gather(2, index).view_as(x)
    return shifted * inside.to(x.dtype)


def ada_augment(x: Tensor, p: float, generator: torch.Generator | None = None) -> Tensor:
    """Images (N, C, H, W) through the pipeline of this module, each operation applied to each image with
    probability `p`; `p` = 0 returns `x` itself. Random draws come from `generator` (on `x.device`) and are
    made whatever `p`, so the stream of draws does not depend on p."""
    if p <= 0:
        return x
    n, c, h, w = x.shape
    # pixel blitting: x-flip, rotation by a multiple of 90° (square images), integer translation
    flip = _chosen(n, p, x, generator)
    x = torch.where(flip, x.flip(3), x)
    turns = torch.randint(0, 4, (n,), generator=generator, device=x.device)
    rotate = _chosen(n, p, x, generator).view(n)
    if h == w:
        turns = torch.where(rotate, turns, torch.zeros_like(turns)).view(n, 1, 1, 1)
        rotated = x
        for k in range(1, 4):
            rotated = torch.where(turns == k, torch.rot90(x, k, dims=(2, 3)), rotated)
        x = rotated
    span = max(1, round(h / 8))
    dy = torch.randint(-span, span + 1, (n,), generator=generator, device=x.device)
    dx = torch.randint(-span, span + 1, (n,), generator=generator, device=x.device)
    move = _chosen(n, p, x, generator).view(n)
    x = _translate(x, dy * move, dx * move)
    # colour: brightness, contrast, saturation
    bright = _chosen(n, p, x, generator)
    x = x + torch.where(bright, 0.2 * _per_sample(n, x, generator), torch.zeros((), dtype=x.dtype, device=x.device))
    contrast = torch.exp(0.5 * math.log(2) * _per_sample(n, x, generator))
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = torch.where(_chosen(n, p, x, generator), (x - mean) * contrast + mean, x)
    saturation = torch.exp(math.log(2) * _per_sample(n, x, generator))
    chosen = _chosen(n, p, x, generator)
    if c > 1:
        gray = x.mean(dim=1, keepdim=True)
        x = torch.where(chosen, (x - gray) * saturation + gray, x)
    # cutout: a zeroed square of half the side, centred uniformly
    cy = torch.randint(0, h, (n, 1, 1), generator=generator, device=x.device)
    cx = torch.randint(0, w, (n, 1, 1), generator=generator, device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    top, left = cy - h // 4, cx - w // 4
    box = (rows >= top) & (rows < top + h // 2) & (cols >= left) & (cols < left + w // 2)
    cut = _chosen(n, p, x, generator) & box.unsqueeze(1)
    return x * (~cut).to(x.dtype)


def ada_adjust(p: float, sign_mean: float, target: float, images: int, speed: int) -> float:
    """The next augmentation probability: p + sign(r_t − target)·images/speed, clamped to [0, 1] (§3)."""
    step = math.copysign(images / speed, sign_mean - target) if sign_mean != target else 0.0
    return min(1.0, max(0.0, p + step))
