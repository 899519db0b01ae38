"""ProGAN: pixel norm by hand, the growing networks and their fade-in, the schedule, the real-image blend, bit-exact
resume in the middle of a fade-in, sampling at the final resolution, and bad sizes."""

from __future__ import annotations

import json

import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games.progan import progan_schedule, progan_stages
from gankit.games.stages import stage_at
from gankit.models.progan import ProGANDiscriminator, ProGANGenerator, downsample, upsample
from gankit.nn import PixelNorm

from cli_helpers import expect_user_error, fingerprint

# a tiny ProGAN on 16-px garments: 4 px for 2 steps, then 8 px fading in over steps 2..5, stable 6..7, 16 px from 8
TINY = ["data.img_size=16", "data.limit=256", "name=pg", "model.z_dim=16", "progan.g_width=16",
        "progan.d_width=16", "progan.fade_steps=4", "progan.stable_steps=2", "train.batch_size=16",
        "train.log_every=1", "train.sample_every=1000", "train.ckpt_every=1000", "train.progress=false",
        "train.amp=false", "train.ema=0.9", "eval.every=0", "train.doctor=false"]


def test_pixel_norm_gives_every_pixel_unit_mean_square_over_channels():
    x = torch.tensor([3.0, 4.0]).view(1, 2, 1, 1).expand(1, 2, 2, 3)
    out = PixelNorm()(x)
    assert torch.allclose(out[0, :, 1, 2], torch.tensor([3.0, 4.0]) / 12.5 ** 0.5)  # mean square (9+16)/2
    assert torch.allclose(PixelNorm()(torch.randn(5, 7, 3, 3)).square().mean(1), torch.ones(5, 3, 3), atol=1e-5)


def test_networks_grow_and_fade_in_between_resolutions():
    torch.manual_seed(0)
    G, D = ProGANGenerator(8, 16, 1, 8), ProGANDiscriminator(16, 1, 8)
    z = torch.randn(4, 8)
    assert [G(z, level).shape[-1] for level in range(3)] == [4, 8, 16] and G(z).shape == (4, 1, 16, 16)
    x = torch.randn(4, 1, 16, 16)
    assert D(x).shape == (4,) and D(downsample(x, 4)).shape == (4,)
    # alpha 0: the new block is not seen yet (G = upsampled previous level, D = previous level on pooled input)
    assert torch.allclose(G(z, 2, 0.0), upsample(G(z, 1)), atol=1e-5)
    assert torch.allclose(D(x, 0.0), D(downsample(x)), atol=1e-5)
    # alpha 1/4: a quarter of the way from the old output to the new one
    assert torch.allclose(G(z, 2, 0.25), 0.75 * upsample(G(z, 1)) + 0.25 * G(z, 2), atol=1e-5)
    # blocks not yet grown get no gradient
    G(z, 1, 0.5).sum().backward()
    assert G.blocks[2][0].weight.grad is None and G.to_rgb[2].weight.grad is None
    assert G.blocks[1][0].weight.grad is not None and G.to_rgb[0].weight.grad is not None
    with pytest.raises(ValueError, match="judges 4, 8, ..., 16 px"):
        D(torch.randn(4, 1, 12, 12))


def test_schedule_and_stages_agree_step_by_step():
    """4 px for 2 steps; 8 px: alpha 0, 1/4, 1/2, 3/4 then 1, 1; 16 px the same, then 16 px for ever."""
    got = [progan_schedule(s, 3, 4, 2) for s in range(16)]
    assert got[:8] == [(0, 1.0), (0, 1.0), (1, 0.0), (1, 0.25), (1, 0.5), (1, 0.75), (1, 1.0), (1, 1.0)]
    assert got[8:14] == [(2, 0.0), (2, 0.25), (2, 0.5), (2, 0.75), (2, 1.0), (2, 1.0)] and got[15] == (2, 1.0)
    stages = progan_stages(3, 4, 2)
    assert [(s.name, s.start) for s in stages] == [("4px", 0), ("8px-fade", 2), ("8px", 6), ("16px-fade", 8),
                                                   ("16px", 12)]
    for step, (level, alpha) in enumerate(got):
        name = stage_at(stages, step).name
        assert name.startswith(f"{4 * 2 ** level}px") and name.endswith("-fade") == (alpha < 1)


def test_real_images_are_downsampled_and_blended_during_fade_in():
    from gankit.games.progan import ProGANGame

    game = ProGANGame(ProGANGenerator(4, 16, 1, 4), ProGANDiscriminator(16, 1, 4))
    x = torch.arange(256.0).view(1, 1, 16, 16)
    assert torch.equal(game.real_at(x, 2, 1.0), x)
    at8 = game.real_at(x, 1, 1.0)
    assert at8[0, 0, 0, 0] == (0 + 1 + 16 + 17) / 4  # a 2x2 box filter
    coarse = upsample(downsample(at8))
    assert torch.allclose(game.real_at(x, 1, 0.25), 0.25 * at8 + 0.75 * coarse)
    assert torch.equal(game.real_at(x, 0, 0.5), downsample(x, 4))  # no fade-in at 4 px


