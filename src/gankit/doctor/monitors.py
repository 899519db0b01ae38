"""The monitors: one small function per failure mode, each over the logged statistics, each with named thresholds.

A monitor speaks only on sustained evidence: its condition must hold on at least ``min_intervals`` consecutive
logging intervals (``min_probes`` probes for mode collapse), so a short run or a single noisy interval never
raises a finding. A statistic that a loss does not log (``acc/*`` for Wasserstein critics) switches off the
checks that need it. `diagnose` runs them all.
"""

from __future__ import annotations

import math
from itertools import accumulate
from statistics import median
from typing import Any, Sequence

from gankit.doctor.collapse import check_mode_collapse
from gankit.doctor.findings import Finding, remedies
from gankit.doctor.series import (
    LOSS_D_UNIT,
    as_float,
    chosen_episode,
    episodes,
    has_stat,
    is_non_finite,
    loss_family,
    rounded,
    series,
    severity,
    span_text,
    trailing_median,
    values_by_step,
)
from gankit.errors import ConfigError

# ------------------------------------------------------------------------------------------------ thresholds
VANISHING_GRADIENTS = {
    "min_intervals": 5,        # consecutive logging intervals the condition must hold
    "d_fake_max": 0.01,        # minimax: mean D(G(z)) below this; d/dl log(1 - sigmoid(l)) = -D(G(z)), so G gets
                               # under 1% of the signal the non-saturating loss would give it
    "grad_drop": 0.5,          # minimax: median grad_norm/G over the episode at most this fraction of its peak
                               # before (it has at least halved: D's sharpening Jacobian offsets part of the
                               # saturation, and Adam rescales steps, so the norm falls less than D(G(z)) does)
    "grad_collapse": 0.01,     # other losses: grad_norm/G below this fraction of its running peak
    "d_acc_min": 0.8,          # other losses, when D's accuracy is logged: only while D wins (mean of acc/real and
                               # acc/fake at least this); a small gradient with D at chance is a converged game
    "smoothing": 3,            # trailing-median width applied to grad_norm/G before taking its peak
}
DISCRIMINATOR_OVERPOWERING = {
    "min_intervals": 5,
    "acc_min": 0.98,           # acc/real and acc/fake both at least this
    "loss_d_max": 0.01,        # and loss/D at most this many units of LOSS_D_UNIT (0.0139 for the log losses; a
                               # healthy DCGAN's D, ahead early in training, stays above 0.025 units)
}
NON_CONVERGENCE = {
    "min_window": 10,          # the monitor looks at the last half of the run, at least this many intervals
    "oscillation_max": 0.5,    # p90 - p10 of detrended loss/D over the window, in units of LOSS_D_UNIT
    "drift_max": 0.5,          # change of the linear trend of loss/D across the window, in units
}
NAN = {
    "explode_factor": 1000.0,  # grad_norm/* above this multiple of its median over the first intervals ...
    "explode_min": 100.0,      # ... and above this absolute value (a near-zero start is no reference)
    "reference_intervals": 3,  # how many first intervals set that reference
}
MODE_COLLAPSE = {
    "min_probes": 3,           # consecutive probes that must agree (a healthy ring GAN contracts for a moment
                               # early on, which one probe in two can catch)
    "diversity_min": 0.2,      # mean pairwise distance of fakes / that of reals below this ...
    "rise_min": 0.2,           # ... and not grown by more than this fraction since the previous probe ...
    "rise_abs": 0.02,          # ... and by more than this much (noise on a point-like cloud is no spreading out)
    "modes_fraction": 0.5,     # at most this fraction of the known modes occupied ...
    "occupied_min": 0.5,       # ... while at least this fraction of samples sits at a mode (G has found modes)
    "classes_fraction": 0.5,   # at most this fraction of the classes predicted by a classifier
    "final_diversity_min": 0.3,  # the probe of the finished run's samples alone: fakes this close together are
                                 # near-identical whatever came before (a healthy run ends near 1)
}
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "vanishing_gradients": VANISHING_GRADIENTS,
    "discriminator_overpowering": DISCRIMINATOR_OVERPOWERING,
    "non_convergence": NON_CONVERGENCE,
    "nan": NAN,
    "mode_collapse": MODE_COLLAPSE,
}

_D_RUNAWAY = ("optim.lr_d lower (two time-scale)", "train.d_steps=1", "model.spectral_norm=true", "reg.r1_gamma=10",
              "instance noise", "one-sided label smoothing", "DiffAugment")


