"""CycleGAN: the ResNet generator, the pool of past fakes, the optimizer groups, the `cycle` section, learning a
real unpaired task, bit-exact resume (also while the pool fills), translating and evaluating both directions."""

from __future__ import annotations

import json

import pytest
import torch

from gankit import api
from gankit.config import all_keys, dump_config, load_config
from gankit.errors import ConfigError
from gankit.models.resnet_generator import ResNetGenerator
from gankit.nn.image_pool import ImagePool
from cli_helpers import expect_user_error, run_cli

from unpaired_data import DIGITS_NAME, TINY_CYCLE, TINY_DIGITS_CYCLE


# ---------------------------------------------------------------------------------------------- networks
@pytest.mark.parametrize("size, blocks", [(8, 0), (16, 2), (32, 6)])
def test_the_resnet_generator_maps_an_image_to_one_of_the_same_size(size, blocks):
    generator = ResNetGenerator(1, 3, width=8, n_blocks=blocks)
    out = generator(torch.randn(2, 1, size, size))
    assert out.shape == (2, 3, size, size) and out.abs().max() <= 1
    assert sum(m.__class__.__name__ == "ResidualBlock" for m in generator.modules()) == blocks
    # c7s1-8, d16, d32 at a quarter of the side, then back up: the bottleneck has 4k channels
    assert generator.net[7].out_channels == 32


def test_the_resnet_generator_refuses_sides_it_cannot_halve_twice():
    with pytest.raises(ValueError, match="divisible by 4"):
        ResNetGenerator(1, 1, width=4, n_blocks=1)(torch.randn(1, 1, 10, 10))


# ---------------------------------------------------------------------------------------------- the pool
def _images(*values: float) -> torch.Tensor:
    return torch.tensor(values).view(-1, 1, 1, 1)


def test_the_pool_stores_and_returns_until_full_then_swaps_half_the_time():
    pool, generator = ImagePool(3, (1, 1, 1)), torch.Generator().manual_seed(0)
    assert pool.query(_images(1, 2), generator).flatten().tolist() == [1, 2]  # filling: returned as they are
    state = generator.get_state()
    out = pool.query(_images(3, 4), generator).flatten().tolist()
    # by hand: 3 fills the pool (no draw); for 4 the pool draws a coin, then an index
    replay = torch.Generator()
    replay.set_state(state)
    coin, index = torch.rand((), generator=replay).item(), int(torch.randint(3, (), generator=replay))
    expected_pool = [1.0, 2.0, 3.0]
    if coin < 0.5:  # swap: return the stored image, keep the new one in its place
        expected_out, expected_pool[index] = expected_pool[index], 4.0
    else:
        expected_out = 4.0
    assert out == [3.0, expected_out] and pool.images.flatten().tolist() == expected_pool and pool.count == 3


def test_once_full_about_half_the_images_come_from_the_pool_and_none_is_lost():
    pool, generator = ImagePool(50, (1, 1, 1)), torch.Generator().manual_seed(1)
    first = torch.arange(50.0).view(-1, 1, 1, 1)
    assert torch.equal(pool.query(first, generator), first)
    new = torch.arange(1000.0, 3000.0).view(-1, 1, 1, 1)
    out = pool.query(new, generator)
    swapped = (out != new).sum().item()
    assert 900 <= swapped <= 1100  # Binomial(2000, 1/2): within 4.5 standard deviations
    assert sorted(out.flatten().tolist() + pool.images.flatten().tolist()) == list(range(50)) + list(range(1000, 3000))


def test_a_pool_of_size_0_returns_every_image_and_the_state_round_trips():
    assert ImagePool(0, (1, 2, 2)).query(torch.ones(3, 1, 2, 2), torch.Generator()).shape == (3, 1, 2, 2)
    pool = ImagePool(4, (1, 1, 1))
    pool.query(_images(5, 6), torch.Generator())
    state = pool.state_dict()
    assert state["count"] == 2 and state["images"].flatten().tolist() == [5, 6]
    fresh = ImagePool(4, (1, 1, 1))
    fresh.load_state_dict(state)
    assert fresh.count == 2 and fresh.images.flatten().tolist() == [5, 6, 0, 0]
    with pytest.raises(ValueError, match="does not fit"):
        ImagePool(1, (1, 1, 1)).load_state_dict(state)


