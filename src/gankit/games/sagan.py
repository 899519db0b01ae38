"""SAGAN: self-attention GAN (Zhang, Goodfellow, Metaxas & Odena 2019, "Self-Attention Generative Adversarial
Networks").

Networks (`gankit.models.sagan`, `gankit.models.resblocks`): residual G and D with a self-attention block in
each at ``sagan.attention`` px (the paper's 32/64 of 128 px scaled: 16 px at 32 px), spectral normalization in
*both* networks (§4.1), class-conditional batch norm in G and a projection discriminator (Miyato & Koyama 2018)
when ``sagan.conditional`` (the data must be labelled), plain batch norm and a plain linear head otherwise.

Game: `gankit.games.adversarial.AdversarialGame` as it is, with the shared keys: the hinge loss (§4: ``loss:
hinge``), one D step per G step, and the two time-scale update rule (TTUR, Heusel et al. 2017; §4.2:
``optim.lr_d: 4e-4``, ``optim.lr_g: 1e-4``, Adam β = (0, 0.9)) from the recipe (``sagan-fashion``).
Options live in section ``sagan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gankit.errors import ConfigError
from gankit.games.adversarial import AdversarialGame, adversarial_options
from gankit.games.base import DataSpec

if TYPE_CHECKING:
    from gankit.config import Config


@dataclass
class SAGANOptions:
    """Config section ``sagan``: conditioning, widths and where the networks attend."""

    conditional: bool = True  # class-conditional BN in G and a projection D (needs labelled data)
    g_width: int = 32  # channels of G's last block (4x at 4 px; the paper's 128-px G: 64)
    d_width: int = 32  # channels of D's first block (4x at 4 px)
    attention: int = 16  # side (px) of the feature maps G and D attend over; 0: no attention
    g_spectral_norm: bool = True  # spectral norm in G too (SAGAN §4.1)


def check_widths(section: str, options) -> None:
    """Positive widths and a non-negative attention side (ConfigError naming the key)."""
    for key in ("g_width", "d_width"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key '{section}.{key}' must be positive, got {getattr(options, key)!r}")
    if options.attention < 0:
        raise ConfigError(f"config key '{section}.attention' must be 0 or more, got {options.attention!r}")


def check_sagan(options: SAGANOptions) -> None:
    check_widths("sagan", options)


def residual_family_setup(game: str, config: Config, data: DataSpec, options) -> tuple[int, int, int]:
    """(channels, side, classes) of the images a SAGAN or BigGAN game trains on, checked: square images whose
    side is a power of two from 8 px, labels when conditional, an attention side both networks have, and none
    of the stab remedies that rebuild D (this family builds its own). ConfigError otherwise."""
    from gankit.models.resblocks import attention_sizes, block_count

    shape = data.sample_shape
    if data.kind != "image" or len(shape) != 3 or shape[1] != shape[2]:
        raise ConfigError(f"game '{game}' needs square images; dataset '{data.name}' has samples of shape {shape}")
    try:
        block_count(shape[1])
    except ValueError as exc:
        raise ConfigError(f"game '{game}' {exc} (set data.img_size)") from None
    sizes = attention_sizes(shape[1])
    if options.attention and options.attention not in sizes:
        raise ConfigError(f"config key '{game}.attention' must be 0 or one of {', '.join(map(str, sizes))} at "
                          f"{shape[1]} px, got {options.attention}")
    if options.conditional and not data.num_classes:
        raise ConfigError(f"game '{game}' is class-conditional but dataset '{data.name}' has no labels: set "
                          f"{game}.conditional=false")
    stab = config.stab
    if stab.pack > 1 or stab.minibatch_discrimination or stab.minibatch_stddev:
        raise ConfigError(f"game '{game}' builds its own discriminator: stab.pack, stab.minibatch_discrimination "
                          "and stab.minibatch_stddev need game=unconditional")
    return shape[0], shape[1], data.num_classes if options.conditional else 0


def build_sagan(config: Config, data: DataSpec) -> AdversarialGame:
    """The SAGAN game for square images of 8, 16, 32 or 64 px (any power of two from 8)."""
    from gankit.models.resblocks import ResNetProjectionDiscriminator
    from gankit.models.sagan import SAGANGenerator

    o = config.section("sagan")
    channels, size, classes = residual_family_setup("sagan", config, data, o)
    generator = SAGANGenerator(config.model.z_dim, classes, size, channels, o.g_width, o.attention,
                               o.g_spectral_norm)
    discriminator = ResNetProjectionDiscriminator(size, channels, classes, o.d_width, o.attention)
    return AdversarialGame.create(generator, discriminator, ema=config.train.ema > 0, n_classes=classes,
                                  **adversarial_options(config))
