"""Mode-specific normalization of one continuous column (Xu et al. 2019, "Modeling Tabular Data using
Conditional GAN", NeurIPS, §4.2).

A variational Gaussian mixture (scikit-learn's ``BayesianGaussianMixture``, a Dirichlet-process prior, at most
``max_modes`` components) is fitted to the column; the modes whose weight exceeds ``weight_threshold`` are kept.
A value c is represented by the mode k drawn with probability ∝ π_k N(c; μ_k, σ_k) among the kept modes, as

    α = (c - μ_k) / (4 σ_k)      (a scalar, mostly in [-1, 1])
    β = one-hot(k)               (of the kept modes)

and mapped back by c = 4 σ_k α + μ_k with k = argmax β (within float64 rounding: when |μ_k| ≫ |c| the sum
cannot land on every float; `gankit.data.table_columns` rounds values of few decimals back exactly). The fitted weights, means and standard deviations
are plain numbers (`to_json`), so a saved synthesizer needs no pickle.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MAX_MODES = 10
WEIGHT_THRESHOLD = 0.005


@dataclass
class ModeNormalizer:
    """The kept modes of one column: weights (renormalised to sum 1), means and standard deviations."""

    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray

    @property
    def n_modes(self) -> int:
        return len(self.means)

    @classmethod
    def fit(cls, values: np.ndarray, seed: int = 0, max_modes: int = MAX_MODES,
            weight_threshold: float = WEIGHT_THRESHOLD) -> ModeNormalizer:
        """Fit the mixture to the finite ``values`` (float64, at least one)."""
        values = np.asarray(values, dtype=np.float64).reshape(-1, 1)
        distinct = np.unique(values)
        scale = float(values.std()) or 1.0
        if len(distinct) < 2:  # a constant column: one mode of unit-ish width
            return cls(np.ones(1), np.array([float(distinct[0])]), np.array([max(abs(float(distinct[0])), 1.0)]))
        from sklearn.mixture import BayesianGaussianMixture
        from threadpoolctl import threadpool_limits

        gm = BayesianGaussianMixture(n_components=min(max_modes, len(distinct)),
                                     weight_concentration_prior_type="dirichlet_process",
                                     weight_concentration_prior=1e-3, n_init=1, max_iter=100, random_state=seed)
        # One thread: the k-means start's OpenMP threads wait for each other on a shared machine, and one thread
        # sums in a fixed order.
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")  # ConvergenceWarning on small or discrete-looking columns
            gm.fit(values)
        keep = gm.weights_ > weight_threshold
        if not keep.any():
            keep = gm.weights_ == gm.weights_.max()
        weights = gm.weights_[keep] / gm.weights_[keep].sum()
        stds = np.sqrt(gm.covariances_.reshape(-1)[keep])
        stds = np.maximum(stds, 1e-6 * scale)  # a mode collapsed on one repeated value
        return cls(weights.astype(np.float64), gm.means_.reshape(-1)[keep].astype(np.float64), stds.astype(np.float64))

    def log_density(self, values: np.ndarray) -> np.ndarray:
        """log π_k + log N(c; μ_k, σ_k) for each value and kept mode, ``(N, K)``."""
        c = np.asarray(values, dtype=np.float64)[:, None]
        z = (c - self.means[None]) / self.stds[None]
        return np.log(self.weights)[None] - 0.5 * z * z - np.log(self.stds)[None] - 0.5 * np.log(2 * np.pi)

    def transform(self, values: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(α ``(N,)``, mode index ``(N,)``) of ``values``: each value's mode drawn from its posterior."""
        values = np.asarray(values, dtype=np.float64)
        logp = self.log_density(values)
        logp -= logp.max(axis=1, keepdims=True)
        p = np.exp(logp)
        p /= p.sum(axis=1, keepdims=True)
        u = rng.random(len(values))[:, None]
        modes = np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), self.n_modes - 1)
        alpha = (values - self.means[modes]) / (4 * self.stds[modes])
        return alpha, modes

    def inverse(self, alpha: np.ndarray, modes: np.ndarray) -> np.ndarray:
        """c = 4 σ_k α + μ_k (float64)."""
        alpha = np.asarray(alpha, dtype=np.float64)
        return 4 * self.stds[modes] * alpha + self.means[modes]

    def to_json(self) -> dict:
        return {"weights": self.weights.tolist(), "means": self.means.tolist(), "stds": self.stds.tolist()}

    @classmethod
    def from_json(cls, d: dict) -> ModeNormalizer:
        return cls(np.array(d["weights"], dtype=np.float64), np.array(d["means"], dtype=np.float64),
                   np.array(d["stds"], dtype=np.float64))
