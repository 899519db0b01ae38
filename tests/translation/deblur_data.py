"""A small real paired task for the translation tests: Fashion-MNIST garments at 16 px, blurred (down to 8 px
and back up) as the source, sharp as the target. Registered once as dataset ``test-deblur``."""

from __future__ import annotations

import torch.nn.functional as F

from gankit.data import PairedDataset, load_dataset, register_dataset
from gankit.data.registry import dataset_names

NAME = "test-deblur"


def _blur(x):
    return F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode="bilinear", align_corners=False)


def _load(request) -> PairedDataset:
    train = load_dataset("fashion-mnist", img_size=16, limit=request.limit or 1024)
    test = load_dataset("fashion-mnist", img_size=16, split="test", limit=256)
    return PairedDataset(_blur(train.x), train.x, _blur(test.x), test.x, name=NAME, test_labels=test.y,
                         target_dataset="fashion-mnist",
                         class_names=train.class_names)


if NAME not in dataset_names():
    register_dataset(NAME, _load)

# the options of a tiny, fast Pix2Pix on it (a U-Net of 4 levels, 16 channels wide)
TINY_PIX2PIX = ["game=pix2pix", f"data.name={NAME}", "name=p2p", "train.batch_size=16", "train.log_every=5",
                "train.sample_every=1000", "train.ckpt_every=1000", "train.progress=false", "pix2pix.g_width=16",
                "pix2pix.d_width=16", "pix2pix.d_layers=2", "eval.every=0"]

DIGITS_NAME = "test-digits-deblur"


def _load_digits(request) -> PairedDataset:
    """8x8 digits: the first 1,500 for training, the last 297 held out (their classes kept for accuracy)."""
    digits = load_dataset("digits")
    x, y = digits.x, digits.y
    return PairedDataset(_blur(x[:1500]), x[:1500], _blur(x[1500:]), x[1500:], name=DIGITS_NAME,
                         test_labels=y[1500:], class_names=digits.class_names, target_dataset="digits")


if DIGITS_NAME not in dataset_names():
    register_dataset(DIGITS_NAME, _load_digits)
