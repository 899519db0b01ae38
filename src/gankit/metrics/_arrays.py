"""Turning user arrays (NumPy or torch) into checked float64 NumPy arrays; shared by the metric functions."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from gankit.errors import ConfigError, DataError


def to_numpy(values: Any) -> np.ndarray:
    """Return ``values`` (a tensor on any device, an array or a nested list) as a NumPy array."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def as_matrix(values: Any, what: str, min_rows: int = 1) -> np.ndarray:
    """Return ``values`` as a finite float64 ``(N, F)`` array, or raise DataError naming ``what``."""
    array = to_numpy(values)
    if array.ndim != 2:
        raise DataError(f"{what} must be a 2-D array (N, F), got shape {tuple(array.shape)}")
    if array.shape[0] < min_rows:
        raise DataError(f"{what} needs at least {min_rows} rows, got {array.shape[0]}")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise DataError(f"{what} contains NaN or infinite values")
    return array


def check_positive_int(name: str, value: Any) -> int:
    """Return ``value`` if it is a positive int, else raise ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
