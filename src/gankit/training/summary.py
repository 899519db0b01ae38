"""What a run is about to do, in a few lines: printed when `gankit train` starts and by ``--dry-run``.

The device and threads, the arithmetic (`train.amp` resolved for the device, and why), the data found (size, shape, classes, where from), each network with its parameter
count, the phases and their schedule, and the length, batch and intervals of the run.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.config import Config
from gankit.training.precision import choose_precision


def parameter_count(module: torch.nn.Module) -> int:
    """Trainable and frozen parameters of `module` (each shared tensor once)."""
    return sum(p.numel() for p in {id(p): p for p in module.parameters()}.values())


def _phase_text(phase) -> str:
    when = "every step" if phase.every == 1 else f"every {phase.every} steps"
    times = f" x{phase.repeats}" if phase.repeats > 1 else ""
    return f"{phase.name} ({'+'.join(phase.updates)}, {when}{times})"


def describe_run(config: Config, dataset, game, *, device: torch.device, threads: int, run_dir: Path,
                 world_size: int = 1) -> list[str]:
    """The start-up summary of a run (see the module docstring), one item per line."""
    shape = "x".join(str(s) for s in dataset.x.shape[1:])
    classes = f", {dataset.num_classes} classes" if dataset.num_classes else ""
    names = getattr(dataset, "class_names", None)
    if names:
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        classes += f" ({shown})"
    source = f" from {config.data.path}" if config.data.path else ""
    precision = choose_precision(config.train.amp, device, data_kind=dataset.kind)
    ranks = f" x {world_size} processes" if world_size > 1 else ""
    things = {"points": "points", "series": "windows", "table": "rows"}.get(dataset.kind, f"{dataset.kind}s")
    lines = [
        f"run      {config.name} -> {run_dir}",
        f"device   {device}{ranks}, {threads} thread{'s' if threads != 1 else ''}",
        f"amp      {precision.describe()}",
        f"data     {dataset.name}: {len(dataset):,} {things} of {shape}{classes}{source}",
    ]
    for name, spec in game.networks.items():
        lines.append(f"{name:<8} {type(spec.module).__name__}, {parameter_count(spec.module):,} parameters"
                     f"{', EMA copy' if spec.ema else ''}")
    lines.append(f"phases   {', '.join(_phase_text(p) for p in game.phases())}")
    if game.stages():
        lines.append("stages   " + "; ".join(f"{s.name} from step {s.start:,}" + (f" ({s.about})" if s.about else "")
                                          for s in game.stages()))
    lines += game.summary_lines()
    t = config.train
    batch = f"{t.accumulate} x {t.batch_size} (accumulated)" if t.accumulate > 1 else f"{t.batch_size}"
    lines.append(f"train    {t.steps:,} steps of batch {batch}, loss {config.loss}; log every {t.log_every}, "
                 f"samples every {t.sample_every}, checkpoint every {t.ckpt_every}")
    return lines
