"""A small CNN that gankit trains on a labelled image dataset, for domain-specific metrics.

Inception features know ImageNet, not Fashion-MNIST: on small grey datasets a classifier trained on the
dataset itself gives more telling numbers. Its penultimate layer (128-d) gives a "classifier FID" (the
Frechet distance in a domain classifier's feature space, a common stand-in for MNIST-like data) and its
logits give a classifier Inception Score and the class coverage. Numbers from different classifiers are
not comparable: the extractor's ``cache_id`` names the exact weights.

Trained by ``classifier_training.train_classifier``; saved and loaded by ``classifier_io`` (safetensors + JSON).
"""

from __future__ import annotations

import hashlib
import json

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import ConfigError, DataError
from gankit.metrics._arrays import check_positive_int
from gankit.metrics.extractors.base import FeatureExtractor

_MAX_CHANNELS = 128
_MIN_SPATIAL = 8  # downsample by stride-2 convolutions until the feature map is at most 8x8


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class DomainClassifier(nn.Module):
    """Stride-2 conv-BN-ReLU blocks down to <= 8x8, a ``feature_dim`` ReLU layer, dropout and a linear head.

    For 28x28 grey inputs and width 16: 1->16 (14x14) -> 32 (7x7) -> 128 features -> num_classes logits
    (about 0.45 MMAC per image). ``features(x)`` returns the 128-d penultimate activations, ``forward(x)``
    the logits. Inputs are (N, in_channels, img_size, img_size) in [-1, 1].
    """

    def __init__(
        self, in_channels: int, num_classes: int, img_size: int, width: int = 16, feature_dim: int = 128
    ) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("num_classes", num_classes), ("img_size", img_size),
                            ("width", width), ("feature_dim", feature_dim)):
            check_positive_int(name, value)
        if num_classes < 2:
            raise ConfigError(f"num_classes must be at least 2, got {num_classes}")
        self.config = {"in_channels": in_channels, "num_classes": num_classes, "img_size": img_size,
                       "width": width, "feature_dim": feature_dim}
        blocks, channels, spatial = [], in_channels, img_size
        out_channels = width
        while True:
            blocks.append(_conv_block(channels, out_channels))
            channels, spatial = out_channels, (spatial + 1) // 2
            out_channels = min(2 * out_channels, _MAX_CHANNELS)
            if spatial <= _MIN_SPATIAL:
                break
        self.body = nn.Sequential(*blocks, nn.Flatten())
        self.embed = nn.Linear(channels * spatial * spatial, feature_dim)
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(feature_dim, num_classes)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (N, feature_dim), after the ReLU and before dropout."""
        return F.relu(self.embed(self.body(images)))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits (N, num_classes)."""
        return self.head(self.dropout(self.features(images)))


class ClassifierFeatureExtractor(FeatureExtractor):
    """A trained :class:`DomainClassifier` as an extractor: 128-d penultimate features and logits.

    Images whose size differs from the classifier's are resized bilinearly (antialiased when shrinking);
    grey images are tiled for a colour classifier. Other channel mismatches raise DataError.
    """

    name = "classifier"
    preferred_batch_size = 512

    def __init__(self, model: DomainClassifier) -> None:
        super().__init__()
        self.model = model
        self.feature_dim = model.config["feature_dim"]
        self.num_classes = model.config["num_classes"]
        self.eval()  # an extractor is used for inference; extract() restores this mode afterwards

    def cache_id(self) -> str:
        """"classifier-" + the first 16 hex digits of a SHA-256 over the config and the weights."""
        digest = hashlib.sha256(json.dumps(self.model.config, sort_keys=True).encode())
        for key, value in sorted(self.model.state_dict().items()):
            digest.update(key.encode())
            digest.update(value.detach().cpu().contiguous().numpy().tobytes())
        return f"classifier-{digest.hexdigest()[:16]}"

    def _prepare(self, images: torch.Tensor) -> torch.Tensor:
        size, channels = self.model.config["img_size"], self.model.config["in_channels"]
        x = images.float()
        if x.shape[1] != channels:
            if x.shape[1] == 1:
                x = x.expand(-1, channels, -1, -1)
            else:
                raise DataError(f"classifier expects {channels} channel(s), got {x.shape[1]}")
        if x.shape[2:] != (size, size):
            shrink = x.shape[2] > size or x.shape[3] > size
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=shrink)
        return x.clamp(-1.0, 1.0)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.model.features(self._prepare(images))

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        return self.model(self._prepare(images))
