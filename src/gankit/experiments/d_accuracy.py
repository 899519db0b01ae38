"""Experiment ``d-accuracy``: does the discriminator's accuracy fall towards 50% as the generator improves?

The tutorials' claim (e.g. Goodfellow et al. 2014, §4: at the equilibrium D(x) = 1/2 everywhere, so D can do
no better than chance). We train a small DCGAN on Fashion-MNIST (quick mode: an MLP GAN on the 8x8 digits)
with `gankit.api.train` and read the accuracies the engine logs in ``metrics.jsonl`` (`acc/real`: share of
real samples with D(x) > 1/2; `acc/fake`: share of fakes with D(G(z)) ≤ 1/2; each a mean over a logging
interval). The overall accuracy is their mean (the batches are balanced). Reported: its peak early in
training, its value at fixed fractions of training and over the last tenth, mean ± std over seeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gankit.experiments.common import ExperimentResult, format_mean_std, markdown_table, train_run
from gankit.previews import atomic_save_figure, pyplot


@dataclass(frozen=True)
class Settings:
    description: str
    config: dict[str, Any] = field(default_factory=dict)


FULL = Settings(
    "DCGAN (g_width = d_width = 16, z 64) on Fashion-MNIST at 28 px, non-saturating loss, batch 64, Adam 2e-4 β1 0.5, "
    "2,000 steps",
    {"data": {"name": "fashion-mnist", "img_size": 28},
     "model": {"arch": "dcgan", "z_dim": 64, "g_width": 16, "d_width": 16},
     "loss": "nonsaturating",
     "train": {"steps": 2000, "batch_size": 64, "log_every": 20},
     "optim": {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999}},
)
QUICK = Settings(
    "MLP GAN on the 8x8 digits, non-saturating loss, batch 64, Adam 2e-4 β1 0.5, 300 steps (quick mode)",
    {"data": {"name": "digits"},
     "model": {"arch": "mlp", "z_dim": 32, "g_hidden": [128, 256], "d_hidden": [256, 128]},
     "loss": "nonsaturating",
     "train": {"steps": 300, "batch_size": 64, "log_every": 10},
     "optim": {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999}},
)
FRACTIONS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0)


def accuracy_curve(run_dir: Path) -> dict[str, list[float]]:
    """Steps, acc/real, acc/fake and their mean from a run's metrics.jsonl."""
    from gankit.training.stats import read_metrics

    records = [r for r in read_metrics(run_dir) if "acc/real" in r and "acc/fake" in r]
    steps = [int(r["step"]) for r in records]
    real = [float(r["acc/real"]) for r in records]
    fake = [float(r["acc/fake"]) for r in records]
    return {"step": steps, "acc_real": real, "acc_fake": fake, "acc": [(a + b) / 2 for a, b in zip(real, fake)]}


def _at_fraction(curve: dict[str, list[float]], fraction: float, total: int) -> float:
    """The overall accuracy at the first logged step ≥ fraction × total."""
    target = fraction * total
    for step, acc in zip(curve["step"], curve["acc"]):
        if step >= target:
            return acc
    return curve["acc"][-1]


def curve_summary(curve: dict[str, list[float]], total: int) -> dict[str, float]:
    """Peak over the first quarter, the mean over the last tenth, the slope over the second half and the
    values at `FRACTIONS` of training.

    The slope is the least-squares line through (step, accuracy) for steps > total/2, in accuracy points per
    1,000 steps: negative when the accuracy is still falling.
    """
    steps, acc = np.asarray(curve["step"], dtype=float), np.asarray(curve["acc"], dtype=float)
    early = acc[steps <= 0.25 * total]
    late = acc[steps > 0.9 * total]
    second = steps > 0.5 * total
    slope = float(np.polyfit(steps[second], acc[second], 1)[0] * 1000 * 100) if second.sum() >= 2 else float("nan")
    out = {"peak_early": float(early.max()) if early.size else float("nan"),
           "last_tenth": float(late.mean()) if late.size else float(acc[-1]),
           "slope_second_half": slope}
    out.update({f"at_{fraction:g}": _at_fraction(curve, fraction, total) for fraction in FRACTIONS})
    return out


