"""ProGAN: progressive growing of a GAN, 4 px → 8 → 16 → 32 ..., each new block faded in (Karras, Aila, Laine &
Lehtinen 2018, "Progressive Growing of GANs for Improved Quality, Stability, and Variation").

Schedule (§3, Figure 2; `progan_schedule`): the run starts at 4 px for ``stable_steps``; each further resolution
is a fade-in phase of ``fade_steps`` (α rising linearly from 0 to 1: α = t / fade_steps at the t-th step of the
phase) then a stabilize phase of ``stable_steps`` (α = 1); the last resolution stabilizes until the run ends.
Every phase is a stage (`gankit.games.stages`): ``4px``, ``8px-fade``, ``8px``, ``16px-fade`` ... The level
and α are pure functions of the generator step, and the step is the game's checkpointed state beside the
stage, so a run resumed in the middle of a fade-in continues bit-exactly, and a checkpoint samples at the
resolution and α it was trained at. On every stage change both optimizers start afresh (fresh Adam moments),
as the authors' code does on every change of level of detail, at the start and at the end of each fade-in.

Real images (§3): downsampled to the current resolution with a box filter and, during a fade-in, blended the
way G's output is, x = α·x_s + (1 − α)·upsample(downsample(x_s)), so D never sees sharper reals than fakes.

Loss (§A.1): WGAN-GP (λ = ``reg.gp_weight``, 10) with the drift penalty ε_drift·E[D(x)²] (ε_drift = 0.001)
that keeps D's scores near zero; the shared ``loss`` key may pick another (the drift applies to every loss).
The game also takes R1 on the (resized, blended) reals, (γ/2)·E‖∇ₓD(x)‖², every ``r1_every`` steps (×r1_every),
which StyleGAN (`gankit.games.stylegan`) uses; `fakes` is the one place G is called, which StyleGAN overrides.
Adam(lr 1e-3, β = (0, 0.99)) and one D step per G step come from the recipe (``progan-fashion``).

Samples: G at the run's current level and α, upsampled (nearest neighbour) to the final resolution when the run
stopped before reaching it, and clipped to [-1, 1] (G's output is linear). Options live in section ``progan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.errors import ConfigError
from gankit.games.base import DataSpec, NetworkSpec, Phase, PhaseContext, Stage
from gankit.games.stages import StagedGame
from gankit.models.progan import BASE_SIZE, downsample, upsample
from gankit.previews import save_image_grid

if TYPE_CHECKING:
    from gankit.config import Config


@dataclass
class ProGANOptions:
    """Config section ``progan``: the growing schedule and the networks' widths."""

    fade_steps: int = 1000  # generator steps of each fade-in phase (α from 0 to 1)
    stable_steps: int = 1000  # generator steps at 4 px, and of each stabilize phase after a fade-in (α = 1)
    g_width: int = 64  # channels of every G block (the paper: 512 up to 32 px)
    d_width: int = 64  # channels of every D block
    drift: float = 0.001  # ε_drift of the drift penalty ε·E[D(x)²] on D
    mbstd_group: int = 4  # group size of D's minibatch standard deviation


