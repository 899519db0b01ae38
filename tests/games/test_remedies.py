"""Each stability remedy, switched on from the config, does what it claims inside the game."""

import pytest
import torch

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.errors import ConfigError
from gankit.games import DataSpec, PhaseContext, build_game
from gankit.training.data_stream import Batch
from gankit.training.noise import NoiseSource

RING = ["model.g_hidden=[32]", "model.d_hidden=[32]", "train.batch_size=64"]


def game_for(*overrides):
    config = load_config("gan-ring", RING + list(overrides))
    torch.manual_seed(0)
    return config, build_game(config, DataSpec("ring", "points", (2,), 8))


def context(step=0, n=64, seed=0):
    ring = load_dataset("ring", n_points=n, seed=seed)
    return PhaseContext(Batch(x=ring.x), n, NoiseSource(seed, torch.device("cpu")), step)


def g_gradient(game, ctx):
    G = game.module("G")
    G.zero_grad()
    loss, _ = game.phase_loss("G", ctx)
    loss.backward()
    return torch.cat([p.grad.flatten() for p in G.parameters()])


def test_pacgan_packs_m_samples_into_each_discriminator_input():
    _, game = game_for("stab.pack=4")
    first = next(m for m in game.module("D").modules() if isinstance(m, torch.nn.Linear))
    assert first.in_features == 2 * 4
    ctx = context()
    assert game._discriminate(ctx.batch.x, None, ctx).shape == (16,)  # 64 samples -> 16 packed judgements


def test_unrolling_changes_the_generators_gradient_and_k0_does_not():
    plain = g_gradient(game_for()[1], context())
    assert torch.allclose(g_gradient(game_for("stab.unrolled_steps=0")[1], context()), plain)
    unrolled = g_gradient(game_for("stab.unrolled_steps=5", "stab.unrolled_lr=0.5")[1], context())
    assert torch.isfinite(unrolled).all()
    assert (unrolled - plain).norm() > 0.05 * plain.norm()


def test_instance_noise_is_added_to_d_inputs_and_annealed_to_zero():
    _, game = game_for("stab.instance_noise=0.5", "train.steps=100")
    x = torch.zeros(4096, 2)
    start = game._d_input(x, context(step=0))
    assert abs(start.std().item() - 0.5) < 0.03
    halfway = game._d_input(x, context(step=50))
    assert abs(halfway.std().item() - 0.25) < 0.02
    assert torch.equal(game._d_input(x, context(step=100)), x)


def test_one_sided_label_smoothing_targets_0_9_for_real_data():
    _, smooth = game_for("stab.real_label=0.9")
    _, plain = game_for()
    logits = torch.full((8,), 3.0)
    # at logit 3 a target of 1 wants D(x) higher still; a target of 0.9 pulls it back (positive gradient)
    real = logits.clone().requires_grad_(True)
    smooth._d_loss_fn(real, torch.zeros(8)).backward()
    assert (real.grad > 0).all()
    real = logits.clone().requires_grad_(True)
    plain._d_loss_fn(real, torch.zeros(8)).backward()
    assert (real.grad < 0).all()


def test_minibatch_discrimination_sees_a_collapsed_batch():
    _, game = game_for("stab.minibatch_discrimination=5")
    D = game.module("D")
    mbd = D.batch_layers[-1]
    features = D.batch_layers(D.trunk(torch.ones(16, 2)))
    torch.testing.assert_close(features[:, -5:], torch.full((16, 5), 15.0))  # N - 1 for identical samples
    assert mbd.out_features == 5 and D(torch.randn(16, 2)).shape == (16,)


def test_minibatch_stddev_adds_a_diversity_channel_to_dcgan():
    config = load_config("gan-ring", ["model.arch=dcgan", "model.g_width=8", "model.d_width=8",
                                      "stab.minibatch_stddev=true"])
    game = build_game(config, DataSpec("digits", "image", (1, 32, 32), 10))
    D = game.module("D")
    assert D.head.in_channels == D.trunk.out_channels + 1
    assert D(torch.randn(8, 1, 32, 32)).shape == (8,)


def test_spectral_norm_switch_normalizes_the_discriminator():
    _, game = game_for("model.spectral_norm=true")
    D = game.module("D").train()
    for _ in range(30):
        D(torch.randn(64, 2))
    for layer in (m for m in D.modules() if isinstance(m, torch.nn.Linear)):
        sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2)
        assert abs(sigma.item() - 1) < 0.05


