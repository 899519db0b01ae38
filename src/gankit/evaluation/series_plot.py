"""The figure of `gankit eval RUN --plot FILE.png` on a real series run: real against generated, the way QuantGAN
(Wiese et al. 2020, figures 5–8) shows its stylized facts.

Four panels, the real series in black and the generated paths in blue:

1. cumulative log returns: the real path and up to 20 generated ones, all from 0;
2. the density of daily log returns, on a log scale (heavy tails show as straight flanks);
3. the autocorrelations ρ(k) of r (dashed) and of |r| (solid) for k = 1..250 (`gankit.metrics.stylized.path_acf`):
   no linear autocorrelation, slowly decaying volatility clustering; generated: the mean over paths;
4. the leverage effect L(k) = corr(r_t, r²_{t+k}), k = 1..`LEVERAGE_LAGS` (`path_leverage`): negative for real
   equity indices; generated: the mean over paths.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gankit.errors import ConfigError
from gankit.metrics.stylized import ACF_LAGS, LEVERAGE_LAGS, path_acf, path_leverage
from gankit.previews import atomic_save_figure, pyplot

PATHS_DRAWN = 20  # generated paths in the first panel


def check_plot_path(path: str | Path) -> Path:
    """Refuse a plot file that is not a new .png in an existing folder (nothing is overwritten)."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ConfigError(f"--plot must name a .png file, got {str(path)!r}")
    if path.exists():
        raise ConfigError(f"--plot {str(path)!r} exists: remove it or name another file")
    if not path.parent.is_dir():
        raise ConfigError(f"--plot {str(path)!r}: there is no folder {str(path.parent)!r} to write it in")
    return path


def save_facts_figure(real: np.ndarray, fake: np.ndarray, path: str | Path, title: str = "") -> Path:
    """Draw the module docstring's four panels for real log returns ``(T,)`` and generated ones ``(N, T')``
    into ``path`` (PNG, written atomically)."""
    plt = pyplot()
    real = np.asarray(real, dtype=np.float64).reshape(-1)
    fake = np.atleast_2d(np.asarray(fake, dtype=np.float64))
    lags = min(ACF_LAGS, real.size - 2, fake.shape[1] - 2)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    ax = axes[0, 0]
    for row in fake[:PATHS_DRAWN]:
        ax.plot(np.cumsum(row), c="tab:blue", lw=0.6, alpha=0.5)
    ax.plot(np.cumsum(real), c="k", lw=1.2, label="real")
    ax.plot([], c="tab:blue", label=f"generated ({min(PATHS_DRAWN, len(fake))} paths)")
    ax.set(title="cumulative log returns", xlabel="day")
    ax.legend(fontsize=8)

    ax = axes[0, 1]
    edges = np.linspace(min(real.min(), np.quantile(fake, 0.0005)), max(real.max(), np.quantile(fake, 0.9995)), 81)
    ax.hist(real, bins=edges, density=True, histtype="step", color="k", lw=1.2, label="real")
    ax.hist(fake.reshape(-1), bins=edges, density=True, histtype="step", color="tab:blue", lw=1.2, label="generated")
    ax.set_yscale("log")
    ax.set(title="daily log returns", xlabel="r")
    ax.legend(fontsize=8)

    ax = axes[1, 0]
    k = np.arange(1, lags + 1)
    for f, style in (("r", "--"), ("abs", "-")):
        ax.plot(k, path_acf(real, lags, f)[0], c="k", ls=style, lw=1, label=f"real, {'|r|' if f == 'abs' else 'r'}")
        ax.plot(k, path_acf(fake, lags, f).mean(0), c="tab:blue", ls=style, lw=1,
                label=f"generated, {'|r|' if f == 'abs' else 'r'}")
    ax.axhline(0, c="0.6", lw=0.6)
    ax.set(title="autocorrelation", xlabel="lag k (days)")
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    k = np.arange(1, min(LEVERAGE_LAGS, lags) + 1)
    ax.plot(k, path_leverage(real, len(k))[0], c="k", lw=1, label="real")
    ax.plot(k, path_leverage(fake, len(k)).mean(0), c="tab:blue", lw=1, label="generated")
    ax.axhline(0, c="0.6", lw=0.6)
    ax.set(title="leverage effect corr(r_t, r²_{t+k})", xlabel="lag k (days)")
    ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        return atomic_save_figure(fig, path, dpi=90)
    finally:
        plt.close(fig)
