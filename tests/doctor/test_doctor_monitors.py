"""Each monitor on hand-made record sequences whose answer is obvious; diagnose as a whole; findings as data."""

import math

import pytest

from gankit.doctor import (
    DEFAULT_THRESHOLDS,
    FINDING_NAMES,
    REMEDIES,
    Finding,
    check_discriminator_overpowering,
    check_mode_collapse,
    check_nan,
    check_non_convergence,
    check_vanishing_gradients,
    diagnose,
)
from gankit.doctor.series import episodes, loss_family
from gankit.errors import ConfigError

TH = {name: dict(values) for name, values in DEFAULT_THRESHOLDS.items()}


def records(n, every=10, **stats):
    """n train records at steps every, 2*every, ...; each stat a constant or a list of n values."""
    out = []
    for i in range(n):
        record = {"step": (i + 1) * every, "kind": "train"}
        for key, value in stats.items():
            record[key.replace("__", "/").replace("DGz", "D(G(z))").replace("Dx", "D(x)")] = (
                value[i] if isinstance(value, list) else value)
        out.append(record)
    return out


def healthy(n, **extra):
    """A non-saturating GAN near equilibrium: D at ~chance, gradients steady."""
    stats = dict(loss__D=1.3, loss__G=0.8, Dx=0.55, DGz=0.45, acc__real=0.7, acc__fake=0.6, grad_norm__G=1.0,
                 grad_norm__D=0.5)
    stats.update(extra)
    return records(n, **stats)


# ------------------------------------------------------------------------------------------------ helpers
def test_episodes_finds_runs_of_the_minimum_length_and_marks_the_ongoing_one():
    steps = [10, 20, 30, 40, 50, 60, 70, 80]
    flags = [True, True, False, True, True, True, False, True]
    found = episodes(steps, flags, 2)
    assert [(e.start_step, e.end_step, e.ongoing) for e in found] == [(10, 20, False), (40, 60, False)]
    found = episodes(steps, flags[:6], 3)
    assert [(e.start_step, e.end_step, e.ongoing, e.length) for e in found] == [(40, 60, True, 3)]


def test_loss_family_comes_from_the_config_or_from_the_records():
    assert loss_family([], "wgan-gp") == "wasserstein"
    assert loss_family([], "hinge") == "hinge"
    assert loss_family(healthy(3)) == "nonsaturating"
    assert loss_family(healthy(3, loss__G=-0.7)) == "minimax"  # log(1 - D(G(z))) is never positive
    no_acc = [{k: v for k, v in r.items() if not k.startswith("acc/")} for r in healthy(3)]
    assert loss_family(no_acc) == "wasserstein"
    assert loss_family(healthy(3), "relativistic") == "nonsaturating"  # an unknown (plug-in) loss is inferred


# ------------------------------------------------------------------------------------------------ vanishing
def minimax_overpowered(n_before=5, n_after=10, grad_after=0.01):
    n = n_before + n_after
    return records(n, DGz=[0.45] * n_before + [0.001] * n_after, loss__G=[-0.6] * n_before + [-0.001] * n_after,
                   grad_norm__G=[1.0] * n_before + [grad_after] * n_after, acc__real=0.99, acc__fake=0.99,
                   loss__D=0.01, Dx=0.99)


def test_vanishing_gradients_minimax_when_d_of_fakes_and_the_gradient_collapse():
    finding = check_vanishing_gradients(minimax_overpowered(), "minimax", TH["vanishing_gradients"])
    assert finding.name == "vanishing_gradients" and finding.severity == "critical"
    assert finding.since_step == 60  # the first of the ten intervals with D(G(z)) = 0.001
    assert finding.evidence["grad_norm/G ratio"] == pytest.approx(0.01)
    assert finding.evidence["ongoing"] is True
    assert finding.remedy_names[0] == "loss=nonsaturating"


def test_vanishing_gradients_needs_the_gradient_to_drop_too():
    assert check_vanishing_gradients(minimax_overpowered(grad_after=0.8), "minimax", TH["vanishing_gradients"]) is None


def test_vanishing_gradients_needs_a_sustained_stretch():
    assert check_vanishing_gradients(minimax_overpowered(n_after=4), "minimax", TH["vanishing_gradients"]) is None
    assert check_vanishing_gradients(minimax_overpowered(n_after=5), "minimax", TH["vanishing_gradients"]) is not None


def test_vanishing_gradients_that_passed_is_a_warning_with_its_end():
    recs = minimax_overpowered() + records(5, every=10, DGz=0.4, grad_norm__G=1.0)
    for i, r in enumerate(recs):
        r["step"] = (i + 1) * 10
    finding = check_vanishing_gradients(recs, "minimax", TH["vanishing_gradients"])
    assert finding.severity == "warning"
    assert (finding.evidence["since_step"], finding.evidence["until_step"]) == (60, 150)
    assert "from step 60 to 150" in finding.message


