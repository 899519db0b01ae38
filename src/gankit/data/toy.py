"""Toy 2-D Gaussian mixtures for measuring mode collapse, as specified in VEEGAN (Srivastava et al. 2017,
arXiv:1705.07761) and PacGAN (Lin et al. 2018, arXiv:1712.04086):

* ``ring``: 8 Gaussians with centres evenly spaced on a circle of radius 1, std 0.01;
* ``grid``: 25 Gaussians with centres at {-4, -2, 0, 2, 4}^2, std 0.05.

Mixture weights are equal. A sample is ``x = mu_k + sigma * eps`` with ``k ~ Uniform{0..K-1}`` and
``eps ~ N(0, I_2)``, drawn from a ``torch.Generator`` seeded by ``seed``, so a seed fixes the data exactly.
"""

from __future__ import annotations

import math

import torch

from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.errors import ConfigError

RING_MODES = 8
RING_RADIUS = 1.0
RING_STD = 0.01
GRID_COORDS = (-4.0, -2.0, 0.0, 2.0, 4.0)
GRID_STD = 0.05


def ring_modes(k: int = RING_MODES, radius: float = RING_RADIUS) -> torch.Tensor:
    """``(k, 2)`` centres ``radius * (cos(2 pi i / k), sin(2 pi i / k))`` for ``i = 0..k-1``."""
    angles = torch.arange(k, dtype=torch.float64) * (2.0 * math.pi / k)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).to(torch.float32)


def grid_modes(coords: tuple[float, ...] = GRID_COORDS) -> torch.Tensor:
    """``(len(coords)^2, 2)`` centres: every pair ``(a, b)`` of ``coords``, row-major (``a`` varies slowest)."""
    axis = torch.tensor(coords, dtype=torch.float32)
    a, b = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([a.reshape(-1), b.reshape(-1)], dim=1)


def sample_mixture(modes: torch.Tensor, std: float, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points from the equal-weight mixture of ``N(mode_k, std^2 I)``, and the index ``k`` of each point's mode."""
    if n <= 0:
        raise ConfigError(f"n_points must be a positive integer, got {n!r}")
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(len(modes), (n,), generator=generator)
    noise = torch.randn((n, modes.shape[1]), generator=generator)
    return modes[labels] + std * noise, labels


def _mixture(name: str, modes: torch.Tensor, std: float, request: LoadRequest) -> ArrayDataset:
    x, y = sample_mixture(modes, std, request.n_points, request.seed)
    if request.limit is not None:
        x, y = x[: request.limit], y[: request.limit]
    return ArrayDataset(x=x, y=y, num_classes=len(modes), name=name, kind="points", modes=modes, mode_std=std)


def load_ring(request: LoadRequest) -> ArrayDataset:
    """The 8-Gaussian ring: radius 1, std 0.01, ``request.n_points`` points seeded by ``request.seed``."""
    return _mixture("ring", ring_modes(), RING_STD, request)


def load_grid(request: LoadRequest) -> ArrayDataset:
    """The 25-Gaussian grid at {-4, -2, 0, 2, 4}^2, std 0.05, ``request.n_points`` points seeded by ``request.seed``."""
    return _mixture("grid", grid_modes(), GRID_STD, request)