# ---------------------------------------------------------------------------------------------- config
def test_the_cycle_section_is_validated_like_any_key():
    config = load_config("cyclegan-sneaker2boot")
    options = config.section("cycle")
    assert (options.lambda_cycle, options.lambda_identity, options.pool_size) == (10.0, 0.5, 50)  # the paper's
    assert config.loss == "least-squares" and config.optim.decay == "linear" and config.optim.decay_start == 0.5
    assert "cycle:\n  lambda_cycle: 10.0" in dump_config(config)
    assert {"cycle.lambda_cycle", "cycle.lambda_identity", "cycle.pool_size", "cycle.n_blocks"} <= set(all_keys())
    with pytest.raises(ConfigError, match=r"did you mean 'cycle.lambda_cycle'"):
        load_config("cyclegan-sneaker2boot", ["cycle.lamda_cycle=1"])
    with pytest.raises(ConfigError, match="'cycle.pool_size' must be 0 or more"):
        load_config("cyclegan-sneaker2boot", ["cycle.pool_size=-1"])
    with pytest.raises(ConfigError, match="'cycle.lambda_gan' is 0"):
        load_config("cyclegan-sneaker2boot", ["cycle.lambda_gan=0"])
    with pytest.raises(ConfigError, match="read by game cyclegan, not by game 'unconditional'"):
        load_config("dcgan-fashion", ["cycle.lambda_cycle=1"])


def test_cyclegan_needs_unpaired_data(tmp_path):
    with pytest.raises(ConfigError, match="needs unpaired images"):
        api.train("dcgan-fashion", tmp_path / "run", overrides=["game=cyclegan", "data.limit=64"], dry_run=True)
    with pytest.raises(ConfigError, match="cycle.d_layers=2 needs images of at least 12 px, got 8"):
        api.train(load_config("dcgan-fashion", TINY_DIGITS_CYCLE + ["cycle.d_layers=2"]), tmp_path / "r",
                  dry_run=True)


# ---------------------------------------------------------------------------------------------- training
def _state(run):
    from gankit.training import checkpoint as ckpt

    return ckpt.load_checkpoint(ckpt.latest_checkpoint(run / "checkpoints"))[1]


@pytest.fixture(scope="module")
def digits_cycle(tmp_path_factory):
    run = tmp_path_factory.mktemp("digits-cycle") / "run"
    api.train(load_config("dcgan-fashion", TINY_DIGITS_CYCLE + ["train.steps=40", "train.amp=false"]), run)
    return run


def test_both_generators_share_one_adam_and_both_discriminators_another(digits_cycle):
    state = _state(digits_cycle)
    assert set(state["optimizers"]) == {"G", "D"}
    n_params = {name: len(weights) for name, weights in state["networks"].items()}  # no buffers: instance norm
    counts = {group: len(state["optimizers"][group]["state"]) for group in ("G", "D")}
    assert counts == {"G": n_params["G_ab"] + n_params["G_ba"], "D": n_params["D_a"] + n_params["D_b"]}
    assert state["game"]["pools"]["a"]["count"] == 50  # 40 steps of 8 filled both pools
    assert (digits_cycle / "samples" / "final.png").is_file()


def _mean_image_distance(images: torch.Tensor, reference: torch.Tensor) -> float:
    return (images.mean(0) - reference.mean(0)).abs().mean().item()


def test_a_tiny_cyclegan_turns_held_out_sneakers_towards_boots(tmp_path):
    """Classifier-free: the mean image of the translated held-out sneakers moves most of the way to the mean
    boot, and the cycle brings them back; an untrained G (grey noise) fails both checks."""
    from gankit.data import load_dataset

    run = tmp_path / "run"
    api.train(load_config("dcgan-fashion", TINY_CYCLE + ["train.steps=300"]), run)
    data = load_dataset("sneaker2boot", img_size=16)
    sneakers, boots = data.test_a[:300], data.test_b[:300]
    before = _mean_image_distance(sneakers, boots)
    torch.manual_seed(0)
    untrained = [ResNetGenerator(1, 1, width=8, n_blocks=2).eval() for _ in range(2)]
    with torch.no_grad():
        untrained_b = untrained[0](sneakers)
        untrained_cycle = (untrained[1](untrained_b) - sneakers).abs().mean().item()
    fake_boots = api.translate(run, sneakers).images
    cycled = api.translate(run, fake_boots, direction="b2a").images
    moved, cycle = _mean_image_distance(fake_boots, boots), (cycled - sneakers).abs().mean().item()
    assert _mean_image_distance(untrained_b, boots) > 0.5 * before and untrained_cycle > 0.5
    assert moved < 0.5 * before  # measured (seeds 0, 1, 2): 0.14, 0.13, 0.07 of 0.35; untrained 0.55-0.60
    assert cycle < 0.5 * untrained_cycle  # measured: 0.11-0.12 vs 0.68-0.92 untrained