def test_non_saturating_loss_keeps_its_gradient_when_d_wins():
    recs = minimax_overpowered(grad_after=5.0)
    assert check_vanishing_gradients(recs, "nonsaturating", TH["vanishing_gradients"]) is None
    collapsed = minimax_overpowered(grad_after=0.001)
    finding = check_vanishing_gradients(collapsed, "nonsaturating", TH["vanishing_gradients"])
    assert finding.since_step == 60 and finding.evidence["statistic"] == "grad_norm/G"


def test_a_small_gradient_with_d_at_chance_is_a_converged_game_not_a_vanishing_gradient():
    """The tuned ring at its end: D(G(z)) = 0.5, loss/D = log 4, accuracy ~50%, G's gradient 1% of its peak."""
    start = records(10, loss__D=1.0, DGz=0.3, acc__real=0.8, acc__fake=0.8, grad_norm__G=2.0)
    tie = records(10, loss__D=1.386, DGz=0.5, acc__real=0.55, acc__fake=0.45, grad_norm__G=0.005)
    recs = start + tie
    for i, r in enumerate(recs):
        r["step"] = (i + 1) * 10
    assert check_vanishing_gradients(recs, "nonsaturating", TH["vanishing_gradients"]) is None
    for r in recs[10:]:  # the same gradients while D wins: now it is the finding
        r["acc/real"] = r["acc/fake"] = 0.95
    finding = check_vanishing_gradients(recs, "nonsaturating", TH["vanishing_gradients"])
    assert finding is not None and finding.since_step == 110
    assert finding.evidence["accuracy threshold"] == 0.8
    assert set(finding.evidence["D accuracy"].values()) <= {0.95, "..."}  # the winning D is in the evidence


def test_vanishing_gradients_is_silent_without_gradient_statistics_or_on_a_healthy_run():
    recs = [{k: v for k, v in r.items() if k != "grad_norm/G"} for r in minimax_overpowered()]
    assert check_vanishing_gradients(recs, "minimax", TH["vanishing_gradients"]) is None
    assert check_vanishing_gradients(healthy(40), "nonsaturating", TH["vanishing_gradients"]) is None


# ------------------------------------------------------------------------------------------------ overpowering
def test_discriminator_overpowering_when_d_is_perfect_and_its_loss_vanishes():
    n = 12
    recs = records(n, acc__real=[0.7] * 4 + [1.0] * 8, acc__fake=[0.6] * 4 + [1.0] * 8,
                   loss__D=[1.3] * 4 + [0.002] * 8, loss__G=[0.8] * 4 + [5.0 + i for i in range(8)])
    finding = check_discriminator_overpowering(recs, "nonsaturating", TH["discriminator_overpowering"])
    assert finding.name == "discriminator_overpowering" and finding.since_step == 50
    assert finding.evidence["loss/G before"] == 0.8 and finding.evidence["loss/G during"] > 5
    assert "climbed" in finding.message


def test_a_d_that_leads_but_still_loses_some_loss_is_not_overpowering():
    # a healthy DCGAN early on: D right on ~100% of both, loss/D around 0.05 (0.036 units): G still learns
    recs = records(20, acc__real=1.0, acc__fake=1.0, loss__D=0.05, loss__G=3.5)
    assert check_discriminator_overpowering(recs, "nonsaturating", TH["discriminator_overpowering"]) is None


def test_overpowering_is_never_judged_for_a_wasserstein_critic_or_from_a_short_spike():
    recs = [{k: v for k, v in r.items() if not k.startswith("acc/")} for r in records(20, loss__D=0.0, acc__real=1.0)]
    assert check_discriminator_overpowering(recs, "wasserstein", TH["discriminator_overpowering"]) is None
    spike = records(20, acc__real=[1.0 if i % 5 == 0 else 0.7 for i in range(20)], acc__fake=1.0, loss__D=0.001)
    assert check_discriminator_overpowering(spike, "nonsaturating", TH["discriminator_overpowering"]) is None


# ------------------------------------------------------------------------------------------------ non-convergence
def test_a_settled_loss_converges():
    noise = [0.01 * math.sin(i) for i in range(40)]
    assert check_non_convergence(healthy(40, loss__D=[1.3 + e for e in noise]), "nonsaturating",
                                 TH["non_convergence"]) is None


