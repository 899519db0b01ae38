import numpy as np
import pytest

from gankit.errors import DataError
from gankit.metrics import class_coverage, mode_coverage

STD = 0.02


def _ring(k: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _sample(modes: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return modes[np.arange(n) % len(modes)] + STD * rng.normal(size=(n, 2))


def test_exact_samples_from_the_ring_cover_every_mode():
    modes = _ring()
    found = mode_coverage(_sample(modes, 8000, seed=0), modes, std=STD)
    assert found["modes_covered"] == 8
    # A 2-D standard normal lies within 3 std with probability 1 - exp(-9/2) = 0.9889.
    assert found["high_quality_fraction"] == pytest.approx(1 - np.exp(-4.5), abs=0.006)
    assert found["reverse_kl"] == pytest.approx(0.0, abs=1e-3)
    assert sum(found["histogram"]) == round(found["high_quality_fraction"] * 8000)


def test_all_samples_at_one_mode_give_one_mode_and_log_8():
    modes = _ring()
    points = modes[3] + STD * np.random.default_rng(1).normal(size=(500, 2)) * 0.5
    found = mode_coverage(points, modes, std=STD)
    assert found["modes_covered"] == 1
    assert found["high_quality_fraction"] == 1.0
    assert found["reverse_kl"] == pytest.approx(np.log(8))


def test_far_samples_are_low_quality_and_cover_nothing():
    modes = _ring()
    points = np.zeros((100, 2))  # the ring's centre: 2 away from every mode, far beyond 3 std
    found = mode_coverage(points, modes, std=STD)
    assert found["modes_covered"] == 0
    assert found["high_quality_fraction"] == 0.0
    assert np.isnan(found["reverse_kl"])


def test_hand_computed_histogram_over_two_modes():
    modes = np.array([[0.0, 0.0], [10.0, 0.0]])
    points = np.array([[0.0, 0.1], [0.2, 0.0], [9.9, 0.0], [5.0, 0.0]])  # the last is 5 from both: not HQ
    found = mode_coverage(points, modes, std=0.1, threshold=3.0)
    assert found["histogram"] == [2, 1]
    assert found["high_quality_fraction"] == 0.75
    q = np.array([2 / 3, 1 / 3])
    assert found["reverse_kl"] == pytest.approx(float(np.sum(q * np.log(q * 2))))


def test_class_coverage_counts_and_balanced_kl():
    found = class_coverage(np.array([0, 1, 2, 0, 1, 2]), num_classes=4)
    assert found["classes_covered"] == 3
    assert found["histogram"] == [2, 2, 2, 0]
    assert found["kl_from_uniform"] == pytest.approx(np.log(4 / 3))
    assert class_coverage(np.arange(5), 5)["kl_from_uniform"] == pytest.approx(0.0)


def test_mistakes_raise_data_error():
    with pytest.raises(DataError, match="0..2"):
        class_coverage(np.array([0, 3]), num_classes=3)
    with pytest.raises(DataError, match="std"):
        mode_coverage(np.zeros((3, 2)), _ring(), std=0.0)
    with pytest.raises(DataError, match="3-D"):
        mode_coverage(np.zeros((3, 3)), _ring(), std=1.0)