def check_progan(options: ProGANOptions) -> None:
    for key in ("fade_steps", "stable_steps", "drift"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key 'progan.{key}' must be 0 or more, got {getattr(options, key)!r}")
    for key in ("g_width", "d_width", "mbstd_group"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key 'progan.{key}' must be positive, got {getattr(options, key)!r}")


def progan_schedule(step: int, levels: int, fade_steps: int, stable_steps: int) -> tuple[int, float]:
    """(level, α) of generator step `step` (0-based): level l is 4·2^l px; α < 1 only inside a fade-in.

    Steps [0, S) are level 0; then each level l ≥ 1 takes F fade-in steps (α = t/F at the t-th, t = 0..F−1) and
    S stabilize steps (α = 1), with F = `fade_steps`, S = `stable_steps`; the last level runs on forever.
    """
    if step < stable_steps:
        return 0, 1.0
    period = fade_steps + stable_steps
    t = step - stable_steps
    level = 1 + (t // period if period else levels)
    if level >= levels:
        return levels - 1, 1.0
    within = t % period
    return level, (within / fade_steps if within < fade_steps else 1.0)


def progan_stages(levels: int, fade_steps: int, stable_steps: int) -> tuple[Stage, ...]:
    """The stages of `progan_schedule`: ``4px``, then ``{s}px-fade`` and ``{s}px`` for each larger size s."""
    stages, start = [Stage("4px", 0, "4 px")], stable_steps
    for level in range(1, levels):
        size = BASE_SIZE * 2 ** level
        if fade_steps:
            stages.append(Stage(f"{size}px-fade", start, f"{size} px fading in"))
        stages.append(Stage(f"{size}px", start + fade_steps, f"{size} px"))
        start += fade_steps + stable_steps
    return tuple(stages)


class ProGANGame(StagedGame):
    """G: ProGANGenerator, D: ProGANDiscriminator (`gankit.models.progan`); reads field x (images)."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, *, loss: str = "wgan-gp",
                 gp_weight: float = 10.0, drift: float = 0.001, fade_steps: int = 1000, stable_steps: int = 1000,
                 ema: bool = False, r1_gamma: float = 0.0, r1_every: int = 1) -> None:
        self.adversarial = losses.get_loss(loss)
        self.gp_weight, self.drift = gp_weight, drift
        self.r1_gamma, self.r1_every = r1_gamma, r1_every
        self.fade_steps, self.stable_steps = fade_steps, stable_steps
        self.levels, self.img_size, self.z_dim = generator.levels, generator.img_size, generator.z_dim
        self._step = 0
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(discriminator, "discriminator")})

    # ------------------------------------------------------------------------------------------ schedule
    def stages(self) -> tuple[Stage, ...]:
        return progan_stages(self.levels, self.fade_steps, self.stable_steps)

    def enter_stage(self, name: str) -> set[str]:
        return {"G", "D"}  # fresh Adam moments at every change of level of detail, as the authors' code

    def on_step_start(self, step: int) -> set[str]:
        self._step = step
        return super().on_step_start(step)

    def schedule(self, step: int | None = None) -> tuple[int, float]:
        """(level, α) at generator step `step` (default: the step the game last started)."""
        return progan_schedule(self._step if step is None else step, self.levels, self.fade_steps, self.stable_steps)

    @property
    def resolution(self) -> int:
        """The side, in pixels, of the images G makes and D judges at the current step."""
        return BASE_SIZE * 2 ** self.schedule()[0]

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "step": self._step}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self._step = int(state.get("step", 0))

    def phases(self) -> list[Phase]:
        return [Phase("D", ("D",)), Phase("G", ("G",), needs_batch=False)]

    def summary_lines(self) -> list[str]:
        sizes = " -> ".join(str(BASE_SIZE * 2 ** level) for level in range(self.levels))
        loss = self.adversarial.name + (f" (lambda_gp {self.gp_weight:g})" if self.gp_weight else "")
        if self.r1_gamma:
            loss += f" + R1 gamma {self.r1_gamma:g}" + (f" every {self.r1_every}" if self.r1_every > 1 else "")
        return [f"losses   {loss}" + (f" + {self.drift:g}*drift E[D(x)^2]" if self.drift else ""),
                f"growing  {sizes} px: {self.stable_steps:,} steps at 4 px, then per resolution "
                f"{self.fade_steps:,} fade-in + {self.stable_steps:,} stabilize steps"]

    # ------------------------------------------------------------------------------------------ samples
    def latent_shape(self) -> tuple[int, ...]:
        return (self.z_dim,)

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images at the final resolution: G at the current level and α, upsampled (nearest) when smaller, clipped."""
        level, alpha = self.schedule()
        images = generator(noise, level, alpha)
        factor = self.img_size // images.shape[-1]
        if factor > 1:
            images = F.interpolate(images, scale_factor=factor, mode="nearest")
        return images.clamp(-1, 1)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        generator = torch.Generator(device=device).manual_seed(seed)
        return {"noise": torch.randn(n, self.z_dim, generator=generator, device=device)}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        save_image_grid(self.generate(sampler, probe["noise"]).float(), path)

    # ------------------------------------------------------------------------------------------ losses
    def real_at(self, x: torch.Tensor, level: int, alpha: float) -> torch.Tensor:
        """Real images at level `level`'s resolution (box filter), blended during a fade-in (§3):
        α·x_s + (1 − α)·upsample(downsample(x_s))."""
        x = downsample(x, x.shape[-1] // (BASE_SIZE * 2 ** level))
        if level > 0 and alpha < 1:
            x = torch.lerp(upsample(downsample(x)), x, alpha)
        return x

    def fakes(self, n: int, ctx: PhaseContext, level: int, alpha: float, phase: str) -> torch.Tensor:
        """`n` generated images at `level` and `alpha` for `phase` (D: without gradient); StyleGAN overrides it."""
        z = ctx.noise.normal(n, self.z_dim)
        if phase == "D":
            with torch.no_grad():
                return self.module("G")(z, level, alpha)
        return self.module("G")(z, level, alpha)

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        level, alpha = self.schedule(ctx.step)
        D = self.module("D")
        n = ctx.batch_size if ctx.batch is None else len(ctx.batch.x)
        if phase == "D":
            r1_due = self.r1_gamma > 0 and ctx.step % self.r1_every == 0
            real = self.real_at(ctx.batch.x, level, alpha).detach().requires_grad_(r1_due)
            fake = self.fakes(n, ctx, level, alpha, phase)
            real_out, fake_out = D(real, alpha), D(fake, alpha)
            loss = self.adversarial.d_loss(real_out, fake_out)
            stats = {"D(x)": real_out.detach().float().mean(), "D(G(z))": fake_out.detach().float().mean()}
            if self.gp_weight:
                penalty = losses.gradient_penalty(lambda x: D(x, alpha), real, fake, generator=ctx.noise.generator)
                loss = loss + self.gp_weight * penalty
                stats["gp"] = penalty.detach()
            if r1_due:  # lazy when r1_every > 1: scaled by the interval, as StyleGAN2 §3.1
                penalty = losses.r1_penalty(real_out, real)
                loss = loss + penalty * (self.r1_gamma / 2) * self.r1_every
                stats["r1"] = penalty.detach()
            if self.drift:
                drift = real_out.float().square().mean()
                loss = loss + self.drift * drift
                stats["drift"] = drift.detach()
            stats.update({"loss/D": loss.detach(), "alpha": torch.tensor(alpha), "resolution":
                          torch.tensor(float(BASE_SIZE * 2 ** level))})
            return loss, stats
        if phase == "G":
            loss = self.adversarial.g_loss(D(self.fakes(n, ctx, level, alpha, phase), alpha))
            return loss, {"loss/G": loss.detach()}
        raise KeyError(phase)


def build_progan(config: Config, data: DataSpec) -> ProGANGame:
    """The ProGAN game for square images whose side is a power of two (8 to 1024 px)."""
    from gankit.models.progan import ProGANDiscriminator, ProGANGenerator, progan_levels

    shape = data.sample_shape
    if data.kind != "image" or len(shape) != 3 or shape[1] != shape[2]:
        raise ConfigError(f"game 'progan' needs square images; dataset '{data.name}' has samples of shape {shape}")
    try:
        progan_levels(shape[1])
    except ConfigError as exc:
        raise ConfigError(f"game 'progan': {exc}") from None
    o = config.section("progan")
    generator = ProGANGenerator(config.model.z_dim, shape[1], shape[0], o.g_width)
    discriminator = ProGANDiscriminator(shape[1], shape[0], o.d_width, o.mbstd_group)
    return ProGANGame(generator, discriminator, loss=config.loss,
                      gp_weight=config.reg.gp_weight if config.loss == "wgan-gp" else 0.0, drift=o.drift,
                      fade_steps=o.fade_steps, stable_steps=o.stable_steps, ema=config.train.ema > 0)
