"""CycleGAN: unpaired image-to-image translation (Zhu et al. 2017, "Unpaired Image-to-Image Translation using
Cycle-Consistent Adversarial Networks").

Two generators G_ab: A -> B and G_ba: B -> A, two discriminators D_a (real a vs G_ba's outputs) and D_b (real b
vs G_ab's outputs). The generators minimise

    L_G = λ_gan·[L_GAN(G_ab, D_b) + L_GAN(G_ba, D_a)]
        + λ_cyc·(E|G_ba(G_ab(a)) - a|_1 + E|G_ab(G_ba(b)) - b|_1)                      (cycle consistency, §3.2)
        + λ_idt·λ_cyc·(E|G_ba(a) - a|_1 + E|G_ab(b) - b|_1)                            (identity, §5.2)

with λ_cyc = 10 and λ_idt = 0.5 (the paper's; "0.5 λ" for the identity term). The adversarial loss is the shared
``loss`` key: the paper's least squares (Mao et al. 2017), for which gankit's L_G = ½E[(D(G(x)) - 1)²] is half
the paper's E[(D(G(x)) - 1)²], so ``cycle.lambda_gan = 2`` gives the paper's balance (the recipe sets it). Each
discriminator's loss is halved (§7.1) and computed on a history of 50 past outputs (`gankit.nn.image_pool`).

Both generators share one Adam and both discriminators another, as in the paper; each step runs G then D, and
the D phase reuses the real images and the (pre-update) outputs of the G phase, as the paper's code does, so one
step reads one batch of each domain. The learning-rate schedule (constant, then linear to 0) is the shared
``optim.decay=linear`` with ``optim.decay_start=0.5``. Options live in config section ``cycle``.
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
from gankit.nn.image_pool import ImagePool
from gankit.previews import save_strips

DIRECTIONS = {"a2b": ("G_ab", "a"), "b2a": ("G_ba", "b")}  # direction -> (generator, the input's field)


@dataclass
class CycleOptions:
    """Config section ``cycle``: the loss weights, the pool and the four networks' sizes."""

    lambda_cycle: float = 10.0  # weight of each cycle-consistency L1 (λ of the paper)
    lambda_identity: float = 0.5  # identity L1 weight, in units of lambda_cycle (the paper's 0.5 λ); 0 turns it off
    lambda_gan: float = 1.0  # weight of each generator's adversarial term (2 with least squares: the paper's MSE)
    pool_size: int = 50  # past outputs each discriminator draws from (0: no pool)
    g_width: int = 64  # channels of the ResNet generator's first layer (the paper's 64)
    n_blocks: int = 4  # residual blocks (paper: 6 at 128 px, 9 at 256; see gankit.models.resnet_generator)
    d_width: int = 64
    d_layers: int = 3  # strided blocks of the PatchGAN: 1, 2, 3, 4 give 16, 34, 70, 142 px patches


