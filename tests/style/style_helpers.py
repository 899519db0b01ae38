"""Shared by the StyleGAN and StyleGAN2 trained-model tests: the truncation-in-w checks and the style-mixing grid."""

from __future__ import annotations

from pathlib import Path

import torch

from gankit import api


def check_truncation_psi(run: Path) -> None:
    """ψ = 0 gives every latent the mean image synthesis(w_avg); ψ = 1 is the plain sampler; ψ = 0.5 is less varied."""
    loaded = api.load_generator(run)
    G = loaded.module
    assert G.w_avg.abs().sum() > 0  # tracked during training, saved with the weights
    with torch.no_grad():
        mean_image = G.synthesis(G.w_avg.view(1, 1, -1).expand(1, G.num_ws, -1), noise_mode="const").clamp(-1, 1)
    at_zero = api.sample(loaded, 6, seed=3, truncation_psi=0.0)
    assert torch.allclose(at_zero, mean_image.expand(6, -1, -1, -1), atol=1e-5)
    assert torch.equal(api.sample(loaded, 6, seed=3, truncation_psi=1.0), api.sample(loaded, 6, seed=3))
    plain, half = api.sample(loaded, 200, seed=4), api.sample(loaded, 200, seed=4, truncation_psi=0.5)
    assert half.std(dim=0).mean() < plain.std(dim=0).mean()  # less varied toward the mean


def mixing_grid(run: Path, rows: list[int], cols: list[int], layers: tuple[int, int]):
    """(row sources, column sources, mixes) of `api.style_mixing_grid`: columns' ws replace layers K..L of rows'."""
    grid = api.style_mixing_grid(run, rows, cols, layers)
    grid = grid.view(len(rows) + 1, len(cols) + 1, *grid.shape[1:])
    return grid[1:, 0], grid[0, 1:], grid[1:, 1:]
