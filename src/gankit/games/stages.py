"""Staged training (DESIGN.md, seam 4): a game that changes what it trains at fixed steps.

Pix2PixHD (Wang et al. 2018, §3.2) trains its global generator alone, then the local enhancer with it; a
progressive GAN grows 4 -> 8 -> 16 px. A `StagedGame` lists its stages (`Stage(name, start)`, by first step);
before every step the trainer calls `on_step_start(step)`, which moves to the stage that `step` falls in and,
on a change, calls `enter_stage(name)`, whose answer (the networks whose optimizers start afresh) the trainer
acts on. The current stage is the game's state (`state_dict`), saved in every checkpoint: a run resumed at the
very step of a switch makes the switch exactly as the unbroken run does, so resume stays bit-exact.
"""

from __future__ import annotations

from typing import Any

from gankit.errors import CheckpointError
from gankit.games.base import Game, Stage


def stage_at(stages: tuple[Stage, ...], step: int) -> Stage:
    """The stage generator step `step` (0-based) falls in: the last one whose start is at or before it."""
    current = stages[0]
    for stage in stages:
        if stage.start <= step:
            current = stage
    return current


class StagedGame(Game):
    """A game whose `stages()` change what it trains; subclasses call `StagedGame.__init__` after their own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stage = self.stages()[0].name

    @property
    def stage(self) -> str:
        return self._stage

    def enter_stage(self, name: str) -> set[str]:
        """Called when training enters stage `name`; returns the networks whose optimizers start afresh."""
        return set()

    def on_step_start(self, step: int) -> set[str]:
        target = stage_at(self.stages(), step).name
        if target == self._stage:
            return set()
        self._stage = target
        return self.enter_stage(target)

    def state_dict(self) -> dict[str, Any]:
        return {"stage": self._stage}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        names = [s.name for s in self.stages()]
        stage = state.get("stage", names[0])
        if stage not in names:
            raise CheckpointError(f"checkpoint stage '{stage}' is not one of this game's stages ({', '.join(names)})")
        self._stage = stage
