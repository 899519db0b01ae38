"""Standing statistics (`gankit.sampling.standing`): the running statistics become the plain average of the batch
statistics of the sampling codes, truncated codes get statistics of their own, spectral norm stays as loaded, and
``sample.standing_stats`` applies them once per truncation when sampling."""

import copy
from pathlib import Path

import pytest
import torch
from torch import nn

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games import DataSpec, build_game
from gankit.sampling import LoadedGenerator
from gankit.sampling.standing import batch_norms, standing_statistics
from gankit.sampling.truncation import truncated_normal
from games.resnet_gan_helpers import tiny


@pytest.fixture(scope="module")
def sagan():
    """(config, data spec, game) of an untrained tiny conditional SAGAN, its G in eval mode with the running
    statistics it was built with."""
    torch.manual_seed(0)
    config = load_config("dcgan", tiny("sagan"))
    spec = DataSpec.of(api.load_data(config))
    game = build_game(config, spec)
    return config, spec, game


def _inputs_of_norms(game, G, z, labels) -> list[torch.Tensor]:
    """The input of every batch norm of G for one batch (G as it is: eval or train mode)."""
    found, hooks = [], [n.register_forward_pre_hook(lambda m, args: found.append(args[0].detach()))
                        for n in batch_norms(G)]
    with torch.no_grad():
        game.generate(G, z, labels)
    for hook in hooks:
        hook.remove()
    return found


def test_standing_statistics_are_the_average_of_the_batch_statistics(sagan):
    _, _, game = sagan
    G = copy.deepcopy(game.module("G")).eval()
    norms = batch_norms(G)
    for norm in norms:  # running statistics far from anything G computes
        norm.running_mean.add_(3.0)
        norm.running_var.mul_(7.0)
    before = {k: v.clone() for k, v in G.state_dict().items() if k.endswith(("_u", "_v"))}
    assert before, "the tiny SAGAN has spectral norm in G"
    assert standing_statistics(game, G, batches=3, batch_size=16, seed=5) == len(norms)
    # the expected values: the same codes and labels, each batch normalized by its own statistics
    replay = copy.deepcopy(G)
    for norm in batch_norms(replay):
        norm.train()
    generator = torch.Generator().manual_seed(5)
    means, variances = [], []
    for _ in range(3):
        z = truncated_normal((16, *game.latent_shape()), None, generator=generator)
        labels = torch.randint(game.num_classes, (16,), generator=generator)
        inputs = _inputs_of_norms(game, replay, z, labels)
        means.append([x.mean((0, 2, 3)) for x in inputs])
        variances.append([x.transpose(0, 1).flatten(1).var(1) for x in inputs])  # unbiased, as BatchNorm keeps it
    for i, norm in enumerate(norms):
        torch.testing.assert_close(norm.running_mean, sum(m[i] for m in means) / 3, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(norm.running_var, sum(v[i] for v in variances) / 3, rtol=1e-4, atol=1e-5)
        assert norm.momentum == 0.1 and not norm.training
    assert not G.training
    after = {k: v for k, v in G.state_dict().items() if k in before}
    assert all(torch.equal(before[k], after[k]) for k in before)  # no power iteration ran


def test_truncated_codes_get_their_own_statistics(sagan):
    """At t = 1 the first batch norm sees inputs of 0.29 x the variance of untruncated codes (Var of N(0, 1)
    truncated to [-1, 1]); standing statistics of truncated codes bring the ratio back to 1."""
    _, _, game = sagan
    G = copy.deepcopy(game.module("G")).eval()
    z = truncated_normal((512, *game.latent_shape()), 1.0, generator=torch.Generator().manual_seed(1))
    labels = torch.arange(512) % game.num_classes
    first = batch_norms(G)[0]

    def ratio() -> float:
        x = _inputs_of_norms(game, G, z, labels)[0]
        return (x.transpose(0, 1).flatten(1).var(1) / first.running_var).mean().item()

    standing_statistics(game, G, batches=8, batch_size=64)
    assert ratio() == pytest.approx(0.29, abs=0.05)
    standing_statistics(game, G, batches=8, batch_size=64, truncation=1.0)
    assert ratio() == pytest.approx(1.0, abs=0.1)


def test_sampling_applies_the_key_once_per_truncation(sagan):
    config, spec, game = sagan
    config = copy.deepcopy(config)
    config.sample.standing_stats = 2
    loaded = LoadedGenerator(game, copy.deepcopy(game.module("G")).eval(), config, spec, 0, Path("unused"))
    expected = copy.deepcopy(loaded.module)
    standing_statistics(game, expected, batches=2, batch_size=config.train.batch_size, truncation=0.8)
    drawn = api.sample(loaded, 20, label=3, seed=4, truncation=0.8)
    assert loaded.standing == (0.8,)
    for norm, reference in zip(batch_norms(loaded.module), batch_norms(expected)):
        assert torch.equal(norm.running_mean, reference.running_mean)
    assert torch.equal(drawn, api.sample(loaded, 20, label=3, seed=4, truncation=0.8))  # estimated once, reused
    api.sample(loaded, 5, label=3)
    assert loaded.standing == (None,)


def test_a_negative_key_is_refused():
    with pytest.raises(ConfigError, match="sample.standing_stats' must be 0 or more"):
        load_config("dcgan", ["sample.standing_stats=-1"])


def test_interpolation_uses_the_runs_truncation_and_projection_untruncated_codes(sagan):
    config, spec, game = sagan
    config = copy.deepcopy(config)
    config.sample.standing_stats, config.sample.truncation = 2, 0.8
    loaded = LoadedGenerator(game, copy.deepcopy(game.module("G")).eval(), config, spec, 0, Path("unused"))
    walk = api.interpolate(loaded, "1,2", frames=3, label=3)
    assert loaded.standing == (0.8,)
    torch.testing.assert_close(walk.frames[-1:], api.sample(loaded, 1, label=3, seed=2))  # an end is its sample
    api.project(loaded, torch.zeros(1, *spec.sample_shape), steps=1, starts=1, label=3)
    assert loaded.standing == (None,)
