"""StyleGAN (v1): AdaIN and per-channel noise by hand, the growing synthesis network and its fade-in, the growth
the game writes into G, style mixing over the grown layers only, bit-exact resume in the middle of a fade-in, and
the one-line errors of bad sizes and options."""

from __future__ import annotations

import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games.base import PhaseContext
from gankit.games.progan import progan_stages
from gankit.games.stylegan import StyleGANGame
from gankit.models.progan import ProGANDiscriminator, upsample
from gankit.models.stylegan import AdaIN, StyleGANGenerator, adain
from gankit.nn.modulated_conv import NoiseInjection
from gankit.training.noise import NoiseSource

from cli_helpers import expect_user_error, fingerprint

# a tiny StyleGAN on 16-px garments: 4 px for 2 steps, 8 px fading in over steps 2..5, stable 6..7, 16 px from 8
TINY = ["data.img_size=16", "data.limit=256", "name=sg1", "model.z_dim=8", "stylegan.w_dim=8",
        "stylegan.mapping_layers=1", "stylegan.g_width=8", "stylegan.d_width=8", "stylegan.fade_steps=4",
        "stylegan.stable_steps=2", "train.batch_size=8", "train.log_every=1", "train.sample_every=1000",
        "train.ckpt_every=1000", "train.progress=false", "train.amp=false", "train.ema=0.9", "eval.every=0",
        "train.doctor=false"]


def test_adain_normalizes_each_map_then_applies_the_style():
    x = torch.tensor([1.0, 3.0, 5.0, 7.0]).view(1, 1, 2, 2)  # mean 4, variance (9 + 1 + 1 + 9) / 4 = 5
    out = adain(x, torch.tensor([[2.0]]), torch.tensor([[0.5]]))
    expected = 2 * torch.tensor([-3.0, -1.0, 1.0, 3.0]) / 5 ** 0.5 + 0.5
    assert torch.allclose(out.flatten(), expected, atol=1e-6)
    layer = AdaIN(3, 4)
    with torch.no_grad():
        out = layer(x.expand(2, 3, 2, 2) * torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1), torch.zeros(2, 4))
    # w = 0: the style is (1, 0), so y_s starts around 1 and the output is the plain instance norm
    assert torch.allclose(out, ((x - 4) / 5 ** 0.5).expand(2, 3, 2, 2), atol=1e-6)


def test_noise_has_one_learned_scale_per_channel_over_one_map_per_sample():
    layer, x = NoiseInjection(4, channels=3), torch.zeros(2, 3, 4, 4)
    assert layer.strength.shape == (3,) and torch.equal(layer(x, "const"), x)  # starts at 0
    with torch.no_grad():
        layer.strength.copy_(torch.tensor([0.0, 1.0, -2.0]))
    out = layer(x, "const")
    noise = layer.noise_const[0, 0]
    assert torch.equal(out[:, 0], torch.zeros(2, 4, 4)) and torch.equal(out[1, 1], noise)
    assert torch.equal(out[0, 2], -2 * noise)
    assert NoiseInjection(4).strength.shape == ()  # StyleGAN2's single strength is unchanged


def test_synthesis_grows_and_fades_in_between_resolutions():
    torch.manual_seed(0)
    G = StyleGANGenerator(z_dim=4, w_dim=4, img_size=16, channels=1, widths=4, mapping_layers=1)
    S = G.synthesis
    assert G.num_ws == 6 and G.levels == 3
    ws = G.broadcast(G.mapping(torch.randn(3, 4)))
    assert [S.render(ws, level, noise_mode="const").shape[-1] for level in range(3)] == [4, 8, 16]
    # alpha 0: the new block is not seen; alpha 1/4: a quarter of the way from the old output to the new one
    old, new = S.render(ws, 1, noise_mode="const"), S.render(ws, 2, noise_mode="const")
    assert torch.allclose(S.render(ws, 2, 0.0, "const"), upsample(old), atol=1e-5)
    assert torch.allclose(S.render(ws, 2, 0.25, "const"), 0.75 * upsample(old) + 0.25 * new, atol=1e-5)
    # layers 4-5 style the 16-px block only: a render at 8 px does not read them
    other = ws.clone()
    other[:, 4:] = torch.randn(3, 2, 4)
    assert torch.equal(S.render(other, 1, noise_mode="const"), old)
    assert not torch.allclose(S.render(other, 2, noise_mode="const"), new)
    # forward renders at the growth buffers, upsampled (nearest) to the full size
    assert torch.equal(S(ws, "const"), new)
    G.set_growth(1, 0.5)
    images = G(torch.zeros(2, 4), noise_mode="const")
    assert images.shape == (2, 1, 16, 16) and torch.equal(images[..., ::2, ::2], images[..., 1::2, 1::2])
    # blocks not yet grown get no gradient
    S.render(ws, 1, 0.5).sum().backward()
    assert S.blocks[2].conv0.weight.grad is None and S.to_rgb[2].weight.grad is None
    assert S.blocks[1].conv0.weight.grad is not None and S.to_rgb[0].weight.grad is not None


