"""What a game is: networks, phases, and the loss of each phase.

A GAN is a game between networks. A `Game` declares its networks (each with a role that picks its learning
rate), its phases (which networks a phase updates, how often and how many times in a row), the loss of each
phase as a scalar tensor plus a dict of statistics, and how to sample. The trainer runs the phases and owns
everything else (optimizers, freezing, mixed precision, data-parallel gradients, EMA, checkpoints, logs).

This is TF-GAN's model/loss/train-op split and StyleGAN2-ADA's phase list: n_critic schedules and lazy
regularization every k steps are data (`Phase.repeats`, `Phase.every`), not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from gankit.training.data_stream import Batch
    from gankit.training.noise import NoiseSource


@dataclass(frozen=True)
class DataSpec:
    """What a game needs to know about its data to build networks: no samples, so a checkpoint can carry it."""

    name: str
    kind: str  # "image" or "points"
    sample_shape: tuple[int, ...]
    num_classes: int = 0
    class_names: tuple[str, ...] = ()  # in label order, when the data names its classes

    @classmethod
    def of(cls, dataset) -> DataSpec:
        return cls(dataset.name, dataset.kind, tuple(dataset.sample_shape), int(dataset.num_classes),
                   tuple(getattr(dataset, "class_names", ())))


@dataclass(frozen=True)
class Phase:
    """One kind of update: the networks it trains (the others are frozen), how often and how many times.

    `every`: run on generator steps where ``step % every == 0`` (lazy regularization, Karras et al. 2020).
    `repeats`: run this many times in a row per step, each on a fresh batch (n_critic, Arjovsky et al. 2017).
    `needs_batch`: whether the phase consumes a batch of real data.
    """

    name: str
    updates: tuple[str, ...]
    every: int = 1
    repeats: int = 1
    needs_batch: bool = True


@dataclass
class PhaseContext:
    """What a phase's loss gets: this rank's real batch (if any), its size, the noise source and the step."""

    batch: Batch | None
    batch_size: int
    noise: NoiseSource
    step: int


@dataclass
class NetworkSpec:
    module: nn.Module
    role: str  # "generator" or "discriminator": selects optim.lr_g or optim.lr_d
    ema: bool = False  # keep an exponential moving average of this network's weights


@dataclass
class Game:
    """Base class; subclasses fill `networks` and implement `phases`, `phase_loss` and `generate`."""

    networks: dict[str, NetworkSpec] = field(default_factory=dict)

    def phases(self) -> list[Phase]:
        raise NotImplementedError

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The scalar loss of `phase` (to be minimized) and the statistics to log under their names."""
        raise NotImplementedError

    def after_phase(self, phase: str) -> None:
        """Called after a phase's optimizer step (e.g. WGAN weight clipping). Default: nothing."""

    def on_step_start(self, step: int) -> set[str]:
        """Called before each step; returns the names of networks whose parameters were replaced (growing
        networks), so the trainer rebuilds their optimizers. Default: nothing changes."""
        return set()

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Samples from `generator` (the live network or its EMA) for latent `noise` and optional `labels`."""
        raise NotImplementedError

    def latent_shape(self) -> tuple[int, ...]:
        raise NotImplementedError

    @property
    def sampler_name(self) -> str:
        """The network `generate` samples from."""
        return "G"

    @property
    def num_classes(self) -> int:
        return 0

    def module(self, name: str) -> nn.Module:
        return self.networks[name].module
