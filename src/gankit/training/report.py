"""End-of-run report files: plots drawn from ``metrics.jsonl`` (losses, discriminator outputs and accuracies)
and the run's summary.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gankit.atomic import atomic_write_text
from gankit.training.stats import read_metrics


def write_run_summary(run_dir: Path, summary: dict[str, Any]) -> None:
    """The training curves (report/training_curves.png) and `summary` as report/summary.json."""
    (run_dir / "report").mkdir(exist_ok=True)
    plot_training_curves(run_dir, run_dir / "report" / "training_curves.png")
    atomic_write_text(run_dir / "report" / "summary.json", json.dumps(summary, indent=2))


def plot_training_curves(run_dir: Path, out_path: Path) -> Path | None:
    """Plot every logged ``loss/*`` series, D(x) and D(G(z)), and D's accuracy against the step."""
    from gankit.previews import pyplot

    plt = pyplot()

    records = read_metrics(run_dir)
    if not records:
        return None
    steps = [r["step"] for r in records]

    def series(name: str) -> list[float]:
        return [float(r.get(name, float("nan"))) for r in records]

    names = sorted({k for r in records for k in r})
    panels = [
        ("losses", [n for n in names if n.startswith("loss/")]),
        ("discriminator outputs", [n for n in ("D(x)", "D(G(z))") if n in names]),
        ("discriminator accuracy", [n for n in names if n.startswith("acc/")]),
        ("gradient norms", [n for n in names if n.startswith("grad_norm/")]),
    ]
    panels = [p for p in panels if p[1]]
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 2.6 * len(panels)), sharex=True, squeeze=False)
    for ax, (title, keys) in zip(axes[:, 0], panels):
        for key in keys:
            ax.plot(steps, series(key), label=key, linewidth=1)
        if title == "gradient norms":
            ax.set_yscale("log")
        ax.set_title(title)
        ax.legend(loc="best", fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("generator step")
    fig.tight_layout()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, dpi=100)
    plt.close(fig)
    return out_path
