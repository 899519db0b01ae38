"""Paths from a trained series run: its generator continued autoregressively from a history, to any length.

>>> from gankit.sampling.series import sample_paths
>>> paths = sample_paths("runs/ar1", n=1000, length=250)        # (1000, 250, 1), in the model's units

The history is the first held-out window's (the training windows' when the data holds none out) unless given;
every path starts from it and draws its own noise from ``seed``. Values are in the units the model trained on
(standardised); `gankit.data.SeriesDataset.inverse_transform` maps them back.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.errors import ConfigError, DataError
from gankit.sampling.loading import LoadedGenerator, load_generator
from gankit.training.setup import load_data


def sample_paths(source: str | Path | LoadedGenerator, n: int, length: int, *, history: torch.Tensor | None = None,
                 seed: int = 0, batch_size: int = 10_000) -> torch.Tensor:
    """``n`` generated paths of ``length`` steps ``(n, length, d)`` after ``history`` (``(p', d)`` with p' >= p,
    or ``(n, p', d)`` for one history per path)."""
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    if not hasattr(loaded.game, "rollout"):
        raise ConfigError(f"{loaded.checkpoint.parent.parent} was trained with game '{loaded.config.game}', "
                          "which does not continue series")
    if n <= 0 or length <= 0:
        raise ConfigError(f"-n and --length must be positive, got {n} and {length}")
    p, d = loaded.data.field_shape("history")
    if history is None:
        data = load_data(loaded.config)
        history = data.eval_windows()[0][0]
    history = torch.as_tensor(history, dtype=torch.float32)
    history = history.reshape(*history.shape, 1) if history.dim() == 1 else history
    if history.shape[-2] < p or history.shape[-1] != d:
        raise DataError(f"a history of shape {tuple(history.shape)} is shorter than the model's p = {p} steps "
                        f"of {d} values")
    history = history.expand(n, *history.shape[-2:]) if history.dim() == 2 else history
    if len(history) != n:
        raise DataError(f"{len(history)} histories for {n} paths")
    rng = torch.Generator(device=loaded.device).manual_seed(seed)
    out = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            chunk = history[start : start + batch_size].to(loaded.device)
            out.append(loaded.game.rollout(loaded.module, chunk, length, rng=rng).float().cpu())
    return torch.cat(out)
