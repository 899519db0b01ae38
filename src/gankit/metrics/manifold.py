"""k-NN manifold metrics: precision/recall (Kynkaanniemi et al. 2019) and density/coverage (Naeem et al. 2020).

Each set's manifold is the union of balls around its samples, a ball's radius being the distance to the
sample's k-th nearest neighbour in its own set (the sample itself excluded). Pairwise Euclidean distances are
computed in float64 torch blocks of ``chunk`` rows, so N x M never has to fit in memory: peak memory is about
chunk x max(N, M) x 8 bytes (80 MB for chunk=1024 and 10k samples).
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import torch

from gankit.errors import ConfigError, DataError
from gankit.metrics._arrays import as_matrix, check_positive_int
from gankit.metrics.defaults import DEFAULTS


def _as_tensor(values: Any, what: str) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(as_matrix(values, what)))


def distance_blocks(
    rows: torch.Tensor, cols: torch.Tensor, chunk: int
) -> Iterator[tuple[slice, torch.Tensor]]:
    """Yield (row slice, block of ||rows_i - cols_j||) for consecutive blocks of ``chunk`` rows.

    Uses ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b in float64, clamped at 0 before the square root.
    """
    cols_sq = (cols * cols).sum(dim=1)
    for start in range(0, rows.shape[0], chunk):
        block = rows[start : start + chunk]
        squared = (block * block).sum(dim=1, keepdim=True) + cols_sq - 2.0 * (block @ cols.T)
        yield slice(start, start + block.shape[0]), squared.clamp_min_(0.0).sqrt_()


def knn_radii(points: torch.Tensor, k: int, chunk: int) -> torch.Tensor:
    """Distance from each point to its k-th nearest neighbour in ``points``, the point itself excluded."""
    if k >= points.shape[0]:
        raise ConfigError(f"k={k} needs more than {k} samples per set, got {points.shape[0]}")
    radii = torch.empty(points.shape[0], dtype=points.dtype)
    for rows, block in distance_blocks(points, points, chunk):
        # The (k+1)-th smallest distance of a row: the smallest is the point's distance to itself (0).
        radii[rows] = block.kthvalue(k + 1, dim=1).values
    return radii


def _check_pair(real: Any, fake: Any, k: int, chunk: int) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    real_t, fake_t = _as_tensor(real, "real features"), _as_tensor(fake, "fake features")
    if real_t.shape[1] != fake_t.shape[1]:
        raise DataError(f"feature sets differ in width: real {real_t.shape[1]} vs fake {fake_t.shape[1]}")
    return real_t, fake_t, check_positive_int("k", k), check_positive_int("chunk", chunk)


def precision_recall(
    real: Any, fake: Any, k: int = 3, chunk: int = int(DEFAULTS["distance_chunk"])
) -> tuple[float, float]:
    """Improved precision and recall (Kynkaanniemi, Karras, Laine, Lehtinen & Aila 2019, NeurIPS).

    precision = 1/M sum_j 1[exists i: ||f_j - r_i|| <= NND_k(r_i)]  (fakes inside the real manifold)
    recall    = 1/N sum_i 1[exists j: ||r_i - f_j|| <= NND_k(f_j)]  (reals inside the fake manifold)
    with NND_k the distance to the k-th nearest neighbour within the sample's own set (paper default k=3).
    """
    real_t, fake_t, k, chunk = _check_pair(real, fake, k, chunk)
    real_radii, fake_radii = knn_radii(real_t, k, chunk), knn_radii(fake_t, k, chunk)
    fake_inside = torch.zeros(fake_t.shape[0], dtype=torch.bool)
    real_inside = torch.zeros(real_t.shape[0], dtype=torch.bool)
    for rows, block in distance_blocks(fake_t, real_t, chunk):  # block[j, i] = ||f_j - r_i||
        fake_inside[rows] = (block <= real_radii).any(dim=1)
        real_inside |= (block <= fake_radii[rows, None]).any(dim=0)
    return float(fake_inside.double().mean()), float(real_inside.double().mean())


def density_coverage(
    real: Any, fake: Any, k: int = 5, chunk: int = int(DEFAULTS["distance_chunk"])
) -> tuple[float, float]:
    """Density and coverage (Naeem, Oh, Uh, Choi & Yoo 2020, "Reliable Fidelity and Diversity Metrics", ICML).

    density  = 1/(k M) sum_j sum_i 1[||f_j - r_i|| <= NND_k(r_i)]   (can exceed 1)
    coverage = 1/N sum_i 1[min_j ||r_i - f_j|| <= NND_k(r_i)]
    Both use only the real samples' k-NN balls (paper default k=5), which makes them robust to fake outliers.
    """
    real_t, fake_t, k, chunk = _check_pair(real, fake, k, chunk)
    real_radii = knn_radii(real_t, k, chunk)
    inside_count = 0
    nearest_fake = torch.full((real_t.shape[0],), float("inf"), dtype=torch.float64)
    for _, block in distance_blocks(fake_t, real_t, chunk):  # block[j, i] = ||f_j - r_i||
        inside_count += int((block <= real_radii).sum())
        nearest_fake = torch.minimum(nearest_fake, block.min(dim=0).values)
    density = inside_count / (k * fake_t.shape[0])
    coverage = float((nearest_fake <= real_radii).double().mean())
    return float(density), coverage