def check_cycle(options: CycleOptions) -> None:
    for key in ("lambda_cycle", "lambda_identity", "lambda_gan"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key 'cycle.{key}' must be 0 or more, got {getattr(options, key)!r}")
    if options.lambda_gan == 0:
        raise ConfigError("config key 'cycle.lambda_gan' is 0: without the adversarial term nothing moves the "
                          "images towards the other domain")
    for key in ("g_width", "d_width"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key 'cycle.{key}' must be positive, got {getattr(options, key)!r}")
    for key in ("pool_size", "n_blocks"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key 'cycle.{key}' must be 0 or more, got {getattr(options, key)!r}")
    if not 1 <= options.d_layers <= 4:
        raise ConfigError(f"config key 'cycle.d_layers' must be 1 to 4, got {options.d_layers!r}")


class CycleGANGame(TranslationGame):
    """G_ab, G_ba (ResNet generators) and D_a, D_b (PatchGANs); reads fields ``a`` and ``b``."""

    fields = ("a", "b")  # the two domains, drawn independently

    def __init__(self, g_ab: nn.Module, g_ba: nn.Module, d_a: nn.Module, d_b: nn.Module, image_shape: tuple[int, ...],
                 *, loss: str = "least-squares", lambda_cycle: float = 10.0, lambda_identity: float = 0.5,
                 lambda_gan: float = 1.0, pool_size: int = 50, ema: bool = False) -> None:
        super().__init__(networks={
            "G_ab": NetworkSpec(g_ab, "generator", ema=ema, optimizer="G"),
            "G_ba": NetworkSpec(g_ba, "generator", ema=ema, optimizer="G"),
            "D_a": NetworkSpec(d_a, "discriminator", optimizer="D"),
            "D_b": NetworkSpec(d_b, "discriminator", optimizer="D"),
        })
        self.adversarial = losses.get_loss(loss)
        self.lambda_cycle, self.lambda_identity, self.lambda_gan = lambda_cycle, lambda_identity, lambda_gan
        self.pools = {"a": ImagePool(pool_size, image_shape), "b": ImagePool(pool_size, image_shape)}
        self._last: dict[str, torch.Tensor] | None = None  # reals and fakes of this step's G phase, for D

    # ------------------------------------------------------------------------------------------ schedule
    def phases(self) -> list[Phase]:
        return [Phase("G", ("G_ab", "G_ba")), Phase("D", ("D_a", "D_b"), needs_batch=False)]

    @property
    def sampler_name(self) -> str:
        return "G_ab"

    @property
    def directions(self) -> dict[str, tuple[str, str]]:
        """``a2b`` and ``b2a``: the generator each direction uses and the data field its inputs come from."""
        return dict(DIRECTIONS)

    def state_dict(self) -> dict[str, Any]:
        """The two pools of past outputs (their images go to the checkpoint's safetensors)."""
        return {"pools": {name: pool.state_dict() for name, pool in self.pools.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name, pool in self.pools.items():
            if "pools" in state:
                pool.load_state_dict(state["pools"][name])

    # ------------------------------------------------------------------------------------------ samples
    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """Six rows: a | G_ab(a) | G_ba(G_ab(a)), then b | G_ba(b) | G_ab(G_ba(b)) (one image per column).
        `sampler` is G_ab (its EMA when kept); G_ba is the live network."""
        g_ba = self.module("G_ba")
        was_training = g_ba.training
        g_ba.eval()
        try:
            a, b = probe["a"], probe["b"]
            fake_b, fake_a = sampler(a), g_ba(b)
            rows = [a, fake_b, g_ba(fake_b), b, fake_a, sampler(fake_a)]
        finally:
            g_ba.train(was_training)
        save_strips([row.float() for row in rows], path)

    def accumulation_refusal(self) -> str | None:
        return "its D phase judges the fakes of the G phase just before it, through a pool of past fakes"

    # ------------------------------------------------------------------------------------------ losses
    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        if phase == "G":
            return self._generator_loss(ctx.batch["a"], ctx.batch["b"])
        if phase == "D":
            return self._discriminator_loss(ctx.noise.generator)
        raise KeyError(phase)

    def _generator_loss(self, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        g_ab, g_ba = self.module("G_ab"), self.module("G_ba")
        fake_b, fake_a = g_ab(a), g_ba(b)
        gan_ab = self.adversarial.g_loss(self.module("D_b")(fake_b))
        gan_ba = self.adversarial.g_loss(self.module("D_a")(fake_a))
        cycle_a = F.l1_loss(g_ba(fake_b).float(), a.float())
        cycle_b = F.l1_loss(g_ab(fake_a).float(), b.float())
        loss = self.lambda_gan * (gan_ab + gan_ba) + self.lambda_cycle * (cycle_a + cycle_b)
        stats = {"loss/G_ab_gan": gan_ab.detach(), "loss/G_ba_gan": gan_ba.detach(),
                 "cycle_a": cycle_a.detach(), "cycle_b": cycle_b.detach()}
        if self.lambda_identity > 0:
            identity_a = F.l1_loss(g_ba(a).float(), a.float())
            identity_b = F.l1_loss(g_ab(b).float(), b.float())
            loss = loss + self.lambda_identity * self.lambda_cycle * (identity_a + identity_b)
            stats.update(identity_a=identity_a.detach(), identity_b=identity_b.detach())
        stats["loss/G"] = loss.detach()
        self._last = {"a": a.detach(), "b": b.detach(), "fake_a": fake_a.detach(), "fake_b": fake_b.detach()}
        return loss, stats

    def _discriminator_loss(self, generator: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        if self._last is None:
            raise RuntimeError("CycleGAN's D phase needs the outputs of a G phase first")
        last, self._last = self._last, None
        stats: dict[str, torch.Tensor] = {}
        total = torch.zeros((), device=last["a"].device)
        for domain in ("a", "b"):
            fake = self.pools[domain].query(last[f"fake_{domain}"], generator).to(dtype=last[domain].dtype)
            if last[domain].is_contiguous(memory_format=torch.channels_last):
                fake = fake.contiguous(memory_format=torch.channels_last)
            judge = self.module(f"D_{domain}")
            real_logits, fake_logits = judge(last[domain]), judge(fake)
            loss = 0.5 * self.adversarial.d_loss(real_logits, fake_logits)
            total = total + loss
            stats[f"loss/D_{domain}"] = loss.detach()
            stats.update(self._output_stats(domain, real_logits, fake_logits))
        stats["loss/D"] = total.detach()
        return total, stats

    def _output_stats(self, domain: str, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> dict[str, torch.Tensor]:
        """Mean D(x) and D(G(z)) over all patches (probabilities for probabilistic losses)."""
        real, fake = real_logits.detach().float(), fake_logits.detach().float()
        if self.adversarial.probabilistic:
            real, fake = torch.sigmoid(real), torch.sigmoid(fake)
        return {f"D_{domain}(x)": real.mean(), f"D_{domain}(G(z))": fake.mean()}
