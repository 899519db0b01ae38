"""The classic two-player game: a generator G and a discriminator D, optionally conditioned on a class label.

Unconditional (Goodfellow et al. 2014; Radford et al. 2016) and conditional (Mirza & Osindero 2014: the
label is fed to both networks) GANs share everything but the label, so one game serves both.

Phases per generator step:
  D      ``d_steps`` times on fresh batches: min_D  d_loss(D(x), D(G(z)))  [+ λ·GP (WGAN-GP)] ; clip (WGAN)
  D_r1   every ``r1_every`` steps when r1_gamma > 0: min_D  (γ/2)·E‖∇ₓD(x)‖² · r1_every  (lazy R1, Karras 2020)
  G      once: min_G  g_loss(D(G(z)))   (gradients flow through the frozen D)

Remedies that change what D sees apply to every D evaluation, real and fake alike (`_discriminate`):
instance noise annealed to zero (Sønderby et al. 2017), DiffAugment (Zhao et al. 2020), PacGAN packing of
m samples (Lin et al. 2018). One-sided label smoothing sets D's target for real data below 1 (Salimans et al.
2016). An unrolled GAN (Metz et al. 2017) evaluates G's loss with D's parameters after k differentiable
gradient steps on the D loss. Top-k training (Sinha et al. 2020) computes G's loss on the share of its
samples that D scores as most real, annealed from the whole batch to `top_k` over the first half of training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from gankit import losses
from gankit.games.base import Game, NetworkSpec, Phase, PhaseContext
from gankit.previews import save_image_grid, save_scatter
from gankit.nn import call_with_parameters, diff_augment, keep_top_k, pack, top_k_fraction, unrolled_discriminator

if TYPE_CHECKING:
    from gankit.config import Config


@dataclass
class AdversarialGame(Game):
    loss_name: str = "nonsaturating"
    z_dim: int = 100
    n_classes: int = 0
    d_steps: int = 1
    gp_weight: float = 0.0
    clip: float | None = None
    r1_gamma: float = 0.0
    r1_every: int = 1
    real_label: float = 1.0
    instance_noise: float = 0.0
    noise_anneal_steps: int = 1
    diffaugment: str = ""
    pack: int = 1
    unrolled_steps: int = 0
    unrolled_lr: float = 1e-3
    top_k: float = 1.0
    top_k_anneal_steps: int = 1

    @classmethod
    def create(cls, generator: nn.Module, discriminator: nn.Module, *, ema: bool = False, **options) -> AdversarialGame:
        game = cls(**options)
        game.networks = {
            "G": NetworkSpec(generator, role="generator", ema=ema),
            "D": NetworkSpec(discriminator, role="discriminator"),
        }
        game.adversarial = losses.get_loss(game.loss_name)
        return game

    # ------------------------------------------------------------------------------------------ schedule
    def phases(self) -> list[Phase]:
        phases = [Phase("D", ("D",), repeats=self.d_steps)]
        if self.r1_gamma > 0:
            phases.append(Phase("D_r1", ("D",), every=self.r1_every))
        phases.append(Phase("G", ("G",), needs_batch=self.unrolled_steps > 0))
        return phases

    def accumulation_refusal(self) -> str | None:
        if self.top_k < 1:
            return "stab.top_k keeps the best share of a whole batch"
        if self.unrolled_steps:
            return "stab.unrolled_steps unrolls D's updates on a whole batch"
        return None

    # ------------------------------------------------------------------------------------------ helpers
    def latent_shape(self) -> tuple[int, ...]:
        return (self.z_dim,)

    @property
    def num_classes(self) -> int:
        return self.n_classes

    @property
    def needs(self) -> tuple[str, ...]:
        return ("x", "y") if self.n_classes else ("x",)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        """`n` fixed latents from `seed`, their labels cycling through the classes, and the real points of
        `examples["reference"]` (2-D data) to draw beneath generated ones."""
        generator = torch.Generator(device=device).manual_seed(seed)
        return {"noise": torch.randn(n, *self.latent_shape(), generator=generator, device=device),
                "labels": self._cycled_labels(n, device), "reference": examples.get("reference")}

    def _cycled_labels(self, n: int, device: torch.device) -> torch.Tensor | None:
        return (torch.arange(n, device=device) % self.n_classes) if self.n_classes else None

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """An image grid of the probe (a row per class when conditional); for 2-D points, a scatter of 2,500
        samples (latents seeded 0) over the real points."""
        noise = probe["noise"]
        images = self.generate(sampler, noise, probe["labels"]).float()
        if images.dim() == 4:
            save_image_grid(images, path, nrow=self.n_classes or None)
            return
        generator = torch.Generator(device=noise.device).manual_seed(0)
        noise = torch.randn(2500, *self.latent_shape(), device=noise.device, generator=generator)
        points = self.generate(sampler, noise, self._cycled_labels(2500, noise.device)).float()
        save_scatter(points, path, reference=probe["reference"], title=title)

    def _labels(self, *args: torch.Tensor | None) -> tuple:
        return tuple(a for a in args if a is not None) if self.n_classes else ()

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_classes:
            if labels is None:
                raise ValueError("a conditional generator needs labels")
            return generator(noise, labels)
        return generator(noise)

    def _d_input(self, x: torch.Tensor, ctx: PhaseContext | None) -> torch.Tensor:
        """What D sees of a batch: with instance noise, DiffAugment and packing when switched on."""
        if self.instance_noise > 0 and ctx is not None:
            std = self.instance_noise * max(0.0, 1.0 - ctx.step / self.noise_anneal_steps)
            if std > 0:
                x = x + std * ctx.noise.normal(x.shape[0], *x.shape[1:])
        if self.diffaugment and ctx is not None:
            x = diff_augment(x, self.diffaugment, generator=ctx.noise.generator)
        return pack(x, self.pack) if self.pack > 1 else x

    def _discriminate(self, x: torch.Tensor, labels: torch.Tensor | None, ctx: PhaseContext | None = None,
                      params: dict | None = None) -> torch.Tensor:
        D = self.module("D")
        args = (self._d_input(x, ctx), labels) if self.n_classes else (self._d_input(x, ctx),)
        return D(*args) if params is None else call_with_parameters(D, params, *args)

    def _output_stats(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> dict[str, torch.Tensor]:
        """Mean D(x) and D(G(z)) (probabilities for the probabilistic losses) and D's accuracy on each."""
        real_logits, fake_logits = real_logits.detach().float(), fake_logits.detach().float()
        if self.adversarial.probabilistic:
            real_out, fake_out, threshold = torch.sigmoid(real_logits), torch.sigmoid(fake_logits), 0.5
        else:
            real_out, fake_out = real_logits, fake_logits
            threshold = 0.5 if self.loss_name == "least-squares" else 0.0
        stats = {"D(x)": real_out.mean(), "D(G(z))": fake_out.mean()}
        if self.loss_name not in ("wasserstein", "wgan-gp"):  # a critic's score has no decision threshold
            stats["acc/real"] = (real_out > threshold).float().mean()
            stats["acc/fake"] = (fake_out <= threshold).float().mean()
        return stats

    # ------------------------------------------------------------------------------------------ losses
    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        if phase == "D":
            return self._d_loss(ctx)
        if phase == "D_r1":
            return self._r1_loss(ctx)
        if phase == "G":
            return self._g_loss(ctx)
        raise KeyError(phase)

    def _d_loss(self, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real, labels = ctx.batch.x, ctx.batch.y
        n = len(real)
        z = ctx.noise.normal(n, *self.latent_shape())
        with torch.no_grad():
            fake = self.generate(self.module("G"), z, labels)
        real_logits = self._discriminate(real, labels, ctx)
        fake_logits = self._discriminate(fake, labels, ctx)
        loss = self._d_loss_fn(real_logits, fake_logits)
        stats = {"loss/D": loss.detach(), **self._output_stats(real_logits, fake_logits)}
        if self.gp_weight > 0:
            extra = {"labels": labels} if self.n_classes else {}
            penalty = losses.gradient_penalty(self._gp_critic, real, fake, generator=ctx.noise.generator, **extra)
            loss = loss + self.gp_weight * penalty
            stats["gp"] = penalty.detach()
        return loss, stats

    def _d_loss_fn(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        if self.real_label < 1:  # one-sided label smoothing (minimax / non-saturating only)
            return self.adversarial.d_loss(real_logits, fake_logits, real_target=self.real_label)
        return self.adversarial.d_loss(real_logits, fake_logits)

    def _gp_critic(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self._discriminate(x, labels)

    def _r1_loss(self, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real = ctx.batch.x.detach().requires_grad_(True)
        logits = self._discriminate(real, ctx.batch.y)
        penalty = losses.r1_penalty(logits, real)
        return penalty * (self.r1_gamma / 2) * self.r1_every, {"r1": penalty.detach()}

    def _g_loss(self, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        n = ctx.batch_size
        z = ctx.noise.normal(n, *self.latent_shape())
        labels = ctx.noise.integers(n, self.n_classes) if self.n_classes else None
        fake = self.generate(self.module("G"), z, labels)
        params = self._unrolled_parameters(fake, labels, ctx) if self.unrolled_steps else None
        logits = self._discriminate(fake, labels, ctx, params)
        stats = {}
        if self.top_k < 1:
            fraction = top_k_fraction(ctx.step, self.top_k, self.top_k_anneal_steps)
            logits = keep_top_k(logits, fraction)
            stats["top_k"] = torch.tensor(fraction, device=logits.device)
        loss = self.adversarial.g_loss(logits)
        return loss, {"loss/G": loss.detach(), **stats}

    def _unrolled_parameters(self, fake: torch.Tensor, labels: torch.Tensor | None, ctx: PhaseContext) -> dict:
        """D's parameters after `unrolled_steps` gradient steps on its loss, differentiable in `fake`."""
        real = self._d_input(ctx.batch.x, ctx)
        extra = {"real_kwargs": {"labels": ctx.batch.y}, "fake_kwargs": {"labels": labels}} if self.n_classes else {}
        return unrolled_discriminator(self.module("D"), self._d_loss_fn, self.unrolled_steps, self.unrolled_lr,
                                      real, self._d_input(fake, ctx), **extra)

    def after_phase(self, phase: str) -> None:
        if phase == "D" and self.clip is not None:
            losses.clip_weights_(self.module("D"), self.clip)


def adversarial_options(config: Config) -> dict:
    """The options of `AdversarialGame` that the shared sections (`loss`, `reg`, `stab`, `train`) set."""
    return {
        "loss_name": config.loss,
        "z_dim": config.model.z_dim,
        "d_steps": config.train.d_steps,
        "gp_weight": config.reg.gp_weight if config.loss == "wgan-gp" else 0.0,
        "clip": config.reg.clip if config.loss == "wasserstein" else None,
        "r1_gamma": config.reg.r1_gamma,
        "r1_every": config.reg.r1_every,
        "real_label": config.stab.real_label,
        "instance_noise": config.stab.instance_noise,
        "noise_anneal_steps": config.train.steps,
        "diffaugment": config.stab.diffaugment,
        "pack": config.stab.pack,
        "unrolled_steps": config.stab.unrolled_steps,
        "unrolled_lr": config.stab.unrolled_lr,
        "top_k": config.stab.top_k,
        "top_k_anneal_steps": max(1, config.train.steps // 2),
    }
