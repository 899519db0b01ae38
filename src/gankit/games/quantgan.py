"""QuantGAN: a temporal convolutional generator of whole return series (Wiese, Knobloch, Korn & Kretschmer 2020,
"Quant GANs: deep generation of financial time series", arXiv:1907.06673; the pure TCN of §4 and appendix B).

G is a TCN (`gankit.models.tcn.TCNGenerator`, receptive field R = 127 with ``quantgan.blocks = 6``) that maps a
noise sequence z ~ N(0, I) of T + R - 1 steps (``quantgan.z_dim`` = 3 values a step) to T values; it reads no
history, and being fully convolutional it draws paths of any length. D is a TCN of the same shape
(`TCNCritic`) that scores a window of L = ``data.history + data.future`` steps (L >= R) by the mean of its
L - R + 1 per-step scores. The game reads the fields ``history`` and ``future`` and judges them joined, so the
windows are the series' rolling windows of L values (``data.stride``), in the units of the data pipeline (the
paper's: log returns, standardized, Lambert W Gaussianized, standardized; `gankit.data.series_pipeline`).

With the shared ``loss`` key (the recipe ``quantgan-sp500`` uses ``wgan-gp``; the paper names no GP, see
docs/series.md):

    wgan-gp:        L_D = E D(G(z)) - E D(w) + λ E(‖∇D(ŵ)‖ - 1)²,    L_G = -E D(G(z))
    nonsaturating:  L_D = E softplus(-D(w)) + E softplus(D(G(z))),   L_G = E softplus(-D(G(z)))

D runs ``train.d_steps`` times per G step. Options live in config section ``quantgan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from gankit import losses
from gankit.errors import ConfigError
from gankit.games.base import DataSpec, Game, NetworkSpec, Phase, PhaseContext
from gankit.previews import save_free_paths

if TYPE_CHECKING:
    from gankit.config import Config

NAME = "quantgan"
PREVIEW_PATHS = 8  # generated paths a preview draws beside the held-out stretch


@dataclass
class QuantGANOptions:
    """Config section ``quantgan``: the TCNs' width and depth and the noise per step."""

    width: int = 80  # channels of every temporal block (the paper: 80)
    blocks: int = 6  # kernel-2 blocks of dilations 1, 2, ..., 2^(blocks-1): receptive field 2^(blocks+1) - 1
    z_dim: int = 3  # noise values per step (the paper: 3)