def _game(mixing_prob: float = 1.0) -> StyleGANGame:
    torch.manual_seed(0)
    G = StyleGANGenerator(z_dim=4, w_dim=4, img_size=16, channels=1, widths=4, mapping_layers=1)
    return StyleGANGame(G, ProGANDiscriminator(16, 1, 4), mixing_prob=mixing_prob, fade_steps=4, stable_steps=2)


def test_the_game_grows_as_progan_and_writes_the_growth_into_g():
    game = _game()
    assert game.stages() == progan_stages(3, 4, 2)
    G = game.module("G").synthesis
    assert (int(G.level), float(G.alpha)) == (0, 1.0)
    for step, expected in ((3, (1, 0.25)), (8, (2, 0.0)), (13, (2, 1.0))):
        game.on_step_start(step)
        assert (int(G.level), float(G.alpha)) == expected == game.schedule()
    game.load_state_dict({"stage": "8px-fade", "step": 4})
    assert (int(G.level), float(G.alpha)) == (1, 0.5)


def test_style_mixing_cuts_only_among_the_grown_layers():
    """At 8 px (layers 0-3 grown) every mixed image switches latents once, at a cutoff in 1..3, never at 4 or 5."""
    game = _game(mixing_prob=1.0)
    ctx = PhaseContext(batch=None, batch_size=64, noise=NoiseSource(0, torch.device("cpu")), step=3)
    from gankit.games.stylegan2 import mixed_styles

    ws = mixed_styles(game.module("G"), ctx, 64, 1.0, active=4)
    cutoffs = set()
    for sample in ws:
        changes = [k for k in range(1, 6) if not torch.equal(sample[k], sample[k - 1])]
        assert len(changes) == 1
        cutoffs.add(changes[0])
    assert cutoffs == {1, 2, 3}
    assert game.fakes(8, ctx, 1, 0.25, "D").shape == (8, 1, 8, 8)


def _tensors(run):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    return load_file(str(ckpt.latest_checkpoint(run / "checkpoints") / ckpt.TENSORS_FILE))


def test_a_run_resumed_in_the_middle_of_a_fade_in_continues_bit_exactly(tmp_path):
    """Stopped after step 3 (α = 1/4 of the 8-px fade-in), resumed to step 10 (inside the 16-px fade-in): the same
    weights, w_avg, growth buffers, EMA and Adam moments as the run that went straight through."""
    api.train(load_config("stylegan-fashion", TINY + ["train.steps=10"]), tmp_path / "straight")
    api.train(load_config("stylegan-fashion", TINY + ["train.steps=4"]), tmp_path / "stopped")
    stopped = _tensors(tmp_path / "stopped")
    assert int(stopped["networks.G.synthesis.level"]) == 1 and float(stopped["ema.G.synthesis.alpha"]) == 0.25
    assert stopped["networks.G.mapping.w_avg"].abs().sum() > 0
    loaded = api.load_generator(tmp_path / "stopped")
    assert loaded.game.schedule() == (1, 0.25) and loaded.game.state_dict() == {"stage": "8px-fade", "step": 3}
    images = api.sample(tmp_path / "stopped", n=3, seed=1)
    assert images.shape == (3, 1, 16, 16) and images.abs().max() <= 1  # 8-px samples, upsampled to 16 px
    assert torch.equal(images[..., ::2, ::2], images[..., 1::2, 1::2])
    api.train(None, tmp_path / "stopped", overrides=["train.steps=10"], resume=True)
    a, b = _tensors(tmp_path / "straight"), _tensors(tmp_path / "stopped")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.startswith("optimizers.G") for k in a) and any(k.startswith("ema.G") for k in a)
    assert int(a["ema.G.synthesis.level"]) == 2 and float(a["ema.G.synthesis.alpha"]) == 0.25


def _logged(run) -> set[str]:
    import json

    events = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return {key for e in events if e["kind"] == "train" for key in e}


def test_r1_by_default_and_wgan_gp_with_drift_through_the_shared_keys(tmp_path):
    api.train(load_config("stylegan-fashion", TINY + ["train.steps=3"]), tmp_path / "r1")
    assert {"r1", "alpha", "resolution"} <= _logged(tmp_path / "r1") and "gp" not in _logged(tmp_path / "r1")
    api.train(load_config("stylegan-fashion", TINY + ["train.steps=3", "loss=wgan-gp", "reg.r1_gamma=0",
                                                      "stylegan.drift=0.001"]), tmp_path / "wgan")
    assert {"gp", "drift"} <= _logged(tmp_path / "wgan") and "r1" not in _logged(tmp_path / "wgan")


def test_bad_sizes_and_options_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(ConfigError, match="'stylegan.mixing_prob' must be in \\[0, 1\\]"):
        load_config("stylegan-fashion", ["stylegan.mixing_prob=1.5"])
    with pytest.raises(ConfigError, match="did you mean 'stylegan.fade_steps'"):
        load_config("stylegan-fashion", ["stylegan.fade_step=1"])
    with pytest.raises(ConfigError, match="'stylegan.w_dim' must be positive"):
        load_config("stylegan-fashion", ["stylegan.w_dim=0"])
    expect_user_error(capsys, "train", "stylegan-fashion", "--set", "data.img_size=24", "--set", "data.limit=64",
                      "--out", tmp_path / "cli", says=("stylegan", "power-of-two", "24"))
    assert fingerprint(tmp_path) == {}
