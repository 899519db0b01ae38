"""Small real photo folders for tests: JPEGs of smooth colour gradients plus noise, made with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A (width, height) RGB image: gradients and a sine pattern plus noise, like a photo's flat areas and
    texture; different for every seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width]
    a, b = rng.uniform(0.2, 1, 2)
    base = np.stack([255 * a * xx / width, 255 * b * yy / height, 128 + 60 * np.sin(xx / 9.0)], -1)
    return Image.fromarray(np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8))


def make_photos(root: Path, classes: list[str], per_class: int, size: tuple[int, int] = (96, 80),
                suffix: str = ".jpg") -> Path:
    """`root/<class>/NN.jpg` for every class name, `per_class` photos each; returns `root`."""
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            photo(size, 100 * c + i).save(root / name / f"{i:02d}{suffix}")
    return root
