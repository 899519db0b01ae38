import numpy as np
import pytest
import scipy.linalg
import torch

from gankit.errors import DataError
from gankit.metrics import fid_from_features, frechet_distance, mean_and_covariance


def _reference_fd(mu1, s1, mu2, s2):
    """The textbook formula with scipy's general matrix square root."""
    root = scipy.linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * np.real(root)))


def test_identical_feature_sets_have_zero_fid():
    features = np.random.default_rng(0).normal(size=(500, 16))
    assert fid_from_features(features, features) == pytest.approx(0.0, abs=1e-9)


def test_diagonal_gaussians_match_closed_form():
    # For commuting (diagonal) covariances: ||dmu||^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2.
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = 1.0 + 0.0 + 4.0 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 0.5) ** 2
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_matches_scipy_sqrtm_on_random_features():
    rng = np.random.default_rng(1)
    f1 = rng.normal(size=(400, 32)) @ rng.normal(size=(32, 32))
    f2 = rng.normal(loc=0.3, size=(300, 32)) @ rng.normal(size=(32, 32))
    mu1, s1 = mean_and_covariance(f1)
    mu2, s2 = mean_and_covariance(f2)
    ours = frechet_distance(mu1, s1, mu2, s2)
    assert ours == pytest.approx(_reference_fd(mu1, s1, mu2, s2), rel=1e-6)
    assert fid_from_features(f1, f2) == pytest.approx(ours, rel=1e-12)


def test_singular_covariances_stay_real_and_non_negative():
    # Fewer samples than dimensions: rank-deficient covariances, where sqrtm(S1 S2) goes complex.
    rng = np.random.default_rng(2)
    f1, f2 = rng.normal(size=(10, 64)), rng.normal(size=(10, 64))
    value = fid_from_features(f1, f2)
    assert np.isfinite(value) and value > 0
    assert fid_from_features(f1, f1) == pytest.approx(0.0, abs=1e-8)


def test_mean_and_covariance_are_unbiased_and_accept_tensors():
    features = torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])
    mu, sigma = mean_and_covariance(features)
    np.testing.assert_allclose(mu, [3.0, 4.0])
    np.testing.assert_allclose(sigma, np.cov(features.numpy(), rowvar=False))
    assert mu.dtype == np.float64


def test_shift_of_the_mean_adds_its_squared_norm():
    features = np.random.default_rng(3).normal(size=(200, 5))
    assert fid_from_features(features, features + 2.0) == pytest.approx(5 * 4.0, rel=1e-9)


def test_bad_inputs_raise_data_error():
    with pytest.raises(DataError, match="2-D"):
        fid_from_features(np.zeros(10), np.zeros(10))
    with pytest.raises(DataError, match="width"):
        fid_from_features(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(DataError, match="NaN"):
        fid_from_features(np.full((5, 3), np.nan), np.zeros((5, 3)))
    with pytest.raises(DataError, match="one size"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))
