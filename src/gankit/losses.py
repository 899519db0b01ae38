"""Adversarial losses and discriminator regularizers.

Every loss is a pure function of discriminator outputs. Outputs are *logits* (pre-sigmoid scores);
any shape works (``(N,)``, ``(N, 1)``, or a PatchGAN map ``(N, 1, H, W)``) and each loss returns the
scalar mean over all elements. Probabilistic losses use ``softplus``, never ``log(sigmoid(x))``:

    -log σ(x)     = softplus(-x)
    -log(1-σ(x))  = softplus(x)

Notation below: D(x) is the logit on a real sample, D(G(z)) the logit on a generated one.

Every loss and penalty is computed in float32 whatever the logits' type: under mixed precision
(`gankit.training.precision`) D's logits come out in bfloat16 or float16, whose 8- or 11-bit mantissa
would round the softplus, the means and the gradient norms (``_f32`` casts; autograd casts the gradient back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit.errors import ConfigError

__all__ = [
    "minimax_d",
    "minimax_g",
    "nonsaturating_d",
    "nonsaturating_g",
    "wasserstein_d",
    "wasserstein_g",
    "clip_weights_",
    "gradient_penalty",
    "hinge_d",
    "hinge_g",
    "least_squares_d",
    "least_squares_g",
    "r1_penalty",
    "orthogonal_regularization",
    "AdversarialLoss",
    "get_loss",
    "LOSS_NAMES",
]


def _f32(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors as float32 (no copy when they already are)."""
    return tuple(t.float() for t in tensors)


# --------------------------------------------------------------------------- minimax / non-saturating
def minimax_d(real_logits: Tensor, fake_logits: Tensor, *, real_target: float = 1.0) -> Tensor:
    """Discriminator loss of the original GAN (Goodfellow et al. 2014, "Generative Adversarial Nets").

        L_D = E[-log σ(D(x))] + E[-log(1 - σ(D(G(z))))]
            = E[softplus(-D(x))] + E[softplus(D(G(z)))]

    ``real_target`` < 1 gives one-sided label smoothing (Salimans et al. 2016, "Improved Techniques
    for Training GANs", §3.4): the real term becomes binary cross-entropy against the soft target t,

        E[t·softplus(-D(x)) + (1 - t)·softplus(D(x))],

    while the fake target stays 0 (smoothing the fake side would reward G for staying put).
    The minimum of the real term is then reached at σ(D(x)) = t, not at D(x) → ∞.
    """
    real_logits, fake_logits = _f32(real_logits, fake_logits)
    if not 0.0 <= real_target <= 1.0:
        raise ValueError(f"real_target must lie in [0, 1], got {real_target}")
    real_term = F.binary_cross_entropy_with_logits(
        real_logits, torch.full_like(real_logits, real_target)
    )
    fake_term = F.softplus(fake_logits).mean()
    return real_term + fake_term


def minimax_g(fake_logits: Tensor) -> Tensor:
    """Saturating generator loss of the original minimax game (Goodfellow et al. 2014).

        L_G = E[log(1 - σ(D(G(z))))] = -E[softplus(D(G(z)))]

    G minimizes it. Its gradient w.r.t. the logit is -σ(D(G(z))), which vanishes when D confidently
    rejects the fakes (early training) — the reason for :func:`nonsaturating_g`.
    """
    (fake_logits,) = _f32(fake_logits)
    return -F.softplus(fake_logits).mean()


def nonsaturating_d(real_logits: Tensor, fake_logits: Tensor, *, real_target: float = 1.0) -> Tensor:
    """Discriminator loss of the non-saturating GAN; identical to :func:`minimax_d`.

        L_D = E[softplus(-D(x))] + E[softplus(D(G(z)))]       (Goodfellow et al. 2014)
    """
    return minimax_d(real_logits, fake_logits, real_target=real_target)


