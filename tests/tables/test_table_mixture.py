"""The one-column variational mixture equals scikit-learn's BayesianGaussianMixture (Dirichlet process, full
covariance, k-means start) on real columns, and finds two well-separated clusters with their weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gankit.data.table import builtin_table
from gankit.data.table_mixture import fit_mixture_1d
from gankit.data.table_modes import ModeNormalizer


@pytest.mark.parametrize("column", ["alcohol", "magnesium", "proline", "hue"])
def test_equals_scikit_learns_bayesian_gaussian_mixture(column):
    from sklearn.mixture import BayesianGaussianMixture

    values = builtin_table("wine")[column].to_numpy(dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = BayesianGaussianMixture(n_components=10, weight_concentration_prior_type="dirichlet_process",
                                            weight_concentration_prior=1e-3, n_init=1, max_iter=100,
                                            random_state=3).fit(values.reshape(-1, 1))
    ours = fit_mixture_1d(values, 10, 3, weight_concentration_prior=1e-3, max_iter=100)
    assert ours.n_iter == reference.n_iter_
    np.testing.assert_allclose(ours.weights, reference.weights_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.means, reference.means_.ravel(), rtol=1e-10, atol=1e-10 * np.abs(values).max())
    np.testing.assert_allclose(ours.variances, reference.covariances_.ravel(), rtol=1e-9, atol=1e-12 * values.var())


def test_two_separate_clusters_are_two_modes_with_their_shares():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, 300), rng.normal(100, 5, 100)])  # 75% near 0, 25% near 100
    modes = ModeNormalizer.fit(values, seed=0)
    order = np.argsort(modes.means)
    assert modes.n_modes == 2
    np.testing.assert_allclose(modes.weights[order], [0.75, 0.25], atol=0.01)
    np.testing.assert_allclose(modes.means[order], [0, 100], atol=1.0)
    # the Wishart prior (one pseudo-observation of the column's whole variance, about (m0 - cluster mean)² on
    # top) widens each mode: σ²_k = (var(x) + N_k S_k + N_k / (1 + N_k) (x̄_k - m0)²) / (1 + N_k)
    expected = []
    for part in (values[:300], values[300:]):
        n = len(part)
        spread = values.var(ddof=1) + n * part.var() + n / (1 + n) * (part.mean() - values.mean()) ** 2
        expected.append(np.sqrt(spread / (1 + n)))
    np.testing.assert_allclose(modes.stds[order], expected, rtol=0.01)
