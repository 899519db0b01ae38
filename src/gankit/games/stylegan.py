"""StyleGAN (Karras, Laine & Aila 2019, "A Style-Based Generator Architecture for Generative Adversarial Networks"):
the style-based generator (`gankit.models.stylegan`) grown as ProGAN's, against ProGAN's discriminator.

Schedule (the paper's §2 and Appendix C: progressive growing as in ProGAN): exactly ProGAN's (`ProGANGame`, whose
stages, fresh Adam at every stage change, resizing and blending of the reals and checkpointed step this game
inherits): ``4px`` for ``stable_steps``, then per resolution ``{s}px-fade`` (α = t / fade_steps) and ``{s}px``.
The step decides the level and α; every step the game also writes them into G's ``synthesis.level`` and
``synthesis.alpha`` buffers, so a saved generator samples at the resolution it was trained at, through any tool.

Phases per generator step:

  D   min_D  ℓ_D(D(x_s), D(G(ws)))  [+ (γ/2)·E‖∇ₓD(x_s)‖² every ``reg.r1_every`` steps, × r1_every]
                                    [+ λ·GP, with loss wgan-gp]  [+ ε_drift·E[D(x_s)²]]
  G   min_G  ℓ_G(D(G(ws)))           (the mapping network updates its running mean w_avg, β = 0.995)

with x_s the reals at the current resolution. Default (the paper's FFHQ setting, Appendix C): the non-saturating
logistic loss with R1, γ = ``reg.r1_gamma`` (10 in the paper); the CelebA-HQ setting is ``loss: wgan-gp``
(λ = ``reg.gp_weight``) with ``stylegan.drift`` 0.001 and ``reg.r1_gamma`` 0.

Style mixing (§3.1): with probability ``mixing_prob`` (0.9) a generated image takes its styles from the cutoff on
from a second latent, the cutoff uniform in 1..2·(level + 1) − 1 (the layers grown so far), per image.
Samples use the constant noise maps and the generator's level and α, upsampled to the final size, clipped to
[-1, 1]; truncation in w, style mixing grids, interpolation in w and projection come from `gankit.sampling`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.games.base import DataSpec, PhaseContext
from gankit.games.progan import ProGANGame
from gankit.games.stylegan2 import StyleNetworkOptions, mixed_styles

if TYPE_CHECKING:
    from gankit.config import Config


@dataclass
class StyleGANOptions(StyleNetworkOptions):
    """Config section ``stylegan``: the networks, the growing schedule and style mixing."""

    fade_steps: int = 1000  # generator steps of each fade-in phase (α from 0 to 1)
    stable_steps: int = 1000  # generator steps at 4 px, and of each stabilize phase after a fade-in
    drift: float = 0.0  # ε_drift of the drift penalty ε·E[D(x)²] on D (0.001 with wgan-gp)


def check_stylegan(o: StyleGANOptions) -> None:
    for key in ("w_dim", "mapping_layers", "g_width", "d_width", "mbstd_group"):
        if getattr(o, key) < 1:
            raise ConfigError(f"config key 'stylegan.{key}' must be positive, got {getattr(o, key)!r}")
    for key in ("fade_steps", "stable_steps", "drift"):
        if getattr(o, key) < 0:
            raise ConfigError(f"config key 'stylegan.{key}' must be 0 or more, got {getattr(o, key)!r}")
    if not o.mapping_lr > 0:
        raise ConfigError(f"config key 'stylegan.mapping_lr' must be positive, got {o.mapping_lr!r}")
    if not 0 <= o.mixing_prob <= 1:
        raise ConfigError(f"config key 'stylegan.mixing_prob' must be in [0, 1], got {o.mixing_prob!r}")


class StyleGANGame(ProGANGame):
    """G: StyleGANGenerator (`gankit.models.stylegan`), D: ProGANDiscriminator; reads field x (images)."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, *, loss: str = "nonsaturating",
                 r1_gamma: float = 10.0, r1_every: int = 1, gp_weight: float = 0.0, drift: float = 0.0,
                 mixing_prob: float = 0.9, fade_steps: int = 1000, stable_steps: int = 1000,
                 ema: bool = False) -> None:
        self.mixing_prob = mixing_prob
        super().__init__(generator, discriminator, loss=loss, gp_weight=gp_weight, drift=drift,
                         fade_steps=fade_steps, stable_steps=stable_steps, ema=ema, r1_gamma=r1_gamma,
                         r1_every=r1_every)
        self._grow()

    def _grow(self) -> None:
        """Write the current level and α into G, where sampling reads them."""
        self.module("G").set_growth(*self.schedule())

    def on_step_start(self, step: int) -> set[str]:
        changed = super().on_step_start(step)
        self._grow()
        return changed

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self._grow()

    def summary_lines(self) -> list[str]:
        return super().summary_lines() + [f"styles   mixing {self.mixing_prob:g}; truncation in w at sampling "
                                          "(--truncation-psi)"]

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """G(z) at G's level and α with the constant noise maps, at the final size (nearest), clipped to [-1, 1]."""
        return generator(noise, noise_mode="const").clamp(-1, 1)

    def fakes(self, n: int, ctx: PhaseContext, level: int, alpha: float, phase: str) -> torch.Tensor:
        """Images of fresh, style-mixed latents at `level` and `alpha`; the G phase updates w_avg."""
        G = self.module("G")
        active = 2 * (level + 1)
        if phase == "D":
            with torch.no_grad():
                return G.synthesis.render(mixed_styles(G, ctx, n, self.mixing_prob, active), level, alpha)
        ws = mixed_styles(G, ctx, n, self.mixing_prob, active, update_w_avg=True)
        return G.synthesis.render(ws, level, alpha)


def build_stylegan(config: Config, data: DataSpec) -> StyleGANGame:
    """The StyleGAN game for square images whose side is a power of two (8 to 1024 px)."""
    from gankit.models.progan import ProGANDiscriminator, progan_levels
    from gankit.models.stylegan import StyleGANGenerator

    shape = data.sample_shape
    if data.kind != "image" or len(shape) != 3 or shape[1] != shape[2]:
        raise ConfigError(f"game 'stylegan' needs square images; dataset '{data.name}' has samples of shape {shape}")
    try:
        progan_levels(shape[1])
    except ConfigError as exc:
        raise ConfigError(f"game 'stylegan': {exc}") from None
    o = config.section("stylegan")
    generator = StyleGANGenerator(config.model.z_dim, o.w_dim, shape[1], shape[0], o.g_width, o.mapping_layers,
                                  mapping_lr=o.mapping_lr)
    discriminator = ProGANDiscriminator(shape[1], shape[0], o.d_width, o.mbstd_group)
    return StyleGANGame(generator, discriminator, loss=config.loss, r1_gamma=config.reg.r1_gamma,
                        r1_every=config.reg.r1_every,
                        gp_weight=config.reg.gp_weight if config.loss == "wgan-gp" else 0.0, drift=o.drift,
                        mixing_prob=o.mixing_prob, fade_steps=o.fade_steps, stable_steps=o.stable_steps,
                        ema=config.train.ema > 0)
