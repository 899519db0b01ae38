"""Counting which classes or mixture modes a generator reaches.

``class_coverage`` reads a classifier's predicted labels; ``label_accuracy`` compares them with the classes a
conditional generator was asked for (GAN-test); ``mode_coverage`` follows the 2-D mixture protocol of
VEEGAN (Srivastava, Valkov, Russell, Gutmann & Sutton 2017, NeurIPS, Sec. 5.1) and PacGAN (Lin, Khetan,
Fanti & Oh 2018, NeurIPS, Sec. 4.1).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gankit.errors import DataError
from gankit.metrics._arrays import as_matrix, check_positive_int, to_numpy


def kl_from_uniform(counts: np.ndarray) -> float:
    """KL(q || u) = sum_k q_k log(K q_k) for q = counts / sum(counts) and u uniform over the K bins.

    Bins with q_k = 0 contribute 0 (the limit of q log q). 0 for a uniform histogram, log K when all the mass
    sits in one bin; NaN when the histogram is empty (q is undefined).
    """
    total = counts.sum()
    if total == 0:
        return float("nan")
    q = counts[counts > 0] / total
    return float(np.sum(q * np.log(q * counts.shape[0])))


def class_coverage(pred_labels: Any, num_classes: int) -> dict[str, Any]:
    """How a generator's samples spread over ``num_classes`` classes, from their predicted labels (N,).

    Returns ``classes_covered`` (classes predicted at least once), ``kl_from_uniform`` (KL(q || uniform) of
    the label histogram q, see :func:`kl_from_uniform`: 0 when balanced, log K when one class) and
    ``histogram`` (a list of K counts).
    """
    num_classes = check_positive_int("num_classes", num_classes)
    labels = to_numpy(pred_labels).reshape(-1)
    if labels.size == 0:
        raise DataError("class_coverage: pred_labels is empty")
    if not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"class_coverage: pred_labels must be integers, got {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise DataError(f"class_coverage: labels must lie in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
    counts = np.bincount(labels, minlength=num_classes)
    return {
        "classes_covered": int((counts > 0).sum()),
        "kl_from_uniform": kl_from_uniform(counts),
        "histogram": [int(c) for c in counts],
    }


def label_accuracy(pred_labels: Any, requested: Any) -> dict[str, Any]:
    """How often a classifier agrees with the class a conditional generator was asked for (the "GAN-test" of
    Shmelkov, Schmid & Alahari 2018, "How good is my GAN?", ECCV).

    For each requested class k with m_k samples: a_k = (1/m_k) sum_i [pred_i = k]; returns ``label_accuracy`` =
    the mean of a_k over the classes requested (each class weighs the same, whatever its count),
    ``label_accuracy_min`` = min_k a_k and ``per_class`` = {k: a_k}.
    """
    pred = to_numpy(pred_labels).astype(np.int64).ravel()
    wanted = to_numpy(requested).astype(np.int64).ravel()
    if pred.shape != wanted.shape or pred.size == 0:
        raise DataError(f"label_accuracy needs as many predicted as requested labels (at least one), got "
                        f"{pred.size} and {wanted.size}")
    per_class = {int(k): float(np.mean(pred[wanted == k] == k)) for k in np.unique(wanted)}
    shares = list(per_class.values())
    return {"label_accuracy": float(np.mean(shares)), "label_accuracy_min": float(min(shares)),
            "per_class": per_class}


def mode_coverage(points: Any, modes: Any, std: float, threshold: float = 3.0) -> dict[str, Any]:
    """Modes reached, share of high-quality samples and reverse KL, for samples of a 2-D (or F-D) mixture.

    The VEEGAN/PacGAN protocol: each sample is assigned to its NEAREST mode (Euclidean distance); it is
    *high quality* (HQ) when that distance is at most ``threshold * std`` (three standard deviations in both
    papers). A mode is *covered* when at least one HQ sample is assigned to it: VEEGAN counts "the number of
    mixture components whose mean is nearest to at least one high quality sample", and PacGAN's evaluation
    code counts the modes with a non-zero HQ count in the same way.

    Returns ``modes_covered`` (int), ``high_quality_fraction`` (HQ samples / all samples), ``reverse_kl``
    = KL(q || p) with q the normalised histogram of HQ samples over the K modes and p uniform (PacGAN's
    reverse KL; empty modes contribute 0; NaN when there is no HQ sample) and ``histogram`` (HQ counts).
    """
    samples = as_matrix(points, "points")
    centres = as_matrix(modes, "modes")
    if samples.shape[1] != centres.shape[1]:
        raise DataError(f"mode_coverage: points are {samples.shape[1]}-D but modes are {centres.shape[1]}-D")
    for name, value in (("std", std), ("threshold", threshold)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) or value <= 0:
            raise DataError(f"mode_coverage: {name} must be a positive number, got {value!r}")
    # Nearest mode by squared distance, one sample block at a time (K is small).
    counts = np.zeros(centres.shape[0], dtype=np.int64)
    radius = float(threshold) * float(std)
    for start in range(0, samples.shape[0], 65536):
        block = samples[start : start + 65536]
        squared = ((block[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest = squared.argmin(axis=1)
        high_quality = np.sqrt(squared[np.arange(block.shape[0]), nearest]) <= radius
        counts += np.bincount(nearest[high_quality], minlength=centres.shape[0])
    return {
        "modes_covered": int((counts > 0).sum()),
        "high_quality_fraction": float(counts.sum() / samples.shape[0]),
        "reverse_kl": kl_from_uniform(counts),
        "histogram": [int(c) for c in counts],
    }
