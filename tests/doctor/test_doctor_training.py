"""Real, deliberately broken trainings: the doctor must name what went wrong, and stay silent on healthy runs."""

import json
import re

import pytest
import torch

from gankit import api
from gankit.cli import main
from gankit.config import dump_config, load_config
from gankit.assets import locate
from gankit.doctor import DoctorHook, diagnose_run
from gankit.games import DataSpec, build_game
from gankit.metrics import mode_coverage
from gankit.training.data_stream import DataStream
from gankit.training.stats import read_metrics
from gankit.training.trainer import Trainer, TrainingDiverged


# The broken trainings below start from a plain GAN: the gan-ring recipe without its remedies (EMA, R1, top-k, Adam
# betas tuned for the ring), so that what breaks them is only what each test sets.
PLAIN_RING = ["train.ema=0", "reg.r1_gamma=0", "stab.top_k=1", "optim.beta1=0.5", "optim.beta2=0.999"]


def train_with_doctor(run, recipe, overrides, *, probe_every=5, console=False, plain=True):
    """Train `recipe` with a DoctorHook in `run` (config.yaml written as `api.train` does); returns (trainer, hook).

    The ring recipe loses its remedies (`PLAIN_RING`) unless `plain` is False."""
    base = PLAIN_RING if recipe == "gan-ring" and plain else []
    config = load_config(recipe, base + list(overrides) + ["train.progress=false"])
    data = api.load_data(config)
    torch.manual_seed(config.seed)
    game = build_game(config, DataSpec.of(data))
    stream = DataStream.of(data, config.train.batch_size, seed=config.seed, device=torch.device("cpu"))
    hook = DoctorHook.for_dataset(data, probe_every=probe_every, console=console)
    run.mkdir(parents=True)
    (run / "config.yaml").write_text(dump_config(config))
    trainer = Trainer(game, stream, config, run, torch.device("cpu"), hooks=[hook])
    trainer.run()
    return trainer, hook


def names(findings):
    return [f.name for f in findings]


def test_minimax_against_an_overpowered_discriminator_has_vanishing_gradients(tmp_path, capsys):
    """Saturating loss, D 10x faster and 5 steps per G step, a wide D and a narrow G: D(G(z)) -> 0, no gradient."""
    run = tmp_path / "minimax"
    train_with_doctor(run, "gan-ring", ["loss=minimax", "optim.lr_d=1e-3", "optim.lr_g=1e-4", "train.d_steps=5",
                                        "model.g_hidden=[16]", "model.d_hidden=[128,128,128]", "train.steps=150",
                                        "train.log_every=10"], console=True)
    logged = [record["name"] for record in read_metrics(run, kind="finding")]
    assert "vanishing_gradients" in logged and len(logged) == len(set(logged))  # found while training, logged once
    assert "doctor: step" in capsys.readouterr().out
    findings = {f.name: f for f in diagnose_run(run)}
    vanishing = findings["vanishing_gradients"]
    assert vanishing.severity == "critical"
    assert max(vanishing.evidence["D(G(z))"].values()) < 0.01
    assert vanishing.evidence["grad_norm/G ratio"] < 0.2
    assert vanishing.remedy_names[0] == "loss=nonsaturating"
    report = json.loads((run / "report" / "doctor.json").read_text())
    assert "vanishing_gradients" in [f["name"] for f in report]
    assert "## vanishing_gradients" in (run / "report" / "doctor.md").read_text()


def test_a_generator_that_collapses_on_the_ring_is_seen_by_the_probe(tmp_path):
    """Too high a learning rate with a slow Adam momentum: G ends up producing a single point.

    The large steps kill G's ReLUs. In a 4-unit middle layer they all die, so G's output becomes a constant
    that no gradient can spread again, whatever the seed or the CPU's rounding (100 runs out of 100: 60 seeds
    on AVX-512, 20 each with ATEN_CPU_CAPABILITY=default and =avx2). The same G at PLAIN_RING's rate and
    momentum (1e-3, beta1 0.5) does not collapse. A 256-unit layer keeps a unit or two alive in some runs,
    and G then drifts in and out of collapse along a path that rounding decides.
    """
    run = tmp_path / "collapse"
    _, hook = train_with_doctor(run, "gan-ring", ["optim.lr_g=5e-3", "optim.lr_d=5e-3", "optim.beta1=0.9",
                                                  "model.g_hidden=[256,4,256]", "train.steps=200",
                                                  "train.log_every=10"], probe_every=3)
    assert len(read_metrics(run, kind="probe")) == 6  # every 3 of 20 intervals
    assert len(read_metrics(run, kind="final_probe")) == 1  # and the finished run's samples
    collapse = {f.name: f for f in diagnose_run(run)}["mode_collapse"]
    assert collapse.severity == "critical"
    assert "diversity_ratio" in collapse.evidence["statistic"]
    assert max(collapse.evidence["diversity_ratio"].values()) < 0.2
    assert hook.probes[-1]["modes_occupied"] <= 1