def test_large_oscillation_is_non_convergence():
    swings = [0.3 if (i // 3) % 2 else 2.0 for i in range(40)]  # amplitude 1.7 = 1.23 units of 2 log 2
    finding = check_non_convergence(healthy(40, loss__D=swings), "nonsaturating", TH["non_convergence"])
    assert finding.name == "non_convergence" and finding.severity == "warning"
    assert finding.since_step == 210  # the last half of 40 intervals
    assert finding.evidence["oscillation"] > 1.0 and abs(finding.evidence["drift"]) < 0.5
    assert "swings" in finding.message


def test_steady_drift_is_non_convergence():
    drift = [1.4] * 20 + [1.4 - 0.06 * i for i in range(20)]  # falls by 1.14 = 0.82 units in the last half
    finding = check_non_convergence(healthy(40, loss__D=drift), "nonsaturating", TH["non_convergence"])
    assert finding.evidence["drift"] == pytest.approx(-0.82, abs=0.01)
    assert finding.evidence["oscillation"] < 0.1 and "drifts" in finding.message


def test_non_convergence_needs_a_long_enough_run():
    swings = [0.3 if i % 2 else 2.0 for i in range(19)]
    assert check_non_convergence(healthy(19, loss__D=swings), "nonsaturating", TH["non_convergence"]) is None


def test_a_wasserstein_critic_is_judged_against_its_own_largest_estimate():
    settling = [-2.0 * math.exp(-i / 5) - 0.05 for i in range(40)]  # W estimate shrinks, then stays
    assert check_non_convergence(healthy(40, loss__D=settling), "wasserstein", TH["non_convergence"]) is None
    flipping = settling[:20] + [(-1.5 if i % 2 else 1.0) for i in range(20)]
    finding = check_non_convergence(healthy(40, loss__D=flipping), "wasserstein", TH["non_convergence"])
    assert finding is not None and "largest |loss/D|" in finding.message


# ------------------------------------------------------------------------------------------------ nan
def test_a_diverged_record_is_a_critical_nan_finding():
    diverged = [{"step": 7, "kind": "diverged", "message": "loss of phase D became nan at step 7; stopped"}]
    finding = check_nan(healthy(3), diverged, TH["nan"])
    assert (finding.name, finding.severity, finding.since_step) == ("nan", "critical", 7)
    assert "became nan at step 7" in finding.message
    assert "lower optim.lr_*" in finding.remedy_names and "loss=wgan-gp" in finding.remedy_names


def test_a_logged_non_finite_statistic_is_a_nan_finding():
    recs = healthy(5)
    recs[3]["grad_norm/D"] = "inf"
    finding = check_nan(recs, [], TH["nan"])
    assert finding.since_step == 40 and finding.evidence["statistic"] == ["grad_norm/D"]


def test_an_undefined_evaluation_metric_is_no_nan_finding():
    recs = healthy(5)
    recs[3]["eval/reverse_kl"] = "nan"  # no generated sample near any mode: the metric is undefined
    assert check_nan(recs, [], TH["nan"]) is None


def test_exploding_gradients_warn_before_the_nan():
    grads = [1.0, 1.2, 0.9, 5.0, 80.0, 3000.0]
    finding = check_nan(healthy(6, grad_norm__D=grads), [], TH["nan"])
    assert (finding.severity, finding.since_step) == ("warning", 60)
    assert finding.evidence["factor"] == pytest.approx(3000.0) and "NaN is likely next" in finding.message
    growing = [1.0, 1.2, 0.9] + [10.0 * i for i in range(1, 8)]  # 70x: a healthy run's norms grow too
    assert check_nan(healthy(10, grad_norm__G=growing), [], TH["nan"]) is None
    from_nothing = [1e-4, 1e-4, 1e-4, 0.5, 2.0]  # 20000x, but from an output layer that starts near zero
    assert check_nan(healthy(5, grad_norm__G=from_nothing), [], TH["nan"]) is None


# ------------------------------------------------------------------------------------------------ mode collapse
def probes(*items):
    return [{"step": 100 * (i + 1), "kind": "probe", **item} for i, item in enumerate(items)]


def test_mode_collapse_from_pixel_diversity():
    found = check_mode_collapse(probes({"diversity_ratio": 0.9}, {"diversity_ratio": 0.02}, {"diversity_ratio": 0.01},
                                       {"diversity_ratio": 0.01}), TH["mode_collapse"])
    assert (found.name, found.since_step, found.severity) == ("mode_collapse", 200, "critical")
    assert found.evidence["statistic"] == ["diversity_ratio"]
    assert "minibatch discrimination" in found.remedy_names and "PacGAN packing" in found.remedy_names


def test_a_generator_still_spreading_out_is_not_collapsed():
    rising = probes({"diversity_ratio": 0.10}, {"diversity_ratio": 0.14}, {"diversity_ratio": 0.19})
    assert check_mode_collapse(rising, TH["mode_collapse"]) is None


def test_noise_on_a_point_like_cloud_is_not_spreading_out():
    # +50% from 0.01 is a rise of 0.005: below rise_abs, so the collapse runs on (seen on gan-ring seed 1, whose
    # generator sat on one mode for its first 3,000 steps)
    flicker = probes({"diversity_ratio": 0.9}, {"diversity_ratio": 0.01}, {"diversity_ratio": 0.015},
                     {"diversity_ratio": 0.012}, {"diversity_ratio": 0.018})
    found = check_mode_collapse(flicker, TH["mode_collapse"])
    assert (found.since_step, found.evidence["until_step"], found.evidence["ongoing"]) == (200, 500, True)


def test_two_collapsed_probes_are_not_enough():
    dips = probes({"diversity_ratio": 0.9}, {"diversity_ratio": 0.01}, {"diversity_ratio": 0.01},
                  {"diversity_ratio": 0.9})
    assert check_mode_collapse(dips, TH["mode_collapse"]) is None


def test_mode_collapse_from_occupied_modes_needs_the_samples_to_sit_at_modes():
    on_one_mode = {"modes_occupied": 1, "num_modes": 8, "occupied_fraction": 0.95, "diversity_ratio": 0.5}
    found = check_mode_collapse(probes(on_one_mode, on_one_mode, on_one_mode), TH["mode_collapse"])
    assert found.evidence["statistic"] == ["modes_occupied"] and "only 1 of 8 modes" in found.message
    still_learning = dict(on_one_mode, occupied_fraction=0.1)  # most samples sit between modes
    assert check_mode_collapse(probes(still_learning, still_learning, still_learning), TH["mode_collapse"]) is None
    five = dict(on_one_mode, modes_occupied=5)
    assert check_mode_collapse(probes(five, five, five), TH["mode_collapse"]) is None


def test_mode_collapse_from_class_coverage():
    two = {"classes_covered": 2, "num_classes": 10}
    found = check_mode_collapse(probes(two, two, two), TH["mode_collapse"])
    assert found.evidence["statistic"] == ["classes_covered"] and "2 of 10 classes" in found.message


# ------------------------------------------------------------------------------------------------ diagnose
def test_diagnose_a_healthy_run_and_an_empty_one():
    assert diagnose(healthy(60), probes=probes(*[{"diversity_ratio": 0.95}] * 5)) == []
    assert diagnose([]) == []


def test_diagnose_orders_findings_and_reads_probes_and_divergence_from_the_records():
    recs = minimax_overpowered() + probes(*[{"diversity_ratio": 0.01}] * 3)
    recs.append({"step": 160, "kind": "diverged", "message": "loss of phase G became inf at step 160"})
    found = diagnose(recs, loss="minimax")
    names = [f.name for f in found]
    assert set(names) == {"vanishing_gradients", "discriminator_overpowering", "mode_collapse", "nan"}
    assert [f.since_step for f in found] == sorted(f.since_step for f in found)


def test_thresholds_can_be_overridden_by_name_only():
    recs = minimax_overpowered(grad_after=0.8)
    assert "vanishing_gradients" not in [f.name for f in diagnose(recs, loss="minimax")]
    loose = diagnose(recs, loss="minimax", thresholds={"vanishing_gradients": {"grad_drop": 0.9}})
    assert "vanishing_gradients" in [f.name for f in loose]
    with pytest.raises(ConfigError, match="unknown monitor 'vanishing'"):
        diagnose(recs, thresholds={"vanishing": {}})
    with pytest.raises(ConfigError, match="unknown key 'nan.factor'"):
        diagnose(recs, thresholds={"nan": {"factor": 2}})


def test_findings_round_trip_through_dicts_and_reject_unknown_names():
    finding = check_mode_collapse(probes(*[{"diversity_ratio": 0.01}] * 3), TH["mode_collapse"])
    data = finding.to_dict()
    assert set(data) == {"name", "severity", "since_step", "message", "evidence", "remedies"}
    assert all(set(r) == {"name", "why"} and r["why"] for r in data["remedies"])
    assert Finding.from_dict(data) == finding
    assert Finding.from_dict({"step": 5, "kind": "finding", **data}) == finding
    with pytest.raises(ValueError):
        Finding("stalled", "warning", 0, {}, "")
    with pytest.raises(ValueError):
        Finding("nan", "fatal", 0, {}, "")
    assert set(FINDING_NAMES) == {"mode_collapse", "vanishing_gradients", "discriminator_overpowering",
                                  "non_convergence", "nan"}
    assert all(why.strip() for why in REMEDIES.values())
