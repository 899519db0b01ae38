"""StyleGAN2 (Karras, Laine, Aittala, Hellsten, Lehtinen & Aila 2020, "Analyzing and Improving the Image Quality of
StyleGAN"), with adaptive discriminator augmentation (ADA, Karras et al. 2020, "Training Generative Adversarial
Networks with Limited Data") or DiffAugment (Zhao et al. 2020) for small data.

Phases per generator step (`Phase.every` makes the regularizers lazy, §3.1):

  D       min_D  softplus(D(A(G(ws)))) + softplus(−D(A(x)))          (the non-saturating logistic loss)
  D_r1    every ``reg.r1_every`` (16) steps:  (γ/2)·E‖∇ₓD(A(x))‖² · r1_every       (lazy R1, γ = ``reg.r1_gamma``)
  G       min_G  softplus(−D(A(G(ws))))
  G_pl    every ``stylegan2.pl_every`` (4) steps, on batch/``pl_batch_shrink`` latents:
          w_pl · pl_every · E[(‖J_wᵀ y‖₂ − a)²],  y ~ N(0, I)/√(H·W),  ‖J_wᵀ y‖ = sqrt(mean_layers Σ_w (∂(G·y)/∂ws)²)
          with a the running mean of the lengths (a ← a + 0.01·(mean − a)), the game's checkpointed ``pl_mean``

Multiplying a lazy regularizer by its interval keeps its average strength (§3.1); A is the augmentation (none,
DiffAugment ``stab.diffaugment``, or ADA). Style mixing (StyleGAN §3.1): with probability ``mixing_prob`` a
generated image takes its layers from k = cutoff on from a second latent, the cutoff uniform in 1..num_ws−1 (drawn
per image). G's mapping network updates its running mean w_avg (β = 0.995) in the G phase.

ADA (`gankit.nn.ada`): the augmentation probability p starts at 0 and, every ``ada_interval`` D steps, moves by
sign(r_t − ``ada_target``)·(images since the last update)/(``ada_kimg``·1000) with r_t = E[sign(D(A(x)))] over
those steps; p and the running sums are the game's checkpointed state, so resume stays bit-exact.

Not done as in the paper (documented in docs/stylegan2.md): the lazy phases step Adam with the run's learning rate
and betas (the paper rescales them by k/(k+1)); ADA's pipeline is a subset (`gankit.nn.ada`); with several ranks
each would adapt its own p (no all-reduce of the signs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from gankit import losses
from gankit.errors import ConfigError
from gankit.games.base import DataSpec, Game, NetworkSpec, Phase, PhaseContext
from gankit.nn import diff_augment
from gankit.nn.ada import ada_adjust, ada_augment
from gankit.previews import save_image_grid

if TYPE_CHECKING:
    from gankit.config import Config


@dataclass
class StyleNetworkOptions:
    """The keys every style-based family's section starts with (``stylegan.*``, ``stylegan2.*``)."""

    w_dim: int = 128  # width of w and of the mapping network (the paper: 512)
    mapping_layers: int = 8  # dense layers of the mapping network (the paper: 8)
    mapping_lr: float = 0.01  # learning-rate multiplier of the mapping network
    g_width: int = 64  # channels of every synthesis resolution
    d_width: int = 64  # channels of every discriminator resolution
    mbstd_group: int = 4  # group size of D's minibatch standard deviation
    mixing_prob: float = 0.9  # share of generated images that mix two latents


@dataclass
class StyleGAN2Options(StyleNetworkOptions):
    """Config section ``stylegan2``: networks, style mixing, path-length regularization and ADA."""

    pl_weight: float = 2.0  # weight of the path-length penalty (0: off)
    pl_every: int = 4  # generator steps between path-length penalties
    pl_decay: float = 0.01  # speed of the running mean of path lengths
    pl_batch_shrink: int = 2  # the penalty's batch is the batch size divided by this
    ada: bool = False  # adaptive discriminator augmentation
    ada_target: float = 0.6  # target of r_t = E[sign(D(real))]
    ada_interval: int = 4  # D steps between updates of p
    ada_kimg: float = 100.0  # thousands of images over which p may move from 0 to 1 (the paper: 500)


