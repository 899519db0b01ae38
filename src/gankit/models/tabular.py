"""The networks of CTGAN (Xu et al. 2019, "Modeling Tabular Data using Conditional GAN", §4.4 and appendix;
restated from the paper, no code copied) and of TVAE (same paper).

Generator (residual concatenation, widths h_1..h_k, 256 and 256 in the paper):

    h_0 = z ⊕ cond,   h_i = h_{i-1} ⊕ ReLU(BN(W_i h_{i-1})),   out = W h_k

``out`` holds one logit per value of a table row; the game applies tanh to each α and a (Gumbel) softmax to each
one-hot span. Critic over ``pac`` rows at once (PacGAN, Lin et al. 2018), each row concatenated with its
conditional vector:

    h_0 = (r_1 ⊕ c_1) ⊕ ... ⊕ (r_pac ⊕ c_pac),   h_i = Dropout_0.5(LeakyReLU_0.2(W_i h_{i-1})),   out = W h_k
"""

from __future__ import annotations

import torch
from torch import nn


class ResidualConcatGenerator(nn.Module):
    """``z_dim + cond_dim`` -> residual concatenation blocks of ``widths`` -> ``out_dim`` logits."""

    def __init__(self, z_dim: int, cond_dim: int, out_dim: int, widths: tuple[int, ...] = (256, 256)) -> None:
        super().__init__()
        self.z_dim, self.cond_dim = z_dim, cond_dim
        size = z_dim + cond_dim
        blocks = []
        for width in widths:
            blocks.append(nn.Sequential(nn.Linear(size, width), nn.BatchNorm1d(width), nn.ReLU()))
            size += width
        self.blocks = nn.ModuleList(blocks)
        self.out = nn.Linear(size, out_dim)

    def forward(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = torch.cat([z, cond], dim=1)
        for block in self.blocks:
            h = torch.cat([h, block(h)], dim=1)
        return self.out(h)


class PacCritic(nn.Module):
    """Judges packs: input ``(N / pac, pac * in_dim)`` (``pack`` forms it from ``(N, in_dim)``) -> ``(N / pac,)``."""

    def __init__(self, in_dim: int, pac: int = 10, widths: tuple[int, ...] = (256, 256), dropout: float = 0.5) -> None:
        super().__init__()
        self.pac = pac
        layers: list[nn.Module] = []
        size = in_dim * pac
        for width in widths:
            layers += [nn.Linear(size, width), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
            size = width
        layers.append(nn.Linear(size, 1))
        self.net = nn.Sequential(*layers)

    def pack(self, rows: torch.Tensor) -> torch.Tensor:
        """``(N, F)`` -> ``(N / pac, pac * F)``: consecutive rows side by side."""
        if rows.shape[0] % self.pac:
            raise ValueError(f"a batch of {rows.shape[0]} rows does not split into packs of {self.pac}")
        return rows.reshape(rows.shape[0] // self.pac, -1)

    def forward(self, packed: torch.Tensor) -> torch.Tensor:
        return self.net(packed).squeeze(1)


class TabularEncoder(nn.Module):
    """TVAE's encoder: row -> ReLU MLP of ``widths`` -> (μ, log σ²) of a ``z_dim`` Gaussian."""

    def __init__(self, in_dim: int, z_dim: int, widths: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        size = in_dim
        for width in widths:
            layers += [nn.Linear(size, width), nn.ReLU()]
            size = width
        self.net = nn.Sequential(*layers)
        self.head = nn.Linear(size, 2 * z_dim)  # μ and log σ² from one matrix product

    def forward(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.head(self.net(rows)).chunk(2, dim=1)
        return mu, logvar


class TabularDecoder(nn.Module):
    """TVAE's decoder: z -> ReLU MLP of ``widths`` -> row logits, and a learned σ per α (``log_sigma``)."""

    def __init__(self, z_dim: int, out_dim: int, widths: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        self.z_dim = z_dim
        layers: list[nn.Module] = []
        size = z_dim
        for width in widths:
            layers += [nn.Linear(size, width), nn.ReLU()]
            size = width
        layers.append(nn.Linear(size, out_dim))
        self.net = nn.Sequential(*layers)
        self.log_sigma = nn.Parameter(torch.full((out_dim,), -2.3))  # σ ≈ 0.1 at the start

    def forward(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(z)
