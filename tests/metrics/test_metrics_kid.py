import numpy as np
import pytest

from gankit.errors import ConfigError
from gankit.metrics import kid


def _naive_mmd2(x, y):
    """Unbiased MMD^2 with k(a, b) = (a.b/d + 1)^3, by explicit double loops."""
    d = x.shape[1]

    def k(a, b):
        return (a @ b / d + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_single_full_subset_matches_naive_implementation():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 4)), rng.normal(loc=0.5, size=(30, 4))
    # One subset covering every row: a permutation of each set, which MMD^2 does not see.
    mean, std = kid(x, y, subsets=1, subset_size=30)
    assert mean == pytest.approx(_naive_mmd2(x, y), rel=1e-10)
    assert std == 0.0


def test_subset_size_is_clipped_to_the_smaller_set():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(25, 3))
    clipped = kid(x, y, subsets=3, subset_size=1000, seed=5)
    explicit = kid(x, y, subsets=3, subset_size=20, seed=5)
    assert clipped == explicit


def test_same_distribution_scores_near_zero_and_different_ones_do_not():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    shifted = rng.normal(loc=0.5, size=(600, 16))
    same, _ = kid(a, b, subsets=20, subset_size=200)
    different, _ = kid(a, shifted, subsets=20, subset_size=200)
    assert abs(same) < 0.02 * different
    identical, _ = kid(a, a, subsets=20, subset_size=200)
    assert abs(identical) < 0.05 * different  # O(1/m): shared samples enter the cross term


def test_identical_sets_give_the_small_negative_finite_sample_value():
    # With the whole set as the subset, X and Y are the same m points: MMD^2_u = 2 (S - T) / (m (m - 1)) - 2 S / m^2
    # (S: sum of the kernel matrix, T: its trace), which is O(1/m) and tends to 0.
    a = np.random.default_rng(4).normal(size=(400, 8))
    gram = (a @ a.T / 8 + 1.0) ** 3
    m, total, trace = 400, gram.sum(), np.trace(gram)
    expected = 2 * (total - trace) / (m * (m - 1)) - 2 * total / m**2
    value, _ = kid(a, a, subsets=2, subset_size=400)
    assert value == pytest.approx(expected, rel=1e-9)
    assert -0.1 < value < 0


def test_seed_makes_it_reproducible():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(100, 8)), rng.normal(size=(100, 8))
    assert kid(x, y, subsets=5, subset_size=50, seed=7) == kid(x, y, subsets=5, subset_size=50, seed=7)
    assert kid(x, y, subsets=5, subset_size=50, seed=7) != kid(x, y, subsets=5, subset_size=50, seed=8)


def test_bad_parameters_raise_config_error():
    x = np.zeros((10, 2))
    with pytest.raises(ConfigError, match="subsets"):
        kid(x, x, subsets=0)
