"""The engine's contracts: freezing, phase schedules, new games without touching the trainer, logs, NaN stops."""

from dataclasses import dataclass

import pytest
import torch
from torch import nn

from gankit import api
from gankit.config import load_config
from gankit.games import DataSpec, Game, NetworkSpec, Phase, build_game
from gankit.nn import apply_spectral_norm
from gankit.training.data_stream import DataStream
from gankit.training.ema import EMA
from gankit.training.stats import read_metrics
from gankit.training.trainer import Trainer, TrainingDiverged

TINY = ["data.name=digits", "model.arch=mlp", "model.g_hidden=[32]", "model.d_hidden=[32]", "train.batch_size=16",
        "data.limit=200", "optim.decay=none", "stab.top_k=1",
        "train.progress=false", "train.log_every=1", "train.sample_every=3",
        "train.ckpt_every=3"]


def make_trainer(tmp_path, overrides=(), game=None):
    config = load_config("gan-ring", TINY + list(overrides))
    data = api.load_data(config)
    torch.manual_seed(0)
    game = game or build_game(config, DataSpec.of(data))
    stream = DataStream.of(data, config.train.batch_size, seed=0, device=torch.device("cpu"))
    return Trainer(game, stream, config, tmp_path, torch.device("cpu"))


def snapshot(module):
    return [p.detach().clone() for p in module.parameters()]


def unchanged(module, before):
    return all(torch.equal(p, q) for p, q in zip(module.parameters(), before))


def test_generator_phase_trains_through_a_frozen_discriminator(tmp_path):
    trainer = make_trainer(tmp_path)
    G, D = trainer.game.module("G"), trainer.game.module("D")
    g0, d0 = snapshot(G), snapshot(D)
    stats = trainer._run_phase(Phase("G", ("G",), needs_batch=False))
    assert unchanged(D, d0) and not unchanged(G, g0)
    assert all(p.grad is None for p in D.parameters())  # gradients flowed through D, never into its weights
    assert stats["grad_norm/G"] > 0 and "grad_norm/D" not in stats
    g1 = snapshot(G)
    trainer._run_phase(Phase("D", ("D",)))
    assert unchanged(G, g1) and not unchanged(D, d0)


@dataclass
class RecordingGame(Game):
    """A made-up game with four networks, lazy and repeated phases, an auxiliary loss and a growing network:
    everything later families need, plugged in without touching the trainer."""

    calls: list = None
    grow_at: int = 3

    def __post_init__(self):
        self.calls = []
        # one Adam for both generators and one for both discriminators, as CycleGAN has
        self.networks = {n: NetworkSpec(nn.Linear(64, 64), role="generator" if n.startswith("G") else "discriminator",
                                        optimizer=n[0]) for n in ("G_AB", "G_BA", "D_A", "D_B")}

    def phases(self):
        return [Phase("D", ("D_A", "D_B"), repeats=2), Phase("G", ("G_AB", "G_BA")),
                Phase("reg", ("D_A",), every=4, needs_batch=False)]

    def latent_shape(self):
        return (64,)

    def make_probe(self, n, seed, device, examples):
        return {"noise": torch.randn(n, 64, generator=torch.Generator().manual_seed(seed))}

    @property
    def sampler_name(self):
        return "G_AB"

    def generate(self, generator, noise, labels=None):
        return generator(noise)

    def on_step_start(self, step):
        if step == self.grow_at:  # replace a network, as a progressive GAN grows one
            self.networks["G_AB"].module = nn.Sequential(self.networks["G_AB"].module, nn.Linear(64, 64))
            return {"G_AB"}
        return set()

    def phase_loss(self, phase, ctx):
        self.calls.append((ctx.step, phase, ctx.batch is not None))
        x = ctx.batch.x.flatten(1) if ctx.batch is not None else ctx.noise.normal(ctx.batch_size, 64)
        m = {n: s.module for n, s in self.networks.items()}
        if phase == "G":
            fake_b = m["G_AB"](x)
            cycle = (m["G_BA"](fake_b) - x).abs().mean()  # an auxiliary L1 cycle loss
            return m["D_B"](fake_b).mean() + 10 * cycle, {"loss/G": cycle}
        return (m["D_A"](x) ** 2).mean(), {"loss/" + phase: x.mean()}


def test_a_new_game_with_four_networks_lazy_phases_and_growth_runs_unchanged(tmp_path):
    game = RecordingGame()
    trainer = make_trainer(tmp_path, game=game)
    for _ in range(6):
        trainer.train_step()
    d_calls = [s for s, p, _ in game.calls if p == "D"]
    assert d_calls == [s for s in range(6) for _ in range(2)]  # repeats=2 each step, each with a batch
    assert [s for s, p, _ in game.calls if p == "reg"] == [0, 4]  # every=4
    assert trainer.stream.state_dict()["position"] == 6 * 2 * 16 % (200 - 200 % 16) or trainer.stream.state_dict()["epoch"] > 0
    # the grown network got a fresh optimizer that holds its new parameters, and they train
    grown = game.module("G_AB")
    assert isinstance(grown, nn.Sequential)
    assert sorted(trainer.optimizers) == ["D", "G"]
    held = {id(p) for group in trainer.optimizers["G"].param_groups for p in group["params"]}
    assert {id(p) for p in grown.parameters()} | {id(p) for p in game.module("G_BA").parameters()} == held
    assert all(p in trainer.optimizers["G"].state for p in grown.parameters())  # they have taken steps