def nonsaturating_g(fake_logits: Tensor) -> Tensor:
    """Non-saturating generator loss (Goodfellow et al. 2014, §3).

        L_G = E[-log σ(D(G(z)))] = E[softplus(-D(G(z)))]

    Same fixed point as :func:`minimax_g`, but the gradient w.r.t. the logit is -(1 - σ(D(G(z)))),
    close to -1 exactly when D rejects the fakes.
    """
    (fake_logits,) = _f32(fake_logits)
    return F.softplus(-fake_logits).mean()


# --------------------------------------------------------------------------- Wasserstein
def wasserstein_d(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Critic loss of the Wasserstein GAN (Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN").

        L_D = E[D(G(z))] - E[D(x)]

    Its negative estimates the Wasserstein-1 distance when D is 1-Lipschitz; enforce that with
    :func:`clip_weights_` (WGAN) or :func:`gradient_penalty` (WGAN-GP).
    """
    real_logits, fake_logits = _f32(real_logits, fake_logits)
    return fake_logits.mean() - real_logits.mean()


def wasserstein_g(fake_logits: Tensor) -> Tensor:
    """Generator loss of the Wasserstein GAN (Arjovsky et al. 2017).

        L_G = -E[D(G(z))]
    """
    (fake_logits,) = _f32(fake_logits)
    return -fake_logits.mean()


@torch.no_grad()
def clip_weights_(module: nn.Module, c: float) -> None:
    """Clamp every parameter of ``module`` in place to [-c, c] (Arjovsky et al. 2017, Algorithm 1).

    The crude way to keep the WGAN critic (roughly) K-Lipschitz; call it after each critic step.
    """
    if c <= 0:
        raise ValueError(f"clip value c must be positive, got {c}")
    for parameter in module.parameters():
        parameter.clamp_(-c, c)


def gradient_penalty(
    discriminator: Callable[..., Tensor],
    real: Tensor,
    fake: Tensor,
    *,
    weight_target: float = 1.0,
    generator: torch.Generator | None = None,
    **d_kwargs: Any,
) -> Tensor:
    """Two-sided gradient penalty of WGAN-GP (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs").

        GP = E_x̂[(||∇_x̂ D(x̂)||_2 - t)^2],   x̂ = ε·x + (1 - ε)·x̃,   ε ~ U[0, 1] per sample

    where x is real, x̃ = G(z) is fake (detached here) and t = ``weight_target`` is the target
    gradient norm (1 in the paper). The result is NOT multiplied by λ (10 in the paper): the caller
    does that. Works for any sample shape (images ``(N, C, H, W)``, points ``(N, D)``); the norm is
    taken over all non-batch dimensions. The graph is kept (create_graph=True) so the penalty can be
    back-propagated into D's parameters. ``generator`` makes the ε draw reproducible (it must live
    on ``real.device``). Extra keyword arguments (e.g. ``labels=``) are passed to the discriminator.
    """
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}")
    batch = real.shape[0]
    eps_shape = (batch,) + (1,) * (real.dim() - 1)
    eps = torch.rand(eps_shape, generator=generator, device=real.device, dtype=real.dtype)
    interpolates = (eps * real.detach() + (1.0 - eps) * fake.detach()).requires_grad_(True)
    scores = discriminator(interpolates, **d_kwargs)
    (grads,) = torch.autograd.grad(outputs=scores.float().sum(), inputs=interpolates, create_graph=True)
    grad_norm = torch.linalg.vector_norm(grads.float().reshape(batch, -1), ord=2, dim=1)
    return ((grad_norm - weight_target) ** 2).mean()


# --------------------------------------------------------------------------- hinge
def hinge_d(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Hinge discriminator loss (Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018, SN-GAN).

        L_D = E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]
    """
    real_logits, fake_logits = _f32(real_logits, fake_logits)
    return F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()


def hinge_g(fake_logits: Tensor) -> Tensor:
    """Hinge generator loss (Lim & Ye 2017; Miyato et al. 2018).

        L_G = -E[D(G(z))]
    """
    (fake_logits,) = _f32(fake_logits)
    return -fake_logits.mean()


# --------------------------------------------------------------------------- least squares
def least_squares_d(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Least-squares discriminator loss (Mao et al. 2017, "Least Squares GANs", with a=0, b=1).

        L_D = ½E[(D(x) - 1)^2] + ½E[D(G(z))^2]
    """
    real_logits, fake_logits = _f32(real_logits, fake_logits)
    return 0.5 * ((real_logits - 1.0) ** 2).mean() + 0.5 * (fake_logits**2).mean()


def least_squares_g(fake_logits: Tensor) -> Tensor:
    """Least-squares generator loss (Mao et al. 2017, with c=1).

        L_G = ½E[(D(G(z)) - 1)^2]
    """
    (fake_logits,) = _f32(fake_logits)
    return 0.5 * ((fake_logits - 1.0) ** 2).mean()


# --------------------------------------------------------------------------- R1
def r1_penalty(real_logits: Tensor, real_inputs: Tensor) -> Tensor:
    """R1 regularizer (Mescheder, Geiger & Nowozin 2018, "Which Training Methods for GANs do actually Converge?").

        R1 = E_x[||∇_x D(x)||_2^2]

    The caller multiplies by γ/2. ``real_inputs`` must have had ``requires_grad_(True)`` set
    *before* ``real_logits = D(real_inputs)`` was computed. create_graph=True so the penalty
    back-propagates into D's parameters.
    """
    if not real_inputs.requires_grad:
        raise ValueError("r1_penalty needs real_inputs.requires_grad_(True) before computing D(real_inputs)")
    (grads,) = torch.autograd.grad(outputs=real_logits.float().sum(), inputs=real_inputs, create_graph=True)
    return grads.float().reshape(grads.shape[0], -1).pow(2).sum(dim=1).mean()


# --------------------------------------------------------------------------- orthogonal regularization
def orthogonal_regularization(weights: Iterable[Tensor]) -> Tensor:
    """BigGAN's orthogonal regularization (Brock, Donahue & Simonyan 2019, §3.1, eq. 3), summed over `weights`:

        R(W) = ‖WᵀW ⊙ (1 − I)‖²_F

    with W one layer's weight as a matrix whose columns are its filters (a kernel of shape (out, in, k, k) is
    read as the (in·k·k) × out matrix): the squared cosines, unnormalized, between different filters, with no
    constraint on their norms (the diagonal is masked). The caller multiplies by β (1e-4 in the paper).
    Computed in float32 with autocast off.
    """
    total = None
    for weight in weights:
        with torch.autocast(weight.device.type, enabled=False):
            w = weight.float().reshape(weight.shape[0], -1)  # rows: filters, i.e. the columns of the paper's W
            gram = w @ w.t()
            off = gram - torch.diag_embed(torch.diagonal(gram))
            term = off.square().sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("orthogonal_regularization needs at least one weight")
    return total


# --------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class AdversarialLoss:
    """A named pair of (discriminator, generator) losses.

    ``probabilistic`` is True when σ(logit) is a probability (minimax, non-saturating), so D(x)
    can be read as P(real); False for Wasserstein, hinge and least-squares scores.
    """

    name: str
    d_loss: Callable[[Tensor, Tensor], Tensor]
    g_loss: Callable[[Tensor], Tensor]
    probabilistic: bool


_LOSSES: dict[str, AdversarialLoss] = {
    loss.name: loss
    for loss in (
        AdversarialLoss("minimax", minimax_d, minimax_g, True),
        AdversarialLoss("nonsaturating", nonsaturating_d, nonsaturating_g, True),
        AdversarialLoss("wasserstein", wasserstein_d, wasserstein_g, False),
        AdversarialLoss("wgan-gp", wasserstein_d, wasserstein_g, False),
        AdversarialLoss("hinge", hinge_d, hinge_g, False),
        AdversarialLoss("least-squares", least_squares_d, least_squares_g, False),
    )
}

LOSS_NAMES: tuple[str, ...] = tuple(_LOSSES)


def get_loss(name: str) -> AdversarialLoss:
    """Return the :class:`AdversarialLoss` registered under ``name`` (one of :data:`LOSS_NAMES`)."""
    try:
        return _LOSSES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown loss {name!r}; choose one of {', '.join(LOSS_NAMES)}") from None