def run(workdir: Path, seeds: int, quick: bool) -> ExperimentResult:
    """Train `seeds` runs, read their accuracy curves, and tabulate them."""
    from gankit.config import config_from_dict

    settings = QUICK if quick else FULL
    total = settings.config["train"]["steps"]
    curves, summaries, seconds = [], [], []
    for seed in range(seeds):
        config = config_from_dict({**settings.config, "name": f"d-accuracy-seed{seed}", "seed": seed})
        run = train_run(config, Path(workdir) / f"seed{seed}")
        curve = accuracy_curve(run.run_dir)
        curves.append(curve)
        summaries.append(curve_summary(curve, total))
        seconds.append(run.cpu_seconds)

    def column(key: str) -> str:
        return format_mean_std([s[key] for s in summaries], 1, scale=100, suffix="%")

    header = ["where in training", "D accuracy (mean of acc/real and acc/fake)"]
    rows = [["peak in the first quarter", column("peak_early")]]
    rows += [[f"at {int(f * 100)}% of {total} steps", column(f"at_{f:g}")] for f in FRACTIONS]
    rows += [["mean over the last tenth", column("last_tenth")],
             ["slope over the second half (points / 1,000 steps)",
              format_mean_std([s["slope_second_half"] for s in summaries], 1)]]
    distance_peak = [abs(s["peak_early"] - 0.5) for s in summaries]
    distance_late = [abs(s["last_tenth"] - 0.5) for s in summaries]
    claim = all(late < peak and s["slope_second_half"] <= 0
                for late, peak, s in zip(distance_late, distance_peak, summaries))
    markdown = "\n".join([
        "## d-accuracy: does D's accuracy fall towards 50% as G improves?", "",
        f"{settings.description}; {seeds} seed(s), mean ± std; CPU {format_mean_std(seconds, 0)} s per run.", "",
        markdown_table(header, rows), "",
        "Claim (in every seed: the accuracy over the last tenth is closer to 50% than the early peak, and it is not "
        f"rising over the second half): {'holds' if claim else 'does NOT hold'}. Distance from 50%: "
        f"{format_mean_std(distance_peak, 1, 100, ' pts')} at the early peak, "
        f"{format_mean_std(distance_late, 1, 100, ' pts')} over the last tenth"
        + (" — it falls, but stays far from chance." if min(distance_late) > 0.1 else "."),
        "",
        "Reading it: the accuracy is the mean of acc/real and acc/fake, so a D that calls everything real (or "
        "everything fake) also scores 50%; the early steps show it. 50% means a *balanced* D that cannot tell, only "
        "when acc/real and acc/fake are both near 50% (the plot shows both).",
    ])
    data = {"settings": settings.description, "config": settings.config, "curves": curves, "summaries": summaries,
            "cpu_seconds": seconds}

    def plot(path: Path) -> None:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7, 4))
        length = min(len(c["step"]) for c in curves)
        steps = np.asarray(curves[0]["step"][:length])
        for key, colour, label in (("acc", "black", "accuracy (mean)"), ("acc_real", "tab:green", "acc/real"),
                                   ("acc_fake", "tab:red", "acc/fake")):
            values = np.asarray([c[key][:length] for c in curves])
            mean, std = values.mean(axis=0), values.std(axis=0)
            ax.plot(steps, mean, color=colour, lw=1.5 if key == "acc" else 1, label=label)
            ax.fill_between(steps, mean - std, mean + std, color=colour, alpha=0.15)
        ax.axhline(0.5, color="grey", ls="--", lw=1, label="chance (50%)")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("generator step")
        ax.set_ylabel("discriminator accuracy")
        ax.set_title(f"D accuracy over training, mean ± std over {len(curves)} seed(s)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        atomic_save_figure(fig, path)
        plt.close(fig)

    return ExperimentResult("d-accuracy", markdown, data, plot, claim_holds=claim)
