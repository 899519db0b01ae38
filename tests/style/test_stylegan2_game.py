"""The StyleGAN2 game: its phases (lazy R1 and path length), style mixing, the path-length penalty by hand, the EMA
ramp-up, bit-exact resume between two lazy-regularization steps (with ADA's p and pl_mean as state), and bad
options."""

from __future__ import annotations

import math

import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games.base import PhaseContext
from gankit.games.stylegan2 import StyleGAN2Game
from gankit.models.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator
from gankit.training.ema import EMA, ramped_beta
from gankit.training.noise import NoiseSource

from cli_helpers import expect_user_error, fingerprint

TINY = ["data.img_size=8", "data.limit=128", "name=sg", "model.z_dim=8", "stylegan2.w_dim=8", "stylegan2.g_width=8",
        "stylegan2.d_width=8", "stylegan2.mapping_layers=1", "train.batch_size=8", "train.log_every=1",
        "train.sample_every=1000", "train.ckpt_every=1000", "train.progress=false", "train.amp=false",
        "eval.every=0", "train.doctor=false", "reg.r1_gamma=1", "reg.r1_every=4", "stylegan2.pl_every=4",
        "stylegan2.ada=true", "stylegan2.ada_interval=4", "stylegan2.ada_kimg=0.1", "train.ema=0.99",
        "train.ema_rampup=0.05"]


def _game(mixing_prob: float = 0.9) -> StyleGAN2Game:
    torch.manual_seed(0)
    G = StyleGAN2Generator(z_dim=4, w_dim=4, img_size=8, channels=1, widths=4, mapping_layers=1)
    return StyleGAN2Game(G, StyleGAN2Discriminator(8, 1, 4), mixing_prob=mixing_prob, r1_every=16, pl_every=4)


def test_phases_are_lazy():
    phases = {p.name: p.every for p in _game().phases()}
    assert phases == {"D": 1, "D_r1": 16, "G": 1, "G_pl": 4}


def test_style_mixing_takes_every_layer_from_the_cutoff_on_from_a_second_latent():
    game = _game(mixing_prob=1.0)
    ctx = PhaseContext(batch=None, batch_size=64, noise=NoiseSource(0, torch.device("cpu")), step=0)
    ws = game.styles(64, ctx)
    assert ws.shape == (64, 4, 4)
    cutoffs = []
    for sample in ws:
        changes = [k for k in range(1, 4) if not torch.equal(sample[k], sample[k - 1])]
        assert len(changes) == 1  # two latents: one switch, at the cutoff, and none after it
        cutoffs.append(changes[0])
    assert set(cutoffs) == {1, 2, 3}  # uniform in 1..num_ws − 1
    unmixed = _game(mixing_prob=0.0).styles(8, ctx)
    assert all(torch.equal(s[0], s[k]) for s in unmixed for k in range(4))


def test_path_length_penalty_by_hand_and_its_running_mean():
    """‖J_wᵀ y‖ with the finite-difference check of one gradient entry; pl_mean moves 1% toward the mean length."""
    game = _game(mixing_prob=0.0)
    ctx = PhaseContext(batch=None, batch_size=8, noise=NoiseSource(3, torch.device("cpu")), step=0)
    loss, stats = game.phase_loss("G_pl", ctx)
    mean_length = stats["pl_mean"] / 0.01  # from 0: a = 0.01·mean
    assert mean_length > 0 and loss > 0
    # the same penalty computed by hand from the same draws
    again = PhaseContext(batch=None, batch_size=8, noise=NoiseSource(3, torch.device("cpu")), step=0)
    ws = game.styles(4, again).detach().requires_grad_(True)
    images = game.module("G").synthesis(ws)
    y = again.noise.normal(4, 1, 8, 8) / 8.0
    (grads,) = torch.autograd.grad((images * y).sum(), ws)
    lengths = grads.square().sum(2).mean(1).sqrt()
    assert torch.allclose(lengths.mean(), mean_length, rtol=1e-4)
    assert torch.allclose(loss, 2.0 * 4 * (lengths - 0.01 * lengths.mean()).square().mean(), rtol=1e-4)


