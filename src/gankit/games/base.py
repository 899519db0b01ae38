"""What a game is: networks, phases, and the loss of each phase.

A GAN is a game between networks. A `Game` declares its networks (each with a role that picks its learning
rate), its phases (which networks a phase updates, how often and how many times in a row), the loss of each
phase as a scalar tensor plus a dict of statistics, and how to sample. The trainer runs the phases and owns
everything else (optimizers, freezing, mixed precision, data-parallel gradients, EMA, checkpoints, logs).

This is TF-GAN's model/loss/train-op split and StyleGAN2-ADA's phase list: n_critic schedules and lazy
regularization every k steps are data (`Phase.repeats`, `Phase.every`), not code, and the order of the phases
is the game's (D then G for most GANs, G then D for CycleGAN).

A game also owns what a sample is (DESIGN.md, seam 2): it builds its fixed probe once (`make_probe`: latents and
labels, or held-out input images) and renders previews of it (`render_preview`: an image grid, input | output |
target strips, a scatter plot); the trainer only asks for the probe and a render at intervals. Its networks
may share an optimizer (`NetworkSpec.optimizer`: CycleGAN steps both generators with one Adam), and whatever
state it keeps beyond its networks (a pool of past fakes, a stage) it saves in `state_dict`.

A game may train in stages (DESIGN.md, seam 4: a global then a local generator, pretraining then adversarial
training): it lists them in `stages()` and names the current one in `stage`; `gankit.games.stages.StagedGame`
switches at the listed steps, keeps the stage in its state and tells the trainer which optimizers start afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from gankit.data.batch import Batch
from gankit.errors import ConfigError

if TYPE_CHECKING:
    from gankit.training.noise import NoiseSource


@dataclass(frozen=True)
class DataSpec:
    """What a game needs to know about its data to build networks: no samples, so a checkpoint can carry it."""

    name: str
    kind: str  # "image" or "points"
    sample_shape: tuple[int, ...]
    num_classes: int = 0
    class_names: tuple[str, ...] = ()  # in label order, when the data names its classes
    fields: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (name, shape of one sample) of each field, when not x/y
    extra: str = ""  # what the data tells its game beyond shapes, as JSON (a table's column transformer)

    @classmethod
    def of(cls, dataset) -> DataSpec:
        shapes = tuple((name, tuple(t.shape[1:])) for group in dataset.field_groups().values()
                       for name, t in group.items() if name not in ("x", "y"))
        extra = dataset.spec_extra() if hasattr(dataset, "spec_extra") else ""
        return cls(dataset.name, dataset.kind, tuple(dataset.sample_shape), int(dataset.num_classes),
                   tuple(getattr(dataset, "class_names", ())), shapes, extra)

    @classmethod
    def from_dict(cls, meta: dict[str, Any]) -> DataSpec:
        """The spec a run folder kept as JSON (`gankit.training.setup.data_spec_dict`)."""
        fields = tuple((name, tuple(shape)) for name, shape in meta.get("fields", {}).items())
        extra = json.dumps(meta["extra"]) if "extra" in meta else ""
        return cls(meta["name"], meta["kind"], tuple(meta["sample_shape"]), int(meta["num_classes"]),
                   tuple(meta.get("class_names", ())), fields, extra)

    @property
    def field_names(self) -> tuple[str, ...]:
        if self.fields:
            return tuple(name for name, _ in self.fields)
        return ("x", "y") if self.num_classes else ("x",)

    def field_shape(self, name: str) -> tuple[int, ...]:
        return dict(self.fields)[name] if self.fields else self.sample_shape

    def series_windows(self, game: str) -> tuple[tuple[int, int], tuple[int, int]]:
        """((p, d), (q, d)): the shapes of the history and future windows a series game reads; a `ConfigError`
        naming the game and the data set's fields when the data has no windows."""
        if "history" not in self.field_names or "future" not in self.field_names:
            raise ConfigError(f"game '{game}' needs series windows (fields history and future); dataset "
                              f"'{self.name}' yields {', '.join(self.field_names)}")
        return self.field_shape("history"), self.field_shape("future")


@dataclass(frozen=True)
class Phase:
    """One kind of update: the networks it trains (the others are frozen), how often and how many times.

    `every`: run on generator steps where ``step % every == 0`` (lazy regularization, Karras et al. 2020).
    `repeats`: run this many times in a row per step, each on a fresh batch (n_critic, Arjovsky et al. 2017).
    `needs_batch`: whether the phase consumes a batch of real data.
    `gate`: when set, the phase updates its networks only while its loss (averaged over ranks) is above it, and logs
    ``updated/<name>`` (1 or 0); TimeGAN updates its discriminator only while D's loss exceeds 0.15 (Yoon et al.
    2019).
    """

    name: str
    updates: tuple[str, ...]
    every: int = 1
    repeats: int = 1
    needs_batch: bool = True
    gate: float | None = None


@dataclass(frozen=True)
class Stage:
    """A stretch of training: its name, its first generator step, and one line on what it trains."""

    name: str
    start: int
    about: str = ""


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
    optimizer: str | None = None  # networks naming the same group share one optimizer (default: their own)


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

    def stages(self) -> tuple[Stage, ...]:
        """The stages of training, in order of their first step; none for a game trained in one piece."""
        return ()

    @property
    def stage(self) -> str | None:
        """The name of the current stage (None for a game without stages)."""
        return None

    def summary_lines(self) -> list[str]:
        """Lines the start-up summary adds for this game (its losses, what is switched off and why)."""
        return []

    def state_dict(self) -> dict[str, Any]:
        """State beyond the networks' weights that a resumed run needs (a pool of past fakes, a stage)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` returned."""

    def accumulation_refusal(self) -> str | None:
        """Why gradient accumulation (``train.accumulate`` > 1) would change what this game computes (state that
        one phase hands the next, a statistic over the whole batch), or None when the gradients summed over K
        micro-batches are those of one batch K times larger. Default: None."""
        return None

    def optimizer_group(self, name: str) -> str:
        """The optimizer that steps network `name`."""
        return self.networks[name].optimizer or name

    # ------------------------------------------------------------------------------------------ samples
    @property
    def needs(self) -> tuple[str, ...]:
        """The batch fields the game reads (`gankit.data.batch`)."""
        return ("x",)

    @property
    def takes_noise(self) -> bool:
        """Whether the generator maps latent noise (and labels) to data, so latent probes make sense."""
        return True

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        """The fixed inputs every preview is drawn from, built once: `n` latents (and labels) from `seed`, or
        held-out inputs from the data's `examples` (`preview_examples()` of the dataset)."""
        raise NotImplementedError

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """Write a preview of `sampler` (the live generator or its EMA, in eval mode) on `probe` to `path`."""
        raise NotImplementedError

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
    def sampling_networks(self) -> tuple[str, ...]:
        """Every network sampling runs through (the sampler first; TimeGAN's also needs its supervisor and
        recovery), which a loaded run restores (its EMA where one was kept)."""
        return (self.sampler_name,)

    @property
    def num_classes(self) -> int:
        return 0

    def module(self, name: str) -> nn.Module:
        return self.networks[name].module