def check_stylegan2(o: StyleGAN2Options) -> None:
    for key in ("w_dim", "mapping_layers", "g_width", "d_width", "mbstd_group", "pl_every", "pl_batch_shrink",
                "ada_interval"):
        if getattr(o, key) < 1:
            raise ConfigError(f"config key 'stylegan2.{key}' must be positive, got {getattr(o, key)!r}")
    for key in ("mapping_lr", "ada_kimg"):
        if not getattr(o, key) > 0:
            raise ConfigError(f"config key 'stylegan2.{key}' must be positive, got {getattr(o, key)!r}")
    for key in ("mixing_prob", "pl_decay", "ada_target"):
        if not 0 <= getattr(o, key) <= 1:
            raise ConfigError(f"config key 'stylegan2.{key}' must be in [0, 1], got {getattr(o, key)!r}")
    if o.pl_weight < 0:
        raise ConfigError(f"config key 'stylegan2.pl_weight' must be 0 or more, got {o.pl_weight!r}")


def mixed_styles(G: nn.Module, ctx: PhaseContext, n: int, mixing_prob: float, active: int, *,
                 update_w_avg: bool = False) -> torch.Tensor:
    """ws (n, G.num_ws, w_dim) of fresh latents with style-mixing regularization (StyleGAN §3.1): each image, with
    probability `mixing_prob`, takes layers cutoff.. from a second latent's w, the cutoff uniform in 1..active − 1
    (`active`: the layers the generator runs, num_ws for StyleGAN2, those grown so far for StyleGAN)."""
    z_dim = G.mapping.z_dim
    ws = G.broadcast(G.mapping(ctx.noise.normal(n, z_dim), update_w_avg=update_w_avg))
    if mixing_prob <= 0 or active < 2:
        return ws
    other = G.mapping(ctx.noise.normal(n, z_dim))
    cutoff = ctx.noise.integers(n, active - 1) + 1
    mixed = ctx.noise.uniform(n) < mixing_prob
    cutoff = torch.where(mixed, cutoff, torch.full_like(cutoff, G.num_ws))
    later = torch.arange(G.num_ws, device=ws.device).view(1, -1, 1) >= cutoff.view(-1, 1, 1)
    return torch.where(later, other.unsqueeze(1), ws)


