"""Experiments that check, with measurements, what GAN tutorials claim.

>>> from gankit.experiments import EXPERIMENT_NAMES, run_experiment
>>> run_experiment("loss-gradients", Path("out/loss-gradients"), seeds=3)

* ``loss-gradients``: the minimax generator loss saturates when D is confident (Goodfellow et al. 2014 §3);
* ``mode-collapse``: remedies for mode collapse on the ring and grid mixtures, next to the published VEEGAN and
  PacGAN numbers;
* ``d-accuracy``: the discriminator's accuracy over training.

Each writes ``results.md`` (tables), ``results.json`` (every number) and ``results.png`` (a plot) into its
output folder; each file is written to a temporary name and renamed into place. See docs/stability.md.
"""

from __future__ import annotations

import difflib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from gankit.errors import ConfigError
from gankit.experiments import d_accuracy, loss_gradients, mode_collapse
from gankit.atomic import atomic_write_bytes
from gankit.experiments.common import ExperimentResult, single_thread, to_jsonable

__all__ = ["EXPERIMENT_NAMES", "ExperimentResult", "run_experiment"]

_EXPERIMENTS: dict[str, Callable[[Path, int, bool], ExperimentResult]] = {
    "loss-gradients": loss_gradients.run,
    "mode-collapse": mode_collapse.run,
    "d-accuracy": d_accuracy.run,
}
EXPERIMENT_NAMES: tuple[str, ...] = tuple(_EXPERIMENTS)
RESULT_FILES = ("results.md", "results.json", "results.png")


def _check(name: str, seeds: int) -> None:
    if name not in _EXPERIMENTS:
        close = difflib.get_close_matches(name, EXPERIMENT_NAMES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(f"unknown experiment '{name}'{hint}; choose one of {', '.join(EXPERIMENT_NAMES)}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(f"--seeds must be a positive integer, got {seeds!r}")


def write_result(result: ExperimentResult, out: Path) -> Path:
    """Write results.md, results.json and results.png into `out`, each atomically."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"experiment": result.name, "claim_holds": result.claim_holds, **result.data}
    atomic_write_bytes(out / "results.json", json.dumps(to_jsonable(payload), indent=1).encode("utf-8"))
    result.plot(out / "results.png")
    atomic_write_bytes(out / "results.md", result.markdown.encode("utf-8"))
    return out


def run_experiment(name: str, out: Path, seeds: int = 3, quick: bool = False) -> Path:
    """Run experiment `name` over `seeds` seeds (0..seeds-1) and write its results into `out`; returns `out`.

    `quick` trains far fewer steps (and, for some experiments, fewer settings): for tests, not for conclusions.
    Training runs go to a temporary folder inside `out` that is removed afterwards; PyTorch runs on one
    thread meanwhile (the networks are tiny, see `common.single_thread`). Raises `ConfigError` for an unknown
    name or a seed count below 1.
    """
    _check(name, seeds)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    with single_thread(), tempfile.TemporaryDirectory(prefix=".runs-", dir=out) as workdir:
        result = _EXPERIMENTS[name](Path(workdir), seeds, quick)
    return write_result(result, out)
