"""Paths from a trained series run: its generator continued autoregressively from a history, to any length.

>>> from gankit.sampling.series import sample_paths
>>> paths = sample_paths("runs/ar1", n=1000, length=250)        # (1000, 250, 1), in the model's units

A conditional generator (``series-cgan``) continues a history: the first held-out window's (the training
windows' when the data holds none out) unless given; every path starts from it and draws its own noise from
``seed``. A generator that reads no history (a game with ``reads_history = False``: ``quantgan``'s TCN, TimeGAN's
GRUs) draws each path from noise alone, and refuses a given history. Values are in the units the model trained on
(standardised); `gankit.data.SeriesDataset.inverse_transform` maps them back.
"""

from __future__ import annotations

from pathlib import Path

import math

import numpy as np
import torch

from gankit.atomic import atomic_write
from gankit.data import SeriesDataset, SeriesSource
from gankit.data.series_real import csv_values
from gankit.errors import ConfigError, DataError, RunFolderError
from gankit.sampling.loading import LoadedGenerator, load_generator
from gankit.training.setup import load_data

FREE_STEPS_PER_CHUNK = 100_000  # path steps drawn at once by a generator that reads no history (memory, not speed)


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
    if history is not None and torch.as_tensor(history).numel() == 0:
        raise DataError("the history is empty")
    p, d = loaded.data.field_shape("history")
    if not reads_history(loaded.game):
        if history is not None:
            raise ConfigError(f"game '{loaded.config.game}' draws paths from noise alone and reads no history")
        history = torch.zeros(n, 0, d)
    elif history is None:
        data = load_data(loaded.config)
        history = data.eval_windows()[0][0]
    history = torch.as_tensor(history, dtype=torch.float32)
    history = history.reshape(*history.shape, 1) if history.dim() == 1 else history
    if reads_history(loaded.game) and (history.shape[-2] < p or history.shape[-1] != d):
        raise DataError(f"a history of shape {tuple(history.shape)} is shorter than the model's p = {p} steps "
                        f"of {d} values")
    history = history.expand(n, *history.shape[-2:]) if history.dim() == 2 else history
    if len(history) != n:
        raise DataError(f"{len(history)} histories for {n} paths")
    if not reads_history(loaded.game):  # a convolution over whole paths holds every step's activations at once
        batch_size = max(1, min(batch_size, FREE_STEPS_PER_CHUNK // (length + 1)))
    rng = torch.Generator(device=loaded.device).manual_seed(seed)
    out = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            chunk = history[start : start + batch_size].to(loaded.device)
            out.append(loaded.game.rollout(loaded.module, chunk, length, rng=rng).float().cpu())
    return torch.cat(out)


def reads_history(game: object) -> bool:
    """Whether a series game's generator continues a history (``series-cgan``) rather than drawing from noise alone."""
    return bool(getattr(game, "reads_history", True))


def history_from_csv(data: SeriesDataset, path: str | Path, column: str | None = None) -> tuple[torch.Tensor, float]:
    """(model values ``(T - 1, 1)``, last price) of a history CSV (a date and a value column: ``column``, else the
    run's ``data.column``, else the file's one column besides the date), through the run's data pipeline."""
    if data.pipeline is None:
        raise ConfigError(f"--history needs a run trained on a real series (sp500, nasdaq, series-csv), not '{data.name}'")
    file = Path(path)
    if not column and file.is_file():
        header = [h.strip() for h in file.read_text(encoding="utf-8").splitlines()[0].split(",")]
        others = [h for h in header if h.lower() != "date"]
        column = others[0] if len(others) == 1 else None
    if not column:
        raise ConfigError(f"{file}: name the history's value column with --column")
    series = csv_values(file, SeriesSource(column=column))
    values = torch.from_numpy(data.pipeline.forward(series, str(file))).reshape(-1, 1)
    return values, float(series[-1])


def sample_series(source: str | Path | LoadedGenerator, n: int, length: int, *, history: str | Path | None = None,
                  column: str | None = None, prices: bool = False, seed: int = 0) -> np.ndarray:
    """``n`` paths of ``length`` steps in the series' own units, float64: log returns ``(n, length)`` for a real
    series (values for the others), or with ``prices`` prices ``(n, length + 1)`` starting from the history's last
    price. The history is a CSV file (:func:`history_from_csv`) or, when None, the first evaluation window's; a game
that reads no history starts every path from noise alone, priced from the series' first price."""
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    data = load_data(loaded.config)
    if not isinstance(data, SeriesDataset):
        raise ConfigError(f"{loaded.checkpoint.parent.parent} was not trained on a series")
    if prices and (data.pipeline is None or data.pipeline.returns != "log"):
        raise ConfigError("--prices needs a run trained on log returns of prices (sp500, nasdaq, series-csv)")
    if history is not None and not reads_history(loaded.game):
        raise ConfigError(f"--history: game '{loaded.config.game}' draws paths from noise alone and reads no history")
    if not reads_history(loaded.game):
        values, last = None, 0.0 if data.pipeline is None else data.first  # paths start at the series' first price
    elif history is not None:
        values, last = history_from_csv(data, history, column)
    else:
        start = 0 if data.in_sample else data.split
        values = data.values[start : start + data.windowing[0]]
        last = 0.0  # the price after the window: S_0 exp(r_1 + ... + r_{start + p})
        if data.pipeline is not None:
            last = data.first * math.exp(float(data.inverse_transform(data.values[: start + len(values)]).sum()))
    paths = data.inverse_transform(sample_paths(loaded, n, length, history=values, seed=seed))[..., 0].numpy()
    if not prices:
        return paths
    log_path = np.concatenate([np.zeros((n, 1)), np.cumsum(paths, axis=1)], axis=1)
    return last * np.exp(log_path)


def save_paths_file(paths: np.ndarray, out: str | Path, *, force: bool = False) -> Path:
    """Write paths ``(n, T)`` atomically: ``.npy`` the array, ``.csv`` one path per row (header t0.. or t1..)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".npy", ".csv"):
        raise ConfigError(f"cannot write paths to '{out}': use .npy or .csv")
    if out.exists() and (out.is_dir() or not force):
        raise RunFolderError(f"{out} already exists; use --force to replace it")
    if suffix == ".npy":
        def write_npy(tmp: str) -> None:
            with open(tmp, "wb") as stream:
                np.save(stream, paths)

        return atomic_write(out, write_npy)

    def write_csv(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as stream:
            stream.write(",".join(f"t{i}" for i in range(paths.shape[1])) + "\n")
            np.savetxt(stream, paths, delimiter=",", fmt="%.10g")

    return atomic_write(out, write_csv)
