"""Econometric baselines for generated return paths, scored by the same code as a GAN's
(`gankit.metrics.stylized`). Each is fitted on one series of log returns ``r`` (T,) and draws ``n`` paths of
``length`` log returns, float64 ``(n, length)``, from a seeded numpy generator.

* :func:`garch_t_paths` — GARCH(1,1) with Student-t innovations (Bollerslev 1986, 1987), fitted by maximum
  likelihood with the PyPI package ``arch`` on percent returns (100 r, for the optimiser's sake):

      r_t = μ + ε_t,   ε_t = σ_t z_t,   σ²_t = ω + α ε²_{t-1} + β σ²_{t-1},   z_t ~ t_ν scaled to unit variance

  and simulated here, all paths at once: z = t_ν draw · sqrt((ν - 2)/ν), σ²_0 = ω / (1 - α - β) (the
  unconditional variance) and ``burn`` steps discarded.
* :func:`gbm_paths` — Gaussian Monte Carlo, geometric Brownian motion with the historical drift and volatility:
  r_t ~ N(mean(r), sd(r)²) i.i.d.
* :func:`bootstrap_paths` — the stationary bootstrap of the historical returns (Politis & Romano 1994): a path
  copies r from a uniform random start and, at each next step, jumps to a fresh uniform start with probability
  1 / ``block`` (else moves to the next return, wrapping round the end): blocks of geometric length, mean
  ``block`` days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOOTSTRAP_BLOCK = 20  # mean block length (days) of the stationary bootstrap


def _returns(r: np.ndarray) -> np.ndarray:
    r = np.asarray(r, dtype=np.float64).ravel()
    if len(r) < 10 or not np.isfinite(r).all():
        raise ValueError(f"a baseline needs at least 10 finite returns, got {len(r)}")
    return r


@dataclass(frozen=True)
class GarchT:
    """Fitted GARCH(1,1)-t parameters in log-return units (module docstring)."""

    mu: float
    omega: float
    alpha: float
    beta: float
    nu: float

    def simulate(self, n: int, length: int, seed: int = 0, burn: int = 500) -> np.ndarray:
        """``n`` paths of ``length`` log returns (module docstring)."""
        rng = np.random.default_rng(seed)
        persistence = self.alpha + self.beta
        var = np.full(n, self.omega / (1 - persistence) if persistence < 1 else self.omega / 1e-3)
        eps = np.zeros(n)
        out = np.empty((n, length))
        scale = np.sqrt((self.nu - 2) / self.nu)
        for t in range(burn + length):
            var = self.omega + self.alpha * eps ** 2 + self.beta * var
            eps = np.sqrt(var) * rng.standard_t(self.nu, size=n) * scale
            if t >= burn:
                out[:, t - burn] = self.mu + eps
        return out


def fit_garch_t(r: np.ndarray) -> GarchT:
    """GARCH(1,1)-t fitted by ``arch`` on 100 r, its parameters mapped back to log-return units."""
    from gankit.data.series_real import require_arch

    require_arch()
    from arch import arch_model

    result = arch_model(100 * _returns(r), mean="Constant", vol="GARCH", p=1, q=1, dist="t").fit(disp="off")
    p = result.params
    return GarchT(mu=float(p["mu"]) / 100, omega=float(p["omega"]) / 100 ** 2, alpha=float(p["alpha[1]"]),
                  beta=float(p["beta[1]"]), nu=float(p["nu"]))


def garch_t_paths(r: np.ndarray, n: int, length: int, seed: int = 0) -> np.ndarray:
    """GARCH(1,1)-t fitted on ``r`` and simulated: ``(n, length)``."""
    return fit_garch_t(r).simulate(n, length, seed)


def gbm_paths(r: np.ndarray, n: int, length: int, seed: int = 0) -> np.ndarray:
    """Gaussian i.i.d. log returns with the mean and sd (n - 1) of ``r``: ``(n, length)``."""
    r = _returns(r)
    return np.random.default_rng(seed).normal(r.mean(), r.std(ddof=1), size=(n, length))


def bootstrap_paths(r: np.ndarray, n: int, length: int, seed: int = 0, block: float = BOOTSTRAP_BLOCK) -> np.ndarray:
    """The stationary bootstrap of ``r`` with mean block length ``block``: ``(n, length)``."""
    r = _returns(r)
    if block < 1:
        raise ValueError(f"the mean block length must be at least 1, got {block}")
    rng = np.random.default_rng(seed)
    index = np.empty((n, length), dtype=np.int64)
    index[:, 0] = rng.integers(0, len(r), size=n)
    jump = rng.random((n, length)) < 1.0 / block
    fresh = rng.integers(0, len(r), size=(n, length))
    for t in range(1, length):
        index[:, t] = np.where(jump[:, t], fresh[:, t], (index[:, t - 1] + 1) % len(r))
    return r[index]


BASELINES = {"garch-t": garch_t_paths, "gbm": gbm_paths, "bootstrap": bootstrap_paths}
