"""The run folder's rules: when a folder may be used, replaced or resumed, and which config changes a resume allows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from gankit.config import Config
from gankit.errors import RunFolderError
from gankit.paths import check_creatable, protected_reason
from gankit.training import checkpoint as ckpt

# Keys that may change when a run is resumed: they schedule, watch or sample the run, they do not change what
# is trained (evaluation and the doctor draw from their own random streams). train.amp may change only when the
# user names it (`check_resumable_precision`): the arithmetic changes what is trained.
RESUMABLE_CHANGES = ("train.steps", "train.max_minutes", "train.log_every", "train.sample_every",
                     "train.ckpt_every", "train.keep", "train.progress", "train.threads", "train.doctor",
                     "eval.every", "eval.metrics", "eval.n", "eval.extractor", "eval.best",
                     "sample.jacobian_rejection", "description", "device", "train.amp")
# What a run writes in its folder (config, data spec, checkpoints, sample grids, logs, TensorBoard, report).
RUN_ENTRIES = frozenset({"config.yaml", "data.json", "checkpoints", "samples", "metrics.jsonl", "tensorboard",
                         "report"})


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _schedules_over_train_steps(config: Config) -> list[str]:
    """The settings whose schedule is laid out over train.steps (so a resume must keep train.steps)."""
    scheduled = []
    if config.optim.decay != "none":
        scheduled.append(f"optim.decay={config.optim.decay} (the learning rate)")
    if config.stab.top_k < 1:
        scheduled.append(f"stab.top_k={config.stab.top_k:g} (its annealing)")
    if config.stab.instance_noise > 0:
        scheduled.append(f"stab.instance_noise={config.stab.instance_noise:g} (its annealing)")
    return scheduled


def check_resumable(saved: dict[str, Any], config: Config, run_dir: Path) -> None:
    old, new = _flat(saved), _flat(config.to_dict())
    if old.get("data.path"):  # runs of earlier versions kept the path as typed
        old["data.path"] = os.path.abspath(os.path.expanduser(old["data.path"]))
    if old.get("train.steps") != new["train.steps"]:
        scheduled = _schedules_over_train_steps(config)
        if scheduled:
            raise RunFolderError(
                f"cannot resume {run_dir}: train.steps was {old.get('train.steps')!r}, now {new['train.steps']!r}, "
                f"and {scheduled[0]} is laid out over train.steps")
    defaults = _flat(Config().to_dict())
    for key in new:
        if key not in old and key in defaults and new[key] == defaults[key]:
            continue  # a key newer than the run, at the default every run had before it existed
        if key not in RESUMABLE_CHANGES and key != "name" and old.get(key) != new[key]:
            raise RunFolderError(
                f"cannot resume {run_dir}: config key '{key}' was {old.get(key)!r}, now {new[key]!r}")


def saved_precision(state: dict[str, Any]) -> str | None:
    """The precision mode (fp32 | bf16 | fp16) a checkpoint was trained in; None when it cannot be told (a
    checkpoint of an earlier version trained with train.amp=true)."""
    if "precision" in state:
        return str(state["precision"])
    return "fp32" if state.get("config", {}).get("train", {}).get("amp") is False else None


def amp_named(overrides: list[str] | tuple[str, ...]) -> bool:
    """Whether ``--set`` overrides name train.amp."""
    return any(text.split("=", 1)[0].strip() == "train.amp" for text in overrides)


def check_resumable_precision(state: dict[str, Any], config: Config, device, run_dir: Path,
                              explicit: bool) -> None:
    """Refuse to resume a run in another precision mode than it was trained in, unless `explicit` (the user set
    train.amp): a resume is bit-exact only within one mode (see `gankit.training.precision`)."""
    from gankit.training.precision import amp_setting_text, choose_precision

    old = saved_precision(state)
    if explicit or old is None:
        return
    data_kind = state.get("data_spec", {}).get("kind", "image")
    new = choose_precision(config.train.amp, device, data_kind=data_kind)
    if new.mode != old:
        raise RunFolderError(
            f"cannot resume {run_dir}: it was trained in {old} and would continue in {new.mode} "
            f"({new.reason}); pass --set train.amp=... to change it on purpose "
            f"(train.amp={'false' if old == 'fp32' else 'true'} for {old}, "
            f"now {amp_setting_text(config.train.amp)})")


def foreign_entries(run_dir: Path) -> list[str]:
    """The names in `run_dir` that a gankit run does not write (hidden temporary files aside)."""
    return sorted(p.name for p in Path(run_dir).iterdir()
                  if p.name not in RUN_ENTRIES and not (p.name.startswith(".") and ".tmp" in p.name))


def is_run_folder(path: Path) -> bool:
    """True for a folder gankit recognises as its own run: its config.yaml, and nothing a run does not write."""
    path = Path(path)
    return path.is_dir() and (path / "config.yaml").is_file() and not foreign_entries(path)


def check_run_dir(run_dir: Path, *, resume: bool, force: bool,
                  data_paths: tuple[str | Path | None, ...] = ()) -> Path | None:
    """Check the run folder may be used; returns the checkpoint to resume from (or None).

    A folder that holds anything is never touched unless `resume` (continue it) or `force` (replace it, which
    `train` does only once everything else has been built, so a failing start loses nothing). `force` replaces
    only a folder gankit recognises as a run (`is_run_folder`), and never the working directory, the home
    directory, a parent of them or of the training data (`data_paths`); any other existing folder is refused.
    """
    run_dir = Path(run_dir)
    if resume and force:
        raise RunFolderError("--resume and --force contradict each other: choose one")
    if resume:
        latest = ckpt.latest_checkpoint(run_dir / "checkpoints")
        if latest is None:
            raise RunFolderError(f"nothing to resume: {run_dir} holds no checkpoint")
        return latest
    check_creatable(run_dir, "run folder")
    reason = protected_reason(run_dir, data_paths)
    if reason and (force or (run_dir.is_dir() and any(run_dir.iterdir()))):
        raise RunFolderError(f"refusing to use {run_dir} as a run folder: it {reason}; choose another --out")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        if not is_run_folder(run_dir):
            found = foreign_entries(run_dir) if (run_dir / "config.yaml").is_file() else sorted(
                p.name for p in run_dir.iterdir())
            raise RunFolderError(f"{run_dir} already exists and is not a gankit run folder (it holds "
                                 f"{', '.join(found[:3])}{', ...' if len(found) > 3 else ''}); choose another --out")
        if not force:
            raise RunFolderError(f"run folder {run_dir} already exists; use --resume to continue it or --force to replace it")
    return None


def replace_run_folder(run_dir: Path) -> None:
    """Delete an existing run folder before a `--force` run writes its own; anything else is left alone."""
    run_dir = Path(run_dir)
    if run_dir.is_dir() and any(run_dir.iterdir()):
        if not is_run_folder(run_dir):  # checked before training too: a folder changed meanwhile is kept
            raise RunFolderError(f"{run_dir} is no longer a gankit run folder; it was left as it is")
        shutil.rmtree(run_dir)
