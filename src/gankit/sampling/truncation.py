"""The truncation trick: latent codes from a truncated normal, trading diversity for sample quality.

Brock et al. 2019 (BigGAN, "Large Scale GAN Training for High Fidelity Natural Image Synthesis", §3.1):
sample z ~ N(0, I) and redraw every component whose magnitude exceeds a threshold t, so each component
follows the standard normal truncated to [-t, t],

    p(z_i) = φ(z_i) / (Φ(t) − Φ(−t))   for |z_i| ≤ t,   Var(z_i) = 1 − 2 t φ(t) / (Φ(t) − Φ(−t)).

Smaller t keeps the generator to the dense centre of its latent space: samples get more typical and less
varied. The generator is trained on untruncated codes, so t = ∞ (no truncation) is the unbiased sampler;
every metric of diversity (recall, coverage, the mode histogram's KL) should be read beside the threshold.
"""

from __future__ import annotations

import math

import torch

from gankit.errors import ConfigError

__all__ = ["truncated_normal", "check_truncation"]


def check_truncation(threshold: float | None) -> None:
    """Refuse a threshold that is not a positive finite number (None means no truncation)."""
    if threshold is not None and not (math.isfinite(threshold) and threshold > 0):
        raise ConfigError(f"--truncation must be a positive number (or 0 for none), got {threshold}")


def truncated_normal(shape: tuple[int, ...], threshold: float | None, *, generator: torch.Generator,
                     device: torch.device | str = "cpu") -> torch.Tensor:
    """N(0, I) draws of `shape`, each component redrawn until |z_i| ≤ `threshold` (None: no truncation).

    With `threshold` None this is exactly ``torch.randn(shape, generator=generator, device=device)``, so
    untruncated sampling draws the same codes as before. Redrawing (rather than clamping) keeps the
    density of the truncated normal; the expected number of rounds is small for t ≥ 0.5
    (a component survives a round with probability Φ(t) − Φ(−t) ≥ 0.38).
    """
    check_truncation(threshold)
    z = torch.randn(shape, generator=generator, device=device)
    if threshold is None:
        return z
    outside = z.abs() > threshold
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=generator, device=device)
        outside = z.abs() > threshold
    return z