def test_sn_dcgan_discriminator_has_no_batch_norm_and_unit_spectral_norms():
    """model.d_norm=none with spectral norm is the SN-DCGAN discriminator (Miyato et al. 2018)."""
    config = load_config("dcgan-fashion", ["model.d_width=8", "model.g_width=8", "model.spectral_norm=true",
                                           "model.d_norm=none"])
    torch.manual_seed(0)
    D = build_game(config, DataSpec("fashion-mnist", "image", (1, 32, 32), 10)).module("D").train()
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules())
    for _ in range(30):
        D(torch.randn(16, 1, 32, 32))
    convs = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 4 and all(c.bias is not None for c in convs)  # no batch norm to absorb a bias
    for conv in convs:
        sigma = torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2)
        assert abs(sigma.item() - 1) < 0.05
    batch = load_config("dcgan-fashion", ["model.d_width=8", "model.g_width=8"])
    D_batch = build_game(batch, DataSpec("fashion-mnist", "image", (1, 32, 32), 10)).module("D")
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in D_batch.modules()) == 2


@pytest.mark.parametrize("overrides, says", [
    (["stab.pack=3"], "multiple of stab.pack"),
    (["stab.real_label=0.9", "loss=wgan-gp"], "label smoothing"),
    (["stab.diffaugment=colour"], "unknown policy 'colour'"),
    (["stab.pack=2", "game=conditional"], "need game=unconditional"),
    (["model.d_norm=layer"], "'model.d_norm' must be one of batch, none"),
])
def test_invalid_remedy_settings_are_one_line_errors(overrides, says):
    with pytest.raises(ConfigError, match=says):
        load_config("gan-ring", RING + overrides)


def test_d_norm_none_is_refused_for_the_mlp_discriminator():
    config = load_config("gan-ring", RING + ["model.d_norm=none"])
    with pytest.raises(ConfigError, match="model.d_norm applies to the convolutional discriminators"):
        build_game(config, DataSpec("ring", "points", (2,), 8))


def test_top_k_fraction_anneals_linearly_from_the_whole_batch():
    from gankit.nn import top_k_fraction

    assert top_k_fraction(0, 0.5, 1000) == 1.0
    assert top_k_fraction(500, 0.5, 1000) == pytest.approx(0.75)
    assert top_k_fraction(1000, 0.5, 1000) == pytest.approx(0.5)
    assert top_k_fraction(5000, 0.5, 1000) == pytest.approx(0.5)
    assert top_k_fraction(5000, 1.0, 1000) == 1.0


def test_keep_top_k_keeps_the_most_real_scores_and_only_they_get_gradient():
    from gankit.nn import keep_top_k

    logits = torch.tensor([0.25, 3.0, -2.0, 1.5, 0.75, -0.5], requires_grad=True)
    kept = keep_top_k(logits, 0.5)
    assert kept.tolist() == [3.0, 1.5, 0.75]
    kept.sum().backward()
    assert logits.grad.tolist() == [0, 1, 0, 1, 1, 0]
    assert keep_top_k(logits, 0.01).tolist() == [3.0]  # at least one sample
    assert keep_top_k(logits, 1.0) is logits


def test_top_k_training_computes_g_loss_on_the_best_scored_half():
    """Past the annealing, G's loss is the non-saturating loss of the half of its batch D rates most real."""
    config, game = game_for("stab.top_k=0.5", "train.steps=100")
    ctx = context(step=80)  # past train.steps / 2 = 50: the final share
    loss, stats = game.phase_loss("G", ctx)
    assert stats["top_k"].item() == pytest.approx(0.5)
    replay = context(step=80)  # the same noise stream: the same z
    with torch.no_grad():
        fake = game.generate(game.module("G"), replay.noise.normal(64, *game.latent_shape()))
        logits = game.module("D")(fake).reshape(-1)
    best = logits.topk(32).values
    torch.testing.assert_close(loss.detach(), torch.nn.functional.softplus(-best).mean())
    _, early = game.phase_loss("G", context(step=0))
    assert early["top_k"].item() == 1.0


def test_top_k_out_of_range_is_refused():
    with pytest.raises(ConfigError, match="'stab.top_k' must be in"):
        load_config("gan-ring", RING + ["stab.top_k=0"])
