"""Jacobian-norm rejection: drop the samples a generator draws where it stretches its latent space most.

Tanielian, Issenhuth, Dohmatob & Mary, "Learning disconnected manifolds: a no GAN's land" (ICML 2020). A
continuous generator G maps the connected latent space onto a connected set, so when the data sit on
disconnected modes G must put some mass on the bridges between them. Crossing a bridge, G moves far in data
space for a small step in latent space: there the Frobenius norm of its Jacobian,

    ‖J_G(z)‖_F² = Σ_ij (∂G_i / ∂z_j)²,

is largest. Their remedy is to reject the latent codes whose norm lies above a threshold, here the
(1 − q)-quantile of the norms of a burn-in set of codes, so about the share q of proposals is rejected.
The generator is not changed; only the sampling is.

The norm is computed per sample with forward-mode differentiation (`torch.func.jvp`):

- **exact** for small latents: ‖J‖_F² = Σ_k ‖J e_k‖², one JVP per latent coordinate e_k;
- **Hutchinson's estimator** for large ones: ‖J‖_F² = E_v ‖J v‖² for v ~ N(0, I), averaged over
  `projections` random directions per sample (unbiased for the square).

G must treat the samples of a batch independently (a generator in eval mode does: batch norm then uses its
running statistics).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import jvp

from gankit.errors import ConfigError

__all__ = ["JacobianRejectionSettings", "JacobianRejectionSampler", "check_share", "jacobian_norms"]

#: Latents with at most this many coordinates get the exact norm; larger ones Hutchinson's estimate.
EXACT_MAX_DIM = 16
PROJECTIONS = 8
BURN_IN = 5000


def check_share(share: float) -> None:
    """Refuse a rejected share outside [0, 1) (0 turns the rejection off)."""
    if not (math.isfinite(share) and 0 <= share < 1):
        raise ConfigError(f"--jacobian-rejection (the share rejected) must be in [0, 1) (0 turns it off), got {share}")


@dataclass(frozen=True)
class JacobianRejectionSettings:
    """How the threshold is set and the norm computed (see the module docstring)."""

    share: float  # q: the share of proposals rejected, through the (1 − q)-quantile of the burn-in norms
    burn_in: int = BURN_IN
    batch_size: int = 500
    projections: int | None = None  # None: exact up to EXACT_MAX_DIM latent coordinates, else PROJECTIONS


def jacobian_norms(fn: Callable[[torch.Tensor], torch.Tensor], z: torch.Tensor, *,
                   projections: int | None = None,
                   generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(fn(z), ‖∂fn(z_i)/∂z_i‖_F for every sample i) for an `fn` that maps a batch sample by sample.

    `projections` None computes the norm exactly (one JVP per latent coordinate); an integer p estimates it
    with Hutchinson's estimator over p Gaussian directions drawn from `generator`.
    """
    dim = z[0].numel()
    squares = torch.zeros(len(z), device=z.device)
    output = None
    if projections is None:
        for k in range(dim):
            tangent = torch.zeros_like(z).flatten(1)
            tangent[:, k] = 1.0
            output, derivative = jvp(fn, (z,), (tangent.view_as(z),))
            squares += derivative.float().flatten(1).pow(2).sum(1)
    else:
        if projections < 1:
            raise ValueError(f"projections must be positive, got {projections}")
        for _ in range(projections):
            tangent = torch.randn(z.shape, generator=generator, device=z.device, dtype=z.dtype)
            output, derivative = jvp(fn, (z,), (tangent,))
            squares += derivative.float().flatten(1).pow(2).sum(1) / projections
    return output.detach(), squares.sqrt()


class JacobianRejectionSampler:
    """Samples of `generate(z, labels)` whose Jacobian norm in z is at most the burn-in set's (1 − q)-quantile.

    `draw(m)` returns m latent codes and their labels (None for an unconditional generator). Building the
    sampler scores `settings.burn_in` codes to fix the threshold; every call then proposes batches and keeps
    the codes under it. `proposed` and `accepted` count the codes scored after the burn-in.
    """

    def __init__(self, generate: Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor],
                 draw: Callable[[int], tuple[torch.Tensor, torch.Tensor | None]],
                 settings: JacobianRejectionSettings, generator: torch.Generator | None = None) -> None:
        check_share(settings.share)
        if settings.burn_in < 1 or settings.batch_size < 1:
            raise ValueError("burn_in and batch_size must be positive")
        self.generate, self.draw, self.settings, self.generator = generate, draw, settings, generator
        self.proposed = self.accepted = 0
        self.threshold = math.inf
        if settings.share > 0:
            norms = torch.cat([self._score(min(settings.batch_size, settings.burn_in - start))[1]
                               for start in range(0, settings.burn_in, settings.batch_size)])
            self.threshold = float(torch.quantile(norms.cpu().double(), 1.0 - settings.share))

    def _projections(self, z: torch.Tensor) -> int | None:
        if self.settings.projections is not None:
            return self.settings.projections
        return None if z[0].numel() <= EXACT_MAX_DIM else PROJECTIONS

    def _score(self, m: int) -> tuple[torch.Tensor, torch.Tensor]:
        z, labels = self.draw(m)
        return jacobian_norms(lambda codes: self.generate(codes, labels), z, projections=self._projections(z),
                              generator=self.generator)

    def __call__(self, n: int, max_proposals: int | None = None) -> torch.Tensor:
        """`n` accepted samples, on the CPU; RuntimeError after `max_proposals` (default 100 n) proposals."""
        limit = max_proposals if max_proposals is not None else 100 * n
        kept, count, proposed = [], 0, 0
        while count < n:
            if proposed >= limit:
                raise RuntimeError(f"Jacobian rejection accepted only {count} of {proposed} proposals")
            samples, norms = self._score(self.settings.batch_size)
            keep = norms <= self.threshold
            kept.append(samples[keep].cpu())
            count += int(keep.sum())
            proposed += len(norms)
        self.proposed += proposed
        self.accepted += count
        return torch.cat(kept)[:n]

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / max(self.proposed, 1)
