"""What every image-to-image game shares (Pix2Pix, Pix2PixHD, CycleGAN): the generator takes an image, not noise.

A `TranslationGame` reads the batch fields named by `fields` (paired data: ``source`` and ``target``; unpaired:
the two domains ``a`` and ``b``, `gankit.data.batch`), and previews the same held-out images of those fields at
every preview (DESIGN.md, seam 2: the game owns its probe). Where a noise-to-image game's `generate` maps latent
codes, a translation game's maps input images: `generate(G, images)` is `translate(G, images)`, so the sampling,
evaluation and EMA code that calls `generate` needs no special case.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from gankit.games.base import Game


class TranslationGame(Game):
    """A game whose generator maps images to images; subclasses set `fields` and override `translate` as needed."""

    #: The batch fields the game reads, which are also its preview inputs.
    fields: tuple[str, ...] = ("source", "target")

    @property
    def needs(self) -> tuple[str, ...]:
        return self.fields

    @property
    def takes_noise(self) -> bool:
        return False

    def translate(self, generator: nn.Module, images: torch.Tensor) -> torch.Tensor:
        """`generator`'s output for input `images` (N, C, H, W) in [-1, 1]."""
        return generator(images)

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """For a translation game the "noise" is the input image: the same as `translate`."""
        return self.translate(generator, noise)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        """The data's held-out images of every field (`preview_examples`): the same inputs in every preview."""
        missing = [name for name in self.fields if name not in examples]
        if missing:
            raise ValueError(f"game '{type(self).__name__}' needs held-out '{', '.join(missing)}' images to preview")
        return {name: examples[name].to(device) for name in self.fields}
