"""Frechet distance between Gaussians fitted to two feature sets: features -> (mu, sigma) -> FID.

Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter 2017, "GANs Trained by a Two Time-Scale Update Rule
Converge to a Local Nash Equilibrium" (NeurIPS). All statistics are float64 NumPy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gankit.errors import DataError
from gankit.metrics._arrays import as_matrix


def mean_and_covariance(features: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the sample mean ``mu`` (F,) and the unbiased covariance ``sigma`` (F, F) of ``features`` (N, F).

    sigma = 1/(N-1) sum_i (x_i - mu)(x_i - mu)^T, as in the reference TF FID code (``np.cov(rowvar=False)``).
    """
    array = as_matrix(features, "features", min_rows=2)
    mu = array.mean(axis=0)
    centered = array - mu
    sigma = centered.T @ centered / (array.shape[0] - 1)
    return mu, sigma


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric PSD matrix: V diag(sqrt(max(w, 0))) V^T from ``eigh``."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """Tr((S1 S2)^{1/2}) computed stably for symmetric PSD S1, S2.

    S1 S2 is similar to the symmetric PSD matrix A = S1^{1/2} S2 S1^{1/2} (same eigenvalues), so
    Tr((S1 S2)^{1/2}) = sum_j sqrt(lambda_j(A)); eigenvalues a rounding error below zero are clipped to 0.
    This avoids the complex output and the ill-conditioning of a general ``sqrtm(S1 @ S2)``.
    """
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    return float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())


def frechet_distance(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """Frechet (2-Wasserstein) distance between N(mu1, sigma1) and N(mu2, sigma2) (Heusel et al. 2017).

    d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}), with the trace of the root taken as the sum of
    square roots of the eigenvalues of S1^{1/2} S2 S1^{1/2} (see :func:`trace_sqrt_product`). Inputs are
    cast to float64; a result a rounding error below 0 is returned as 0.0.
    """
    mu1, mu2 = np.asarray(mu1, dtype=np.float64), np.asarray(mu2, dtype=np.float64)
    sigma1, sigma2 = np.asarray(sigma1, dtype=np.float64), np.asarray(sigma2, dtype=np.float64)
    dim = mu1.shape[0] if mu1.ndim == 1 else -1
    if mu1.shape != (dim,) or mu2.shape != (dim,) or sigma1.shape != (dim, dim) or sigma2.shape != (dim, dim):
        raise DataError(
            f"frechet_distance needs mu (F,) and sigma (F, F) of one size F, got mu1 {mu1.shape}, "
            f"sigma1 {sigma1.shape}, mu2 {mu2.shape}, sigma2 {sigma2.shape}"
        )
    for name, value in (("mu1", mu1), ("sigma1", sigma1), ("mu2", mu2), ("sigma2", sigma2)):
        if not np.isfinite(value).all():
            raise DataError(f"frechet_distance: {name} contains NaN or infinite values")
    diff = mu1 - mu2
    distance = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2)
    return max(float(distance), 0.0)


def fid_from_features(features1: Any, features2: Any) -> float:
    """FID between two feature sets (N1, F) and (N2, F): frechet_distance of their means and covariances."""
    mu1, sigma1 = mean_and_covariance(features1)
    mu2, sigma2 = mean_and_covariance(features2)
    if mu1.shape != mu2.shape:
        raise DataError(f"feature sets differ in width: {mu1.shape[0]} vs {mu2.shape[0]}")
    return frechet_distance(mu1, sigma1, mu2, sigma2)
