"""Metrics for generative models: features -> statistics -> metric, each a short pure function.

Statistics work on float64 NumPy arrays (torch tensors are accepted and converted); extractors return float32
NumPy features. Caching of reference statistics is layered on top (:func:`reference_stats`), and
:func:`evaluate` wires everything into one call. Defaults shared with the CLI live in ``DEFAULTS``.

>>> fid_from_features(f_fake, f_real)
>>> evaluate(fake_images, real_images, extractor="inception")          # fid, kid, precision, recall, ...
>>> evaluate(points, metrics=("modes",), modes=ring_modes, mode_std=0.02)
"""

from gankit.metrics.coverage import class_coverage, kl_from_uniform, label_accuracy, mode_coverage
from gankit.metrics.defaults import DEFAULTS
from gankit.metrics.evaluate import METRICS, evaluate
from gankit.metrics.extractors import (
    ClassifierFeatureExtractor,
    DomainClassifier,
    FeatureExtractor,
    InceptionFeatureExtractor,
    classifier_accuracy,
    extract,
    feature_extractor_names,
    get_feature_extractor,
    load_classifier,
    register_feature_extractor,
    save_classifier,
    train_classifier,
)
from gankit.metrics.frechet import fid_from_features, frechet_distance, mean_and_covariance
from gankit.metrics.inception_score import inception_score
from gankit.metrics.kid import kid, polynomial_kernel
from gankit.metrics.manifold import density_coverage, precision_recall
from gankit.metrics.msssim import ms_ssim, msssim_diversity, ssim
from gankit.metrics.reference_cache import reference_stats
from gankit.metrics.swd import sliced_wasserstein, swd

__all__ = [
    "DEFAULTS",
    "METRICS",
    "ClassifierFeatureExtractor",
    "DomainClassifier",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "class_coverage",
    "classifier_accuracy",
    "density_coverage",
    "evaluate",
    "extract",
    "feature_extractor_names",
    "fid_from_features",
    "frechet_distance",
    "get_feature_extractor",
    "inception_score",
    "kid",
    "kl_from_uniform",
    "label_accuracy",
    "load_classifier",
    "mean_and_covariance",
    "mode_coverage",
    "ms_ssim",
    "msssim_diversity",
    "polynomial_kernel",
    "precision_recall",
    "reference_stats",
    "register_feature_extractor",
    "save_classifier",
    "sliced_wasserstein",
    "ssim",
    "swd",
    "train_classifier",
]
