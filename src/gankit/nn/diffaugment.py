"""Differentiable augmentation (Zhao, Liu, Lin, Zhu & Han 2020, "Differentiable Augmentation for
Data-Efficient GAN Training").

Augment both real and generated images, every time either is shown to D (in the D and the G
steps); since every operation is differentiable in the image, G's gradient flows back through it.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from gankit.errors import ConfigError

__all__ = ["diff_augment", "DIFFAUGMENT_POLICIES", "parse_policy"]

_Augment = Callable[[Tensor, "torch.Generator | None"], Tensor]


def _uniform(x: Tensor, generator: torch.Generator | None) -> Tensor:
    """One U[0, 1) draw per sample, shaped to broadcast over (C, H, W)."""
    return torch.rand((x.shape[0], 1, 1, 1), generator=generator, device=x.device, dtype=x.dtype)


def rand_brightness(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """x + b,  b ~ U[-0.5, 0.5) per sample."""
    return x + (_uniform(x, generator) - 0.5)


def rand_saturation(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """(x - mean_c x)·s + mean_c x,  s ~ U[0, 2) per sample (channel mean per pixel)."""
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (2.0 * _uniform(x, generator)) + mean


def rand_contrast(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """(x - mean x)·k + mean x,  k ~ U[0.5, 1.5) per sample (mean over C, H, W)."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x, generator) + 0.5) + mean


def rand_translation(x: Tensor, generator: torch.Generator | None = None, ratio: float = 0.125) -> Tensor:
    """Shift each image by integers (dy, dx) ~ U{-s..s}, s = round(ratio · size); vacated pixels are 0."""
    n, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sy, sy + 1, (n, 1, 1), generator=generator, device=x.device)
    dx = torch.randint(-sx, sx + 1, (n, 1, 1), generator=generator, device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    # output pixel (i, j) reads input (i - dy, j - dx); +1 for the one-pixel zero border, and
    # clamping sends every out-of-range read onto that border.
    src_rows = (rows - dy + 1).clamp(0, h + 1).expand(n, h, w)
    src_cols = (cols - dx + 1).clamp(0, w + 1).expand(n, h, w)
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1)).permute(0, 2, 3, 1)  # [N, H+2, W+2, C]
    batch = torch.arange(n, device=x.device).view(n, 1, 1).expand(n, h, w)
    return padded[batch, src_rows, src_cols].permute(0, 3, 1, 2).contiguous()


def rand_cutout(x: Tensor, generator: torch.Generator | None = None, ratio: float = 0.5) -> Tensor:
    """Zero a (ratio·H)×(ratio·W) box whose centre is uniform over the image (clipped at the edges)."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h, (n, 1, 1), generator=generator, device=x.device)
    cx = torch.randint(0, w, (n, 1, 1), generator=generator, device=x.device)
    top, left = cy - ch // 2, cx - cw // 2
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (rows >= top) & (rows < top + ch) & (cols >= left) & (cols < left + cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)


#: Policy names and the operations each applies, in order.
DIFFAUGMENT_POLICIES: dict[str, tuple[_Augment, ...]] = {
    "color": (rand_brightness, rand_saturation, rand_contrast),
    "translation": (rand_translation,),
    "cutout": (rand_cutout,),
}


def parse_policy(policy: str) -> list[str]:
    """Split a comma-separated policy string, rejecting unknown names with a ConfigError."""
    names = [name.strip() for name in policy.split(",") if name.strip()]
    for name in names:
        if name not in DIFFAUGMENT_POLICIES:
            raise ConfigError(
                f"unknown DiffAugment policy {name!r} in {policy!r}; choose from {', '.join(DIFFAUGMENT_POLICIES)}"
            )
    return names


def diff_augment(
    x: Tensor, policy: str = "color,translation,cutout", generator: torch.Generator | None = None
) -> Tensor:
    """Apply the DiffAugment ``policy`` to a batch of images ``(N, C, H, W)`` (Zhao et al. 2020).

    ``policy`` is a comma-separated subset of:
      - ``color``: brightness + U[-0.5, 0.5), saturation × U[0, 2), contrast × U[0.5, 1.5)
      - ``translation``: integer shift by up to 1/8 of the image size, zero fill
      - ``cutout``: zero a box of half the image size at a random position

    Each parameter is drawn per sample (with ``generator`` if given, which must live on
    ``x.device``). Every operation is differentiable in ``x``. ``policy=""`` returns ``x`` itself.
    """
    names = parse_policy(policy)
    if not names:
        return x
    if x.dim() != 4:
        raise ValueError(f"diff_augment expects images (N, C, H, W), got shape {tuple(x.shape)}")
    for name in names:
        for op in DIFFAUGMENT_POLICIES[name]:
            x = op(x, generator)
    return x