def merged_thresholds(overrides: dict[str, dict[str, float]] | None) -> dict[str, dict[str, float]]:
    """`DEFAULT_THRESHOLDS` with `overrides` ({monitor: {key: value}}) applied; unknown names are refused."""
    merged = {name: dict(values) for name, values in DEFAULT_THRESHOLDS.items()}
    for name, values in (overrides or {}).items():
        if name not in merged:
            raise ConfigError(f"doctor thresholds: unknown monitor '{name}' (known: {', '.join(merged)})")
        for key, value in values.items():
            if key not in merged[name]:
                raise ConfigError(f"doctor thresholds: unknown key '{name}.{key}' (known: {', '.join(merged[name])})")
            merged[name][key] = value
    return merged


def _d_accuracy_by_step(records: Sequence[dict]) -> dict[int, float]:
    """D's accuracy, the mean of acc/real and acc/fake, at each step that logs both (empty for a critic)."""
    real, fake = dict(series(records, "acc/real")), dict(series(records, "acc/fake"))
    return {step: (real[step] + fake[step]) / 2 for step in real.keys() & fake.keys()}


def check_vanishing_gradients(records: Sequence[dict], family: str, th: dict[str, float]) -> Finding | None:
    """The generator's gradient vanishes because D rejects its samples with certainty.

    With the saturating minimax loss min_G E log(1 - D(G(z))) (Goodfellow et al. 2014) the gradient with respect
    to D's logit l is -sigmoid(l) = -D(G(z)): once D is near-perfect it vanishes, and Arjovsky & Bottou (2017,
    "Towards Principled Methods for Training GANs", Thm. 2.4) show the gradient through an optimal D goes to 0.
    Minimax: D(G(z)) < ``d_fake_max`` on ``min_intervals`` consecutive intervals and the median grad_norm/G over
    that stretch below ``grad_drop`` times its peak up to the stretch's start. Other losses (no saturation in
    the logit): grad_norm/G below ``grad_collapse`` times its running peak (a trailing median of
    ``smoothing`` intervals) on ``min_intervals`` consecutive intervals, and, where D's accuracy is logged,
    D winning on them (mean of acc/real and acc/fake at least ``d_acc_min``). A gradient that is small while D
    is at chance (D(G(z)) ≈ 0.5, loss/D ≈ log 4) is a game at its equilibrium, not a vanishing gradient.
    """
    grads = series(records, "grad_norm/G")
    if len(grads) < th["min_intervals"]:
        return None
    if family == "minimax":
        fake = series(records, "D(G(z))")
        if len(fake) < th["min_intervals"]:
            return None
        steps = [s for s, _ in fake]
        found = episodes(steps, [v < th["d_fake_max"] for _, v in fake], int(th["min_intervals"]))
        episode = chosen_episode(found)
        if episode is None:
            return None
        peak = max(v for s, v in grads if s <= episode.start_step)
        during = [v for s, v in grads if episode.start_step <= s <= episode.end_step]
        ratio = median(during) / peak if during and peak > 0 else 1.0
        if ratio >= th["grad_drop"]:
            return None
        fake_during = [(s, v) for s, v in fake if episode.start_step <= s <= episode.end_step]
        evidence = {
            "statistic": ["D(G(z))", "grad_norm/G"],
            "D(G(z))": values_by_step(fake_during), "D(G(z)) threshold": th["d_fake_max"],
            "grad_norm/G median": rounded(median(during)), "grad_norm/G peak before": rounded(peak),
            "grad_norm/G ratio": rounded(ratio), "ratio threshold": th["grad_drop"],
            "since_step": episode.start_step, "until_step": episode.end_step, "ongoing": episode.ongoing,
        }
        fake_median = median(v for _, v in fake_during)
        message = (f"The discriminator rejects the fakes with certainty (D(G(z)) = {fake_median:.2g} "
                   f"{span_text(episode.start_step, episode.end_step, episode.ongoing)}) and the saturating minimax "
                   f"loss leaves the generator {ratio:.1%} of its peak gradient norm.")
        return Finding("vanishing_gradients", severity(episode.ongoing), episode.start_step, evidence, message,
                       remedies("loss=nonsaturating", "loss=wgan-gp", "optim.lr_d lower (two time-scale)",
                                "train.d_steps=1", "instance noise", "model.spectral_norm=true"))
    values = [v for _, v in grads]
    smooth = trailing_median(values, int(th["smoothing"]))
    running_peak = list(accumulate(smooth, max))
    steps = [s for s, _ in grads]
    flags = [v < th["grad_collapse"] * p for v, p in zip(values, running_peak)]
    accuracy = _d_accuracy_by_step(records)
    if accuracy:
        flags = [f and accuracy.get(step, 1.0) >= th["d_acc_min"] for f, step in zip(flags, steps)]
    found = episodes(steps, flags, int(th["min_intervals"]))
    episode = chosen_episode(found)
    if episode is None:
        return None
    peak = running_peak[episode.start]
    during = values[episode.start: episode.end + 1]
    evidence = {
        "statistic": "grad_norm/G", "grad_norm/G": values_by_step(grads[episode.start: episode.end + 1]),
        "grad_norm/G peak before": rounded(peak), "ratio threshold": th["grad_collapse"],
        "since_step": episode.start_step, "until_step": episode.end_step, "ongoing": episode.ongoing,
    }
    if accuracy:  # the condition beside the gradient's: D was winning over the stretch
        evidence["D accuracy"] = values_by_step([(s, accuracy[s]) for s in steps[episode.start: episode.end + 1]
                                                 if s in accuracy])
        evidence["accuracy threshold"] = th["d_acc_min"]
    message = (f"The generator's gradient norm fell to {median(during) / peak:.2%} of its peak "
               f"{span_text(episode.start_step, episode.end_step, episode.ongoing)}: it barely learns.")
    return Finding("vanishing_gradients", severity(episode.ongoing), episode.start_step, evidence, message,
                   remedies("optim.lr_d lower (two time-scale)", "model.spectral_norm=true", "loss=wgan-gp",
                            "instance noise", "reg.r1_gamma=10"))