class StyleGAN2Game(Game):
    """G: StyleGAN2Generator, D: StyleGAN2Discriminator (`gankit.models.stylegan2`); reads field x (images)."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, *, loss: str = "nonsaturating",
                 r1_gamma: float = 10.0, r1_every: int = 16, pl_weight: float = 2.0, pl_every: int = 4,
                 pl_decay: float = 0.01, pl_batch_shrink: int = 2, mixing_prob: float = 0.9, diffaugment: str = "",
                 ada: bool = False, ada_target: float = 0.6, ada_interval: int = 4, ada_kimg: float = 100.0,
                 ema: bool = False) -> None:
        self.adversarial = losses.get_loss(loss)
        self.r1_gamma, self.r1_every = r1_gamma, r1_every
        self.pl_weight, self.pl_every, self.pl_decay, self.pl_batch_shrink = pl_weight, pl_every, pl_decay, pl_batch_shrink
        self.mixing_prob, self.diffaugment = mixing_prob, diffaugment
        self.ada, self.ada_target, self.ada_interval, self.ada_kimg = ada, ada_target, ada_interval, ada_kimg
        self.z_dim, self.num_ws = generator.z_dim, generator.num_ws
        # checkpointed state: the path lengths' running mean, ADA's p and its sums since the last update
        self.pl_mean = torch.zeros([])
        self.ada_p, self.ada_signs, self.ada_images, self.ada_steps = 0.0, 0.0, 0, 0
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(discriminator, "discriminator")})

    def phases(self) -> list[Phase]:
        phases = [Phase("D", ("D",))]
        if self.r1_gamma > 0:
            phases.append(Phase("D_r1", ("D",), every=self.r1_every))
        phases.append(Phase("G", ("G",), needs_batch=False))
        if self.pl_weight > 0:
            phases.append(Phase("G_pl", ("G",), every=self.pl_every, needs_batch=False))
        return phases

    def summary_lines(self) -> list[str]:
        regs = [f"lazy R1 gamma {self.r1_gamma:g} every {self.r1_every}" if self.r1_gamma > 0 else "no R1",
                f"path length {self.pl_weight:g} every {self.pl_every}" if self.pl_weight > 0 else "no path length",
                f"style mixing {self.mixing_prob:g}"]
        augment = (f"ADA (p from 0, target {self.ada_target:g})" if self.ada else
                   f"DiffAugment {self.diffaugment}" if self.diffaugment else "none")
        return [f"losses   {self.adversarial.name}; {', '.join(regs)}", f"augment  {augment}"]

    # ------------------------------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        return {"pl_mean": self.pl_mean.detach().float().cpu(), "ada_p": self.ada_p, "ada_signs": self.ada_signs,
                "ada_images": self.ada_images, "ada_steps": self.ada_steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "pl_mean" in state:
            self.pl_mean = torch.as_tensor(state["pl_mean"], dtype=torch.float32).clone()
        self.ada_p = float(state.get("ada_p", 0.0))
        self.ada_signs = float(state.get("ada_signs", 0.0))
        self.ada_images = int(state.get("ada_images", 0))
        self.ada_steps = int(state.get("ada_steps", 0))

    # ------------------------------------------------------------------------------------------ samples
    def latent_shape(self) -> tuple[int, ...]:
        return (self.z_dim,)

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """G(z) with the constant noise maps (so a latent always gives one image), clipped to [-1, 1]."""
        return generator(noise, noise_mode="const").clamp(-1, 1)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        generator = torch.Generator(device=device).manual_seed(seed)
        return {"noise": torch.randn(n, self.z_dim, generator=generator, device=device)}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        save_image_grid(self.generate(sampler, probe["noise"]).float(), path)

    # ------------------------------------------------------------------------------------------ helpers
    def augment(self, x: torch.Tensor, ctx: PhaseContext) -> torch.Tensor:
        """What D sees of a batch: ADA at the current p, DiffAugment, or the images themselves."""
        if self.ada:
            return ada_augment(x, self.ada_p, generator=ctx.noise.generator)
        if self.diffaugment:
            return diff_augment(x, self.diffaugment, generator=ctx.noise.generator)
        return x

    def styles(self, n: int, ctx: PhaseContext, update_w_avg: bool = False) -> torch.Tensor:
        """ws (n, num_ws, w_dim) of fresh latents, with style mixing (`mixed_styles` over every layer)."""
        return mixed_styles(self.module("G"), ctx, n, self.mixing_prob, self.num_ws, update_w_avg=update_w_avg)

    # ------------------------------------------------------------------------------------------ losses
    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        if phase == "D":
            return self._d_loss(ctx)
        if phase == "D_r1":
            real = ctx.batch.x.detach().requires_grad_(True)
            penalty = losses.r1_penalty(self.module("D")(self.augment(real, ctx)), real)
            return penalty * (self.r1_gamma / 2) * self.r1_every, {"r1": penalty.detach()}
        if phase == "G":
            fake = self.module("G").synthesis(self.styles(ctx.batch_size, ctx, update_w_avg=True))
            loss = self.adversarial.g_loss(self.module("D")(self.augment(fake, ctx)))
            return loss, {"loss/G": loss.detach()}
        if phase == "G_pl":
            return self._path_length_loss(ctx)
        raise KeyError(phase)

    def _d_loss(self, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real = ctx.batch.x
        with torch.no_grad():
            fake = self.module("G").synthesis(self.styles(len(real), ctx))
        D = self.module("D")
        real_logits, fake_logits = D(self.augment(real, ctx)), D(self.augment(fake, ctx))
        loss = self.adversarial.d_loss(real_logits, fake_logits)
        squash = torch.sigmoid if self.adversarial.probabilistic else (lambda t: t)
        stats = {"loss/D": loss.detach(), "D(x)": squash(real_logits.detach().float()).mean(),
                 "D(G(z))": squash(fake_logits.detach().float()).mean()}
        if self.ada:
            self._adapt(real_logits, len(real))
            stats["ada_p"] = torch.tensor(self.ada_p)
        return loss, stats

    def _adapt(self, real_logits: torch.Tensor, n: int) -> None:
        """Accumulate sign(D(real)); every `ada_interval` D steps move p toward the target and start afresh."""
        self.ada_signs += float(torch.sign(real_logits.detach().float()).sum().item())
        self.ada_images += n
        self.ada_steps += 1
        if self.ada_steps % self.ada_interval == 0:
            self.ada_p = ada_adjust(self.ada_p, self.ada_signs / self.ada_images, self.ada_target,
                                    self.ada_images, int(self.ada_kimg * 1000))
            self.ada_signs, self.ada_images = 0.0, 0

    def _path_length_loss(self, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        n = max(1, ctx.batch_size // self.pl_batch_shrink)
        ws = self.styles(n, ctx)
        images = self.module("G").synthesis(ws)
        y = ctx.noise.normal(n, *images.shape[1:]) / math.sqrt(images.shape[2] * images.shape[3])
        (grads,) = torch.autograd.grad((images.float() * y).sum(), ws, create_graph=True)
        lengths = grads.float().square().sum(2).mean(1).sqrt()
        self.pl_mean = self.pl_mean.to(lengths.device).lerp(lengths.detach().mean(), self.pl_decay)
        penalty = (lengths - self.pl_mean).square().mean()
        return penalty * self.pl_weight * self.pl_every, {"pl_penalty": penalty.detach(), "pl_mean": self.pl_mean}


def build_stylegan2(config: Config, data: DataSpec) -> StyleGAN2Game:
    """The StyleGAN2 game for square images whose side is a power of two (8 to 1024 px)."""
    from gankit.models.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator, stylegan2_levels

    shape = data.sample_shape
    if data.kind != "image" or len(shape) != 3 or shape[1] != shape[2]:
        raise ConfigError(f"game 'stylegan2' needs square images; dataset '{data.name}' has samples of shape {shape}")
    stylegan2_levels(shape[1])
    o = config.section("stylegan2")
    if o.ada and config.stab.diffaugment:
        raise ConfigError("game 'stylegan2' takes one augmentation: stylegan2.ada=true or stab.diffaugment, not both")
    generator = StyleGAN2Generator(config.model.z_dim, o.w_dim, shape[1], shape[0], o.g_width, o.mapping_layers,
                                   mapping_lr=o.mapping_lr)
    discriminator = StyleGAN2Discriminator(shape[1], shape[0], o.d_width, o.mbstd_group)
    return StyleGAN2Game(generator, discriminator, loss=config.loss, r1_gamma=config.reg.r1_gamma,
                         r1_every=config.reg.r1_every, pl_weight=o.pl_weight, pl_every=o.pl_every,
                         pl_decay=o.pl_decay, pl_batch_shrink=o.pl_batch_shrink, mixing_prob=o.mixing_prob,
                         diffaugment=config.stab.diffaugment, ada=o.ada, ada_target=o.ada_target,
                         ada_interval=o.ada_interval, ada_kimg=o.ada_kimg, ema=config.train.ema > 0)
