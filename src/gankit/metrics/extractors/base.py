"""The one interface every feature extractor follows, and the batched ``extract`` helper.

An extractor maps images (N, C, H, W) in [-1, 1] to features (N, F), and optionally to class logits (N, K).
It does its own resizing and channel handling, so a caller passes images as a generator makes them.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn

from gankit.errors import ConfigError, DataError
from gankit.metrics._arrays import check_positive_int

# Images are expected in [-1, 1]; a little overshoot (a generator without tanh) is clamped by the extractors,
# a range like [0, 255] is a mistake.
_RANGE_LIMIT = 1.5


class FeatureExtractor(nn.Module):
    """Base class: subclasses set ``name`` and ``feature_dim`` and implement :meth:`features`.

    Those with a classification head also set ``num_classes`` and implement :meth:`logits`.
    """

    name: str = "extractor"
    feature_dim: int = 0
    num_classes: int | None = None
    preferred_batch_size: int = 32  # what extract() uses when not told; results do not depend on it

    @property
    def has_logits(self) -> bool:
        """Whether :meth:`logits` is available (needed for the Inception Score and class coverage)."""
        return self.num_classes is not None

    def cache_id(self) -> str:
        """A string naming these exact weights, for cache keys (default: ``name``; override when it is not unique)."""
        return self.name

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Features (N, feature_dim) of images (N, C, H, W) in [-1, 1]."""
        raise NotImplementedError

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits (N, num_classes) of images (N, C, H, W) in [-1, 1]."""
        raise ConfigError(f"feature extractor {self.name!r} has no classification head (no logits)")

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.features(images)


def extractor_device(extractor: nn.Module, fallback: torch.device) -> torch.device:
    """The device of the extractor's first parameter or buffer, else ``fallback`` (the input's device)."""
    for tensor in list(extractor.parameters()) + list(extractor.buffers()):
        return tensor.device
    return fallback


def check_images(images: torch.Tensor) -> torch.Tensor:
    """Return ``images`` as a float tensor after checking shape (N, C, H, W) and range [-1, 1], else DataError."""
    if images.ndim != 4:
        raise DataError(f"images must be a 4-D tensor (N, C, H, W), got shape {tuple(images.shape)}")
    if not images.is_floating_point():
        raise DataError(f"images must be floats in [-1, 1], got dtype {images.dtype} (use x / 127.5 - 1 for 8-bit)")
    if images.numel() and (images.min() < -_RANGE_LIMIT or images.max() > _RANGE_LIMIT):
        raise DataError(
            f"images must lie in [-1, 1], got values in [{float(images.min()):.3g}, {float(images.max()):.3g}]"
        )
    return images


def _batches(images_or_iterator: Any, batch_size: int) -> Iterator[torch.Tensor]:
    """Yield tensors of at most ``batch_size`` images from a tensor, an array or an iterable of batches.

    An iterable may yield tensors, arrays or tuples/lists whose first element is the images (x, y).
    """
    if isinstance(images_or_iterator, (torch.Tensor, np.ndarray)):
        source: Iterable[Any] = [images_or_iterator]
    else:
        source = images_or_iterator
    for item in source:
        if isinstance(item, (tuple, list)):
            item = item[0]
        batch = torch.from_numpy(np.ascontiguousarray(item)) if isinstance(item, np.ndarray) else item
        if not isinstance(batch, torch.Tensor):
            raise DataError(f"extract expects tensors or arrays of images, got {type(batch).__name__}")
        for start in range(0, batch.shape[0], batch_size):
            yield batch[start : start + batch_size]


def extract(
    extractor: FeatureExtractor, images_or_iterator: Any, batch_size: int | None = None, output: str = "features",
    progress: Callable[[int], None] | None = None, dtype: torch.dtype | None = None,
) -> np.ndarray:
    """Run ``extractor`` over all images in batches under ``torch.inference_mode`` and stack the results.

    ``images_or_iterator``: a tensor/array (N, C, H, W) in [-1, 1], or an iterable of such batches (or of
    (images, labels) pairs). ``output`` is "features" or "logits". Batches go to the extractor's device.
    ``batch_size`` defaults to the extractor's ``preferred_batch_size`` (the fastest measured on the CPU).
    Returns a float32 NumPy array (N, F); the statistics cast to float64 themselves. The result does not
    depend on ``batch_size`` beyond floating-point reassociation in the convolutions. ``progress``, when
    given, is called with the number of images of each batch once it is done (for a progress bar).
    ``dtype`` (e.g. ``torch.bfloat16``) runs the extractor under ``torch.autocast`` in that type; None: float32.
    """
    if output not in ("features", "logits"):
        raise ConfigError(f"extract: output must be 'features' or 'logits', got {output!r}")
    batch_size = check_positive_int("batch_size", extractor.preferred_batch_size if batch_size is None else batch_size)
    method = extractor.features if output == "features" else extractor.logits
    was_training = extractor.training
    extractor.eval()
    results: list[np.ndarray] = []
    try:
        with torch.inference_mode():
            for batch in _batches(images_or_iterator, batch_size):
                if batch.shape[0] == 0:
                    continue
                batch = check_images(batch).to(extractor_device(extractor, batch.device))
                with torch.autocast(batch.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
                    out = method(batch)
                results.append(out.float().cpu().numpy())
                if progress is not None:
                    progress(batch.shape[0])
    finally:
        extractor.train(was_training)
    if not results:
        raise DataError("extract: no images were given")
    return np.concatenate(results, axis=0)
