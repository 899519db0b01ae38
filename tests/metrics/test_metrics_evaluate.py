import numpy as np
import pytest
import torch

from gankit.errors import ConfigError
from gankit.metrics import (
    DomainClassifier,
    density_coverage,
    evaluate,
    fid_from_features,
    kid,
    precision_recall,
)
from gankit.metrics.extractors.classifier import ClassifierFeatureExtractor


def _ring(k: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _ring_samples(n: int, seed: int, modes: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return modes[rng.integers(0, len(modes), n)] + 0.02 * rng.normal(size=(n, 2))


def test_points_get_every_metric_that_applies_and_match_the_functions():
    modes = _ring()
    real, fake = _ring_samples(600, 0, modes), _ring_samples(500, 1, modes)
    result = evaluate(torch.from_numpy(fake), real, modes=modes, mode_std=0.02, kid_subsets=5, kid_subset_size=200)
    assert result["settings"]["metrics"] == ["fid", "kid", "pr", "dc", "modes"]
    assert result["settings"]["extractor"] == "identity" and result["settings"]["n_real"] == 600
    assert result["fid"] == pytest.approx(fid_from_features(fake, real))
    assert (result["kid"], result["kid_std"]) == kid(fake, real, subsets=5, subset_size=200)
    assert (result["precision"], result["recall"]) == precision_recall(real, fake, k=3)
    assert (result["density"], result["coverage"]) == density_coverage(real, fake, k=5)
    assert result["modes_covered"] == 8 and result["high_quality_fraction"] > 0.95
    assert result["reverse_kl"] < 0.05


def test_collapsed_points_show_it_in_every_metric():
    modes = _ring()
    real = _ring_samples(400, 0, modes)
    collapsed = modes[2] + 0.02 * np.random.default_rng(5).normal(size=(400, 2))
    result = evaluate(collapsed, real, modes=modes, mode_std=0.02, kid_subsets=5, kid_subset_size=200)
    assert result["modes_covered"] == 1 and result["reverse_kl"] == pytest.approx(np.log(8))
    assert result["recall"] < 0.2 and result["coverage"] < 0.2 and result["fid"] > 1.0


def test_images_through_a_classifier_with_logits_and_cached_reference(tmp_path):
    torch.manual_seed(0)
    extractor = ClassifierFeatureExtractor(DomainClassifier(in_channels=1, num_classes=4, img_size=8))
    generator = torch.Generator().manual_seed(0)
    real = torch.rand(60, 1, 8, 8, generator=generator) * 2 - 1
    fake = torch.rand(50, 1, 8, 8, generator=generator) * 2 - 1
    key = {"dataset": "noise", "split": "train"}
    first = evaluate(fake, real, extractor=extractor, kid_subsets=3, is_splits=5, reference_key=key, cache_dir=tmp_path)
    assert set(first["settings"]["metrics"]) == {"fid", "kid", "pr", "dc", "is", "classes"}
    for name in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density", "coverage"):
        assert np.isfinite(first[name]), name
    assert first["classes_covered"] >= 1 and sum(first["class_histogram"]) == 50
    # Served from the cache, even without the real images, given the sample count.
    cached = evaluate(fake, None, extractor=extractor, kid_subsets=3, is_splits=5,
                      reference_key={**key, "n": 60}, cache_dir=tmp_path)
    assert cached["fid"] == pytest.approx(first["fid"], rel=1e-9)
    assert cached["precision"] == first["precision"]


def test_impossible_requests_raise_config_errors():
    points = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ConfigError, match="unknown metric 'fud'"):
        evaluate(points, points, metrics=("fud",))
    with pytest.raises(ConfigError, match="needs real samples"):
        evaluate(points, metrics=("fid",))
    with pytest.raises(ConfigError, match="needs class logits"):
        evaluate(points, points, metrics=("is",))
    with pytest.raises(ConfigError, match="'modes' needs points"):
        evaluate(points, points, metrics=("modes",))
    with pytest.raises(ConfigError, match="no valid cached reference"):
        evaluate(points, None, metrics=("fid",), reference_key={"dataset": "x", "n": 20}, cache_dir="/nonexistent/cache")
