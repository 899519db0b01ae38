"""The recurrent networks of TimeGAN (Yoon, Jarrett & van der Schaar 2019, "Time-series Generative Adversarial
Networks", NeurIPS; §4 and the authors' description of the networks; restated, no code copied).

Every network is a stack of GRU layers read step by step, then one linear map per step and an activation:

    h_t = GRU(x_1..x_t),    y_t = act(W h_t + b)

- embedder  E: data (d)        -> latent (hidden), sigmoid
- recovery  R: latent (hidden) -> data (d), sigmoid for data min-max scaled to [0, 1] (the paper's), linear for
  gankit's standardized data
- generator G: noise (z)       -> latent (hidden), sigmoid
- supervisor S: latent         -> latent (the next step's), sigmoid, one layer fewer (at least one)
- discriminator D: latent      -> one logit per step

All are causal (a step reads only earlier steps), so any of them runs over sequences of any length.
"""

from __future__ import annotations

import torch
from torch import nn


class GRUNet(nn.Module):
    """``(N, T, in_dim)`` -> ``(N, T, out_dim)``: ``layers`` GRU layers of ``hidden``, a linear map per step, then
    ``activation`` (``sigmoid`` or ``none``)."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int, layers: int, activation: str = "none") -> None:
        super().__init__()
        if min(in_dim, hidden, out_dim, layers) < 1:
            raise ValueError(f"sizes must be positive, got in {in_dim}, hidden {hidden}, out {out_dim}, layers {layers}")
        if activation not in ("sigmoid", "none"):
            raise ValueError(f"activation must be sigmoid or none, got {activation!r}")
        self.rnn = nn.GRU(in_dim, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, out_dim)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.out(self.rnn(x)[0])
        return torch.sigmoid(y) if self.activation == "sigmoid" else y


def timegan_networks(dim: int, hidden: int = 24, layers: int = 3, z_dim: int | None = None,
                     recovery: str = "sigmoid") -> dict[str, nn.Module]:
    """TimeGAN's five networks by name: E, R, G, S, D (module docstring); ``recovery``: R's activation; G reads
    ``z_dim`` noise values per step (default: ``dim``)."""
    z_dim = z_dim or dim
    return {"E": GRUNet(dim, hidden, hidden, layers, "sigmoid"),
            "R": GRUNet(hidden, hidden, dim, layers, recovery),
            "G": GRUNet(z_dim, hidden, hidden, layers, "sigmoid"),
            "S": GRUNet(hidden, hidden, hidden, max(1, layers - 1), "sigmoid"),
            "D": GRUNet(hidden, hidden, 1, layers, "none")}
