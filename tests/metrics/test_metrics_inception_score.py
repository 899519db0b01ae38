import numpy as np
import pytest
import torch

from gankit.errors import ConfigError
from gankit.metrics import inception_score


def test_confident_predictions_spread_over_k_classes_score_k():
    k, splits = 7, 5
    probs = np.eye(k)[np.tile(np.arange(k), 4 * splits)]  # every split holds each class 4 times
    mean, std = inception_score(probs, splits=splits)
    assert mean == pytest.approx(k, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_confident_logits_behave_like_one_hot_probabilities():
    logits = torch.full((40, 4), -50.0)
    logits[torch.arange(40), torch.arange(40) % 4] = 50.0
    mean, _ = inception_score(logits, splits=2)
    assert mean == pytest.approx(4.0, rel=1e-9)


def test_all_the_same_prediction_scores_one():
    probs = np.tile([0.1, 0.7, 0.2], (50, 1))
    assert inception_score(probs, splits=5)[0] == pytest.approx(1.0, rel=1e-12)
    assert inception_score(np.eye(3)[np.zeros(50, dtype=int)], splits=5)[0] == pytest.approx(1.0)


def test_hand_computed_two_sample_case():
    # p1 = (1, 0), p2 = (1/2, 1/2); marginal (3/4, 1/4).
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    kl1 = np.log(1 / 0.75)
    kl2 = 0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)
    assert inception_score(probs, splits=1)[0] == pytest.approx(np.exp((kl1 + kl2) / 2), rel=1e-12)


def test_more_splits_than_samples_is_a_config_error():
    with pytest.raises(ConfigError, match="splits"):
        inception_score(np.eye(3), splits=10)
