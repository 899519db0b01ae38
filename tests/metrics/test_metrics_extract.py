import numpy as np
import pytest
import torch
from torch import nn

from gankit.errors import ConfigError, DataError
from gankit.metrics import (
    DomainClassifier,
    FeatureExtractor,
    extract,
    feature_extractor_names,
    get_feature_extractor,
    register_feature_extractor,
)
from gankit.metrics.extractors.classifier import ClassifierFeatureExtractor


class TinyConvExtractor(FeatureExtractor):
    name = "tiny-conv-test"
    feature_dim = 6

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                 nn.Flatten())

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


def _images(n: int = 37, channels: int = 3, size: int = 12) -> torch.Tensor:
    return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(1)) * 2 - 1


def test_results_do_not_depend_on_batch_size_and_use_eval_mode():
    extractor = TinyConvExtractor().train()
    images = _images()
    one_pass = extract(extractor, images, batch_size=64)
    assert one_pass.shape == (37, 6) and one_pass.dtype == np.float32
    for batch_size in (1, 5, 16):
        np.testing.assert_allclose(extract(extractor, images, batch_size=batch_size), one_pass, rtol=1e-5, atol=1e-6)
    assert extractor.training  # put back as it was
    with torch.no_grad():
        expected = extractor.eval().features(images).numpy()
    np.testing.assert_allclose(one_pass, expected, rtol=1e-5, atol=1e-6)


def test_accepts_arrays_and_iterables_of_labelled_batches():
    extractor, images = TinyConvExtractor(), _images()
    batches = [(images[:10], torch.zeros(10)), (images[10:], torch.zeros(27))]
    np.testing.assert_allclose(extract(extractor, batches, 4), extract(extractor, images.numpy(), 8), rtol=1e-5, atol=1e-6)


def test_image_mistakes_raise_data_error():
    extractor = TinyConvExtractor()
    with pytest.raises(DataError, match="4-D"):
        extract(extractor, torch.zeros(3, 12, 12))
    with pytest.raises(DataError, match="uint8"):
        extract(extractor, torch.zeros(2, 3, 12, 12, dtype=torch.uint8))
    with pytest.raises(DataError, match=r"\[-1, 1\]"):
        extract(extractor, torch.full((2, 3, 12, 12), 255.0))
    with pytest.raises(DataError, match="no images"):
        extract(extractor, [])
    with pytest.raises(ConfigError, match="no classification head"):
        extract(extractor, _images(), output="logits")


def test_registry_builds_registered_extractors_and_refuses_duplicates():
    register_feature_extractor("tiny-conv-test", TinyConvExtractor, replace=True)
    assert {"inception", "classifier", "tiny-conv-test"} <= set(feature_extractor_names())
    assert isinstance(get_feature_extractor("tiny-conv-test"), TinyConvExtractor)
    with pytest.raises(ConfigError, match="already registered"):
        register_feature_extractor("tiny-conv-test", TinyConvExtractor)
    with pytest.raises(ConfigError, match="unknown feature extractor 'nope'"):
        get_feature_extractor("nope")


def test_classifier_extractor_resizes_and_tiles_grey_images():
    torch.manual_seed(0)
    model = DomainClassifier(in_channels=3, num_classes=4, img_size=16).eval()
    extractor = ClassifierFeatureExtractor(model)
    grey = _images(n=5, channels=1, size=32)
    features = extract(extractor, grey, batch_size=2)
    logits = extract(extractor, grey, batch_size=3, output="logits")
    assert features.shape == (5, 128) and logits.shape == (5, 4)
    expected = torch.nn.functional.interpolate(grey, size=(16, 16), mode="bilinear", antialias=True).expand(-1, 3, -1, -1)
    with torch.no_grad():
        np.testing.assert_allclose(logits, model(expected).numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(DataError, match="3 channel"):
        extract(extractor, _images(n=2, channels=2))
