"""Save generated samples: image grids as PNG (Pillow), 2-D point clouds as scatter plots and series as path
plots (matplotlib)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from gankit.atomic import atomic_write


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def atomic_save_figure(figure: Any, path: str | Path, dpi: int = 110) -> Path:
    """Save a matplotlib figure atomically as PNG (`gankit.atomic.atomic_write`)."""
    return atomic_write(path, lambda tmp: figure.savefig(tmp, dpi=dpi, format="png"))


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] -> (N, H, W, C) uint8 in [0, 255]."""
    x = ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).numpy()


def image_grid(images: torch.Tensor, nrow: int | None = None, padding: int = 2) -> np.ndarray:
    """Tile (N, C, H, W) images in [-1, 1] into one uint8 array (rows of `nrow`), padded with white lines."""
    pixels = to_uint8(images)
    n, h, w, c = pixels.shape
    nrow = nrow or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / nrow))
    grid = np.full((rows * (h + padding) + padding, nrow * (w + padding) + padding, c), 255, dtype=np.uint8)
    for i in range(n):
        r, col = divmod(i, nrow)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[top : top + h, left : left + w] = pixels[i]
    return grid


def save_png(array: np.ndarray, path: Path) -> None:
    """Save an (H, W, C) uint8 array as PNG (C = 1 gives a greyscale image)."""
    mode = "L" if array.shape[-1] == 1 else "RGB"
    Image.fromarray(array[..., 0] if mode == "L" else array, mode=mode).save(path)


def save_image_grid(images: torch.Tensor, path: Path, nrow: int | None = None) -> None:
    save_png(image_grid(images, nrow=nrow), Path(path))


def save_strips(rows: list[torch.Tensor], path: Path) -> None:
    """Save image rows one above the other (e.g. inputs | outputs | targets of a translation, one pair per
    column); grey rows are tiled to colour when another row has 3 channels."""
    channels = max(row.shape[1] for row in rows)
    rows = [row.expand(-1, channels, -1, -1) if row.shape[1] == 1 else row for row in rows]
    save_png(image_grid(torch.cat([r.detach().float().cpu() for r in rows]), nrow=len(rows[0])), Path(path))


