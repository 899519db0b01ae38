"""The original GAN of Goodfellow et al. 2014 ("Generative Adversarial Nets", arXiv:1406.2661) as MLPs.

Choices, and how they differ from the paper:

* Generator: fully connected layers with ReLU (the paper: "a mixture of rectifier linear
  activations and sigmoid activations"), output Tanh for images in [-1, 1] (the paper
  used a sigmoid for pixels in [0, 1]; gankit's image range is [-1, 1]) or linear for
  points, which may lie anywhere. Default widths (256, 512, 1024), as in the widely used
  PyTorch re-implementations.
* Discriminator: fully connected layers with LeakyReLU(0.2) and optional dropout. The paper
  used maxout units with dropout; LeakyReLU gives the same benefit that mattered there
  (no dead units, gradients flow for negative inputs) at 1/k of maxout's cost with k
  pieces, and it is what DCGAN later standardised on. Dropout is off by default (it slows
  learning on small toy problems); pass `dropout=0.5` for the paper's regulariser.
* The output is one raw logit per sample, shape (N,): the losses apply the sigmoid.
* Default PyTorch initialisation (Kaiming-uniform); the DCGAN N(0, 0.02) rule is for convnets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from gankit.errors import ConfigError

ACTIVATIONS = ("relu", "leaky_relu", "tanh")
OUTPUTS = ("tanh", "linear")


def make_activation(name: str) -> nn.Module:
    """The hidden activation called `name`: relu, leaky_relu (slope 0.2, Maas et al. 2013) or tanh."""
    if name == "relu":
        return nn.ReLU(inplace=True)
    if name == "leaky_relu":
        return nn.LeakyReLU(0.2, inplace=True)
    if name == "tanh":
        return nn.Tanh()
    raise ConfigError(f"activation={name!r} is unknown (choose one of {', '.join(ACTIVATIONS)})")


def mlp_stack(in_features: int, hidden: Sequence[int], activation: str, dropout: float = 0.0) -> nn.Sequential:
    """Hidden layers h_{i+1} = dropout(act(W_i h_i + b_i)); the caller adds the output layer."""
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(in_features, width), make_activation(activation)]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        in_features = width
    return nn.Sequential(*layers)


def _check_shape(name: str, shape: Sequence[int]) -> tuple[int, ...]:
    shape = tuple(int(s) for s in shape)
    if not shape or any(s <= 0 for s in shape):
        raise ConfigError(f"{name}={shape} must be a non-empty tuple of positive sizes, e.g. (2,) or (1, 28, 28)")
    return shape


class MLPGenerator(nn.Module):
    """z (N, z_dim) -> samples (N, *out_shape): x = out(W_L h_L + b_L), h from `mlp_stack`.

    `output="tanh"` for images in [-1, 1], `"linear"` for points (Goodfellow et al. 2014).
    """

    def __init__(
        self,
        z_dim: int,
        out_shape: Sequence[int],
        hidden: Sequence[int] = (256, 512, 1024),
        activation: str = "relu",
        output: str = "tanh",
    ) -> None:
        super().__init__()
        if output not in OUTPUTS:
            raise ConfigError(f"output={output!r} is unknown (choose one of {', '.join(OUTPUTS)})")
        self.z_dim, self.out_shape = z_dim, _check_shape("out_shape", out_shape)
        self.body = mlp_stack(z_dim, hidden, activation)
        last = hidden[-1] if hidden else z_dim
        self.head = nn.Linear(last, math.prod(self.out_shape))
        self.squash = nn.Tanh() if output == "tanh" else nn.Identity()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """(N, z_dim) -> (N, *out_shape)."""
        x = self.squash(self.head(self.body(z.reshape(z.shape[0], -1))))
        return x.reshape(z.shape[0], *self.out_shape)


class MLPDiscriminator(nn.Module):
    """Samples (N, *in_shape) -> raw logits (N,): D(x) = w^T h_L(x) + b, LeakyReLU(0.2) hidden layers."""

    def __init__(
        self,
        in_shape: Sequence[int],
        hidden: Sequence[int] = (1024, 512, 256),
        activation: str = "leaky_relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ConfigError(f"dropout={dropout} must lie in [0, 1)")
        self.in_shape = _check_shape("in_shape", in_shape)
        in_features = math.prod(self.in_shape)
        self.body = mlp_stack(in_features, hidden, activation, dropout)
        self.head = nn.Linear(hidden[-1] if hidden else in_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, *in_shape) -> (N,) logits."""
        return self.head(self.body(x.reshape(x.shape[0], -1))).reshape(x.shape[0])
