"""Inception Score: exp(E_x KL(p(y|x) || p(y))), per split of the samples.

Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen 2016, "Improved Techniques for Training GANs" (NeurIPS).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gankit.errors import ConfigError
from gankit.metrics._arrays import as_matrix, check_positive_int


def _looks_like_probabilities(values: np.ndarray) -> bool:
    return bool((values >= 0).all() and (values <= 1).all() and np.allclose(values.sum(axis=1), 1.0, atol=1e-5))


def class_probabilities(logits_or_probs: Any) -> np.ndarray:
    """Return p(y|x) (N, K) in float64: rows that are already distributions are kept, otherwise softmax(rows)."""
    values = as_matrix(logits_or_probs, "logits_or_probs")
    if _looks_like_probabilities(values):
        return values
    shifted = values - values.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _split_score(probs: np.ndarray) -> float:
    marginal = probs.mean(axis=0)
    # 0 * log 0 = 0; where p(y|x) > 0 the marginal is > 0 as well.
    safe = np.where(probs > 0, probs, 1.0)
    kl = np.where(probs > 0, probs * (np.log(safe) - np.log(np.where(marginal > 0, marginal, 1.0))), 0.0)
    return float(np.exp(kl.sum(axis=1).mean()))


def inception_score(logits_or_probs: Any, splits: int = 10) -> tuple[float, float]:
    """IS (Salimans et al. 2016): mean and std over ``splits`` consecutive chunks of exp(E_x KL(p(y|x) || p(y))).

    ``logits_or_probs`` is (N, K): rows that are non-negative and sum to 1 are read as probabilities,
    anything else as logits (softmax). p(y) is the mean of p(y|x) within each split. The std is ddof=0.
    K confident predictions spread evenly over K classes score K; predictions that are all one class score 1.
    """
    probs = class_probabilities(logits_or_probs)
    splits = check_positive_int("splits", splits)
    if splits > probs.shape[0]:
        raise ConfigError(f"inception_score: splits={splits} is more than the {probs.shape[0]} samples")
    scores = np.array([_split_score(chunk) for chunk in np.array_split(probs, splits)])
    return float(scores.mean()), float(scores.std())