def save_scatter(points: torch.Tensor, path: Path, reference: torch.Tensor | None = None, title: str = "") -> None:
    """Scatter plot of generated 2-D points (blue) over real ones (grey)."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(5, 5))
    if reference is not None:
        ref = reference.detach().cpu().numpy()
        ax.scatter(ref[:, 0], ref[:, 1], s=2, c="0.7", label="real")
    pts = points.detach().float().cpu().numpy()
    ax.scatter(pts[:, 0], pts[:, 1], s=2, c="tab:blue", label="generated")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", markerscale=4)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_paths(history: torch.Tensor, future: torch.Tensor, fans: torch.Tensor, stretch: torch.Tensor,
               generated: torch.Tensor, path: Path, title: str = "") -> None:
    """Plot generated series against real ones (first dimension): a panel per history ``(K, p, d)`` with its real
    future ``(K, q, d)`` in black and generated futures ``fans`` ``(K, M, q, d)`` in blue; below, a real stretch
    ``(L, d)`` and a generated path ``(L', d)`` continued from its first values."""
    plt = pyplot()

    def arr(t: torch.Tensor) -> np.ndarray:
        return t.detach().float().cpu().numpy()[..., 0]

    k, p, q = history.shape[0], history.shape[1], future.shape[1]
    fig = plt.figure(figsize=(3 * max(k, 2), 5.5))
    grid = fig.add_gridspec(2, max(k, 1))
    after = np.arange(p - 1, p + q)
    for i in range(k):
        ax = fig.add_subplot(grid[0, i])
        h, f = arr(history[i]), arr(future[i])
        for fan in arr(fans[i]):
            ax.plot(after, np.concatenate([h[-1:], fan]), c="tab:blue", alpha=0.25, lw=0.8)
        ax.plot(np.arange(p + q), np.concatenate([h, f]), c="k", lw=1.5, marker=".")
        ax.axvline(p - 0.5, c="0.6", lw=0.8, ls=":")
    ax = fig.add_subplot(grid[1, :])
    ax.plot(arr(stretch), c="k", lw=0.8, label="real (held out)")
    ax.plot(arr(generated), c="tab:blue", lw=0.8, alpha=0.8, label="generated from its first values")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def save_table_preview(fake, real, path: Path, title: str = "", columns: int = 6) -> None:
    """Histograms of the first ``columns`` columns of a generated table (pandas) beside a real one: numeric
    columns as overlaid histograms over the real range, categorical ones as side-by-side frequency bars."""
    plt = pyplot()
    import pandas as pd

    names = list(fake.columns)[:columns]
    fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 2.4), squeeze=False)
    for ax, name in zip(axes[0], names):
        f = fake[name]
        r = real[name] if real is not None else None
        numeric = pd.api.types.is_numeric_dtype(f.dtype) and not pd.api.types.is_bool_dtype(f.dtype) and f.nunique() > 10
        if numeric:
            ref = r.dropna() if r is not None else f.dropna()
            bins = np.linspace(float(ref.min()), float(ref.max()), 21) if ref.max() > ref.min() else 20
            if r is not None:
                ax.hist(r.dropna(), bins=bins, density=True, alpha=0.5, color="k", label="real")
            ax.hist(f.dropna(), bins=bins, density=True, alpha=0.5, color="tab:orange", label="generated")
        else:
            keys = list(dict.fromkeys(list((r if r is not None else f).astype(str).unique()) + list(f.astype(str).unique())))[:12]
            x = np.arange(len(keys))
            fv = f.astype(str).value_counts(normalize=True).reindex(keys, fill_value=0)
            if r is not None:
                rv = r.astype(str).value_counts(normalize=True).reindex(keys, fill_value=0)
                ax.bar(x - 0.2, rv.to_numpy(), 0.4, color="k", alpha=0.6, label="real")
            ax.bar(x + 0.2, fv.to_numpy(), 0.4, color="tab:orange", alpha=0.8, label="generated")
            ax.set_xticks(x, keys, rotation=45, fontsize=6)
        ax.set_title(str(name)[:24], fontsize=8)
        ax.tick_params(labelsize=6)
    axes[0][0].legend(fontsize=6)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def save_dimension_scatter(real: np.ndarray, fake: np.ndarray, path: str | Path, *, title: str = "",
                           xlabel: str = "real", ylabel: str = "synthetic", limits: tuple[float, float] | None = (0, 1)
                           ) -> Path:
    """One point per column: a statistic of the real table (x) against the synthetic one (y), with the diagonal
    a perfect model lies on (medGAN's dimension-wise plots, Choi et al. 2017, Figure 2)."""
    plt = pyplot()
    real, fake = np.asarray(real, dtype=float), np.asarray(fake, dtype=float)
    fig, ax = plt.subplots(figsize=(3.6, 3.6))
    low, high = limits if limits is not None else (min(real.min(), fake.min()), max(real.max(), fake.max()))
    ax.plot([low, high], [low, high], color="0.6", lw=1, zorder=0)
    ax.scatter(real, fake, s=14, color="tab:blue", alpha=0.8)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if title:
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        return atomic_save_figure(fig, path)
    finally:
        plt.close(fig)


def save_free_paths(stretch: torch.Tensor, generated: torch.Tensor, path: Path, title: str = "") -> None:
    """Plot paths drawn without a history against a real stretch ``(L, d)`` (first dimension): above, the values of
    the stretch (black) and of one generated path ``(M, L, d)`` (blue); below, the cumulative sums of the stretch
    and of every generated path."""
    plt = pyplot()
    real = stretch.detach().float().cpu().numpy()[..., 0]
    fake = generated.detach().float().cpu().numpy()[..., 0]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5))
    top.plot(real, c="k", lw=0.8, label="real (held out)")
    top.plot(fake[0], c="tab:blue", lw=0.8, alpha=0.8, label="generated")
    top.legend(loc="upper right", fontsize=8)
    for one in fake:
        bottom.plot(np.cumsum(one), c="tab:blue", lw=0.7, alpha=0.4)
    bottom.plot(np.cumsum(real), c="k", lw=1.5)
    bottom.set_ylabel("cumulative sum")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        atomic_save_figure(fig, path, dpi=90)
    finally:
        plt.close(fig)
