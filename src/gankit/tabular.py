"""Synthetic tables in four calls: ``fit``, ``sample``, ``save``, ``load`` (docs/tables.md).

>>> from sklearn.datasets import load_wine
>>> from gankit.tabular import Synthesizer
>>> df = load_wine(as_frame=True).frame
>>> synth = Synthesizer(steps=500, target="target").fit(df)
>>> fake = synth.sample(1000, seed=1)        # a DataFrame: df's columns, dtypes and categories
>>> synth.save("wine.synth")                 # a folder: synthesizer.json + generator.safetensors (no pickle)
>>> Synthesizer.load("wine.synth").sample(1000, seed=1).equals(fake)
True

`fit` trains a game of the engine (``method="ctgan"``, `gankit.games.ctgan`; ``"tvae"``, `gankit.games.tvae`; or
``"medgan"`` for a table of binary and count columns, `gankit.games.medgan`) on the frame held in memory,
with every dtype kept as it is; the fitted column transformer (categories, mixture weights, means and standard
deviations) is saved as JSON beside the generator's weights.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import torch

from gankit.atomic import atomic_write_bytes, atomic_write_text
from gankit.config import Config, config_from_dict
from gankit.data.table import TableDataset, TableOptions
from gankit.errors import CheckpointError, ConfigError, DataError
from gankit.games import DataSpec, build_game
from gankit.paths import check_creatable
from gankit.training.setup import data_spec_dict, resolve_device

FORMAT = "gankit-synthesizer"
# the papers' optimizers: CTGAN Adam 2e-4 (0.5, 0.9); TVAE Adam 1e-3 (0.9, 0.999), here 3e-3 (at 300 epochs of
# 100, sdmetrics quality +0.01 on breast cancer and +0.03 on wine: docs/tables.md); medGAN Adam 1e-3 (0.9, 0.999)
METHODS = {"ctgan": {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.9},
           "tvae": {"lr_g": 3e-3, "lr_d": 3e-3, "beta1": 0.9, "beta2": 0.999},
           "medgan": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.9, "beta2": 0.999}}
LOSSES = {"medgan": "nonsaturating"}  # the others: wgan-gp (CTGAN's; TVAE has no adversarial loss)
# TVAE samples each one-hot as its argmax: on breast cancer and wine (300 epochs of 100) sdmetrics' pair trends
# rise by 0.05-0.07 and its quality score by 0.007-0.023 over draws from the softmax (docs/tables.md)
SECTIONS = {"tvae": {"one_hots": "argmax"}}
CONFIG_FILE, WEIGHTS_FILE = "synthesizer.json", "generator.safetensors"


class Synthesizer:
    """A table synthesizer: ``Synthesizer(method, steps or epochs, ...).fit(df)``, then ``sample(n, seed)``.

    ``steps`` generator steps of ``batch_size`` rows, or ``epochs`` passes over the training rows;
    ``target`` names the column a downstream model predicts (kept categorical when it has few values);
    ``column_kinds`` overrides inferred kinds ({name: continuous | integer | categorical | boolean | datetime});
    ``holdout`` keeps a share of the rows out of training; ``overrides`` are extra config keys
    (``["ctgan.pac=5", "optim.lr_g=1e-4"]``).
    """

    def __init__(self, method: str = "ctgan", *, steps: int = 2000, epochs: int | None = None, batch_size: int = 100,
                 seed: int = 0, target: str | None = None, column_kinds: dict[str, str] | None = None,
                 holdout: float = 0.0, overrides: list[str] | tuple[str, ...] = (), device: str = "cpu",
                 progress: bool = False) -> None:
        if method not in METHODS:
            raise ConfigError(f"unknown table method {method!r}; choose from {', '.join(METHODS)}")
        self.method, self.steps, self.epochs, self.batch_size = method, steps, epochs, batch_size
        self.seed, self.target, self.column_kinds, self.holdout = seed, target, dict(column_kinds or {}), holdout
        self.overrides, self.device, self.progress = list(overrides), device, progress
        self.config: Config | None = None
        self.spec: DataSpec | None = None
        self.game = None

    def _config(self, n_rows: int) -> Config:
        steps = self.steps if self.epochs is None else max(1, math.ceil(self.epochs * n_rows / self.batch_size))
        values = {
            "name": f"{self.method}-frame", "game": self.method, "loss": LOSSES.get(self.method, "wgan-gp"),
            "seed": self.seed,
            "device": self.device,
            "data": {"name": "table", "target": self.target, "holdout": self.holdout, "seed": self.seed,
                     "column_kinds": ",".join(f"{k}={v}" for k, v in self.column_kinds.items())},
            "optim": dict(METHODS[self.method]),
            "train": {"steps": steps, "batch_size": self.batch_size, "progress": self.progress, "doctor": False,
                      "sample_every": steps, "ckpt_every": steps, "channels_last": False},
        }
        if self.method in SECTIONS:
            values[self.method] = dict(SECTIONS[self.method])
        return config_from_dict(values, self.overrides)

    def fit(self, df) -> Synthesizer:
        """Train on the pandas DataFrame ``df`` (in memory, dtypes as they are); returns self."""
        from gankit.training.data_stream import DataStream
        from gankit.training.precision import choose_precision
        from gankit.training.threads import use_threads
        from gankit.training.trainer import Trainer

        config = self._config(int(round(len(df) * (1 - self.holdout))))
        data = config.data
        dataset = TableDataset(df, "frame", TableOptions(data.target, data.column_kinds, data.holdout), self.seed)
        if len(dataset) < config.train.batch_size:
            raise DataError(f"the table has {len(dataset)} training rows, fewer than one batch of "
                            f"{config.train.batch_size}: lower batch_size")
        spec = DataSpec.of(dataset)
        device = resolve_device(config.device)
        use_threads(config.train.threads, log=lambda line: None)  # idle cores only: oversubscribed threads crawl
        torch.manual_seed(config.seed)
        game = build_game(config, spec)
        stream = DataStream.of(dataset, config.train.batch_size, seed=config.seed, device=device, needs=game.needs)
        with tempfile.TemporaryDirectory(prefix="gankit-synth-") as tmp:
            trainer = Trainer(game, stream, config, Path(tmp) / "run", device, examples=dataset.preview_examples(),
                              metadata={"data_spec": data_spec_dict(spec)},
                              precision=choose_precision(config.train.amp, device, data_kind="table"))
            _train_in_memory(trainer, config.train.steps, self.progress, config.name)
        self.config, self.spec, self.game = config, spec, trainer.game
        self.game.module("G").eval().requires_grad_(False)
        return self

    def _fitted(self):
        if self.game is None:
            raise ConfigError("this Synthesizer is not fitted: call fit(df) or Synthesizer.load(path)")
        return self.game

    def sample(self, n: int, seed: int = 0, where: dict[str, Any] | None = None):
        """``n`` synthetic rows (a DataFrame with the fitted columns and dtypes); the same seed, the same rows.
        ``where={"column": category}`` draws rows of that category of a categorical column only."""
        if n <= 0:
            raise ConfigError(f"n must be positive, got {n}")
        if where is not None and len(where) != 1:
            raise ConfigError(f"where takes one column and its category, got {where!r}")
        pair = None if where is None else (str(next(iter(where))), str(next(iter(where.values()))))
        game = self._fitted()
        return game.spans.to_frame(game.sample_rows(game.module("G"), n, seed, where=pair))

    def save(self, path: str | Path) -> Path:
        """Write the folder ``path``: ``synthesizer.json`` (config, column transformer) and the generator's
        weights in ``generator.safetensors``. Returns the folder."""
        from safetensors.torch import save

        game = self._fitted()
        path = Path(path)
        check_creatable(path, "synthesizer folder")
        if path.exists() and not (path / CONFIG_FILE).is_file():
            raise ConfigError(f"{path} exists and is not a saved synthesizer; choose another path")
        path.mkdir(parents=True, exist_ok=True)
        weights = {k: v.detach().cpu().contiguous() for k, v in game.module("G").state_dict().items()}
        atomic_write_bytes(path / WEIGHTS_FILE, save(weights))
        meta = {"format": FORMAT, "version": 1, "method": self.method, "config": self.config.to_dict(),
                "data_spec": data_spec_dict(self.spec)}
        atomic_write_text(path / CONFIG_FILE, json.dumps(meta, indent=1))
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Synthesizer:
        """A synthesizer `save` wrote, ready to sample."""
        from safetensors.torch import load_file

        path = Path(path)
        if not (path / CONFIG_FILE).is_file() or not (path / WEIGHTS_FILE).is_file():
            raise CheckpointError(f"{path} is not a saved synthesizer (no {CONFIG_FILE} and {WEIGHTS_FILE})")
        meta: dict[str, Any] = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise CheckpointError(f"{path / CONFIG_FILE} is not a gankit synthesizer")
        config = config_from_dict(meta["config"])
        spec = DataSpec.from_dict(meta["data_spec"])
        out = cls(meta["method"], steps=config.train.steps, batch_size=config.train.batch_size, seed=config.seed,
                  target=config.data.target, device=device)
        out.config, out.spec, out.game = config, spec, build_game(config, spec)
        generator = out.game.module("G")
        generator.load_state_dict(load_file(str(path / WEIGHTS_FILE)))
        generator.to(torch.device(device)).eval().requires_grad_(False)
        return out


def _train_in_memory(trainer, steps: int, progress: bool, name: str) -> None:
    """The trainer's steps alone: an in-memory fit keeps only the generator, so nothing else is written (no
    previews, metrics, report or checkpoints, which `Trainer.run` writes for a run folder)."""
    from gankit.training.progress import Progress

    bar = Progress(steps, trainer.step, name) if progress else None
    try:
        while trainer.step < steps:
            trainer.train_step()
            if bar is not None:
                bar.step()
    finally:
        if bar is not None:
            bar.close()