def test_an_absurd_learning_rate_diverges_and_the_doctor_names_it(tmp_path, capsys):
    run = tmp_path / "absurd"
    with pytest.raises(TrainingDiverged):
        api.train("gan-ring", run, overrides=["optim.lr_g=1e4", "optim.lr_d=1e4", "train.steps=50",
                                              "train.progress=false"])
    findings = diagnose_run(run)
    assert names(findings)[0] == "nan"
    assert findings[0].severity == "critical" and re.search(r"became (nan|inf)", findings[0].message)
    assert {"lower optim.lr_*", "loss=wgan-gp"} <= set(findings[0].remedy_names)
    capsys.readouterr()
    assert main(["doctor", str(run)]) == 0
    assert "nan (critical" in capsys.readouterr().out


def test_the_gan_ring_recipe_covers_the_ring_with_no_finding(tmp_path, capsys):
    run = tmp_path / "ring"
    trainer, hook = train_with_doctor(run, "gan-ring", ["train.steps=1200"], plain=False)  # the recipe, shortened
    z = torch.randn(2500, *trainer.game.latent_shape(), generator=torch.Generator().manual_seed(1))
    ring = api.load_data(load_config("gan-ring", ["data.n_points=1000"]))
    coverage = mode_coverage(trainer.sample(z), ring.modes, ring.mode_std, threshold=10)  # within 0.1 of a mode
    assert coverage["modes_covered"] == 8 and coverage["reverse_kl"] < 0.5  # every mode (4 modes: log 2 = 0.69)
    assert len(hook.probes) == 12 and hook.findings == []
    assert json.loads((run / "report" / "doctor.json").read_text()) == []
    assert diagnose_run(run) == []
    capsys.readouterr()
    assert main(["doctor", str(run)]) == 0
    assert capsys.readouterr().out.strip() == "no findings"


@pytest.mark.skipif(locate("fashion-mnist") is None, reason="Fashion-MNIST not installed (gankit assets install fashion-mnist)")
def test_a_short_healthy_dcgan_on_fashion_mnist_has_no_finding(tmp_path):
    run = tmp_path / "dcgan"
    _, hook = train_with_doctor(run, "dcgan-fashion", ["data.img_size=28", "data.limit=3000", "model.g_width=8",
                                                       "model.d_width=8", "train.batch_size=32", "train.steps=250",
                                                       "train.log_every=10"])
    ratios = [p["diversity_ratio"] for p in hook.probes]
    assert ratios[-1] > 0.4 and ratios[-1] > 2 * ratios[0]  # it learns: its samples spread out like real ones
    assert hook.findings == [] and diagnose_run(run) == []


def test_the_doctor_does_not_change_what_is_trained(tmp_path):
    """The hook samples with its own seeded latents: weights are bit-identical with and without it."""
    overrides = ["model.g_hidden=[32]", "model.d_hidden=[32]", "train.steps=30", "train.log_every=5",
                 "train.progress=false"]
    with_doctor, _ = train_with_doctor(tmp_path / "with", "gan-ring", overrides, probe_every=1)
    config = load_config("gan-ring", PLAIN_RING + overrides)
    data = api.load_data(config)
    torch.manual_seed(config.seed)
    game = build_game(config, DataSpec.of(data))
    stream = DataStream.of(data, config.train.batch_size, seed=config.seed, device=torch.device("cpu"))
    Trainer(game, stream, config, tmp_path / "without", torch.device("cpu")).run()
    for a, b in zip(with_doctor.game.module("G").parameters(), game.module("G").parameters()):
        assert torch.equal(a, b)
    assert len(read_metrics(tmp_path / "with", kind="probe")) == 6