def test_a_phase_steps_only_its_networks_of_a_shared_optimizer(tmp_path):
    game = RecordingGame()
    trainer = make_trainer(tmp_path, game=game)
    trainer.train_step()  # step 0: D (both), G (both), reg (D_A only)
    d_a, d_b = snapshot(game.module("D_A")), snapshot(game.module("D_B"))
    trainer._run_phase(Phase("reg", ("D_A",), needs_batch=False))
    assert not unchanged(game.module("D_A"), d_a) and unchanged(game.module("D_B"), d_b)


def test_ema_is_the_exponential_average_of_the_weights():
    net = nn.Linear(2, 1, bias=False)
    ema = EMA(net, beta=0.9)
    with torch.no_grad():
        start = net.weight.clone()
        net.weight.add_(1.0)
    ema.update(net, step=1)
    torch.testing.assert_close(ema.module.weight, 0.9 * start + 0.1 * (start + 1.0))


def test_the_ema_of_a_spectrally_normalized_layer_divides_by_its_own_sigma():
    """Live weights alternating between A and B, whose top singular vectors are 60° apart: averaging spectral
    norm's u, v as well would leave them of length cos 30° and σ = uᵀWv 25% below the averaged weight's σ."""
    net = apply_spectral_norm(nn.Linear(4, 4, bias=False))
    a = torch.diag(torch.tensor([4.0, 0.5, 0.5, 0.2]))
    turn = torch.eye(4)
    turn[:2, :2] = torch.tensor([[0.5, -(3 ** 0.5) / 2], [(3 ** 0.5) / 2, 0.5]])
    b = turn @ a @ turn.T
    ema = EMA(net, beta=0.9)
    for step in range(1, 61):
        with torch.no_grad():
            net.parametrizations.weight.original.copy_(a if step % 2 else b)
        net.train()(torch.zeros(1, 4))  # the live layer's own power iteration
        ema.update(net, step)
    norm = ema.module.parametrizations.weight[0]
    weight = ema.module.parametrizations.weight.original
    assert norm._u.norm().item() == pytest.approx(1.0) and norm._v.norm().item() == pytest.approx(1.0)
    assert torch.vdot(norm._u, weight @ norm._v).item() == pytest.approx(torch.linalg.matrix_norm(weight, 2).item(),
                                                                         rel=0.01)


def test_run_folder_holds_logs_samples_plot_and_tensorboard(tmp_path):
    api.train("gan-ring", tmp_path / "run", overrides=TINY + ["train.steps=6", "train.ema=0.9"])
    run = tmp_path / "run"
    records = read_metrics(run)
    assert [r["step"] for r in records] == [1, 2, 3, 4, 5, 6]
    for key in ("loss/D", "loss/G", "D(x)", "D(G(z))", "acc/real", "acc/fake", "grad_norm/G", "grad_norm/D",
                "images_per_sec"):
        assert key in records[-1], key
    assert 0 <= records[-1]["D(x)"] <= 1 and 0 <= records[-1]["acc/fake"] <= 1
    assert (run / "samples" / "step-00000003.png").is_file() and (run / "samples" / "final.png").is_file()
    assert (run / "report" / "training_curves.png").is_file()
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert (run / "config.yaml").is_file() and (run / "checkpoints" / "step-00000006").is_dir()


def test_an_absurd_learning_rate_stops_cleanly_at_the_last_good_checkpoint(tmp_path):
    trainer = make_trainer(tmp_path, ["train.steps=3", "loss=least-squares"])
    trainer.run()  # three healthy steps, checkpointed at step 3
    trainer.config.train.steps = 50
    for optimizer in trainer.optimizers.values():
        for group in optimizer.param_groups:
            group["lr"] = 1e30
    with pytest.raises(TrainingDiverged, match=r"became (nan|inf).*step-00000003") as info:
        trainer.run()
    assert "stopped without saving" in str(info.value)
    checkpoints = sorted(p.name for p in (tmp_path / "checkpoints").iterdir())
    assert checkpoints == ["step-00000003"]  # nothing written after the loss went bad, nothing half-written
    from safetensors.torch import load_file

    tensors = load_file(str(tmp_path / "checkpoints" / "step-00000003" / "tensors.safetensors"))
    assert all(torch.isfinite(t).all() for t in tensors.values() if t.dtype.is_floating_point)


def test_an_absurd_learning_rate_from_the_start_stops_with_no_checkpoint(tmp_path):
    with pytest.raises(TrainingDiverged, match="last good checkpoint: none"):
        api.train("gan-ring", tmp_path / "run", overrides=TINY + ["train.steps=50", "optim.lr_d=1e30",
                                                                   "optim.lr_g=1e30", "loss=least-squares"])
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_mixed_precision_runs_in_bfloat16_on_the_cpu(tmp_path):
    trainer = make_trainer(tmp_path, ["train.amp=true"])
    assert trainer.amp_dtype == torch.bfloat16
    seen = []
    handle = trainer.game.module("D").register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    for _ in range(3):
        trainer.train_step()
    handle.remove()
    assert torch.bfloat16 in seen  # the matmuls ran in bfloat16 ...
    assert all(p.dtype == torch.float32 for p in trainer.game.module("G").parameters())  # ... weights stay float32
    assert all(torch.isfinite(p).all() for p in trainer.game.module("G").parameters())


def test_a_wall_clock_budget_stops_the_run_with_a_checkpoint_that_resumes(tmp_path):
    overrides = TINY + ["train.steps=10000000", "train.max_minutes=0.01", "train.ckpt_every=10000000"]
    first = api.train("gan-ring", tmp_path / "run", overrides=overrides)
    assert 0 < first.step < 10_000_000 and first.seconds < 30
    checkpoints = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert checkpoints == [f"step-{first.step:08d}"]
    second = api.train("gan-ring", tmp_path / "run", overrides=overrides, resume=True)
    assert second.step > first.step