def check_discriminator_overpowering(records: Sequence[dict], family: str, th: dict[str, float]) -> Finding | None:
    """D separates real from fake almost perfectly and keeps doing so: loss/D -> 0 while loss/G climbs.

    Arjovsky & Bottou (2017) show that when the real and generated distributions have (near-)disjoint supports a
    perfect discriminator exists and training stalls or becomes unstable; Salimans et al. (2016) and Sønderby et
    al. (2017) address the over-confident D. Condition: acc/real and acc/fake both >= ``acc_min`` and
    loss/D <= ``loss_d_max`` x LOSS_D_UNIT (the loss of a D at chance) on ``min_intervals`` consecutive
    intervals. Needs acc/*: a Wasserstein critic has no decision threshold and is never judged here.
    """
    unit = LOSS_D_UNIT[family]
    if unit is None or not (has_stat(records, "acc/real") and has_stat(records, "acc/fake")):
        return None
    rows = [r for r in records if all(as_float(r.get(k)) is not None for k in ("acc/real", "acc/fake", "loss/D"))]
    if len(rows) < th["min_intervals"]:
        return None
    flags = [min(r["acc/real"], r["acc/fake"]) >= th["acc_min"] and r["loss/D"] <= th["loss_d_max"] * unit
             for r in rows]
    steps = [int(r["step"]) for r in rows]
    episode = chosen_episode(episodes(steps, flags, int(th["min_intervals"])))
    if episode is None:
        return None
    during = rows[episode.start: episode.end + 1]
    loss_g = series(records, "loss/G")
    before = [v for s, v in loss_g if s < episode.start_step]
    g_during = [v for s, v in loss_g if episode.start_step <= s <= episode.end_step]
    evidence = {
        "statistic": ["acc/real", "acc/fake", "loss/D"],
        "acc/real": values_by_step([(int(r["step"]), r["acc/real"]) for r in during]),
        "acc/fake": values_by_step([(int(r["step"]), r["acc/fake"]) for r in during]),
        "loss/D": values_by_step([(int(r["step"]), r["loss/D"]) for r in during]),
        "acc threshold": th["acc_min"], "loss/D threshold": rounded(th["loss_d_max"] * unit),
        "since_step": episode.start_step, "until_step": episode.end_step, "ongoing": episode.ongoing,
    }
    climb = ""
    if g_during:
        evidence["loss/G before"] = rounded(median(before)) if before else None
        evidence["loss/G during"] = rounded(median(g_during))
        if before and median(g_during) > median(before):
            climb = f" while loss/G climbed from {median(before):.3g} to {median(g_during):.3g}"
    acc = min(min(r["acc/real"], r["acc/fake"]) for r in during)
    message = (f"The discriminator tells real from fake with {acc:.1%}+ accuracy on both "
               f"{span_text(episode.start_step, episode.end_step, episode.ongoing)} (loss/D "
               f"{median(r['loss/D'] for r in during):.2g}){climb}: the generator cannot keep up.")
    names = _D_RUNAWAY if family != "minimax" else ("loss=nonsaturating",) + _D_RUNAWAY
    return Finding("discriminator_overpowering", severity(episode.ongoing), episode.start_step, evidence, message,
                   remedies(*names))


