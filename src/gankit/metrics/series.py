"""Metrics of generated series: pure functions of tensors (or arrays) of windows or paths ``(N, T)`` or
``(N, T, d)``.

The SigCWGAN benchmark's test metrics (Ni et al. 2020, arXiv:2006.05421, §5; restated from its description):

* :func:`marginal_distance` — the 50-bin histogram distance of the marginal law of the values;
* :func:`acf_distance` — ``|ACF_fake(1) - ACF_real(1)|`` (the Euclidean norm over lags 0..1, lag 0 being 1 for both);
* :func:`r2_trtr` / :func:`r2_tstr` — R² of next-step linear prediction fitted on real / synthetic targets and
  scored on the real ones (train on real or on synthetic, test on real; Esteban et al. 2017 for TSTR).

And general helpers later stylized-fact metrics reuse: :func:`acf` of f(x) for any lags, :func:`kurtosis`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch


def _windows(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """``(N, T, d)`` float64 from ``(T,)``, ``(N, T)`` or ``(N, T, d)``."""
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).detach().cpu().double()
    if t.dim() == 1:
        t = t[None]
    if t.dim() == 2:
        t = t[..., None]
    if t.dim() != 3:
        raise ValueError(f"expected a path (T,), paths (N, T) or (N, T, d), got shape {tuple(t.shape)}")
    return t


def acf(x: torch.Tensor | np.ndarray, max_lag: int, f: Callable[[torch.Tensor], torch.Tensor] | None = None,
        ) -> torch.Tensor:
    """Autocorrelation of f(x) at lags 0..max_lag, pooled over paths: ``(max_lag + 1, d)`` float64.

        y = f(x),  m = mean of y over all paths and times,  v = mean of (y - m)² (biased),
        ρ(k) = mean over every pair (t, t + k) inside one path of (y_t - m)(y_{t+k} - m) / v

    Pairs never span two paths, so many short windows (the benchmark's: 6 values) and one long path (stylized
    facts: |r|, r² up to 250 lags) are measured by the same formula; ρ(0) = 1. ``f``: identity when None, e.g.
    ``torch.abs`` for volatility clustering. A lag with no pair inside a path is NaN.
    """
    y = _windows(x)
    if f is not None:
        y = f(y)
    centred = y - y.mean(dim=(0, 1))
    variance = (centred ** 2).mean(dim=(0, 1))
    out = torch.full((max_lag + 1, y.shape[2]), float("nan"), dtype=torch.float64)
    for k in range(min(max_lag, y.shape[1] - 1) + 1):
        out[k] = (centred[:, : y.shape[1] - k] * centred[:, k:]).mean(dim=(0, 1)) / variance
    return out


def acf_distance(real: torch.Tensor | np.ndarray, fake: torch.Tensor | np.ndarray, max_lag: int = 1) -> float:
    """‖ACF_real(0..max_lag) - ACF_fake(0..max_lag)‖₂ over the lags, averaged over dimensions (:func:`acf`).

    With ``max_lag = 1`` this is the benchmark's ``acf_id_lag=1``: ``|ρ_fake(1) - ρ_real(1)|``.
    """
    diff = acf(real, max_lag) - acf(fake, max_lag)
    return float(torch.linalg.vector_norm(diff, dim=0).mean())


def kurtosis(x: torch.Tensor | np.ndarray, excess: bool = True) -> torch.Tensor:
    """Sample kurtosis per dimension over all values: m₄ / m₂² (biased central moments), minus 3 when ``excess``
    (0 for a Gaussian; heavy tails are > 0). ``(d,)`` float64."""
    y = _windows(x)
    y = y.reshape(-1, y.shape[2])
    centred = y - y.mean(0)
    m2, m4 = (centred ** 2).mean(0), (centred ** 4).mean(0)
    return m4 / m2 ** 2 - (3.0 if excess else 0.0)


def marginal_distance(real: torch.Tensor | np.ndarray, fake: torch.Tensor | np.ndarray, bins: int = 50) -> float:
    """The benchmark's ``abs_metric``: mean over ``bins`` equal bins of |density_fake - density_real|.

    Per dimension: the bins split [min, max] of the real values into ``bins`` of width δ; the real density of
    bin k is (real values in it) / (δ · n_real), the last bin closed on the right; the fake density at bin
    centre c_k is (fake values with |x - c_k| < δ/2) / (δ · n_fake), so fake values outside the real range count
    in n_fake alone. The mean over bins is averaged over dimensions.
    """
    r, g = _windows(real), _windows(fake)
    r, g = r.reshape(-1, r.shape[2]), g.reshape(-1, g.shape[2])
    if r.shape[1] != g.shape[1]:
        raise ValueError(f"real and fake values have {r.shape[1]} and {g.shape[1]} dimensions")
    scores = []
    for j in range(r.shape[1]):
        lo, hi = float(r[:, j].min()), float(r[:, j].max())
        delta = (hi - lo) / bins
        if delta <= 0:
            raise ValueError("the real values span no range: cannot bin them")
        index = ((r[:, j] - lo) / delta).floor().clamp(max=bins - 1).long()
        real_density = torch.bincount(index, minlength=bins).double() / (delta * len(r))
        centres = lo + delta * (torch.arange(bins, dtype=torch.float64) + 0.5)
        near = ((g[:, j][None, :] - centres[:, None]).abs() < delta / 2).sum(1).double()
        fake_density = near / (delta * len(g))
        scores.append(float((fake_density - real_density).abs().mean()))
    return float(np.mean(scores))


def _features(history: torch.Tensor | np.ndarray) -> np.ndarray:
    h = _windows(history)
    return h.reshape(len(h), -1).numpy()


def _targets(values: torch.Tensor | np.ndarray) -> np.ndarray:
    v = torch.as_tensor(np.asarray(values) if not isinstance(values, torch.Tensor) else values).detach().cpu().double()
    return v.reshape(len(v), -1).numpy()


def r2_tstr(history: torch.Tensor | np.ndarray, synthetic_next: torch.Tensor | np.ndarray,
            real_next: torch.Tensor | np.ndarray) -> float:
    """Train on synthetic, test on real: fit ordinary least squares with intercept (sklearn ``LinearRegression``)
    of ``synthetic_next`` ``(N, d)`` on the flattened ``history`` ``(N, p, d)``, and return its R² on the real
    next values: 1 - Σ(y - ŷ)² / Σ(y - ȳ)² (averaged over dimensions)."""
    from sklearn.linear_model import LinearRegression

    x = _features(history)
    model = LinearRegression().fit(x, _targets(synthetic_next))
    return float(model.score(x, _targets(real_next)))


def r2_trtr(history: torch.Tensor | np.ndarray, real_next: torch.Tensor | np.ndarray) -> float:
    """Train on real, test on real (in-sample): the R² of the least-squares fit of ``real_next`` on ``history``;
    the ceiling of :func:`r2_tstr` on the same windows."""
    return r2_tstr(history, real_next, real_next)
