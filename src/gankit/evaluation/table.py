"""Evaluating a table run (`gankit.metrics.table`): ``n`` synthetic rows (default: as many as the training rows)
against the run's own training rows (fidelity, privacy) and its held-out rows (utility, the privacy baseline).

Metric groups (``--metrics``): ``fidelity`` (shape_score, ks_mean, tv_mean, and SDMetrics' quality report:
sdv_quality, sdv_column_shapes, sdv_pair_trends), ``utility`` (train on synthetic /
train on real, macro-F1 or R² of ``data.target``; needs a target and held-out rows), ``privacy`` (DCR against
held-out rows, exact copies), and for a table whose columns are all binary (a medGAN run, say) ``dimwise``:
medGAN's dimension-wise probability and prediction (`gankit.evaluation.dimwise`), on by default there; its two
scatter plots go to ``plot`` (``gankit eval RUN --plot FILE.png``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from gankit.data.table import raw_table, split_frame, table_meta
from gankit.errors import ConfigError
from gankit.evaluation.dimwise import binary_layout, dimwise_scores, not_binary_reason, save_dimwise_figure
from gankit.evaluation.series_plot import check_plot_path
from gankit.metrics.table import fidelity, privacy, utility
from gankit.metrics.table_quality import quality_report
from gankit.sampling import load_generator
from gankit.sampling.table import sample_table

TABLE_METRICS = ("fidelity", "utility", "privacy", "dimwise")


def table_scores(synthetic, train, test, target: str | None, metrics: Sequence[str] = TABLE_METRICS[:3],
                 seed: int = 0) -> dict[str, float]:
    """The metrics of a synthetic table beside its real training and held-out rows (what benchmarks call);
    ``dimwise`` is `gankit.evaluation.dimwise.dimwise_scores`, which needs the run's column layout."""
    out: dict[str, float] = {}
    if "fidelity" in metrics:
        out.update(fidelity(train, synthetic))
        out.update(quality_report(train, synthetic))
    if "utility" in metrics and target is not None and len(test):
        out.update(utility(synthetic, train, test, target, seed=seed))
    if "privacy" in metrics:
        out.update(privacy(synthetic, train, test))
    return out


def evaluate_table(run: str | Path, *, metrics: Sequence[str] | None, n: int | None, seed: int,
                   device: torch.device, cache: Path, say: Callable[[str], None] = lambda message: None,
                   plot: str | Path | None = None) -> dict[str, Any]:
    """The metrics of a table run (module docstring): the flat dict + ``settings`` of `evaluate_source`."""
    for name in metrics or ():
        if name not in TABLE_METRICS:
            raise ConfigError(f"metric {name!r} does not apply to a table run; choose from {','.join(TABLE_METRICS)}")
    if n is not None and n <= 0:
        raise ConfigError(f"--n must be positive, got {n}")
    if plot is not None:
        check_plot_path(plot)
    loaded = load_generator(run, device)
    columns = table_meta(loaded.data.extra)[0].columns
    layout = binary_layout(columns)
    chosen = tuple(metrics) if metrics is not None else TABLE_METRICS[:3] + (("dimwise",) if layout else ())
    if ("dimwise" in chosen or plot is not None) and layout is None:
        what = "metric 'dimwise'" if "dimwise" in chosen else "--plot"
        raise ConfigError(f"{what} needs a table of binary columns; in {run}, {not_binary_reason(columns)}")
    if plot is not None and "dimwise" not in chosen:
        raise ConfigError("--plot draws the dimension-wise plots of metric 'dimwise': add it to --metrics")
    d = loaded.config.data
    train, test = split_frame(raw_table(d.name, d.path), d.holdout, loaded.config.seed if d.seed is None else d.seed)
    count = n or len(train)
    say(f"sampling {count} rows from {run}")
    synthetic = sample_table(loaded, count, seed=seed)
    result: dict[str, Any] = table_scores(synthetic, train, test, d.target, chosen, seed=seed)
    if "dimwise" in chosen:
        scores, probability, prediction = dimwise_scores(synthetic, train, test, layout, seed=seed)
        result.update(scores)
        if plot is not None:
            save_dimwise_figure(probability, prediction, plot, title=f"{d.name}, {count} synthetic rows, step {loaded.step}")
    skipped = [] if d.target is not None or "utility" not in chosen else ["utility: the run has no data.target"]
    result["settings"] = {
        "source": str(run), "source_kind": "table", "checkpoint": str(loaded.checkpoint), "step": loaded.step,
        "n_fake": count, "n": count, "seed": seed,
        "ref": {"dataset": d.name, "split": f"train; utility and DCR against {len(test)} held-out rows",
                "n": len(train), "identity": f"{d.name} training rows", "shape": [len(train.columns)]},
        "extractor": None, "extractor_id": "none", "classifier": None, "precision": "fp32", "skipped": skipped,
        "cache_dir": str(cache),
    }
    return result
