import numpy as np
import pytest

from gankit.errors import ConfigError, DataError
from gankit.metrics import class_coverage, density_coverage, precision_recall


def test_hand_computed_one_dimensional_case():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])  # k=1 radii: 1, 1, 1, 1
    fake = np.array([[0.5], [10.0]])  # k=1 radii: 9.5, 9.5
    # precision: 0.5 lies in a real ball, 10 does not. recall: every real lies within 9.5 of 0.5.
    assert precision_recall(real, fake, k=1) == pytest.approx((0.5, 1.0))
    # density: 0.5 sits in the balls of 0 and 1, 10 in none -> 2 / (k * M) = 1. coverage: reals 0 and 1.
    assert density_coverage(real, fake, k=1) == pytest.approx((1.0, 0.5))


def test_fake_equal_to_real_gives_full_precision_recall_and_coverage():
    real = np.random.default_rng(0).normal(size=(300, 8))
    assert precision_recall(real, real.copy(), k=3) == (1.0, 1.0)
    density, coverage = density_coverage(real, real.copy(), k=5)
    # Each real ball holds its own centre and its k neighbours: density = (k + 1) / k without ties.
    assert density == pytest.approx(6 / 5)
    assert coverage == 1.0


def test_generator_of_one_image_has_no_recall_and_one_class():
    real = np.random.default_rng(1).normal(size=(500, 8))
    fake = np.repeat(real[:1], 500, axis=0)  # a perfectly realistic but collapsed generator
    precision, recall = precision_recall(real, fake, k=3)
    assert precision == 1.0
    assert recall == pytest.approx(1 / 500)  # only the real sample it copies
    _, coverage = density_coverage(real, fake, k=5)
    assert coverage < 0.05  # only the reals that have the copied sample among their 5 neighbours
    found = class_coverage(np.full(500, 3), num_classes=10)
    assert found["classes_covered"] == 1
    assert found["kl_from_uniform"] == pytest.approx(np.log(10))


def test_same_distribution_has_density_near_one_and_high_coverage():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4))
    density, coverage = density_coverage(real, fake, k=5)
    assert 0.85 < density < 1.15
    assert coverage > 0.9  # Naeem et al.: about 1 - 2^-k for identical distributions
    precision, recall = precision_recall(real, fake, k=3)
    assert precision > 0.6 and recall > 0.6


def test_disjoint_sets_score_zero():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(200, 4)), rng.normal(loc=100.0, size=(200, 4))
    assert precision_recall(real, fake) == (0.0, 0.0)
    assert density_coverage(real, fake) == (0.0, 0.0)


def test_results_do_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(333, 16)), rng.normal(loc=0.2, size=(250, 16))
    assert precision_recall(real, fake, chunk=7) == precision_recall(real, fake, chunk=4096)
    assert density_coverage(real, fake, chunk=7) == density_coverage(real, fake, chunk=4096)


def test_mistakes_raise_one_line_errors():
    with pytest.raises(ConfigError, match="k=5 needs more than 5 samples"):
        density_coverage(np.zeros((5, 2)), np.zeros((5, 2)), k=5)
    with pytest.raises(DataError, match="width"):
        precision_recall(np.zeros((9, 2)), np.zeros((9, 3)))
