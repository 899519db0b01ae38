"""Random data shaped like a recipe's, for timing training steps (speed does not depend on the pixels).

`random_trainer(recipe, overrides, workdir)` builds the recipe's game on random images of its shape -- the
fields the game reads (``x``/``y``, or ``source``/``target``, ...) -- and a `Trainer` ready for `train_step()`.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.config import load_config
from gankit.data.base import ArrayDataset
from gankit.data.translation import PairedDataset, UnpairedDataset
from gankit.games import DataSpec, build_game
from gankit.training.data_stream import DataStream
from gankit.training.trainer import Trainer

N = 2048  # random samples the stream cycles through


def _random_images(channels: int, size: int) -> torch.Tensor:
    return torch.rand(N, channels, size, size) * 2 - 1


def random_dataset(config):
    """A dataset of random images with the recipe's shape and fields (paired for pix2pix and pix2pixhd,
    unpaired for cyclegan)."""
    size = config.data.img_size or 28
    if config.game == "cyclegan":
        return UnpairedDataset(*(_random_images(1, size)[:count] for count in (N, N, 8, 8)), name="random")
    if config.game in ("pix2pix", "pix2pixhd"):
        target_channels = 3 if config.data.name == "colorize" else 1
        held_out = _random_images(1, size)[:8], _random_images(target_channels, size)[:8]
        return PairedDataset(_random_images(1, size), _random_images(target_channels, size), *held_out, name="random")
    channels = 3 if config.data.name == "folder" else 1
    classes = 10 if config.game == "conditional" else 0
    labels = torch.randint(0, classes, (N,)) if classes else None
    return ArrayDataset(_random_images(channels, size), labels, classes, "random", "image")


def random_trainer(recipe: str, overrides: list[str], workdir: Path) -> tuple[Trainer, object]:
    """(trainer, config) of `recipe` with `overrides` on random images; networks built under seed 0."""
    extra = ["data.path=/unused"] if load_config(recipe).data.name == "folder" else []
    config = load_config(recipe, overrides + extra)
    if config.game in ("pix2pix", "cyclegan") and config.data.img_size is None:
        config.data.img_size = 32
    dataset = random_dataset(config)
    torch.manual_seed(0)
    game = build_game(config, DataSpec.of(dataset))
    stream = DataStream.of(dataset, config.train.batch_size, seed=0, device=torch.device("cpu"),
                           channels_last=config.train.channels_last)
    trainer = Trainer(game, stream, config, workdir, torch.device("cpu"), examples=dataset.preview_examples())
    return trainer, config
