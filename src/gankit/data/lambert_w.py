"""The Lambert W × Gaussian transform of heavy tails ("h" type) and its IGMM fit (Goerg 2015, "The Lambert Way
to Gaussianize Heavy-Tailed Data with the Inverse of Tukey's h Transformation as a Special Case", Sci. World J.
2015:909231, §2 and Algorithms 1-2; arXiv:1010.2265), as QuantGAN uses it to Gaussianize daily returns (Wiese et
al. 2020, arXiv:1907.06673, §6.1). Restated from the papers; no code copied.

Forward (heavy-tailing) map of a standard value u, with tail parameter δ >= 0:

    z = u · exp(δ u² / 2)                                          (Tukey's h when u is Gaussian)

Its inverse (Gaussianizing) map, W₀ the principal branch of Lambert's W (W₀(x) e^{W₀(x)} = x):

    u = W_δ(z) = sign(z) · sqrt(W₀(δ z²) / δ)                       (u = z when δ = 0)

Both are strictly increasing bijections of the real line, so the round trip is exact up to float64 rounding.
On data y with location μ and scale σ: x = μ + σ W_δ((y - μ) / σ).

IGMM (Goerg Alg. 2): start from μ = median(y), σ = sd(y)·(1 - 2δ₀)^{3/4}, δ₀ from the sample kurtosis κ
(non-excess) as (sqrt(66κ - 162) - 6) / 66 clipped to [0.01, 0.25]; then repeat until (μ, σ, δ) moves less
than ``tol``: z = (y - μ)/σ; δ = the δ whose W_δ(z) has excess kurtosis 0 (Alg. 1 minimises its square; the
excess kurtosis of W_δ(z) falls as δ grows, so we solve for its root with Brent's method on [0, 10], and take
δ = 0 when z is not heavy-tailed); x = μ + σ W_δ(z); μ ← mean(x), σ ← sd(x). Goerg reports δ ≈ 0.16 for
daily S&P 500 log returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

DELTA_MAX = 10.0


def gaussianize(z: np.ndarray, delta: float) -> np.ndarray:
    """u = W_δ(z) = sign(z) sqrt(W₀(δ z²) / δ) (module docstring), float64."""
    z = np.asarray(z, dtype=np.float64)
    if delta == 0:
        return z.copy()
    w = special.lambertw(delta * z * z, k=0).real
    return np.sign(z) * np.sqrt(w / delta)


def heavy_tail(u: np.ndarray, delta: float) -> np.ndarray:
    """z = u exp(δ u² / 2), the inverse of :func:`gaussianize`, float64."""
    u = np.asarray(u, dtype=np.float64)
    return u * np.exp(delta * u * u / 2.0)


def _excess_kurtosis(x: np.ndarray) -> float:
    c = x - x.mean()
    return float((c ** 4).mean() / (c ** 2).mean() ** 2 - 3.0)


def delta_for_gaussian_kurtosis(z: np.ndarray) -> float:
    """The δ >= 0 at which W_δ(z) has excess kurtosis 0 (0 when z has none to remove)."""
    if _excess_kurtosis(z) <= 0:
        return 0.0
    if _excess_kurtosis(gaussianize(z, DELTA_MAX)) > 0:
        return DELTA_MAX
    return float(optimize.brentq(lambda d: _excess_kurtosis(gaussianize(z, d)), 0.0, DELTA_MAX, xtol=1e-12))


@dataclass(frozen=True)
class LambertW:
    """Fitted (μ, σ, δ): :meth:`forward` Gaussianizes, :meth:`inverse` heavy-tails back."""

    mu: float
    sigma: float
    delta: float

    def forward(self, y: np.ndarray) -> np.ndarray:
        """x = μ + σ W_δ((y - μ) / σ)."""
        return self.mu + self.sigma * gaussianize((np.asarray(y, dtype=np.float64) - self.mu) / self.sigma, self.delta)

    def inverse(self, x: np.ndarray) -> np.ndarray:
        """y = μ + σ h_δ((x - μ) / σ), h_δ(u) = u exp(δ u² / 2)."""
        return self.mu + self.sigma * heavy_tail((np.asarray(x, dtype=np.float64) - self.mu) / self.sigma, self.delta)


def fit_igmm(y: np.ndarray, tol: float = 1.22e-4, max_iter: int = 100) -> LambertW:
    """Goerg's IGMM estimate of (μ, σ, δ) for a heavy-tailed sample ``y`` (module docstring)."""
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(y) < 4 or not np.isfinite(y).all() or y.std() == 0:
        raise ValueError("IGMM needs at least 4 finite, non-constant values")
    kurt = _excess_kurtosis(y) + 3.0
    delta = float(np.clip((np.sqrt(max(66 * kurt - 162, 0.0)) - 6) / 66, 0.01, 0.25))
    mu, sigma = float(np.median(y)), float(y.std(ddof=1) * (1 - 2 * delta) ** 0.75)
    for _ in range(max_iter):
        z = (y - mu) / sigma
        new_delta = delta_for_gaussian_kurtosis(z)
        x = mu + sigma * gaussianize(z, new_delta)
        new_mu, new_sigma = float(x.mean()), float(x.std(ddof=1))
        moved = np.linalg.norm([new_mu - mu, new_sigma - sigma, new_delta - delta])
        mu, sigma, delta = new_mu, new_sigma, new_delta
        if moved < tol:
            break
    return LambertW(mu, sigma, delta)
