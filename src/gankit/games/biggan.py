"""BigGAN (Brock, Donahue & Simonyan 2019, "Large Scale GAN Training for High Fidelity Natural Image Synthesis").

Networks: `gankit.models.biggan.BigGANGenerator` (a shared class embedding, the latent z split across G's
blocks and joined with the embedding in each block's conditional batch norm, residual blocks, self-attention)
and the projection discriminator of SAGAN (`gankit.models.resblocks`), spectral norm in both.

Game: `gankit.games.adversarial.AdversarialGame` plus **orthogonal regularization of G** (§3.1): G's loss gains
β·Σ_W ‖WᵀW ⊙ (1 − I)‖²_F over its weights (`gankit.losses.orthogonal_regularization`; β = ``biggan.ortho``,
1e-4), logged as ``ortho``. The rest comes from the shared keys and the recipe (``biggan-fashion``): hinge
loss, **two D steps per G step** (``train.d_steps``; Appendix C), Adam β = (0, 0.999) with D's rate above G's,
the **EMA of G** (``train.ema``) that samples are drawn from, and, when memory is short, a larger effective
batch by **gradient accumulation** (``train.accumulate``). The **truncation trick** is `gankit sample
--truncation T` (`gankit.sampling.truncation`). Options live in section ``biggan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from gankit import losses
from gankit.errors import ConfigError
from gankit.games.adversarial import AdversarialGame, adversarial_options
from gankit.games.base import DataSpec, PhaseContext
from gankit.games.sagan import check_widths, residual_family_setup

if TYPE_CHECKING:
    from gankit.config import Config


@dataclass
class BigGANOptions:
    """Config section ``biggan``: conditioning, widths, the shared embedding, attention and β of the ortho reg."""

    conditional: bool = True  # shared class embedding in G's batch norms and a projection D (labelled data)
    g_width: int = 32  # channels of G's last block (4x at 4 px)
    d_width: int = 32  # channels of D's first block (4x at 4 px)
    shared_dim: int = 32  # width of the shared class embedding (the paper: 128)
    attention: int = 16  # side (px) of the feature maps G and D attend over; 0: no attention
    ortho: float = 1e-4  # β of the orthogonal regularization of G; 0 turns it off


def check_biggan(options: BigGANOptions) -> None:
    check_widths("biggan", options)
    if options.shared_dim < 1:
        raise ConfigError(f"config key 'biggan.shared_dim' must be positive, got {options.shared_dim!r}")
    if not options.ortho >= 0:
        raise ConfigError(f"config key 'biggan.ortho' must be 0 or more, got {options.ortho!r}")


@dataclass
class BigGANGame(AdversarialGame):
    """The adversarial game with BigGAN's orthogonal regularization of G added to G's loss."""

    ortho: float = 1e-4

    def _g_loss(self, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        loss, stats = super()._g_loss(ctx)
        if self.ortho > 0:
            penalty = losses.orthogonal_regularization(self.module("G").orthogonal_weights())
            loss = loss + self.ortho * penalty
            stats["ortho"] = penalty.detach()
        return loss, stats

    def summary_lines(self) -> list[str]:
        G = self.module("G")
        return [f"losses   {self.loss_name}" + (f" + {self.ortho:g}*orthogonal reg of G" if self.ortho else ""),
                f"latent   z of {self.z_dim} in {self.z_dim // G.chunk} chunks of {G.chunk}: the input layer and "
                "each block's conditional batch norms" + (" (with the shared class embedding)" if G.num_classes else "")]


def build_biggan(config: Config, data: DataSpec) -> BigGANGame:
    """The BigGAN game for square images of 8, 16, 32 or 64 px (any power of two from 8)."""
    from gankit.models.biggan import BigGANGenerator
    from gankit.models.resblocks import ResNetProjectionDiscriminator

    o = config.section("biggan")
    channels, size, classes = residual_family_setup("biggan", config, data, o)
    try:
        generator = BigGANGenerator(config.model.z_dim, classes, size, channels, o.g_width, o.shared_dim,
                                    o.attention)
    except ValueError as exc:
        raise ConfigError(f"game 'biggan': model.{exc}") from None
    discriminator = ResNetProjectionDiscriminator(size, channels, classes, o.d_width, o.attention)
    return BigGANGame.create(generator, discriminator, ema=config.train.ema > 0, n_classes=classes,
                             ortho=o.ortho, **adversarial_options(config))
