"""Evaluation during training: every `eval.every` steps, measure the current generator and keep the best one.

The hook writes a checkpoint of the current step, evaluates it exactly as `gankit eval` would (the sampling
network, its EMA when kept; the run's own data as reference; reference statistics and the domain classifier
cached), logs the numbers beside the losses (``eval/<metric>`` in metrics.jsonl and TensorBoard, plus one
``eval`` record with the settings), and copies the checkpoint to ``checkpoints/best/`` whenever the chosen
metric improves (atomically: a temporary copy renamed into place).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

from gankit.atomic import atomic_write_text
from gankit.config import EvalConfig, choice_error
from gankit.errors import ConfigError
from gankit.evaluation.defaults import METRIC_OUTPUTS
from gankit.evaluation.run import evaluate_source
from gankit.metrics.extractors.inception import find_inception_weights
from gankit.training import checkpoint as ckpt
from gankit.training.hooks import Hook, Trainer

#: Metrics where a larger value is better; every other metric (fid, kid, reverse_kl, ...) is better lower.
HIGHER_IS_BETTER = ("is", "precision", "recall", "density", "coverage", "modes_covered", "high_quality_fraction",
                    "label_accuracy", "label_accuracy_min")


def check_eval_settings(settings: EvalConfig, dataset=None, conditional: bool = False) -> None:
    """Check every ``eval.*`` key against the metrics and, when evaluation is on, against the data (and whether
    the game is class-conditional), before a run starts: a typo or an evaluation the data cannot support is a
    `ConfigError` now, not at step `every`."""
    names = [m.strip() for m in settings.metrics.split(",") if m.strip()]
    if not names:
        raise ConfigError(f"config key 'eval.metrics' names no metric; choose from {', '.join(METRIC_OUTPUTS)}")
    for name in names:
        if name not in METRIC_OUTPUTS:
            raise choice_error("eval.metrics", name, tuple(METRIC_OUTPUTS))
    outputs = [out for name in names for out in METRIC_OUTPUTS[name]]
    if settings.best not in outputs:
        owner = next((name for name, outs in METRIC_OUTPUTS.items() if settings.best in outs), None)
        if owner is None:
            raise choice_error("eval.best", settings.best, [o for outs in METRIC_OUTPUTS.values() for o in outs])
        raise ConfigError(f"config key 'eval.best' is '{settings.best}', which eval.metrics ({settings.metrics}) "
                          f"does not measure: add '{owner}' to eval.metrics")
    if not settings.every or dataset is None:
        return
    if dataset.kind == "table":
        raise ConfigError(f"eval.every does not measure table runs yet (dataset '{dataset.name}'): set eval.every=0 "
                          "and run gankit eval RUN after training")
    if dataset.kind == "series":
        raise ConfigError(f"eval.every does not measure series runs yet (dataset '{dataset.name}'): set eval.every=0 "
                          "and run gankit eval RUN after training")
    if dataset.kind == "image" and settings.extractor == "classifier" and not dataset.num_classes:
        raise ConfigError(f"eval.every with eval.extractor=classifier needs labelled images; dataset "
                          f"'{dataset.name}' has no labels: set eval.extractor=inception")
    if "modes" in names and getattr(dataset, "modes", None) is None:
        raise ConfigError(f"eval.metrics 'modes' needs a mixture with known modes (ring, grid), not '{dataset.name}'")
    for name in ("is", "classes"):
        if name in names and (dataset.kind != "image" or settings.extractor != "classifier"):
            raise ConfigError(f"eval.metrics '{name}' needs class logits: images with eval.extractor=classifier")
    if "labels" in names and not (conditional and settings.extractor == "classifier"):
        raise ConfigError("eval.metrics 'labels' measures a class-conditional generator through the domain "
                          "classifier: use a conditional game and eval.extractor=classifier")
    if dataset.kind == "image" and settings.extractor == "inception":
        find_inception_weights()  # its message says how to install them


def is_improvement(metric: str, value: float, best: float | None) -> bool:
    if best is None:
        return True
    return value > best if metric in HIGHER_IS_BETTER else value < best


class EvalHook(Hook):
    def __init__(self, settings: EvalConfig, cache_dir: str | Path | None = None) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self.best: float | None = None

    def _evaluate(self, trainer: Trainer) -> dict[str, Any]:
        path = trainer.save_checkpoint()
        return evaluate_source(path, metrics=self.settings.metrics, n=self.settings.n,
                               extractor=self.settings.extractor, seed=trainer.config.seed,
                               cache_dir=self.cache_dir, device=trainer.device, log=None), path

    def on_log(self, trainer: Trainer, stats: dict[str, float]) -> None:
        if not self.settings.every or trainer.step % self.settings.every:
            return
        best_file = trainer.run_dir / "checkpoints" / "best" / "best.json"
        if self.best is None and best_file.is_file():  # a resumed run keeps competing with its earlier best
            self.best = json.loads(best_file.read_text(encoding="utf-8"))["value"]
        result, path = self._evaluate(trainer)
        numbers = {k: float(v) for k, v in result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        stats.update({f"eval/{k}": v for k, v in numbers.items()})
        trainer.log_event("eval", {"metrics": numbers, "settings": json.loads(json.dumps(result["settings"],
                                                                                        default=str))})
        value = numbers.get(self.settings.best)
        if value is not None and math.isfinite(value) and is_improvement(self.settings.best, value, self.best):
            self.best = value
            self._keep_best(path, trainer.step, value)

    def _keep_best(self, path: Path, step: int, value: float) -> None:
        folder = path.parent
        tmp = folder / f".tmp-best-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        shutil.copytree(path, tmp)
        atomic_write_text(tmp / "best.json", json.dumps({"step": step, "metric": self.settings.best,
                                                               "value": value}))
        ckpt.replace_dir(tmp, folder / "best")
