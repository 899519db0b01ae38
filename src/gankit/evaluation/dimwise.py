"""medGAN's measures in `gankit eval` (`gankit.metrics.dimwise`) for a table run whose columns are all binary:
the rows as 0/1 code matrices (`gankit.data.table_codes`), the scores, and the paper's two scatter plots
(Choi et al. 2017, Figure 2) drawn side by side by ``--plot FILE.png``.

Scores: ``dwp_correlation`` and ``dwp_mean_abs_diff`` (dimension-wise probability, synthetic against the
training rows), ``dwpred_f1_real`` and ``dwpred_f1_synthetic`` (dimension-wise prediction on the held-out rows,
mean F1 over the columns scored), ``dwpred_f1_gap`` (their difference, real - synthetic) and
``dwpred_mean_abs_gap`` (mean per-column |F1 difference|).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gankit.data.table_codes import code_columns, to_codes
from gankit.errors import ConfigError
from gankit.metrics.dimwise import (DimensionWisePrediction, DimensionWiseProbability, dimension_wise_prediction,
                                    dimension_wise_probability)
from gankit.previews import atomic_save_figure, pyplot


def binary_layout(columns) -> list | None:
    """The code layout of a table's fitted columns when every one is binary, else None."""
    try:
        layout = code_columns(columns)
    except ConfigError:
        return None
    return layout if all(c.kind == "binary" for c in layout) else None


def not_binary_reason(columns) -> str:
    """Why a table's columns are not all binary (the first column that is not), for a one-line error."""
    try:
        layout = code_columns(columns)
    except ConfigError as exc:
        return str(exc).split(";")[0]
    first = next(c for c in layout if c.kind != "binary")
    return f"column '{first.name}' is a count"


def dimwise_scores(synthetic, train, test, layout, seed: int = 0
                   ) -> tuple[dict[str, float], DimensionWiseProbability, DimensionWisePrediction | None]:
    """The module docstring's scores of the frames, and the two measures they summarise (prediction None
    without held-out rows)."""
    s, r = to_codes(synthetic, layout), to_codes(train, layout)
    probability = dimension_wise_probability(r, s)
    out = {"dwp_correlation": probability.correlation, "dwp_mean_abs_diff": probability.mean_abs_diff}
    prediction = None
    if len(test):
        prediction = dimension_wise_prediction(s, r, to_codes(test, layout), seed=seed)
        out.update({"dwpred_f1_real": prediction.mean_real, "dwpred_f1_synthetic": prediction.mean_synthetic,
                    "dwpred_f1_gap": prediction.mean_real - prediction.mean_synthetic,
                    "dwpred_mean_abs_gap": prediction.mean_abs_gap, "dwpred_columns": float(len(prediction.columns))})
    return out, probability, prediction


def save_dimwise_figure(probability: DimensionWiseProbability, prediction: DimensionWisePrediction | None,
                        path: str | Path, title: str = "") -> Path:
    """Dimension-wise probability (left) and prediction (right): one point per column, real on x, synthetic on
    y, the diagonal for reference; written atomically as PNG."""
    plt = pyplot()
    panels = 2 if prediction is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(3.8 * panels, 3.8), squeeze=False)
    data: list[tuple[Any, Any, str, str]] = [
        (probability.real, probability.synthetic, f"dimension-wise probability (r = {probability.correlation:.3f})",
         "success rate")]
    if prediction is not None:
        data.append((prediction.f1_real, prediction.f1_synthetic,
                     f"dimension-wise prediction (F1 {prediction.mean_real:.3f} vs {prediction.mean_synthetic:.3f})",
                     "F1"))
    for ax, (x, y, label, unit) in zip(axes[0], data):
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, zorder=0)
        ax.scatter(np.asarray(x), np.asarray(y), s=16, color="tab:blue", alpha=0.8)
        ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))  # points at F1 = 1 stay visible
        ax.set_xlabel(f"real data {unit}", fontsize=8)
        ax.set_ylabel(f"synthetic data {unit}", fontsize=8)
        ax.set_title(label, fontsize=8)
        ax.tick_params(labelsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    try:
        return atomic_save_figure(fig, path)
    finally:
        plt.close(fig)
