"""Learning-rate schedules, as a factor of the configured rate for a given generator step.

``linear`` keeps the rate for the first ``decay_start`` of the run, then lowers it linearly to zero at the
last step: the schedule of pix2pix and CycleGAN (constant for half the epochs, then linear to zero; Isola et
al. 2017, Zhu et al. 2017) and, with ``decay_start = 0``, of SNGAN (Miyato et al. 2018). Late in training a
smaller step lets both players settle instead of circling each other, so the generator's weights, and the
average an EMA keeps of them, move less from step to step.
"""

from __future__ import annotations


def lr_factor(kind: str, step: int, total_steps: int, decay_start: float) -> float:
    """Multiplier of the base learning rate at `step` (0-based) of `total_steps`.

    none: 1. linear: 1 until s₀ = ⌊decay_start · total⌋, then (total − step) / (total − s₀), floored at 0.
    """
    if kind == "none":
        return 1.0
    if kind != "linear":
        raise ValueError(f"unknown learning-rate schedule {kind!r}")
    start = int(decay_start * total_steps)
    if step < start:
        return 1.0
    return max(0.0, (total_steps - step) / max(total_steps - start, 1))
