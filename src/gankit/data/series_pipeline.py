"""Invertible preprocessing of a price series into the units a series model trains on, and back to prices.

QuantGAN's pipeline (Wiese et al. 2020, arXiv:1907.06673, §6.1), each step invertible:

    r_t = log S_t - log S_{t-1}                       log returns            (``returns="log"``; "none" keeps values)
    a_t = (r_t - m₁) / s₁                             standardization        (mean, sd with n - 1)
    b_t = μ + σ W_δ((a_t - μ) / σ)                    Lambert W Gaussianize  (``transform="lambertw"``; IGMM fit)
    v_t = (b_t - m₂) / s₂                             standardization again

``transform="standardize"`` stops after the first standardization (v = a). The inverse runs the steps
backwards: b = v s₂ + m₂, a = μ + σ h_δ((b - μ)/σ), r = a s₁ + m₁, S_t = S_0 exp(r_1 + ... + r_t), all in
float64, so prices -> values -> prices reproduces the prices to float64 rounding (`gankit.data.lambert_w`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gankit.data.lambert_w import LambertW, fit_igmm
from gankit.data.series_returns import log_returns, prices_from_returns
from gankit.errors import ConfigError, DataError

TRANSFORMS = ("lambertw", "standardize")
RETURNS = ("log", "none")


@dataclass(frozen=True)
class ReturnsPipeline:
    """The fitted steps of the module docstring; :meth:`forward` and :meth:`inverse` map whole series."""

    returns: str
    mean1: float
    std1: float
    lambert: LambertW | None = None
    mean2: float = 0.0
    std2: float = 1.0

    def forward(self, series: np.ndarray | torch.Tensor, name: str = "series") -> np.ndarray:
        """Model values ``(T - 1,)`` from prices ``(T,)`` (or ``(T,)`` from values when ``returns="none"``)."""
        a = (self.to_returns_input(series, name) - self.mean1) / self.std1
        if self.lambert is None:
            return a
        return (self.lambert.forward(a) - self.mean2) / self.std2

    def to_returns_input(self, series: np.ndarray | torch.Tensor, name: str = "series") -> np.ndarray:
        s = torch.tensor(np.asarray(series, dtype=np.float64)).reshape(-1)
        if self.returns == "log":
            return log_returns(s, name).numpy()
        return s.numpy()

    def to_returns(self, values: np.ndarray | torch.Tensor) -> np.ndarray:
        """Log returns (or values when ``returns="none"``) from model values, any shape, float64."""
        v = np.asarray(values.detach().cpu() if isinstance(values, torch.Tensor) else values, dtype=np.float64)
        if self.lambert is not None:
            v = self.lambert.inverse(v * self.std2 + self.mean2)
        return v * self.std1 + self.mean1

    def inverse(self, values: np.ndarray | torch.Tensor, first: float) -> np.ndarray:
        """The series back from model values ``(T,)`` or paths ``(N, T)``: prices from the first price ``first``
        (``T + 1`` values per path), or the values themselves when ``returns="none"``."""
        r = self.to_returns(values)
        if self.returns != "log":
            return r
        return prices_from_returns(torch.from_numpy(np.moveaxis(np.atleast_2d(r), -1, 0)), first).numpy().T.reshape(
            *r.shape[:-1], r.shape[-1] + 1)


def fit_pipeline(series: np.ndarray | torch.Tensor, returns: str = "log", transform: str = "lambertw",
                 name: str = "series", held_out: int = 0) -> ReturnsPipeline:
    """Fit the module docstring's steps on a series (prices when ``returns="log"``).

    The whole series is checked (gaps, non-positive prices), but the statistics are fitted on its values without
    the last ``held_out`` model values, the held-out part of a chronological split, which must not leak into
    training."""
    if returns not in RETURNS:
        raise ConfigError(f"config key 'data.returns' must be one of {', '.join(RETURNS)}, got {returns!r}")
    if transform not in TRANSFORMS:
        raise ConfigError(f"config key 'data.transform' must be one of {', '.join(TRANSFORMS)}, got {transform!r}")
    partial = ReturnsPipeline(returns, 0.0, 1.0)
    r = partial.to_returns_input(series, name)
    if not np.isfinite(r).all():
        raise DataError(f"{name}: holds a gap or non-finite value at position {int(np.argmin(np.isfinite(r)))}")
    if held_out:
        r = r[: len(r) - held_out]
    if len(r) < 4 or r.std() == 0:
        raise DataError(f"{name}: needs at least 4 varying values to standardize, got {len(r)}")
    mean1, std1 = float(r.mean()), float(r.std(ddof=1))
    if transform == "standardize":
        return ReturnsPipeline(returns, mean1, std1)
    lambert = fit_igmm((r - mean1) / std1)
    b = lambert.forward((r - mean1) / std1)
    return ReturnsPipeline(returns, mean1, std1, lambert, float(b.mean()), float(b.std(ddof=1)))
