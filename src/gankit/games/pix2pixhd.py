"""Pix2PixHD: coarse-to-fine paired translation with multi-scale discriminators, feature matching, a perceptual
loss and instance-wise style codes (Wang et al. 2018, "High-Resolution Image Synthesis and Semantic
Manipulation with Conditional GANs").

Networks (`gankit.models.hd_generator`, `gankit.models.multiscale_d`): G holds the global generator G1, the
local enhancer G2 and the feature encoder E; D holds ``num_d`` PatchGANs on the (source, image) pair at scales
1, 1/2, 1/4. The objective (§3.3, eq. 5) is

    min_G ( max_{D_1..D_k} Σ_k L_GAN(G, D_k) ) + λ_FM Σ_k L_FM(G, D_k) + λ_VGG L_VGG(G),
    L_FM(G, D_k) = Σ_{i=1..T} 1/N_i ‖D_k^(i)(s, x) − D_k^(i)(s, G(s))‖_1       (eq. 4; λ_FM = λ_VGG = 10),

with the least-squares GAN loss of the paper (``loss: least-squares``; the shared ``loss`` key picks it), the
real features held fixed, and L_VGG Pix2PixHD's perceptual loss on the frozen VGG16 of asset ``vgg16``
(`gankit.models.vgg16`; off, and said so in the start-up summary, when the asset is not installed). An
optional λ_L1·‖x − G(s)‖_1 (0 by default, as in the paper) helps tiny runs.

Stages (§3.2, `gankit.games.stages`): ``global`` trains G1 alone on half-resolution images (D judges them at
the scales that fit) for ``pix2pixhd.global_steps`` steps; ``local`` then trains G1, G2 and E together at full
resolution (the paper's joint fine-tuning), G's and D's optimizers starting afresh.

Style (§3.4): E's features of the target, averaged over each region of the source (the background and the
object an edge drawing outlines, `gankit.nn.regions`; or the whole image), are concatenated to G's input. At
test time a style is a code per region: the running mean of training codes by default, a draw from their
running Gaussian for a seed (`gankit translate --style SEED`), or a code given.
Options live in config section ``pix2pixhd``.
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
from gankit.games.base import NetworkSpec, Phase, PhaseContext, Stage
from gankit.games.stages import StagedGame
from gankit.games.translation import TranslationGame
from gankit.models.hd_generator import half
from gankit.nn.regions import regions_from_edges, whole_image_region
from gankit.previews import save_strips

REGION_CHOICES = ("edges", "image")


@dataclass
class Pix2PixHDOptions:
    """Config section ``pix2pixhd``: stages, loss weights, network sizes and the style encoder."""

    global_steps: int = 1000  # steps of the global stage (G1 alone at half resolution); then G1+G2+E jointly
    lambda_fm: float = 10.0  # feature matching on D's intermediate features (λ of eq. 5)
    lambda_vgg: float = 10.0  # perceptual loss on the frozen VGG16 (asset vgg16; off when it is absent)
    vgg_taps: int = 5  # VGG16 layers compared: relu1_1 .. relu{vgg_taps}_1 (the paper's 5; fewer is faster)
    lambda_l1: float = 0.0  # an L1 term the paper does not have (0: off)
    num_d: int = 3  # discriminators at scales 1, 1/2, 1/4, ...
    d_width: int = 32
    d_layers: int = 2  # strided blocks of each PatchGAN
    g_width: int = 32  # channels of G1's first layer and of G2 at half resolution
    g_down: int = 2  # stride-2 downsamplings in G1
    g_blocks: int = 4  # residual blocks of G1
    local_blocks: int = 2  # residual blocks of G2
    feat_dim: int = 3  # channels of a style code (0: no feature encoder)
    encoder_width: int = 16
    regions: str = "edges"  # edges: background and outlined object each get a code; image: one code per image
    norm: str = "batch"  # G's norm: batch (keeps a code's level) | instance (the paper's; erases constant codes)


def check_pix2pixhd(options: Pix2PixHDOptions) -> None:
    for key in ("lambda_fm", "lambda_vgg", "lambda_l1", "global_steps", "feat_dim"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key 'pix2pixhd.{key}' must be 0 or more, got {getattr(options, key)!r}")
    for key in ("num_d", "d_width", "g_width", "g_down", "encoder_width"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key 'pix2pixhd.{key}' must be positive, got {getattr(options, key)!r}")
    for key in ("g_blocks", "local_blocks"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key 'pix2pixhd.{key}' must be 0 or more, got {getattr(options, key)!r}")
    if not 1 <= options.d_layers <= 4:
        raise ConfigError(f"config key 'pix2pixhd.d_layers' must be 1 to 4, got {options.d_layers!r}")
    if not 1 <= options.vgg_taps <= 5:
        raise ConfigError(f"config key 'pix2pixhd.vgg_taps' must be 1 to 5, got {options.vgg_taps!r}")
    if options.norm not in ("batch", "instance"):
        raise ConfigError(f"config key 'pix2pixhd.norm' must be batch or instance, got '{options.norm}'")
    if options.regions not in REGION_CHOICES:
        raise ConfigError(f"config key 'pix2pixhd.regions' must be edges or image, got '{options.regions}'")


def feature_matching_loss(real: list[list[torch.Tensor]], fake: list[list[torch.Tensor]]) -> torch.Tensor:
    """Σ_k Σ_i mean|D_k^(i)(real) − D_k^(i)(fake)| over each scale's intermediate features (its logits, the
    last entry, excluded); the real features are detached (eq. 4 of Wang et al. 2018)."""
    total = fake[0][-1].new_zeros(())
    for real_k, fake_k in zip(real, fake):
        for r, f in zip(real_k[:-1], fake_k[:-1]):
            total = total + F.l1_loss(f.float(), r.detach().float())
    return total


class Pix2PixHDGame(TranslationGame, StagedGame):
    """G: Pix2PixHDGenerator (G1, G2, E); D: MultiScaleDiscriminator on (source, image). Fields source, target."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, *, loss: str = "least-squares",
                 global_steps: int = 1000, lambda_fm: float = 10.0, lambda_vgg: float = 10.0, lambda_l1: float = 0.0,
                 vgg_taps: int = 5, regions: str = "edges", ema: bool = False, vgg_missing: bool = False) -> None:
        """``lambda_vgg > 0`` needs the asset vgg16; it is loaded at the first G step (not to translate)."""
        self.global_steps = global_steps
        self.adversarial = losses.get_loss(loss)
        self.lambda_fm, self.lambda_l1, self.lambda_vgg = lambda_fm, lambda_l1, lambda_vgg
        self.vgg: nn.Module | None = None
        self.vgg_taps, self.regions, self.vgg_missing = vgg_taps, regions, vgg_missing
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(discriminator, "discriminator")})

    # ------------------------------------------------------------------------------------------ schedule
    def stages(self) -> tuple[Stage, ...]:
        local = Stage("local", self.global_steps, "G1+G2+E at full resolution")
        if self.global_steps == 0:
            return (local,)
        return (Stage("global", 0, "G1+E alone at half resolution"), local)

    def enter_stage(self, name: str) -> set[str]:
        return {"G", "D"}  # the paper trains the enhancer in a new run: fresh Adam moments for both

    def phases(self) -> list[Phase]:
        return [Phase("D", ("D",)), Phase("G", ("G",))]

    @property
    def local(self) -> bool:
        return self.stage == "local"

    @property
    def takes_style(self) -> bool:
        return True

    def summary_lines(self) -> list[str]:
        return [f"losses   GAN ({self.adversarial.name}) + {self.lambda_fm:g}*feature matching"
                + (f" + {self.lambda_vgg:g}*VGG16 perceptual" if self.lambda_vgg else "")
                + (f" + {self.lambda_l1:g}*L1" if self.lambda_l1 else "")
                + ("; VGG16 perceptual loss off: asset vgg16 is not installed (gankit assets install vgg16)"
                   if self.vgg_missing else "")]

    # ------------------------------------------------------------------------------------------ samples
    def region_masks(self, source: torch.Tensor) -> torch.Tensor:
        """The regions that each get a style code: (N, R, H, W) one-hot masks of `source` images."""
        return regions_from_edges(source) if self.regions == "edges" else whole_image_region(source)

    def style_codes(self, generator: nn.Module, n: int, style: int | torch.Tensor | None) -> torch.Tensor:
        """Codes (n, R, feat_dim): the mean of training codes (None), one draw for seed `style` shared by all n
        images (int), or the given code ((R, feat_dim) or (n, R, feat_dim))."""
        if style is None:
            return generator.mean_codes(n)
        if isinstance(style, int):
            drawn = generator.sample_codes(1, torch.Generator().manual_seed(style))
            return drawn.expand(n, *drawn.shape[1:])
        code = torch.as_tensor(style, dtype=torch.float32, device=generator.code_mean.device)
        shape = tuple(generator.code_mean.shape)
        if tuple(code.shape) == shape:
            return code.expand(n, *shape)
        if tuple(code.shape) == (n, *shape):
            return code
        raise ConfigError(f"a style code must have shape {shape} (regions x feat_dim), got {tuple(code.shape)}")

    def translate(self, generator: nn.Module, source: torch.Tensor,
                  style: int | torch.Tensor | None = None) -> torch.Tensor:
        """G's output for `source` images (N, C, H, W) in [-1, 1], in the style `style` (see `style_codes`)."""
        regions = self.region_masks(source)
        codes = self.style_codes(generator, source.shape[0], style).to(source.device)
        return generator(source, codes, regions, local=self.local)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        """The held-out pairs, and two fixed style seeds drawn from `seed`."""
        probe = super().make_probe(n, seed, device, examples)
        probe["styles"] = [seed, seed + 1]
        return probe

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """Rows: inputs, outputs in the mean style, in two drawn styles, with the target's own codes, targets."""
        source, target = probe["source"], probe["target"]
        rows = [source, self.translate(sampler, source).float()]
        rows += [self.translate(sampler, source, style).float() for style in probe["styles"]]
        regions = self.region_masks(source)
        rows += [sampler(source, sampler.encode(target, regions), regions, local=self.local).float(), target]
        save_strips(rows, path)

    # ------------------------------------------------------------------------------------------ losses
    def _judge(self, source: torch.Tensor, image: torch.Tensor) -> list[list[torch.Tensor]]:
        return self.module("D")(torch.cat([source, image], dim=1))

    def _fake(self, source: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(G's output, the codes E gave the target) at the stage's resolution."""
        G = self.module("G")
        regions = self.region_masks(source)
        codes = G.encode(target, regions)
        fake = G(source, codes, regions, local=True) if self.local else G.coarse(source, codes, regions)
        return fake, codes

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        source, target = ctx.batch["source"], ctx.batch["target"]
        seen_source, real = (source, target) if self.local else (half(source), half(target))
        if phase == "D":
            with torch.no_grad():
                fake, _ = self._fake(source, target)
            real_out, fake_out = self._judge(seen_source, real), self._judge(seen_source, fake)
            loss = sum(self.adversarial.d_loss(r[-1], f[-1]) for r, f in zip(real_out, fake_out))
            return loss, {"loss/D": loss.detach(), "D(x)": torch.stack([r[-1].detach().float().mean() for r in real_out]).mean(),
                          "D(G(z))": torch.stack([f[-1].detach().float().mean() for f in fake_out]).mean()}
        if phase == "G":
            fake, codes = self._fake(source, target)
            self.module("G").observe_codes(codes.detach())
            fake_out = self._judge(seen_source, fake)
            with torch.no_grad():
                real_out = self._judge(seen_source, real)
            gan = sum(self.adversarial.g_loss(f[-1]) for f in fake_out)
            fm = feature_matching_loss(real_out, fake_out)
            loss = gan + self.lambda_fm * fm
            stats = {"loss/G_gan": gan.detach(), "fm": fm.detach()}
            if self.lambda_vgg:
                from gankit.models.vgg16 import load_vgg16, perceptual_loss

                if self.vgg is None:  # frozen, never optimized: not one of the game's networks
                    self.vgg = load_vgg16(self.vgg_taps).to(fake.device)
                vgg = perceptual_loss(self.vgg, fake, real)
                loss = loss + self.lambda_vgg * vgg
                stats["vgg"] = vgg.detach()
            l1 = F.l1_loss(fake.float(), real.float())
            if self.lambda_l1:
                loss = loss + self.lambda_l1 * l1
            stats.update({"l1": l1.detach(), "loss/G": loss.detach()})
            return loss, stats
        raise KeyError(phase)
