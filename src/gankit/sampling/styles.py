"""Controls of style-based generators: truncation in w and style-mixing grids (Karras, Laine & Aila 2019, "A
Style-Based Generator Architecture for Generative Adversarial Networks", §3.1 and §2; StyleGAN2 Figure 10).

A styled generator (`gankit.models.stylegan.StyleGANGenerator`, `gankit.models.stylegan2.StyleGAN2Generator`)
exposes ``mapping(z, labels=None) -> w``, ``synthesis(ws, noise_mode=...)`` with ws (N, num_ws, w_dim), ``num_ws``
and the running mean ``w_avg``; a growing one (StyleGAN) renders at the resolution its run has reached.

- **Truncation in w**: w' = w_avg + ψ·(w − w_avg), ψ in [0, 1]; ψ = 1 is the generator as trained, ψ = 0 gives
  every latent the mean image synthesis(w_avg).
- **Style mixing**: a grid whose row r, column c image takes the ws of row seed r, with the layers K..L (inclusive)
  replaced by those of column seed c. The coarse layers (4–8 px) carry pose and shape, the fine ones colour and
  texture. A seed s gives the latent ``torch.randn(1, z_dim)`` of a generator seeded s, so row seed s's own image
  is what ``gankit sample --seed s -n 1 [--truncation-psi ψ]`` draws.

Images are drawn with the constant noise maps (``noise_mode="const"``) and clipped to [-1, 1], like every sample.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import torch

from gankit.errors import ConfigError
from gankit.sampling.loading import LoadedGenerator, load_generator

__all__ = ["check_psi", "is_styled", "styled_module", "synthesize", "truncated_ws", "parse_seeds", "parse_layers",
           "style_mixing_grid"]


def check_psi(psi: float | None) -> None:
    """Refuse a ψ outside [0, 1] (None means no truncation)."""
    if psi is not None and not (math.isfinite(psi) and 0 <= psi <= 1):
        raise ConfigError(f"--truncation-psi must be in [0, 1], got {psi:g}")


def is_styled(module: torch.nn.Module) -> bool:
    """Whether `module` follows the styled-generator protocol (mapping, synthesis, num_ws, w_avg)."""
    return all(hasattr(module, name) for name in ("mapping", "synthesis", "num_ws", "w_avg"))


def styled_module(loaded: LoadedGenerator, what: str) -> torch.nn.Module:
    """The loaded generator when it is style-based; else a one-line error saying `what` needs styles."""
    if not is_styled(loaded.module):
        raise ConfigError(f"{what} needs a style-based generator (game stylegan or stylegan2), but "
                          f"{loaded.checkpoint.parent.parent} was trained with game '{loaded.config.game}'")
    return loaded.module


def synthesize(module: torch.nn.Module, ws: torch.Tensor) -> torch.Tensor:
    """Images of ws (N, num_ws, w_dim) with the constant noise maps, clipped to [-1, 1]."""
    return module.synthesis(ws, noise_mode="const").float().clamp(-1, 1)


def truncated_ws(module: torch.nn.Module, z: torch.Tensor, psi: float, labels: torch.Tensor | None = None) -> torch.Tensor:
    """ws (N, num_ws, w_dim) of latents z, each w pulled toward w_avg: w_avg + ψ·(w − w_avg)."""
    w = module.mapping(z, labels)
    w = torch.lerp(module.w_avg.to(w.dtype), w, float(psi))
    return w.unsqueeze(1).expand(-1, module.num_ws, -1)


def parse_seeds(text: str, option: str) -> list[int]:
    """'1,2,5-7' → [1, 2, 5, 6, 7]; a one-line error naming `option` otherwise."""
    seeds: list[int] = []
    for part in str(text).split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match or (match[2] is not None and int(match[2]) < int(match[1])):
            raise ConfigError(f"{option} takes seeds such as 1,2,5-7, got '{text}'")
        seeds += list(range(int(match[1]), int(match[2] or match[1]) + 1))
    if len(seeds) > 64:
        raise ConfigError(f"{option} gives {len(seeds)} seeds; a grid takes at most 64 a side")
    return seeds


def parse_layers(text: str, num_ws: int) -> tuple[int, int]:
    """'K-L' (or 'K') → (K, L) with 0 ≤ K ≤ L < num_ws; a one-line error otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", str(text))
    first, last = (int(match[1]), int(match[2] or match[1])) if match else (-1, -1)
    if not match or not 0 <= first <= last < num_ws:
        raise ConfigError(f"--layers must be K-L with 0 <= K <= L <= {num_ws - 1} (this generator has {num_ws} "
                          f"style layers), got '{text}'")
    return first, last


