"""Discriminator rejection sampling (DRS; Azadi, Olsson, Darrell, Goodfellow & Odena, ICLR 2019, arXiv:1810.06758).

A discriminator trained with the logistic loss against a fixed generator p_g approaches
D*(x) = p_data(x) / (p_data(x) + p_g(x)), whose logit is log p_data(x)/p_g(x). Rejection sampling from p_g with
acceptance p_data / (M p_g) therefore samples p_data exactly, where M bounds the ratio:

    accept x ~ p_g with probability exp(D̃(x) − D̃_M),   D̃ the logit, D̃_M its maximum.

Azadi et al. make this usable in practice in three ways, all followed here:

1. **Calibration.** The discriminator at the end of training was trained against earlier generators (and, with
   an EMA, against other weights), so it is fine-tuned for a few hundred steps with the logistic loss against
   the frozen sampling generator before it scores anything (`calibrate_discriminator`). The generated side is
   a fixed set of proposals drawn once, as large as the real set (`DRSSettings.calibration_pool`), and batches
   are drawn from both sets alike: proposing afresh at every step would cost the proposal's price (a Jacobian
   screening, a large generator) thousands of times over for no better estimate of p_data / p_g.
2. **The maximum** D̃_M is estimated on a burn-in set of proposals and raised whenever a larger logit appears.
3. **A shifted, numerically stable acceptance** (their F̂): with a = D̃(x) − D̃_M ≤ 0,

       F̂(x) = a − log(1 − exp(a − ε)) − γ,     p_accept(x) = σ(F̂(x)).

   With γ = 0 this is exactly exp(a) (rejection sampling proper); γ > 0 accepts fewer samples, γ < 0 more.
   Here γ is the `percentile`-th percentile of the unshifted F̂(x) over the burn-in set (percentile None:
   γ = 0), so the acceptance rate is set by one interpretable number: a low percentile keeps most samples
   and rejects only those D̃ is sure are fake (e.g. the bridges between the modes of a mixture), a high one
   reweights strongly.

The discriminator must score one sample at a time: PacGAN packing, minibatch discrimination and the minibatch
standard deviation make D's output depend on the rest of the batch, and a conditional D needs labels, so those
games are refused.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

#: Defaults of `DRSSettings`, chosen on the ring of 8 Gaussians (docs/stability.md); not tuned on images.
CALIBRATION_STEPS = 2000
CALIBRATION_LR = 1e-3
BURN_IN = 10_000
PERCENTILE = 50.0
EPSILON = 1e-6


@dataclass(frozen=True)
class DRSSettings:
    """How to calibrate D and set γ (see the module docstring)."""

    percentile: float | None = PERCENTILE  # None: γ = 0, rejection sampling proper
    calibration_steps: int = CALIBRATION_STEPS
    calibration_lr: float = CALIBRATION_LR
    burn_in: int = BURN_IN
    batch_size: int = 256
    calibration_pool: int | None = None  # generated samples calibrated against; None: as many as real ones


def acceptance_probability(logits: torch.Tensor, max_logit: float, gamma: float, eps: float = EPSILON) -> torch.Tensor:
    """σ(F̂(x)) with F̂(x) = a − log(1 − exp(a − ε)) − γ and a = logit − max_logit (Azadi et al. 2019)."""
    a = (logits - max_logit).clamp(max=0.0)
    return torch.sigmoid(shifted_log_ratio(a, eps) - gamma)


def shifted_log_ratio(a: torch.Tensor, eps: float = EPSILON) -> torch.Tensor:
    """F̂ before the γ shift: a − log(1 − exp(a − ε)), i.e. logit(exp(a)) made finite at a = 0."""
    return a - torch.log1p(-torch.exp(a - eps))


def calibrate_discriminator(discriminator: nn.Module, fake: torch.Tensor, real: torch.Tensor,
                            settings: DRSSettings, generator: torch.Generator,
                            progress: Callable[[int], None] | None = None) -> nn.Module:
    """A copy of `discriminator` fine-tuned with the logistic loss to tell `real` from `fake`.

    `fake` is a set of samples of the frozen generator (see `calibration_pool`). Each step: a batch of real and
    a batch of generated samples, both drawn with replacement, Adam with β = (0.5, 0.999). Returns the copy in
    eval mode; the original is untouched. `progress(1)` after each step.
    """
    model = copy.deepcopy(discriminator).train().requires_grad_(True)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.calibration_lr, betas=(0.5, 0.999))
    device = next(model.parameters()).device
    b = settings.batch_size
    target = torch.cat([torch.ones(b, device=device), torch.zeros(b, device=device)])
    for _ in range(settings.calibration_steps):
        real_batch = real[torch.randint(len(real), (b,), generator=generator)].to(device)
        fake_batch = fake[torch.randint(len(fake), (b,), generator=generator)].to(device)
        logits = model(torch.cat([real_batch, fake_batch])).reshape(-1)
        loss = F.binary_cross_entropy_with_logits(logits.float(), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if progress is not None:
            progress(1)
    return model.eval().requires_grad_(False)


def calibration_pool_size(settings: DRSSettings, real_count: int) -> int:
    """How many proposals calibration draws: `settings.calibration_pool`, else as many as there are real samples,
    and never more than the calibration steps can use (steps × batch size)."""
    wanted = settings.calibration_pool if settings.calibration_pool is not None else real_count
    return max(1, min(wanted, settings.calibration_steps * settings.batch_size))


@dataclass
class DRSResult:
    """Accepted samples and what it took to get them."""

    samples: torch.Tensor
    accepted: int
    proposed: int
    gamma: float
    max_logit: float

    @property
    def acceptance_rate(self) -> float:
        """Accepted over proposed, counting every proposal scored (the last batch in full)."""
        return self.accepted / max(self.proposed, 1)


@torch.no_grad()
def rejection_sample(propose: Callable[[int], torch.Tensor], score: Callable[[torch.Tensor], torch.Tensor], n: int,
                     settings: DRSSettings, generator: torch.Generator, max_proposals: int | None = None,
                     progress: Callable[[int], None] | None = None) -> DRSResult:
    """Draw `n` samples by discriminator rejection sampling.

    `propose(m)` returns m generator samples, `score(x)` the calibrated discriminator's logits. The burn-in set
    fixes γ (the `settings.percentile`-th percentile of F̂) and the first D̃_M; later batches raise D̃_M when
    they hold a larger logit. Raises RuntimeError when `max_proposals` (default 1,000 n + burn-in) are used up.
    `progress(k)` is told of the k samples each batch adds (for a progress bar).
    """
    burn = propose(settings.burn_in)
    burn_logits = score(burn).reshape(-1).float().cpu()
    max_logit = float(burn_logits.max())
    shifted = shifted_log_ratio(burn_logits - max_logit)
    gamma = 0.0 if settings.percentile is None else float(torch.quantile(shifted, settings.percentile / 100.0))
    limit = max_proposals if max_proposals is not None else 1000 * n + settings.burn_in
    kept, count, proposed = [], 0, 0
    candidates, logits = burn, burn_logits
    while True:
        proposed += len(candidates)
        max_logit = max(max_logit, float(logits.max()))
        accept = torch.rand(len(logits), generator=generator) < acceptance_probability(logits, max_logit, gamma)
        kept.append(candidates[accept.to(candidates.device)].cpu())
        count += int(accept.sum())
        if progress is not None:
            progress(min(int(accept.sum()), max(0, n - (count - int(accept.sum())))))
        if count >= n:
            break
        if proposed >= limit:
            raise RuntimeError(f"discriminator rejection sampling accepted only {count} of {proposed} proposals")
        candidates = propose(settings.batch_size * 8)
        logits = score(candidates).reshape(-1).float().cpu()
    return DRSResult(torch.cat(kept)[:n], count, proposed, gamma, max_logit)
