"""Loading a trained run for sampling: its generator (the EMA when kept) and its discriminator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from gankit.config import Config, config_from_dict
from gankit.errors import CheckpointError, ConfigError
from gankit.games import DataSpec, Game, build_game
from gankit.training import checkpoint as ckpt


@dataclass
class LoadedGenerator:
    """A trained generator ready to sample: the game (for `generate`), the module (EMA if kept) and where from."""

    game: Game
    module: torch.nn.Module
    config: Config
    data: DataSpec
    step: int
    checkpoint: Path
    standing: tuple[float | None] | None = None  # the truncation its standing statistics are for (`standing`)

    @property
    def device(self) -> torch.device:
        return next(self.module.parameters()).device


def find_checkpoint(source: str | Path) -> tuple[Path, Path]:
    """(checkpoint folder, run folder) for a run folder or a checkpoint folder."""
    source = Path(source)
    if not source.exists():
        raise CheckpointError(f"no such run or checkpoint: {source}")
    if (source / ckpt.STATE_FILE).is_file():
        return source, source.parent.parent
    latest = ckpt.latest_checkpoint(source / "checkpoints")
    if latest is None:
        raise CheckpointError(f"{source} is neither a run folder with checkpoints nor a checkpoint folder")
    return latest, source


def run_data_kind(source: str | Path) -> str | None:
    """The kind of data (``image``, ``points``, ``series``, ``table``, ...) a run or checkpoint folder was trained
    on, read from the run's data.json (else the checkpoint's data spec); None when ``source`` is not a run."""
    path = Path(source)
    if not path.is_dir():
        return None
    try:
        checkpoint, run_dir = find_checkpoint(path)
    except Exception:  # not a run: the callers' own checks say why
        return None
    data_file = run_dir / "data.json"
    if data_file.is_file():
        return json.loads(data_file.read_text(encoding="utf-8")).get("kind")
    _, state = ckpt.load_checkpoint(checkpoint)
    return state.get("data_spec", {}).get("kind")


def load_generator(source: str | Path, device: str | torch.device = "cpu") -> LoadedGenerator:
    """Load the sampling network (its EMA when the run kept one) from a run or checkpoint folder."""
    path, run_dir = find_checkpoint(source)
    step, state = ckpt.load_checkpoint(path)
    try:
        config = config_from_dict(state["config"])
    except ConfigError as exc:
        raise CheckpointError(f"checkpoint {path} holds a config this version cannot read ({exc})") from None
    data_file = run_dir / "data.json"
    meta = state.get("data_spec")
    if meta is None and data_file.is_file():
        meta = json.loads(data_file.read_text(encoding="utf-8"))
    if meta is None:
        raise CheckpointError(f"checkpoint {path} does not say what data it was trained on")
    spec = DataSpec.from_dict(meta)
    game = build_game(config, spec)
    game.load_state_dict(state.get("game", {}))  # e.g. the stage, which decides how a staged game samples
    name = game.sampler_name
    if name not in state["networks"]:
        raise CheckpointError(f"checkpoint {path} holds no generator '{name}'")
    for part in game.sampling_networks:  # the sampler and any network its samples pass through
        if part not in state["networks"]:
            raise CheckpointError(f"checkpoint {path} holds no network '{part}'")
        weights = state["ema"].get(part, state["networks"][part])
        what = "generator" if part == name else "network"
        ckpt.load_module_state(game.module(part), weights, f"{what} '{part}' of {path}")
        game.module(part).to(torch.device(device)).eval().requires_grad_(False)
    return LoadedGenerator(game, game.module(name), config, spec, step, path)


def load_discriminator(loaded: LoadedGenerator) -> torch.nn.Module:
    """The discriminator saved beside a loaded generator (same checkpoint, same device), in eval mode."""
    name = "D"
    step, state = ckpt.load_checkpoint(loaded.checkpoint)
    if name not in state["networks"]:
        raise CheckpointError(f"checkpoint {loaded.checkpoint} holds no discriminator '{name}'")
    module = loaded.game.module(name)
    ckpt.load_module_state(module, state["networks"][name], f"discriminator '{name}' of {loaded.checkpoint}")
    return module.to(loaded.device).eval().requires_grad_(False)
