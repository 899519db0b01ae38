"""Pix2Pix: paired image-to-image translation with a conditional GAN (Isola et al. 2017, "Image-to-Image
Translation with Conditional Adversarial Networks").

G maps a source image to a target; D judges (source, image) pairs patch by patch. The objective is

    G* = arg min_G max_D  L_cGAN(G, D) + λ·L_L1(G),
    L_cGAN = E[log D(s, t)] + E[log(1 - D(s, G(s)))],   L_L1 = E[|t - G(s)|_1],   λ = 100,

with the non-saturating G loss and D's loss halved (§3.3), D then G each step. ``lambda_gan = 0`` gives the
paper's "L1 alone" ablation, ``lambda_l1 = 0`` its "cGAN alone". The shared ``loss`` key picks the adversarial
loss (non-saturating, as in the paper, or least squares, hinge...). Options live in config section ``pix2pix``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.errors import ConfigError
from gankit.games.base import NetworkSpec, Phase, PhaseContext
from gankit.games.translation import TranslationGame
from gankit.previews import save_strips


@dataclass
class Pix2PixOptions:
    """Config section ``pix2pix``: the loss weights and the two networks' sizes."""

    lambda_l1: float = 100.0  # weight of the L1 reconstruction term (λ of the paper)
    lambda_gan: float = 1.0  # weight of the adversarial term (0: the L1-only ablation)
    g_width: int = 64  # channels of the U-Net's first level (the paper's 64)
    d_width: int = 64
    d_layers: int = 3  # strided blocks of the PatchGAN: 1, 2, 3, 4 give 16, 34, 70, 142 px patches
    dropout: float = 0.5  # in the U-Net's first three decoder blocks, also at test time (G's only noise)
    norm: str = "batch"  # batch | instance


def check_pix2pix(options: Pix2PixOptions) -> None:
    for key in ("lambda_l1", "lambda_gan"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key 'pix2pix.{key}' must be 0 or more, got {getattr(options, key)!r}")
    if options.lambda_l1 == 0 and options.lambda_gan == 0:
        raise ConfigError("config keys 'pix2pix.lambda_l1' and 'pix2pix.lambda_gan' are both 0: G would learn nothing")
    for key in ("g_width", "d_width"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key 'pix2pix.{key}' must be positive, got {getattr(options, key)!r}")
    if not 1 <= options.d_layers <= 4:
        raise ConfigError(f"config key 'pix2pix.d_layers' must be 1 to 4, got {options.d_layers!r}")
    if not 0 <= options.dropout < 1:
        raise ConfigError(f"config key 'pix2pix.dropout' must be in [0, 1), got {options.dropout!r}")
    if options.norm not in ("batch", "instance"):
        raise ConfigError(f"config key 'pix2pix.norm' must be batch or instance, got '{options.norm}'")


class Pix2PixGame(TranslationGame):
    """G: source -> target (a U-Net); D: PatchGAN on (source, image) pairs. Reads fields ``source``, ``target``."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, *, loss: str = "nonsaturating",
                 lambda_l1: float = 100.0, lambda_gan: float = 1.0, ema: bool = False) -> None:
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(discriminator, "discriminator")})
        self.adversarial = losses.get_loss(loss)
        self.lambda_l1, self.lambda_gan = lambda_l1, lambda_gan

    # ------------------------------------------------------------------------------------------ schedule
    def phases(self) -> list[Phase]:
        if self.lambda_gan == 0:  # L1 alone: no discriminator to train
            return [Phase("G", ("G",))]
        return [Phase("D", ("D",)), Phase("G", ("G",))]

    # ------------------------------------------------------------------------------------------ samples
    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """Three rows: the held-out inputs, G's outputs, the targets (one pair per column)."""
        output = self.translate(sampler, probe["source"]).float()
        save_strips([probe["source"], output, probe["target"]], path)

    # ------------------------------------------------------------------------------------------ losses
    def _judge(self, source: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        return self.module("D")(torch.cat([source, image], dim=1))

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        source, target = ctx.batch["source"], ctx.batch["target"]
        if phase == "D":
            with torch.no_grad():
                fake = self.module("G")(source)
            real_logits, fake_logits = self._judge(source, target), self._judge(source, fake)
            loss = 0.5 * self.adversarial.d_loss(real_logits, fake_logits)
            return loss, {"loss/D": loss.detach(), **self._output_stats(real_logits, fake_logits)}
        if phase == "G":
            fake = self.module("G")(source)
            l1 = F.l1_loss(fake.float(), target.float())
            stats = {"l1": l1.detach()}
            loss = self.lambda_l1 * l1
            if self.lambda_gan > 0:
                gan = self.adversarial.g_loss(self._judge(source, fake))
                loss = loss + self.lambda_gan * gan
                stats["loss/G_gan"] = gan.detach()
            stats["loss/G"] = loss.detach()
            return loss, stats
        raise KeyError(phase)

    def _output_stats(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> dict[str, torch.Tensor]:
        """Mean D(x) and D(G(z)) over all patches (probabilities for probabilistic losses)."""
        real, fake = real_logits.detach().float(), fake_logits.detach().float()
        if self.adversarial.probabilistic:
            real, fake = torch.sigmoid(real), torch.sigmoid(fake)
        return {"D(x)": real.mean(), "D(G(z))": fake.mean()}
