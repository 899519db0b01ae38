"""The mode-collapse monitor: read from probes of generated samples rather than from the losses."""

from __future__ import annotations

from typing import Any, Sequence

from gankit.doctor.findings import Finding, remedies
from gankit.doctor.series import as_float, chosen_episode, episodes, severity, span_text


def _collapsed(probe: dict, previous: dict | None, th: dict[str, float]) -> list[str]:
    """The statistics by which one probe shows collapse (empty when none does).

    A statistic counts only when it is below its threshold and has not improved since the previous probe
    (diversity_ratio grown by more than the fraction ``rise_min`` and by more than ``rise_abs``, a count grown
    at all): a generator that is still spreading out, as every generator does early in training, is learning
    rather than collapsed, while a ratio that flickers between 0.01 and 0.015 is a collapsed one.
    """
    def value(record: dict | None, key: str) -> float | None:
        return as_float(record.get(key)) if record is not None else None

    def improving(key: str, factor: float = 1.0, margin: float = 0.0) -> bool:
        now, before = value(probe, key), value(previous, key)
        return now is not None and before is not None and now > before * factor and now - before > margin

    reasons = []
    ratio = value(probe, "diversity_ratio")
    rising = improving("diversity_ratio", 1 + th["rise_min"], th["rise_abs"])
    if ratio is not None and ratio < th["diversity_min"] and not rising:
        reasons.append("diversity_ratio")
    occupied, total, share = (value(probe, k) for k in ("modes_occupied", "num_modes", "occupied_fraction"))
    if (occupied is not None and total and occupied <= th["modes_fraction"] * total
            and (share or 0.0) >= th["occupied_min"] and not improving("modes_occupied")):
        reasons.append("modes_occupied")
    classes, n_classes = value(probe, "classes_covered"), value(probe, "num_classes")
    if classes is not None and n_classes and classes <= th["classes_fraction"] * n_classes \
            and not improving("classes_covered"):
        reasons.append("classes_covered")
    return reasons


def _number(record: dict, key: str) -> float:
    value = as_float(record.get(key))
    return float("nan") if value is None else value


def check_mode_collapse(probes: Sequence[dict], th: dict[str, float], final: dict | None = None) -> Finding | None:
    """The generator produces one or a few outputs (Goodfellow 2016, NIPS tutorial Sec. 5.1.1, "the Helvetica
    scenario"; Metz et al. 2017; Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN).

    Read from probes of generated samples (see `gankit.doctor.probes.sample_diversity`): a probe shows collapse
    when the mean pairwise distance of the fakes is below ``diversity_min`` times that of real samples, when at
    most ``modes_fraction`` of a mixture's known modes are occupied while at least ``occupied_min`` of the
    samples sit at a mode (`gankit.doctor.probes.mode_occupancy`), or when a classifier finds at most
    ``classes_fraction`` of the classes; each only while the statistic is not improving (see `_collapsed`).
    ``min_probes`` consecutive probes must agree. Failing that, the `final` probe (of the finished run's
    samples) alone shows collapse when its diversity ratio is below ``final_diversity_min``.
    """
    if len(probes) < th["min_probes"]:
        return _final_grid_collapsed(final, th)
    reasons = [_collapsed(p, probes[i - 1] if i else None, th) for i, p in enumerate(probes)]
    steps = [int(p.get("step", 0)) for p in probes]
    episode = chosen_episode(episodes(steps, [bool(r) for r in reasons], int(th["min_probes"])))
    if episode is None:
        return _final_grid_collapsed(final, th)
    during = probes[episode.start: episode.end + 1]
    stats = sorted({name for r in reasons[episode.start: episode.end + 1] for name in r})
    evidence: dict[str, Any] = {"statistic": stats, "since_step": episode.start_step, "until_step": episode.end_step,
                                "ongoing": episode.ongoing}
    for key in ("diversity_ratio", "modes_occupied", "occupied_fraction", "modes_covered", "classes_covered"):
        if any(key in p for p in during):
            evidence[key] = {str(p.get("step")): p.get(key) for p in during if key in p}
    last = during[-1]
    parts = []
    if "diversity_ratio" in stats:
        evidence["diversity_ratio threshold"] = th["diversity_min"]
        parts.append(f"its samples are {_number(last, 'diversity_ratio'):.0%} as spread out as real data")
    if "modes_occupied" in stats:
        evidence["num_modes"] = last.get("num_modes")
        evidence["modes threshold"] = th["modes_fraction"] * float(last.get("num_modes", 0))
        parts.append(f"{_number(last, 'occupied_fraction'):.0%} of its samples sit at only "
                     f"{last.get('modes_occupied')} of {last.get('num_modes')} modes")
    if "classes_covered" in stats:
        evidence["num_classes"] = last.get("num_classes")
        evidence["classes threshold"] = th["classes_fraction"] * float(last.get("num_classes", 0))
        parts.append(f"a classifier finds {last.get('classes_covered')} of {last.get('num_classes')} classes")
    message = (f"The generator has collapsed {span_text(episode.start_step, episode.end_step, episode.ongoing)}: "
               f"{'; '.join(parts)}.")
    return Finding("mode_collapse", severity(episode.ongoing), episode.start_step, evidence, message,
                   remedies("minibatch discrimination", "PacGAN packing", "unrolled GAN", "loss=wgan-gp",
                            "train.ema", "optim.lr_d lower (two time-scale)"))


def _final_grid_collapsed(last: dict | None, th: dict[str, float]) -> Finding | None:
    """The finished run's samples alone (the probe the doctor takes at the end): nearly identical images are
    collapse whatever the earlier probes said, since they are what the user gets."""
    if last is None:
        return None
    ratio = as_float(last.get("diversity_ratio"))
    if ratio is None or ratio >= th["final_diversity_min"]:
        return None
    step = int(last.get("step", 0))
    evidence = {"statistic": ["diversity_ratio"], "since_step": step, "until_step": step, "ongoing": True,
                "diversity_ratio": {str(step): last.get("diversity_ratio")},
                "final_diversity_min": th["final_diversity_min"]}
    message = (f"The generator's final samples are nearly identical: they are {ratio:.0%} as spread out as real "
               f"data (see samples/final.png).")
    return Finding("mode_collapse", severity(True), step, evidence, message,
                   remedies("minibatch discrimination", "PacGAN packing", "unrolled GAN", "loss=wgan-gp",
                            "train.ema", "optim.lr_d lower (two time-scale)"))