def test_ada_moves_p_once_per_interval_from_the_sign_of_d_on_reals():
    game = _game()
    game.ada, game.ada_interval, game.ada_kimg = True, 2, 0.1  # p may move 0 -> 1 over 100 images
    game._adapt(torch.tensor([1.0, 2.0, -1.0, 3.0]), 4)  # signs sum 2 over 4 images
    assert game.ada_p == 0.0 and game.ada_signs == 2.0 and game.ada_images == 4
    game._adapt(torch.tensor([1.0, 1.0, 1.0, 1.0]), 4)  # r_t = 6/8 = 0.75 > 0.6: p rises by 8/100
    assert game.ada_p == pytest.approx(0.08) and game.ada_signs == 0.0 and game.ada_images == 0
    state = game.state_dict()
    fresh = _game()
    fresh.load_state_dict(state)
    assert fresh.ada_p == game.ada_p and fresh.ada_steps == 2


def test_ema_ramp_up_caps_the_half_life():
    assert ramped_beta(0.999, 0.0, 1) == 0.999
    assert math.isclose(ramped_beta(0.999, 0.05, 100), 0.5 ** (1 / 5))  # half-life ≤ 0.05·100 = 5 steps
    assert ramped_beta(0.999, 0.05, 10 ** 6) == 0.999  # later the configured β
    live = torch.nn.Linear(1, 1, bias=False)
    ema = EMA(live, 0.999, rampup=0.05)
    with torch.no_grad():
        live.weight.fill_(1.0)
    ema.update(live, 1)  # half-life ≤ 0.05 steps: almost a copy
    assert abs(ema.module.weight.item() - 1.0) < 1e-5


def test_ema_copies_the_running_mean_of_w_instead_of_averaging_it():
    G = StyleGAN2Generator(z_dim=4, w_dim=4, img_size=8, widths=4, mapping_layers=1)
    ema = EMA(G, 0.9)
    G.mapping(torch.randn(16, 4), update_w_avg=True)
    ema.update(G, 1)
    assert torch.equal(ema.module.w_avg, G.w_avg)


def _tensors(run):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    return load_file(str(ckpt.latest_checkpoint(run / "checkpoints") / ckpt.TENSORS_FILE))


def test_a_run_resumed_between_two_lazy_regularization_steps_continues_bit_exactly(tmp_path):
    """R1 and path length every 4 steps, ADA updating p every 4 D steps: stopped after step 6 (regularized at 0 and 4,
    half-way through an ADA interval), resumed to step 11: the same weights, EMA, Adam moments, pl_mean and p."""
    from gankit.training import checkpoint as ckpt

    api.train(load_config("stylegan2-fashion", TINY + ["train.steps=11"]), tmp_path / "straight")
    api.train(load_config("stylegan2-fashion", TINY + ["train.steps=6"]), tmp_path / "stopped")
    _, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "stopped" / "checkpoints"))
    game = state["game"]
    assert game["ada_steps"] == 6 and game["ada_images"] == 2 * 8 and 0 <= game["ada_p"] <= 1
    assert game["pl_mean"] > 0
    api.train(None, tmp_path / "stopped", overrides=["train.steps=11"], resume=True)
    a, b = _tensors(tmp_path / "straight"), _tensors(tmp_path / "stopped")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.startswith("optimizers.G") for k in a) and any(k.startswith("ema.G") for k in a)
    assert "game.pl_mean" in a
    _, straight = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "straight" / "checkpoints"))
    _, resumed = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "stopped" / "checkpoints"))
    assert straight["game"]["ada_p"] == resumed["game"]["ada_p"] and straight["step"] == resumed["step"] == 11


def test_bad_sizes_and_options_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(ConfigError, match="power-of-two image size"):
        api.train("stylegan2-fashion", tmp_path / "run", overrides=["data.img_size=28", "data.limit=64"], dry_run=True)
    with pytest.raises(ConfigError, match="'stylegan2.mixing_prob' must be in \\[0, 1\\]"):
        load_config("stylegan2-fashion", ["stylegan2.mixing_prob=1.5"])
    with pytest.raises(ConfigError, match="did you mean 'stylegan2.pl_weight'"):
        load_config("stylegan2-fashion", ["stylegan2.pl_weigth=1"])
    with pytest.raises(ConfigError, match="one augmentation"):
        api.train("stylegan2-fashion", tmp_path / "run", dry_run=True,
                  overrides=["stylegan2.ada=true", "stab.diffaugment=color", "data.limit=64"])
    with pytest.raises(ConfigError, match="train.ema_rampup"):
        load_config("stylegan2-fashion", ["train.ema_rampup=-1"])
    expect_user_error(capsys, "train", "stylegan2-fashion", "--set", "data.img_size=24", "--set", "data.limit=64",
                      "--out", tmp_path / "cli", says=("StyleGAN2", "power-of-two", "24"))
    assert fingerprint(tmp_path) == {}
