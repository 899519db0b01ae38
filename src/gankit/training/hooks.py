"""What training hands back and to whom: the `Hook` interface of the trainer's watchers, the result of a run,
and the two ways a run stops early (diverged, interrupted)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch

from gankit.config import Config
from gankit.errors import GankitError, TrainingInterrupted  # noqa: F401 (re-exported)
from gankit.games.base import Game


class Trainer(Protocol):
    """What a hook may read and call on the trainer that runs it (`gankit.training.trainer.Trainer` is one):
    the run's settings and place, the step, the data stream, the EMA-aware sampler, events and checkpoints."""

    config: Config
    device: torch.device
    game: Game
    run_dir: Path
    step: int
    stream: Any  # gankit.training.data_stream.DataStream

    def sample(self, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor: ...

    def log_event(self, kind: str, payload: dict) -> None: ...

    def save_checkpoint(self) -> Path | None: ...


class Hook:
    """Something that watches training (the doctor, periodic evaluation). Hooks run on rank 0 only.

    `on_log` gets the statistics of each logging interval and may add entries to them (they are written
    after all hooks ran); `on_end` runs once training has finished, diverged or was interrupted, in the order of
    the hooks, after the trainer wrote its own report (samples/final.png, report/training_curves.png and
    report/summary.json; not when it diverged). Either may call `trainer.log_event`.
    """

    def on_log(self, trainer: Trainer, stats: dict[str, float]) -> None:
        pass

    def on_end(self, trainer: Trainer) -> None:
        pass


class TrainingDiverged(GankitError):
    """A loss became NaN or infinite; the run stopped without writing the bad state."""


@dataclass
class TrainResult:
    game: Game  # the trained networks: game.module("G"), ...
    run_dir: Path
    step: int
    seconds: float
    images_per_second: float
    last_stats: dict[str, float]
