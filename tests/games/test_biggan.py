"""BigGAN: a tiny class-conditional BigGAN learns which digit to draw (sampled from its EMA, also truncated),
its loss carries the orthogonal regularization, resume is bit-exact also with gradient accumulation."""

import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.games import DataSpec, PhaseContext, build_game
from gankit.losses import orthogonal_regularization
from gankit.training.data_stream import DataStream
from gankit.training.noise import NoiseSource
from games.resnet_gan_helpers import digits_judge, label_shares, tiny
from cli_helpers import expect_user_error
from training.test_resume import final_tensors


def test_a_tiny_conditional_biggan_draws_the_digit_asked_for(tmp_path):
    """Share of `gankit sample --label K` images (the EMA of G) the judge calls K, over the 10 digits (chance 0.1).

    Measured here after these 300 steps (width 16, 2 D steps per G step, EMA 0.99): 0.64 (0.38-0.82 per digit),
    with latents truncated to ±1 0.76 (0.37-0.93); after 400 steps 0.81. The bound 0.4 leaves room for another
    CPU's rounding, while a G that ignores the label (about 0.1) fails.
    """
    run = tmp_path / "biggan"
    api.train("dcgan", run, overrides=tiny("biggan", width=16) + [
        "biggan.shared_dim=16", "train.d_steps=2", "train.ema=0.99", "train.steps=300", "optim.lr_g=5e-4",
        "optim.lr_d=1e-3"])
    judge = digits_judge()
    shares = label_shares(run, judge, tmp_path / "plain")
    assert sum(shares) / 10 >= 0.4, f"label shares {[round(s, 2) for s in shares]}"
    truncated = label_shares(run, judge, tmp_path / "truncated", ("--truncation", "1.0"))
    assert sum(truncated) / 10 >= 0.4, f"truncated label shares {[round(s, 2) for s in truncated]}"


def test_g_loss_adds_beta_times_the_orthogonal_regularization():
    losses = {}
    for beta in (0.0, 0.5):
        config = load_config("dcgan", tiny("biggan") + [f"biggan.ortho={beta}"])
        data = api.load_data(config)
        torch.manual_seed(0)
        game = build_game(config, DataSpec.of(data))
        ctx = PhaseContext(batch=None, batch_size=8, noise=NoiseSource(0, "cpu"), step=0)
        losses[beta], stats = game.phase_loss("G", ctx)
    penalty = orthogonal_regularization(game.module("G").orthogonal_weights())
    assert stats["ortho"].item() == pytest.approx(penalty.item())
    assert (losses[0.5] - losses[0.0]).item() == pytest.approx(0.5 * penalty.item(), rel=1e-4)
    assert not any(w is game.module("G").shared.weight for w in game.module("G").orthogonal_weights())


def test_biggan_resume_is_bit_exact_with_accumulation_ema_and_two_d_steps(tmp_path):
    options = tiny("biggan") + ["train.batch_size=8", "train.accumulate=2", "train.d_steps=2", "train.ema=0.9",
                                "train.log_every=2"]
    api.train("dcgan", tmp_path / "straight", overrides=options + ["train.steps=7"])
    api.train("dcgan", tmp_path / "stopped", overrides=options + ["train.steps=4"])
    api.train("dcgan", tmp_path / "stopped", overrides=options + ["train.steps=7"], resume=True)
    straight, resumed = final_tensors(tmp_path / "straight"), final_tensors(tmp_path / "stopped")
    assert straight.keys() == resumed.keys() and any(k.startswith("ema.") for k in straight)
    assert not [k for k in straight if not torch.equal(straight[k], resumed[k])]


def test_a_latent_that_does_not_split_into_the_blocks_chunks_is_a_one_line_error(capsys, tmp_path):
    argv = [a for o in tiny("biggan") + ["model.z_dim=100"] for a in ("--set", o)]
    expect_user_error(capsys, "train", "dcgan", "--out", tmp_path / "run", *argv,
                      says=("model.z_dim=100", "3 equal chunks"))


def test_recipes_build_at_32_px_with_attention_at_16():
    for recipe, family in (("sagan-fashion", "sagan"), ("biggan-fashion", "biggan")):
        config = load_config(recipe, ["data.limit=100"])
        data = api.load_data(config)
        assert data.sample_shape == (1, 32, 32) and data.num_classes == 10
        game = build_game(config, DataSpec.of(data))
        G = game.module("G")
        assert G.attention is not None and config.section(family).attention == 16
        stream = DataStream.of(data, 4, seed=0, device=torch.device("cpu"))
        images = G(torch.randn(4, config.model.z_dim), stream.next().y)
        assert images.shape == (4, 1, 32, 32)