def _linear_fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope and intercept of ys on xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    return slope, my - slope * mx


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def check_non_convergence(records: Sequence[dict], family: str, th: dict[str, float]) -> Finding | None:
    """The game does not settle: loss/D oscillates with a large amplitude or keeps drifting late in training.

    GAN training is a game whose simultaneous gradient dynamics can cycle around an equilibrium instead of
    reaching it (Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs"; Mescheder et al. 2018, "Which Training
    Methods for GANs do actually Converge?"). Over the last half of the run (at least ``min_window`` intervals),
    fit a line to loss/D: the drift is the line's change across the window, the oscillation the p90 - p10 spread
    of what the line leaves. Either above its threshold, in units of LOSS_D_UNIT (the loss/D of a D at chance:
    2 log 2 for the log losses, 2 for hinge, 1/4 for least squares; for a Wasserstein critic the largest
    |loss/D| of the run, smoothed over 3 intervals), is a finding.
    """
    points = series(records, "loss/D")
    if len(points) < 2 * th["min_window"]:
        return None
    window = points[len(points) // 2:]
    unit = LOSS_D_UNIT[family]
    if unit is None:
        unit = max(abs(v) for v in trailing_median([v for _, v in points], 3))
        if unit <= 0:
            return None
    xs = [float(s) for s, _ in window]
    ys = [v for _, v in window]
    slope, intercept = _linear_fit(xs, ys)
    residuals = [y - (slope * x + intercept) for x, y in zip(xs, ys)]
    drift = slope * (xs[-1] - xs[0]) / unit
    oscillation = (_quantile(residuals, 0.9) - _quantile(residuals, 0.1)) / unit
    if abs(drift) <= th["drift_max"] and oscillation <= th["oscillation_max"]:
        return None
    since = window[0][0]
    evidence = {
        "statistic": "loss/D", "loss/D": values_by_step(window, limit=20), "unit": rounded(unit),
        "drift": rounded(drift), "drift threshold": th["drift_max"],
        "oscillation": rounded(oscillation), "oscillation threshold": th["oscillation_max"],
        "since_step": since, "until_step": window[-1][0], "ongoing": True,
    }
    what = []
    if oscillation > th["oscillation_max"]:
        what.append(f"swings by {oscillation:.2f} units (p90 - p10)")
    if abs(drift) > th["drift_max"]:
        what.append(f"drifts by {drift:+.2f} units")
    meaning = ("the loss of a discriminator at chance" if LOSS_D_UNIT[family] is not None
               else "the largest |loss/D| of the run")
    message = (f"The losses do not settle: since step {since} loss/D {' and '.join(what)} "
               f"(1 unit = {unit:.3g}, {meaning}).")
    return Finding("non_convergence", "warning", since, evidence, message,
                   remedies("reg.r1_gamma=10", "optim.lr_d lower (two time-scale)", "train.ema", "loss=wgan-gp",
                            "model.spectral_norm=true", "unrolled GAN"))


_NAN_REMEDIES = ("lower optim.lr_*", "loss=wgan-gp", "reg.r1_gamma=10", "model.spectral_norm=true")


def check_nan(records: Sequence[dict], diverged: Sequence[dict], th: dict[str, float]) -> Finding | None:
    """NaN or infinite losses, or gradient norms exploding towards them.

    A NaN/inf loss ends the run (the engine logs a ``diverged`` record and stops before writing the bad state);
    a logged non-finite training statistic is the same failure (an evaluation metric, ``eval/*``, may be
    undefined without anything diverging). Before it, gradient norms typically explode: any
    grad_norm/* above ``explode_factor`` times its median over the first ``reference_intervals`` intervals (and
    above ``explode_min``) is reported as a warning (too large a step size, or a D whose Lipschitz constant is
    unbounded: Miyato et al. 2018; Gulrajani et al. 2017).
    """
    exploding = _exploding_gradients(records, th)
    if diverged:
        record = diverged[0]
        evidence = {"statistic": "diverged", "message": record.get("message", ""), "step": int(record.get("step", 0))}
        if exploding is not None:
            evidence["exploding"] = exploding
        text = str(record.get("message", "a loss became NaN or infinite")).rstrip(".")
        return Finding("nan", "critical", int(record.get("step", 0)), evidence,
                       f"Training diverged: {text}.", remedies(*_NAN_REMEDIES))
    for record in records:
        bad = sorted(k for k, v in record.items()  # eval/*: a metric may be undefined (no sample near a mode)
                     if k not in ("step", "kind") and not k.startswith("eval/") and is_non_finite(v))
        if bad:
            step = int(record.get("step", 0))
            evidence = {"statistic": bad, "values": {k: str(record[k]) for k in bad}, "step": step}
            return Finding("nan", "critical", step, evidence,
                           f"{', '.join(bad)} became non-finite at step {step}.", remedies(*_NAN_REMEDIES))
    if exploding is not None:
        return Finding("nan", "warning", exploding["since_step"], exploding,
                       f"{exploding['statistic']} exploded to {exploding['value']:.3g}, "
                       f"{exploding['factor']:.0f}x its early level, at step {exploding['since_step']}: "
                       "a NaN is likely next.", remedies(*_NAN_REMEDIES))
    return None


def _exploding_gradients(records: Sequence[dict], th: dict[str, float]) -> dict[str, Any] | None:
    keys = sorted({k for r in records for k in r if k.startswith("grad_norm/")})
    first = None
    for key in keys:
        points = series(records, key)
        n_ref = int(th["reference_intervals"])
        if len(points) <= n_ref:
            continue
        reference = median(v for _, v in points[:n_ref])
        if reference <= 0:
            continue
        for step, value in points[n_ref:]:
            if value > th["explode_factor"] * reference and value > th["explode_min"]:
                if first is None or step < first["since_step"]:
                    first = {"statistic": key, "value": rounded(value), "reference": rounded(reference),
                             "factor": rounded(value / reference), "factor threshold": th["explode_factor"],
                             "since_step": step}
                break
    return first


# ------------------------------------------------------------------------------------------------ all of them
_ORDER = {"nan": 0, "vanishing_gradients": 1, "discriminator_overpowering": 2, "mode_collapse": 3, "non_convergence": 4}


def diagnose(records: list[dict], *, probes: list[dict] | None = None, final_probe: dict | None = None,
             loss: str | None = None, thresholds: dict[str, dict[str, float]] | None = None) -> list[Finding]:
    """Every failure mode the logged statistics show, ordered by the step it started.

    `records` are metrics.jsonl records (`gankit.training.stats.read_metrics(run, kind=None)`): ``train``
    records feed the monitors, a ``diverged`` record becomes a ``nan`` finding, and ``probe`` records (what
    `DoctorHook` logs) are the probes unless `probes` is given, and a ``final_probe`` record (the finished
    run's samples) is `final_probe` unless given. `loss` is the config's loss name (inferred from
    the records when None, see `gankit.doctor.series.loss_family`); `thresholds` overrides
    `DEFAULT_THRESHOLDS` per monitor. Pure: reads nothing, writes nothing.
    """
    th = merged_thresholds(thresholds)
    train = [r for r in records if r.get("kind", "train") == "train"]
    diverged = [r for r in records if r.get("kind") == "diverged"]
    if probes is None:
        probes = [r for r in records if r.get("kind") == "probe"]
    if final_probe is None:  # the last one, unless the run trained on after it (resumed)
        final_probe = next((r for r in reversed(records) if r.get("kind") == "final_probe"), None)
        last_step = max((int(r.get("step", 0)) for r in train), default=0)
        if final_probe is not None and int(final_probe.get("step", 0)) < last_step:
            final_probe = None
    family = loss_family(train, loss)
    candidates = [
        check_nan(train, diverged, th["nan"]),
        check_vanishing_gradients(train, family, th["vanishing_gradients"]),
        check_discriminator_overpowering(train, family, th["discriminator_overpowering"]),
        check_mode_collapse(sorted(probes, key=lambda p: int(p.get("step", 0))), th["mode_collapse"], final_probe),
        check_non_convergence(train, family, th["non_convergence"]),
    ]
    found = [f for f in candidates if f is not None]
    return sorted(found, key=lambda f: (f.since_step, _ORDER[f.name]))
