"""Stylized facts of returns, and how far generated paths are from a real series on each (the scores of QuantGAN,
Wiese, Knobloch, Korn, Kretschmer 2020, "Quant GANs: deep generation of financial time series", Quantitative
Finance 20(9), arXiv:1907.06673, §6; restated from the paper, no code copied).

Inputs are log returns: ``real`` one path ``(T,)``; ``fake`` paths ``(M, T')`` (or one ``(T',)``), any lengths.

* :func:`horizon_returns` / :func:`emd` — t-day log returns R_s = r_{s+1} + ... + r_{s+t}, cut from each path
  in **non-overlapping** blocks (s = 0, t, 2t, ...; a path of T returns gives ⌊T/t⌋ of them; ``overlapping``
  gives all T - t + 1 rolling sums instead), pooled over paths; EMD(t) = the 1-D Wasserstein-1 distance
  ∫|F_real(x) - F_fake(x)| dx of their empirical laws (``scipy.stats.wasserstein_distance``), in log-return
  units. QuantGAN reports t = 1, 5, 20, 100.
* :func:`path_acf` — per path, the sample autocorrelation of y = f(r) at lags 1..S:
  ρ(k) = mean_t (y_t - ȳ)(y_{t+k} - ȳ) / mean_t (y_t - ȳ)², ȳ the path's mean (means over the T - k pairs and
  the T values), as :func:`gankit.metrics.series.acf` on one path.
* :func:`acf_score` — ‖ρ_real - (1/M) Σ_m ρ_fake,m‖₂ over lags 1..S (S = 250), for f = identity, |·| and (·)².
* :func:`path_leverage` — per path L(k) = mean_t (r_t - r̄)(r²_{t+k} - m₂) / (sd(r) sd(r²)), m₂ the mean of r²,
  k = 1..K: the correlation of today's return with later squared returns (negative in equity: the leverage
  effect). :func:`leverage_score` = ‖L_real - (1/M) Σ_m L_fake,m‖₂.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

HORIZONS = (1, 5, 20, 100)
ACF_LAGS = 250
LEVERAGE_LAGS = 250
FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"r": lambda r: r, "abs": np.abs, "sq": np.square}


def _paths(x: np.ndarray | torch.Tensor) -> np.ndarray:
    """``(M, T)`` float64 from ``(T,)``, ``(M, T)`` or ``(M, T, 1)``."""
    a = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim == 1:
        a = a[None]
    if a.ndim != 2:
        raise ValueError(f"expected returns (T,), (M, T) or (M, T, 1), got shape {a.shape}")
    return a


def horizon_returns(returns: np.ndarray | torch.Tensor, t: int, overlapping: bool = False) -> np.ndarray:
    """The t-day log returns of every path, pooled (module docstring), float64 ``(n,)``."""
    r = _paths(returns)
    if t < 1:
        raise ValueError(f"horizon must be positive, got {t}")
    if r.shape[1] < t:
        return np.zeros(0)
    c = np.concatenate([np.zeros((len(r), 1)), np.cumsum(r, axis=1)], axis=1)
    if overlapping:
        return (c[:, t:] - c[:, :-t]).ravel()
    blocks = r.shape[1] // t
    return (c[:, t : blocks * t + 1 : t] - c[:, 0 : (blocks - 1) * t + 1 : t]).ravel()


def emd(real: np.ndarray | torch.Tensor, fake: np.ndarray | torch.Tensor, t: int = 1,
        overlapping: bool = False) -> float:
    """EMD(t) between the t-day log returns of ``real`` and ``fake`` (module docstring)."""
    from scipy.stats import wasserstein_distance

    a, b = horizon_returns(real, t, overlapping), horizon_returns(fake, t, overlapping)
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    return float(wasserstein_distance(a, b))


def path_acf(returns: np.ndarray | torch.Tensor, max_lag: int = ACF_LAGS, f: str = "r") -> np.ndarray:
    """ρ(1..max_lag) of f(r) per path ``(M, max_lag)`` (module docstring); f: ``r``, ``abs`` or ``sq``."""
    y = FUNCTIONS[f](_paths(returns))
    c = y - y.mean(axis=1, keepdims=True)
    var = (c ** 2).mean(axis=1)
    out = np.full((len(y), max_lag), np.nan)
    for k in range(1, min(max_lag, y.shape[1] - 1) + 1):
        out[:, k - 1] = (c[:, :-k] * c[:, k:]).mean(axis=1) / var
    return out


def acf_score(real: np.ndarray | torch.Tensor, fake: np.ndarray | torch.Tensor, f: str = "r",
              max_lag: int = ACF_LAGS) -> float:
    """‖ρ_real - mean over fake paths of ρ_fake‖₂ over lags 1..max_lag, of f(r) (module docstring)."""
    diff = path_acf(real, max_lag, f).mean(0) - path_acf(fake, max_lag, f).mean(0)
    return float(np.linalg.norm(diff))


def path_leverage(returns: np.ndarray | torch.Tensor, max_lag: int = LEVERAGE_LAGS) -> np.ndarray:
    """L(1..max_lag) = corr(r_t, r²_{t+k}) per path ``(M, max_lag)`` (module docstring)."""
    r = _paths(returns)
    a = r - r.mean(axis=1, keepdims=True)
    s = r ** 2
    b = s - s.mean(axis=1, keepdims=True)
    scale = r.std(axis=1) * s.std(axis=1)
    out = np.full((len(r), max_lag), np.nan)
    for k in range(1, min(max_lag, r.shape[1] - 1) + 1):
        out[:, k - 1] = (a[:, :-k] * b[:, k:]).mean(axis=1) / scale
    return out


def leverage_score(real: np.ndarray | torch.Tensor, fake: np.ndarray | torch.Tensor,
                   max_lag: int = LEVERAGE_LAGS) -> float:
    """‖L_real - mean over fake paths of L_fake‖₂ over lags 1..max_lag (module docstring)."""
    diff = path_leverage(real, max_lag).mean(0) - path_leverage(fake, max_lag).mean(0)
    return float(np.linalg.norm(diff))


def stylized_facts(real: np.ndarray | torch.Tensor, fake: np.ndarray | torch.Tensor,
                   horizons: tuple[int, ...] = HORIZONS, max_lag: int = ACF_LAGS,
                   leverage_lags: int = LEVERAGE_LAGS) -> dict[str, float]:
    """Every score of the module docstring in one flat dict: ``emd_<t>`` per horizon, ``acf_r``, ``acf_abs``,
    ``acf_sq``, ``leverage``, and the excess kurtosis of one-day returns ``kurtosis_real`` / ``kurtosis_fake``."""
    out = {f"emd_{t}": emd(real, fake, t) for t in horizons}
    for f in FUNCTIONS:
        out[f"acf_{f}"] = acf_score(real, fake, f, max_lag)
    out["leverage"] = leverage_score(real, fake, leverage_lags)
    for name, x in (("real", real), ("fake", fake)):
        v = _paths(x).ravel()
        c = v - v.mean()
        out[f"kurtosis_{name}"] = float((c ** 4).mean() / (c ** 2).mean() ** 2 - 3.0)
    return out