def _seed_latents(seeds: list[int], z_dim: int, device: torch.device) -> torch.Tensor:
    return torch.cat([torch.randn(1, z_dim, generator=torch.Generator(device=device).manual_seed(s), device=device)
                      for s in seeds])


@torch.inference_mode()
def style_mixing_grid(source: str | Path | LoadedGenerator, rows: list[int], cols: list[int], layers: tuple[int, int],
                      *, psi: float = 1.0) -> torch.Tensor:
    """The style-mixing grid as images ((R + 1)·(C + 1), C, H, W), to be laid out C + 1 per row.

    First row: a blank corner, then each column seed's own image; then per row seed its own image followed by
    its mixes, row r column c taking the ws of row seed r with layers K..L from column seed c.
    """
    check_psi(psi)
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    module = styled_module(loaded, "gankit mix")
    first, last = parse_layers(f"{layers[0]}-{layers[1]}", module.num_ws)
    if not rows or not cols:
        raise ConfigError("gankit mix needs at least one row seed and one column seed")
    device = loaded.device
    row_ws = truncated_ws(module, _seed_latents(rows, loaded.game.latent_shape()[0], device), psi)
    col_ws = truncated_ws(module, _seed_latents(cols, loaded.game.latent_shape()[0], device), psi)
    row_images, col_images = synthesize(module, row_ws), synthesize(module, col_ws)
    ws = row_ws.unsqueeze(1).repeat(1, len(cols), 1, 1)  # (R, C, num_ws, w_dim)
    ws[:, :, first:last + 1] = col_ws[None, :, first:last + 1]
    mixes = synthesize(module, ws.flatten(0, 1)).view(len(rows), len(cols), *row_images.shape[1:])
    corner = torch.ones_like(row_images[:1])  # white
    grid = [torch.cat([corner, col_images])]
    grid += [torch.cat([row_images[r:r + 1], mixes[r]]) for r in range(len(rows))]
    return torch.cat(grid).cpu()


def mix(source: str | Path | LoadedGenerator, rows: str | list[int], cols: str | list[int], layers: str | tuple[int, int],
        out: str | Path, *, psi: float = 1.0, force: bool = False) -> Path:
    """Write the style-mixing grid of `style_mixing_grid` to the PNG `out` (C + 1 images per row); returns its path.

    `rows`/`cols`: seeds, as a list or text such as ``1,2,5-7``; `layers`: (K, L) or ``"K-L"``, inclusive, of
    0..num_ws − 1. Everything is checked (the output first) before the grid is drawn; nothing is written on an error.
    """
    from gankit.previews import save_image_grid
    from gankit.sampling.output import check_sample_output

    check_psi(psi)
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"gankit mix writes one PNG grid: --out must end in .png, got '{out}'")
    check_sample_output(out, force=force)
    row_seeds = parse_seeds(rows, "--rows") if isinstance(rows, str) else list(rows)
    col_seeds = parse_seeds(cols, "--cols") if isinstance(cols, str) else list(cols)
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    module = styled_module(loaded, "gankit mix")
    span = parse_layers(layers, module.num_ws) if isinstance(layers, str) else tuple(layers)
    grid = style_mixing_grid(loaded, row_seeds, col_seeds, span, psi=psi)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.png")
    save_image_grid(grid, tmp, nrow=len(col_seeds) + 1)
    tmp.replace(out)
    return out
