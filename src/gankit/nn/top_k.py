"""Top-k training of GANs (Sinha et al. 2020, "Top-k Training of GANs: Improving GAN Performance by Throwing
Away Bad Samples"): G's update uses only the k generated samples D scores as most realistic.

    L_G = (1/k) Σ_{i ∈ top-k D(G(z))} ℓ_G(D(G(z_i)))

The samples D rejects most confidently (on a mixture of Gaussians: the points G puts between modes) give
gradients that pull G towards already-covered regions; dropping them lets G sharpen the modes it found.
k starts at the whole batch and is annealed to ν·B. The paper anneals geometrically per epoch
(k = max(γ^epoch·B, ν·B), γ = 0.99); gankit anneals linearly over a fixed number of steps, which needs no
notion of an epoch.
"""

from __future__ import annotations

import math

import torch

__all__ = ["top_k_fraction", "keep_top_k"]


def top_k_fraction(step: int, final: float, anneal_steps: int) -> float:
    """The share of the batch kept at `step`: 1 at step 0, linearly down to `final` at `anneal_steps`, then flat."""
    if final >= 1:
        return 1.0
    progress = min(1.0, max(0, step) / max(1, anneal_steps))
    return 1.0 - (1.0 - final) * progress


def keep_top_k(logits: torch.Tensor, fraction: float) -> torch.Tensor:
    """The rows of `logits` (N, ...) for the ⌈fraction·N⌉ (at least 1) samples D scores highest (most "real"; a
    sample with several outputs, e.g. patches, is ranked by their mean), in descending order of that score."""
    if fraction >= 1:
        return logits
    k = max(1, math.ceil(fraction * logits.shape[0]))
    best = torch.topk(logits.detach().reshape(logits.shape[0], -1).mean(dim=1), k).indices
    return logits[best]