def check_quantgan(options: QuantGANOptions) -> None:
    for key in ("width", "blocks", "z_dim"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key '{NAME}.{key}' must be positive, got {getattr(options, key)!r}")
    if options.blocks > 12:
        raise ConfigError(f"config key '{NAME}.blocks' must be at most 12 (receptive field 8,191), "
                          f"got {options.blocks!r}")


def dilations(blocks: int) -> tuple[int, ...]:
    """1, 2, 4, ..., 2^(blocks - 1)."""
    return tuple(2 ** i for i in range(blocks))


class QuantGANGame(Game):
    """G: noise sequence -> series (no history); D: whole windows. Reads fields ``history``, ``future`` (joined)."""

    reads_history = False  # `gankit.sampling.series`: paths start from noise alone

    def __init__(self, generator: nn.Module, critic: nn.Module, *, window: int, loss: str = "wgan-gp",
                 d_steps: int = 1, gp_weight: float = 0.0, ema: bool = False) -> None:
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(critic, "discriminator")})
        self.loss_name, self.adversarial = loss, losses.get_loss(loss)
        self.window, self.z_dim = window, generator.z_dim
        self.receptive_field = generator.receptive_field
        self.d_steps, self.gp_weight = d_steps, gp_weight

    def phases(self) -> list[Phase]:
        return [Phase("D", ("D",), repeats=self.d_steps), Phase("G", ("G",), needs_batch=False)]

    @property
    def needs(self) -> tuple[str, ...]:
        return ("history", "future")

    @property
    def takes_noise(self) -> bool:
        return False  # the probe and `rollout` draw noise sequences, not latent vectors

    def latent_shape(self) -> tuple[int, ...]:
        return (self.window + self.receptive_field - 1, self.z_dim)

    def summary_lines(self) -> list[str]:
        return [f"windows  {self.window} steps judged whole; G and D are TCNs of receptive field "
                f"{self.receptive_field}; loss {self.loss_name}"]

    # ------------------------------------------------------------------------------------------ samples
    def rollout(self, generator: nn.Module, history: torch.Tensor, steps: int,
                noise: torch.Tensor | None = None, rng: torch.Generator | None = None) -> torch.Tensor:
        """``steps`` generated values ``(N, steps, d)``, N = ``len(history)`` (whose values are not read: the
        paths start from noise ``(N, steps + R - 1, z_dim)`` or fresh normal noise drawn from ``rng``)."""
        if noise is None:
            noise = torch.randn(len(history), steps + self.receptive_field - 1, self.z_dim, generator=rng,
                                device=history.device)
        if steps == 0:
            return history.new_zeros((len(history), 0, history.shape[-1]))
        return generator(noise)

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Windows ``(N, L, d)`` from noise ``(N, L + R - 1, z_dim)``."""
        return generator(noise)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        """A held-out stretch of values and fixed noise for ``min(n, 8)`` generated paths as long as it."""
        if "stretch" not in examples:
            raise ValueError("a series game needs a held-out stretch to preview")
        stretch = examples["stretch"].to(device)
        rng = torch.Generator(device=device).manual_seed(seed)
        noise = torch.randn(min(n, PREVIEW_PATHS), len(stretch) + self.receptive_field - 1, self.z_dim,
                            generator=rng, device=device)
        return {"stretch": stretch, "noise": noise}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        with torch.no_grad():
            paths = sampler(probe["noise"]).float()
        save_free_paths(probe["stretch"], paths, path, title=title)

    # ------------------------------------------------------------------------------------------ losses
    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        n = ctx.batch_size if ctx.batch is None else len(ctx.batch["history"])
        z = ctx.noise.normal(n, self.window + self.receptive_field - 1, self.z_dim)
        G, D = self.module("G"), self.module("D")
        if phase == "D":
            real = torch.cat([ctx.batch["history"], ctx.batch["future"]], dim=1)
            with torch.no_grad():
                fake = G(z)
            real_out, fake_out = D(real), D(fake)
            loss = self.adversarial.d_loss(real_out, fake_out)
            shown = torch.sigmoid if self.adversarial.probabilistic else (lambda t: t)  # probabilities for BCE losses
            stats = {"loss/D": loss.detach(), "D(x)": shown(real_out.detach().float()).mean(),
                     "D(G(z))": shown(fake_out.detach().float()).mean()}
            if self.gp_weight > 0:
                penalty = losses.gradient_penalty(D, real, fake, generator=ctx.noise.generator)
                loss = loss + self.gp_weight * penalty
                stats["gp"] = penalty.detach()
            return loss, stats
        if phase == "G":
            loss = self.adversarial.g_loss(D(G(z)))
            return loss, {"loss/G": loss.detach()}
        raise KeyError(phase)


def build_quantgan(config: Config, data: DataSpec) -> QuantGANGame:
    """The QuantGAN game of a config for series data (fields history (p, d) and future (q, d), p + q >= R)."""
    from gankit.models.tcn import TCNCritic, TCNGenerator

    o = config.section(NAME)
    (p, d), (q, _) = data.series_windows(NAME)
    generator = TCNGenerator(d, o.z_dim, o.width, dilations(o.blocks))
    if p + q < generator.receptive_field:
        raise ConfigError(f"game '{NAME}' judges windows of data.history + data.future = {p + q} steps, fewer than "
                          f"its TCN's receptive field {generator.receptive_field} (quantgan.blocks={o.blocks}): "
                          "raise data.future or lower quantgan.blocks")
    critic = TCNCritic(d, o.width, dilations(o.blocks))
    return QuantGANGame(generator, critic, window=p + q, loss=config.loss, d_steps=config.train.d_steps,
                        gp_weight=config.reg.gp_weight if config.loss == "wgan-gp" else 0.0,
                        ema=config.train.ema > 0)
