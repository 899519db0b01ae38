"""The Python API: everything the CLI does is one call here.

>>> from gankit import api
>>> result = api.train("gan-ring", out="runs/ring", overrides=["train.steps=500"])
>>> images = api.sample("runs/ring", n=2500)

Training lives here; sampling a finished run is `gankit.sampling`, evaluating it `gankit.evaluation`, both
re-exported below so that every verb is one call on `gankit.api`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gankit.atomic import atomic_write_text
from gankit.config import (Config, config_from_dict, dump_config, load_config, read_yaml, section_names,
                           with_absolute_paths)
from gankit.errors import ConfigError, DataError, RunFolderError
from gankit.evaluation import evaluate_source  # noqa: F401 (re-exported: the API's evaluation verb)
from gankit.evaluation.series import is_series_run  # noqa: F401 (gankit sample: paths for series runs)
from gankit.games import DataSpec, build_game
from gankit.sampling import (  # noqa: F401 (re-exported: the API's sampling verbs)
    DrawnSamples,
    Interpolation,
    LoadedGenerator,
    ProjectedImage,
    check_interpolation_output,
    check_projection_output,
    check_sample_output,
    draw_samples,
    find_checkpoint,
    jacobian_rejection_sampler,
    load_discriminator,
    load_generator,
    sample,
    sample_drs,
    sample_paths,
    sample_table,
    save_table,
    check_table_output,
    is_table_run,
    sample_series,
    save_paths_file,
    save_samples,
    Translations,
    check_translation_output,
    load_translator,
    parse_seeds,
    parse_style,
    save_interpolation,
    save_projection,
    save_translations,
    translate,
)
from gankit.sampling import interpolate  # noqa: F401 (the latent walk: gankit interpolate)
from gankit.sampling import project_image as project  # noqa: F401 (a real image into the latent: gankit project)
from gankit.sampling.styles import mix, style_mixing_grid  # noqa: F401 (re-exported: gankit mix)
from gankit.paths import make_dir
from gankit.training import checkpoint as ckpt
from gankit.training.run_folder import (  # noqa: F401
    RESUMABLE_CHANGES,
    amp_named,
    check_resumable,
    check_resumable_precision,
    check_run_dir,
    replace_run_folder,
)
from gankit.training.precision import choose_precision
from gankit.training.setup import data_spec_dict, load_data, resolve_device  # noqa: F401
from gankit.training.threads import use_threads  # noqa: F401 (the CLI's --threads for every verb)


def resolve_config(config: Config | str, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """The config `train` would run: a recipe name or YAML path loaded, or a `Config`, with `overrides` applied,
    and every key validated (a `Config` built in Python too) before anything is built or written."""
    if isinstance(config, Config):
        config = config_from_dict(config.to_dict(), overrides)
    else:
        config = load_config(config, overrides)
    return with_absolute_paths(config)


def resume_config(run_dir: str | Path, overrides: list[str] | tuple[str, ...] = (),
                  recipe: str | None = None) -> Config:
    """The config a resumed run continues with: the one its newest checkpoint was trained with (which
    config.yaml repeats), with `overrides` on top.

    A `recipe` named beside it must be the one the run was trained from (by name); it adds nothing, since
    the run keeps every key it was trained with (including earlier ``--set`` values).
    """
    latest = ckpt.latest_checkpoint(Path(run_dir) / "checkpoints")
    if latest is None:
        raise RunFolderError(f"nothing to resume: {run_dir} holds no checkpoint")
    _, state = ckpt.load_checkpoint(latest)
    config = config_from_dict(state["config"], overrides)
    if recipe is not None:
        named = load_config(recipe).name
        if named != config.name:
            raise RunFolderError(f"cannot resume {run_dir} with '{recipe}': it was trained from '{config.name}'; "
                                 "leave the recipe out to resume it")
    return with_absolute_paths(config)


@dataclass
class DryRun:
    """What `train(..., dry_run=True)` would have run: the resolved config and the start-up summary."""

    config: Config
    run_dir: Path
    summary: list[str]


def train(config: Config | str | None, out: str | Path | None = None, *,
          overrides: list[str] | tuple[str, ...] = (), resume: bool = False, force: bool = False,
          dry_run: bool = False):
    """Train a recipe name, a YAML path or a `Config`; returns a `TrainResult`.

    With `resume`, the run in `out` continues from its newest checkpoint and its own config.yaml (`config`
    may be None; `overrides` such as ``train.steps=2000`` apply on top, see `resume_config`).
    `dry_run` checks and builds everything, then returns a `DryRun` instead of training, writing nothing.
    Under `torchrun`, every process calls this; rank 0 alone writes the run folder.
    """
    from gankit.evaluation.hook import check_eval_settings
    from gankit.training.data_stream import DataStream
    from gankit.training.distributed import init_distributed, shutdown_distributed
    from gankit.training.summary import describe_run
    from gankit.training.trainer import Trainer

    if resume and not isinstance(config, Config):
        if out is None:
            raise RunFolderError("--resume needs --out RUN, the run folder to continue")
        config = resume_config(out, overrides, recipe=config)
    elif config is None:
        raise ConfigError("train needs a recipe or a YAML config (RECIPE_OR_YAML), or --resume --out RUN to continue a run")
    else:
        config = resolve_config(config, overrides)
    run_dir = Path(out) if out is not None else Path("runs") / config.name
    device = resolve_device(config.device)
    threads = use_threads(config.train.threads)
    dist = init_distributed(device)
    if dist.enabled and device.type == "cuda":
        device = torch.device("cuda", dist.local_rank)
        torch.cuda.set_device(device)
    try:
        if dist.is_main:
            check_run_dir(run_dir, resume=resume, force=force, data_paths=(config.data.path,))
        resume_from = ckpt.latest_checkpoint(run_dir / "checkpoints") if resume else None
        resume_state = None
        if resume_from is not None:
            resume_step, resume_state = ckpt.load_checkpoint(resume_from)
            check_resumable(resume_state["config"], config, run_dir)
            amp_changed = config.train.amp != resume_state["config"].get("train", {}).get("amp", False)
            check_resumable_precision(resume_state, config, device, run_dir, amp_named(overrides) or amp_changed)
            if resume_step >= config.train.steps:
                raise RunFolderError(f"cannot resume {run_dir}: it is already at step {resume_step}; "
                                     f"raise train.steps above {resume_step} to train on")
        dataset = load_data(config)
        spec = DataSpec.of(dataset)
        if len(dataset) < config.train.batch_size * config.train.accumulate * dist.world_size:
            raise DataError(f"dataset '{dataset.name}' has {len(dataset)} samples, fewer than one batch of "
                            f"{config.train.batch_size * config.train.accumulate * dist.world_size}")
        torch.manual_seed(config.seed)
        game = build_game(config, spec)
        check_eval_settings(config.eval, dataset, conditional=bool(game.num_classes))
        summary = describe_run(config, dataset, game, device=device, threads=threads, run_dir=run_dir,
                               world_size=dist.world_size)
        if dry_run:
            return DryRun(config, run_dir, summary)
        if dist.is_main and config.train.progress:
            print("\n".join(summary), file=sys.stderr, flush=True)
        torch.manual_seed(config.seed + 1000 * dist.rank)
        stream = DataStream.of(dataset, config.train.batch_size, seed=config.seed, device=device,
                            rank=dist.rank, world_size=dist.world_size, channels_last=config.train.channels_last,
                            needs=game.needs)
        trainer = Trainer(game, stream, config, run_dir, device, dist, examples=dataset.preview_examples(),
                          metadata={"data_spec": data_spec_dict(spec)}, hooks=training_hooks(config, dataset),
                          precision=choose_precision(config.train.amp, device, data_kind=dataset.kind))
        if resume_state is not None:
            trainer.load_state_dict(resume_state, resume_from)
        if dist.is_main:
            if force:
                replace_run_folder(run_dir)
            make_dir(run_dir, "run folder")
            atomic_write_text(run_dir / "config.yaml", dump_config(config))
            atomic_write_text(run_dir / "data.json", json.dumps(data_spec_dict(spec)))
        return trainer.run()
    finally:
        shutdown_distributed(dist)


def training_hooks(config: Config, dataset=None) -> list:
    """The watchers a config asks for: the doctor (`train.doctor`) and periodic evaluation (`eval.every`), then
    always, last so that their results are on it, the run report (report/index.html)."""
    hooks = []
    if config.train.doctor:
        from gankit.doctor import DoctorHook

        options = {"loss": config.loss, "seed": config.seed, "console": config.train.progress}
        hooks.append(DoctorHook.for_dataset(dataset, **options) if dataset is not None else DoctorHook(**options))
    if config.eval.every:
        from gankit.evaluation.hook import EvalHook

        hooks.append(EvalHook(config.eval))
    from gankit.reporting import ReportHook

    hooks.append(ReportHook(console=config.train.progress))
    return hooks


def run_info(run: str | Path) -> dict[str, Any]:
    """A summary of a run folder: config, data, checkpoints, the last logged statistics and the files."""
    from gankit.training.stats import read_metrics

    run = Path(run)
    if not (run / "config.yaml").is_file():
        raise RunFolderError(f"not a run folder: {run} (no config.yaml)")
    config = read_yaml((run / "config.yaml").read_text(encoding="utf-8"), str(run / "config.yaml"))
    records = read_metrics(run)
    checkpoints = ckpt.list_checkpoints(run / "checkpoints")
    summary_file = run / "report" / "summary.json"
    data_file = run / "data.json"
    sections = {k: v for k, v in config.items() if k in section_names()}  # the game family's own options
    return {
        "run": str(run),
        "name": config.get("name"),
        "description": config.get("description"),
        "game": config.get("game"),
        "loss": config.get("loss"),
        "model": None if sections else config.get("model", {}).get("arch"),  # a family with a section builds its own
        "sections": sections,
        "data": json.loads(data_file.read_text()) if data_file.is_file() else config.get("data"),
        "steps_planned": config.get("train", {}).get("steps"),
        "step": int(checkpoints[-1].name.split("-")[1]) if checkpoints else 0,
        "checkpoints": [p.name for p in checkpoints],
        "last_stats": records[-1] if records else None,
        "summary": json.loads(summary_file.read_text()) if summary_file.is_file() else None,
        "samples": sorted(p.name for p in (run / "samples").glob("*.png")) if (run / "samples").is_dir() else [],
    }


def report(runs: str | Path | list[str | Path] | tuple[str | Path, ...], out: str | Path | None = None, *,
           eval_results: list[str | Path | dict[str, Any]] | tuple[str | Path | dict[str, Any], ...] = (),
           force: bool = False) -> Path:
    """Write the report page of one run (default ``RUN/report/index.html``) or of several side by side (`out`
    needed); `eval_results` are ``gankit eval --json`` results (dicts or files) to show with their run.
    Returns the page's path. See `gankit.reporting.build_report` and docs/report.md."""
    from gankit.reporting import build_report

    return build_report(runs, out, eval_results=eval_results, force=force)
