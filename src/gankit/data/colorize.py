"""``colorize`` (paired): grey -> colour on crops of the real photographs scikit-image and scikit-learn ship.

Photos (all inside the installed packages; none needs a download):

* training: scikit-image's ``astronaut``, ``chelsea`` (a cat), ``rocket``, ``motorcycle_left`` and
  ``motorcycle_right`` (one stereo pair: both sides stay in training, so no test photo is a near-copy of a
  training one), ``hubble_deep_field``, ``immunohistochemistry``, ``retina``, and scikit-learn's ``flower.jpg``;
* held out whole for the test pairs: scikit-image's ``coffee`` (a cup on a table) and scikit-learn's
  ``china.jpg`` (a temple among trees under sky). No test crop comes from a training photo.

Crops: crop ``i`` comes from photo ``i mod P`` (so every photo gives the same number), covers a fraction of
the photo's shorter side drawn from ``CROP_FRACTIONS`` at a uniform position, and is mirrored left-right with
probability 1/2. It is cut from the photo resized once per fraction (antialiased bilinear, so the shorter side
is ``img_size / fraction``), then exactly ``img_size`` pixels are sliced out: one resize per photo and fraction,
not per crop. Training crops are drawn with ``torch.Generator().manual_seed(request.seed)`` (the run's seed);
test crops with a fixed seed, so every run is scored on the same ones.

The target is the RGB crop, the source its ITU-R 601 luma (``convert_channels``, the weights PIL uses), one
channel. ``data.channels`` may not be 1 (that would make the target grey too); 3 tiles the grey source.

Size: 64 px by default (``data.img_size`` changes it). Colour is a property of objects and materials (sky,
skin, fur, wood) and a 32-px crop of a 300-1,400-px photo is mostly a flat patch of one of them, with too
little context to say which; at 64 px the crops show shapes a generator can recognise. ``TRAIN_CROPS`` (2,000;
``data.limit`` sets another count, larger or smaller) and ``TEST_CROPS`` (256) bound memory: 2,000 crops at
64 px are 2 x 98 MB of float32.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gankit.data.registry import LoadRequest
from gankit.data.transforms import convert_channels, uint8_to_signed
from gankit.data.translation import PairedDataset
from gankit.data.translation_finish import finish_paired
from gankit.errors import ConfigError

DEFAULT_SIZE = 64
TRAIN_CROPS = 2000
TEST_CROPS = 256
TEST_SEED = 0
CROP_FRACTIONS = (0.5, 0.35, 0.25)  # a crop's side as a fraction of its photo's shorter side
TRAIN_PHOTOS = ("astronaut", "chelsea", "rocket", "motorcycle_left", "motorcycle_right", "hubble_deep_field",
                "immunohistochemistry", "retina", "flower.jpg")
TEST_PHOTOS = ("coffee", "china.jpg")


def load_photo(name: str) -> torch.Tensor:
    """One bundled photo as float32 ``(1, 3, H, W)`` in [-1, 1]: a ``*.jpg`` name is scikit-learn's
    ``load_sample_image``, ``motorcycle_left``/``_right`` a side of ``skimage.data.stereo_motorcycle()``, any
    other name a function of ``skimage.data``."""
    if name.endswith(".jpg"):
        from sklearn.datasets import load_sample_image

        pixels = load_sample_image(name)
    else:
        import skimage.data

        if name.startswith("motorcycle_"):
            pixels = skimage.data.stereo_motorcycle()[("motorcycle_left", "motorcycle_right").index(name)]
        else:
            pixels = getattr(skimage.data, name)()
    pixels = np.ascontiguousarray(pixels[:, :, :3])
    return uint8_to_signed(pixels).permute(2, 0, 1).unsqueeze(0)


def _scaled(photo: torch.Tensor, size: int, fraction: float) -> torch.Tensor:
    """The photo resized so that its shorter side is ``size / fraction`` (and at least ``size``)."""
    height, width = photo.shape[2:]
    scale = max(size / fraction, size) / min(height, width)
    shape = (max(size, round(height * scale)), max(size, round(width * scale)))
    scaled = F.interpolate(photo, size=shape, mode="bilinear", antialias=True, align_corners=False)
    return scaled.clamp_(-1.0, 1.0)  # the filter's weights are positive and sum to 1: only rounding leaves [-1, 1]


def photo_crops(names: tuple[str, ...], count: int, size: int, seed: int) -> torch.Tensor:
    """``count`` seeded RGB crops ``(count, 3, size, size)`` of the named photos (see the module docstring)."""
    generator = torch.Generator().manual_seed(seed)
    photos = [load_photo(name) for name in names]
    pyramids = [[_scaled(photo, size, f) for f in CROP_FRACTIONS] for photo in photos]
    crops = torch.empty((count, 3, size, size), dtype=torch.float32)
    for i in range(count):
        level = int(torch.randint(len(CROP_FRACTIONS), (), generator=generator))
        scaled = pyramids[i % len(photos)][level]
        top = int(torch.randint(scaled.shape[2] - size + 1, (), generator=generator))
        left = int(torch.randint(scaled.shape[3] - size + 1, (), generator=generator))
        crop = scaled[0, :, top:top + size, left:left + size]
        crops[i] = crop.flip(-1) if bool(torch.rand((), generator=generator) < 0.5) else crop
    return crops


def grey_and_colour(crops: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(source, target): the crops' luma (1 channel), and the crops."""
    return convert_channels(crops, 1), crops


def load_colorize(request: LoadRequest) -> PairedDataset:
    """Grey -> colour pairs from the bundled photos (see the module docstring)."""
    if request.channels == 1:
        raise ConfigError("the colorize dataset translates grey to colour: data.channels must be 3 or unset")
    size = request.img_size or DEFAULT_SIZE
    count = request.subset.size if request.subset is not None else request.limit or TRAIN_CROPS
    source, target = grey_and_colour(photo_crops(TRAIN_PHOTOS, count, size, request.seed))
    test_source, test_target = grey_and_colour(photo_crops(TEST_PHOTOS, TEST_CROPS, size, TEST_SEED))
    return finish_paired(source, target, test_source, test_target, request, name="colorize")
