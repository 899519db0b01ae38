"""Unrolled discriminator for the generator's update (Metz, Poole, Pfau & Sohl-Dickstein 2017,
"Unrolled Generative Adversarial Networks").

The generator is trained against a copy of D that has taken k further gradient steps on the D loss,
and the generator's gradient flows *through* those k steps:

    θ_D^0 = θ_D,   θ_D^{k+1} = θ_D^k - η ∇_{θ_D} L_D(θ_G, θ_D^k)
    G minimizes  L_G(θ_G, θ_D^K(θ_G, θ_D))

so G anticipates how D would react to its move, which damps mode hopping. D itself is still
updated with its ordinary loss; the unrolled parameters are only used for G's loss.

Usage in a G step::

    fake = G(z)
    params = unrolled_discriminator(D, nonsaturating_d, steps=5, lr=1e-2, real_batches=real, fake=fake)
    g_loss = nonsaturating_g(call_with_parameters(D, params, fake))
    g_loss.backward()
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import torch
from torch import Tensor, nn
from torch.func import functional_call

__all__ = ["unrolled_discriminator", "call_with_parameters"]


def call_with_parameters(discriminator: nn.Module, parameters: Mapping[str, Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """Evaluate ``discriminator(*args, **kwargs)`` with its parameters replaced by ``parameters``
    (names as in ``named_parameters()``); buffers not in ``parameters`` are the module's own."""
    return functional_call(discriminator, dict(parameters), args, kwargs)


def unrolled_discriminator(
    discriminator: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    steps: int,
    lr: float,
    real_batches: Tensor | Sequence[Tensor],
    fake: Tensor,
    *,
    real_kwargs: Mapping[str, Any] | None = None,
    fake_kwargs: Mapping[str, Any] | None = None,
    create_graph: bool = True,
) -> dict[str, Tensor]:
    """Return D's parameters after ``steps`` plain gradient-descent steps of size ``lr`` on
    ``loss_fn(D(real), D(fake))`` (Metz et al. 2017), as a dict for :func:`call_with_parameters`.

        θ^0 = θ_D (detached copy),   θ^{k+1} = θ^k - lr · ∇_θ loss_fn(D_θk(x_k), D_θk(fake))

    The module is never modified: its parameters are copied (detached, so no gradient reaches D's
    own parameters and a frozen D is fine), and buffers are cloned for the unrolling so BatchNorm
    running statistics or spectral-norm vectors are not mutated. ``fake`` should be the generator's
    output *with* its graph; with ``create_graph=True`` the returned parameters are differentiable
    functions of ``fake``, so a G loss evaluated with them back-propagates through the unrolling
    (the second-order term of the paper). ``create_graph=False`` gives the cheaper first-order
    approximation (G sees the unrolled D, but not how D's steps depend on G).

    ``real_batches`` is one tensor reused for every step, or a sequence of at least ``steps``
    batches (one per step, as in the paper). ``real_kwargs`` / ``fake_kwargs`` (e.g. labels) are
    passed to D on every step. ``steps=0`` returns the copied parameters unchanged.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if not isinstance(real_batches, Tensor) and len(real_batches) < steps:
        raise ValueError(f"need {steps} real batches for {steps} unrolling steps, got {len(real_batches)}")
    real_kwargs = dict(real_kwargs or {})
    fake_kwargs = dict(fake_kwargs or {})

    params = {name: p.detach().clone().requires_grad_(True) for name, p in discriminator.named_parameters()}
    buffers = {name: b.detach().clone() for name, b in discriminator.named_buffers()}
    for step in range(steps):
        real = real_batches if isinstance(real_batches, Tensor) else real_batches[step]
        state = {**buffers, **params}
        real_logits = functional_call(discriminator, state, (real,), real_kwargs)
        fake_logits = functional_call(discriminator, state, (fake,), fake_kwargs)
        loss = loss_fn(real_logits, fake_logits)
        names = list(params)
        grads = torch.autograd.grad(loss, [params[n] for n in names], create_graph=create_graph, allow_unused=True)
        new_params = {}
        for name, grad in zip(names, grads):
            if grad is None:
                new_params[name] = params[name]
            elif create_graph:
                new_params[name] = params[name] - lr * grad
            else:  # first-order: cut the graph but keep a leaf that later steps can differentiate
                new_params[name] = (params[name] - lr * grad).detach().requires_grad_(True)
        params = new_params
    return params
