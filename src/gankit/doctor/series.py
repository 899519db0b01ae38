"""Reading statistics out of metrics.jsonl records: finite series, sustained episodes, the loss family.

Records are the dicts `gankit.training.stats.read_metrics` returns: ``{"step", "kind", <stat>: value}``; a
non-finite value is stored as the string ``"nan"``/``"inf"``. A statistic may be missing from some or all
records (a Wasserstein critic logs no ``acc/*``; a phase that runs every k steps logs only on some intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import median
from typing import Any, Sequence

# The value of loss/D when D cannot tell real from fake (it outputs its decision boundary): the natural unit in
# which to judge how far loss/D moves. None for Wasserstein critics, whose scores have no fixed scale.
LOSS_D_UNIT = {"minimax": 2 * math.log(2), "nonsaturating": 2 * math.log(2), "hinge": 2.0, "least-squares": 0.25,
               "wasserstein": None}


def as_float(value: Any) -> float | None:
    """`value` as a finite float, else None (missing, a ``"nan"``/``"inf"`` string, a bool or a non-number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def is_non_finite(value: Any) -> bool:
    """True for NaN/inf numbers and for the strings metrics.jsonl stores them as."""
    if isinstance(value, str):
        return value.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")
    return isinstance(value, float) and not math.isfinite(value)


def series(records: Sequence[dict], key: str) -> list[tuple[int, float]]:
    """``(step, value)`` for every record holding a finite value of `key`, in record order."""
    out = []
    for record in records:
        value = as_float(record.get(key))
        if value is not None:
            out.append((int(record.get("step", 0)), value))
    return out


def has_stat(records: Sequence[dict], key: str) -> bool:
    return any(key in r for r in records)


@dataclass(frozen=True)
class Episode:
    """A run of consecutive entries (indices ``start..end`` inclusive) where a condition held."""

    start: int
    end: int
    start_step: int
    end_step: int
    ongoing: bool  # it lasts up to the last entry

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def episodes(steps: Sequence[int], flags: Sequence[bool], min_length: int) -> list[Episode]:
    """Every run of at least `min_length` consecutive True flags."""
    out, start = [], None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= min_length:
                out.append(Episode(start, i - 1, steps[start], steps[i - 1], ongoing=i == len(flags)))
            start = None
    return out


def chosen_episode(found: list[Episode]) -> Episode | None:
    """The episode to report: the one still going on at the end if any, else the first."""
    if not found:
        return None
    return found[-1] if found[-1].ongoing else found[0]


def trailing_median(values: Sequence[float], width: int) -> list[float]:
    """``m_i = median(values[max(0, i - width + 1) .. i])``: damps single spikes, keeps the trend."""
    return [median(values[max(0, i - width + 1): i + 1]) for i in range(len(values))]


def loss_family(records: Sequence[dict], loss: str | None = None) -> str:
    """One of the keys of `LOSS_D_UNIT`: from the config's loss name when it is one of them, else inferred.

    Inference: no ``acc/*`` statistic means a Wasserstein critic; D outputs in [0, 1] mean a probabilistic loss,
    minimax when loss/G <= 0 (log(1 - D(G(z))) is never positive) and non-saturating otherwise; any other case
    is taken as hinge. Least-squares cannot be told from non-saturating by its records: pass `loss`.
    """
    if loss is not None:
        family = "wasserstein" if loss in ("wasserstein", "wgan-gp") else loss
        if family in LOSS_D_UNIT:
            return family  # a loss this module does not know (a plug-in's) is inferred like a missing one
    if not (has_stat(records, "acc/real") or has_stat(records, "acc/fake")):
        return "wasserstein"
    outputs = [v for key in ("D(x)", "D(G(z))") for _, v in series(records, key)]
    if outputs and all(0.0 <= v <= 1.0 for v in outputs):
        g_losses = [v for _, v in series(records, "loss/G")]
        return "minimax" if g_losses and all(v <= 0 for v in g_losses) else "nonsaturating"
    return "hinge"


def rounded(value: float, digits: int = 4) -> float:
    """`value` to `digits` significant digits, for evidence that stays readable in JSON."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, -int(math.floor(math.log10(abs(value)))) + digits - 1)


def values_by_step(points: Sequence[tuple[int, float]], limit: int = 12) -> dict[str, float]:
    """``{str(step): value}`` of the last `limit` points (JSON keys are strings)."""
    return {str(step): rounded(value) for step, value in list(points)[-limit:]}


def severity(ongoing: bool) -> str:
    """A finding still under way at the last record is critical; one that ended is a warning."""
    return "critical" if ongoing else "warning"


def span_text(since: int, until: int, ongoing: bool) -> str:
    """The steps a finding spans, in words."""
    return f"since step {since}" if ongoing else f"from step {since} to {until}"