def _tensors(run):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    return load_file(str(ckpt.latest_checkpoint(run / "checkpoints") / ckpt.TENSORS_FILE))


def test_a_run_resumed_in_the_middle_of_a_fade_in_continues_bit_exactly(tmp_path):
    """Stopped after step 3 (alpha 1/4 of the 8-px fade-in) and resumed to step 10 (inside the 16-px fade-in):
    the same weights, EMA and Adam moments as the run that went straight through."""
    api.train(load_config("progan-fashion", TINY + ["train.steps=10"]), tmp_path / "straight")
    api.train(load_config("progan-fashion", TINY + ["train.steps=4"]), tmp_path / "stopped")
    from gankit.training import checkpoint as ckpt

    _, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "stopped" / "checkpoints"))
    assert state["game"] == {"stage": "8px-fade", "step": 3}
    loaded = api.load_generator(tmp_path / "stopped")
    assert loaded.game.schedule() == (1, 0.25) and loaded.game.resolution == 8
    images = api.sample(tmp_path / "stopped", n=3, seed=1)
    assert images.shape == (3, 1, 16, 16) and images.abs().max() <= 1  # 8-px samples, upsampled to 16 px
    assert torch.equal(images[..., ::2, ::2], images[..., 1::2, 1::2])
    api.train(None, tmp_path / "stopped", overrides=["train.steps=10"], resume=True)
    a, b = _tensors(tmp_path / "straight"), _tensors(tmp_path / "stopped")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.startswith("optimizers.G") for k in a) and any(k.startswith("ema.G") for k in a)
    events = [json.loads(line) for line in (tmp_path / "straight" / "metrics.jsonl").read_text().splitlines()]
    assert [(e["step"], e["stage"]) for e in events if e["kind"] == "stage"] == [
        (0, "4px"), (2, "8px-fade"), (6, "8px"), (8, "16px-fade")]
    alphas = {e["step"] - 1: e["alpha"] for e in events if "alpha" in e}  # logged once the step is done
    assert alphas[4] == 0.5 and alphas[8] == 0.0 and alphas[9] == 0.25
    info = api.run_info(tmp_path / "straight")  # ProGAN builds its own networks: no model.arch to report
    assert info["model"] is None and info["sections"]["progan"]["fade_steps"] == 4


def test_bad_sizes_and_options_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(ConfigError, match="power-of-two image size"):
        api.train("progan-fashion", tmp_path / "run", overrides=["data.img_size=28", "data.limit=64"], dry_run=True)
    with pytest.raises(ConfigError, match="'progan.fade_steps' must be 0 or more"):
        load_config("progan-fashion", ["progan.fade_steps=-1"])
    with pytest.raises(ConfigError, match="did you mean 'progan.fade_steps'"):
        load_config("progan-fashion", ["progan.fade_step=1"])
    expect_user_error(capsys, "train", "progan-fashion", "--set", "data.img_size=24", "--set", "data.limit=64",
                      "--out", tmp_path / "cli", says=("progan", "power-of-two", "24"))
    assert fingerprint(tmp_path) == {}


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 256) -> float:
    """Mean over random unit directions of the 1-D Wasserstein-1 distance of the two projected samples (sorted
    projections paired up; equal sample counts)."""
    directions = torch.randn(a[0].numel(), projections, generator=torch.Generator().manual_seed(0))
    directions = directions / directions.norm(dim=0)
    pa, pb = (a.flatten(1) @ directions).sort(0).values, (b.flatten(1) @ directions).sort(0).values
    return (pa - pb).abs().mean().item()


def test_progan_learns_garments_at_16px(tmp_path):
    """330 steps on 2,048 garments at 16 px (4 px for 60, 8 px fading in over 60 and stable for 60, then 16 px) move
    the samples' mean image and their sliced Wasserstein distance to the real garments far from where an untrained
    G starts (measured: mean-image error 1.16 -> 0.43, SWD 0.95 -> 0.48; two halves of the real data: 0.01, 0.02)."""
    from gankit.data import load_dataset

    options = ["data.img_size=16", "data.limit=2048", "name=pg16", "model.z_dim=32", "progan.g_width=16",
               "progan.d_width=16", "progan.fade_steps=60", "progan.stable_steps=60", "train.batch_size=16",
               "train.steps=330", "train.log_every=50", "train.sample_every=1000", "train.ckpt_every=1000",
               "train.progress=false", "eval.every=0", "train.ema=0.99", "train.doctor=false"]
    api.train(load_config("progan-fashion", options), tmp_path / "run")
    real = load_dataset("fashion-mnist", img_size=16, limit=1024).x
    torch.manual_seed(0)
    with torch.no_grad():
        untrained = ProGANGenerator(32, 16, 1, 16)(torch.randn(1024, 32)).clamp(-1, 1)
    trained = api.sample(tmp_path / "run", n=1024, seed=1)
    assert trained.shape == real.shape

    def mean_image_error(x):
        return (x.mean(0) - real.mean(0)).abs().mean().item()

    assert mean_image_error(trained) < 0.7 * mean_image_error(untrained)
    assert sliced_wasserstein(trained, real) < 0.75 * sliced_wasserstein(untrained, real)
