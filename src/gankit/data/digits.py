"""scikit-learn's bundled 8x8 handwritten digits (UCI "Optical Recognition of Handwritten Digits", Alpaydin &
Kaynak 1998): 1,797 grey images with values 0..16, 10 classes. Always available offline; the fast-test dataset."""

from __future__ import annotations

import torch

from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest

NUM_CLASSES = 10
CLASS_NAMES = tuple(str(digit) for digit in range(NUM_CLASSES))
MAX_VALUE = 16.0


def load_digits(request: LoadRequest) -> ArrayDataset:
    """Load all 1,797 digits as ``(N, 1, 8, 8)`` float32, mapped by ``x / 16 * 2 - 1`` to [-1, 1]."""
    from sklearn.datasets import load_digits as sklearn_load_digits  # sklearn is slow to import; only when asked

    bunch = sklearn_load_digits()
    x = torch.as_tensor(bunch.images, dtype=torch.float32).unsqueeze(1).mul_(2.0 / MAX_VALUE).sub_(1.0)
    y = torch.as_tensor(bunch.target, dtype=torch.int64)
    if request.subset is not None:
        keep = request.subset.indices(y, len(y))
        x, y = x[keep], y[keep]
    elif request.limit is not None:
        x, y = x[: request.limit], y[: request.limit]
    return ArrayDataset(x=x, y=y, num_classes=NUM_CLASSES, name="digits", kind="image", class_names=CLASS_NAMES)