def test_cyclegan_resume_is_bit_exact_also_while_the_pool_fills(tmp_path):
    """Pools of 20 fill after 2.5 steps of 8: stop after 2 (16 stored), resume to 6 (swaps from step 3 on)."""
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    options = TINY_DIGITS_CYCLE + ["cycle.pool_size=20", "train.ckpt_every=2", "train.amp=false"]
    api.train(load_config("dcgan-fashion", options + ["train.steps=6"]), tmp_path / "straight")
    api.train(load_config("dcgan-fashion", options + ["train.steps=2"]), tmp_path / "stopped")
    assert _state(tmp_path / "stopped")["game"]["pools"]["b"]["count"] == 16
    api.train(None, tmp_path / "stopped", overrides=["train.steps=6"], resume=True)
    a, b = (load_file(str(ckpt.latest_checkpoint(tmp_path / r / "checkpoints") / ckpt.TENSORS_FILE))
            for r in ("straight", "stopped"))
    assert any(k.startswith("game.pools.a") for k in a)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ---------------------------------------------------------------------------------------------- use
def test_translate_takes_either_direction(capsys, tmp_path, digits_cycle):
    from PIL import Image
    import numpy as np

    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / "one.png")
    for direction in ("a2b", "b2a"):
        code, out, _ = run_cli(capsys, "translate", digits_cycle, "--input", tmp_path / "one.png", "--out",
                               tmp_path / f"{direction}.png", "--direction", direction)
        assert code == 0 and "translated 1 image" in out
    x = torch.rand(2, 1, 8, 8) * 2 - 1
    loaded_ab, loaded_ba = api.load_translator(digits_cycle), api.load_translator(digits_cycle, direction="b2a")
    assert loaded_ab.module is loaded_ab.game.module("G_ab") and loaded_ba.module is loaded_ba.game.module("G_ba")
    assert not torch.equal(api.translate(digits_cycle, x).images, api.translate(digits_cycle, x, direction="b2a").images)
    expect_user_error(capsys, "translate", digits_cycle, "--input", tmp_path / "one.png", "--out", tmp_path / "o.png",
                      "--direction", "sideways", says=("invalid choice",))


def test_translate_b2a_on_a_pix2pix_run_is_refused(capsys, tmp_path):
    from deblur_data import DIGITS_NAME as PAIRED_DIGITS, TINY_PIX2PIX
    from PIL import Image
    import numpy as np

    run = tmp_path / "p2p"
    api.train(load_config("dcgan-fashion", TINY_PIX2PIX + [f"data.name={PAIRED_DIGITS}", "pix2pix.d_layers=1",
                                                          "train.steps=1"]), run)
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / "one.png")
    expect_user_error(capsys, "translate", run, "--input", tmp_path / "one.png", "--out", tmp_path / "o.png",
                      "--direction", "b2a", says=("game 'pix2pix'", "a2b only"))
    assert not (tmp_path / "o.png").exists()


def test_eval_on_an_unpaired_run_reports_both_directions(capsys, digits_cycle, tmp_path):
    from gankit.data import load_dataset
    from gankit.metrics.paired import l1_error

    code, out, _ = run_cli(capsys, "eval", digits_cycle, "--n", "20", "--json", "--cache-dir", tmp_path)
    assert code == 0
    result = json.loads(out)
    assert {"translation_accuracy_a2b", "translation_accuracy_b2a", "cycle_l1_a", "cycle_l1_b", "fid_a2b",
            "kid_b2a"} <= set(result)
    data = load_dataset(DIGITS_NAME)
    ones = data.test_a[:20]
    cycled = api.translate(digits_cycle, api.translate(digits_cycle, ones).images, direction="b2a").images
    assert result["cycle_l1_a"] == pytest.approx(l1_error(cycled, ones), rel=1e-6)
    expect_user_error(capsys, "eval", digits_cycle, "--metrics", "paired", "--cache-dir", tmp_path,
                      says=("does not apply to an unpaired translation run",))
