"""Pix2PixHD: its networks' shapes, feature matching by hand, the stage switch and bit-exact resume across it,
learning a real paired task, and style codes that change intensity while the edges stay."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games.base import Stage
from gankit.games.pix2pixhd import feature_matching_loss
from gankit.games.stages import stage_at
from gankit.models.hd_generator import GlobalGenerator, LocalEnhancer, Pix2PixHDGenerator
from gankit.models.multiscale_d import MultiScaleDiscriminator
from gankit.nn.regions import paint_regions, region_average, regions_from_edges

from deblur_data import NAME

# a tiny, fast Pix2PixHD on the 16-px deblurring task (one code per image: the sources are blurred garments)
TINY = ["game=pix2pixhd", f"data.name={NAME}", "name=hd", "loss=least-squares", "train.batch_size=16",
        "train.log_every=5", "train.sample_every=1000", "train.ckpt_every=1000", "train.progress=false",
        "eval.every=0", "pix2pixhd.g_width=16", "pix2pixhd.d_width=16", "pix2pixhd.d_layers=1", "pix2pixhd.g_down=1",
        "pix2pixhd.g_blocks=2", "pix2pixhd.local_blocks=1", "pix2pixhd.encoder_width=8", "pix2pixhd.lambda_vgg=0",
        "pix2pixhd.regions=image"]


def test_global_and_local_generators_and_the_three_discriminators_have_the_paper_shapes():
    g1 = GlobalGenerator(4, 1, width=8, n_down=2, n_blocks=1)
    x = torch.randn(2, 4, 32, 32)
    assert g1(x).shape == (2, 1, 32, 32) and g1.features(x).shape == (2, 8, 32, 32)
    g2 = LocalEnhancer(4, 1, width=8, n_blocks=1)
    assert g2(torch.randn(2, 4, 64, 64), g1.features(x)).shape == (2, 1, 64, 64)
    g = Pix2PixHDGenerator(1, 3, 64, width=8, n_blocks=1, local_blocks=1, feat_dim=3, n_regions=2, encoder_width=4)
    source, target = torch.randn(2, 1, 64, 64), torch.rand(2, 3, 64, 64) * 2 - 1
    regions = regions_from_edges(source)
    codes = g.encode(target, regions)
    assert codes.shape == (2, 2, 3) and codes.abs().max() <= 1
    assert g.coarse(source, codes, regions).shape == (2, 3, 32, 32)  # the global stage: half resolution
    assert g(source, codes, regions, local=False).shape == g(source, codes, regions).shape == (2, 3, 64, 64)
    d = MultiScaleDiscriminator(4, num_d=3, width=8, n_layers=2)
    out = d(torch.randn(2, 4, 64, 64))
    assert len(out) == 3 and all(len(scale) == 2 + 2 for scale in out)  # 2 LeakyReLU blocks + 1, then logits
    assert [scale[0].shape[-1] for scale in out] == [32, 16, 8]  # inputs 64, 32, 16 px
    assert len(d(torch.randn(2, 4, 32, 32))) == 2  # the global stage's 32 px: the 8-px scale is too small


def test_feature_matching_is_the_sum_over_scales_and_layers_of_mean_absolute_differences():
    """Eq. 4 of Wang et al. 2018 by hand; the logits (last entry of each scale) do not count."""
    real = [[torch.tensor([1.0, 2.0]), torch.tensor([[0.0, 4.0]]), torch.tensor([9.0])],
            [torch.tensor([3.0]), torch.tensor([7.0])]]
    fake = [[torch.tensor([2.0, 0.0]), torch.tensor([[1.0, 1.0]]), torch.tensor([-9.0])],
            [torch.tensor([5.0]), torch.tensor([0.0])]]
    # scale 1: (1 + 2)/2 + (1 + 3)/2 = 3.5; scale 2: |3 - 5| = 2
    assert feature_matching_loss(real, fake).item() == pytest.approx(5.5)
    fake[0][0].requires_grad_(True)
    real[0][0].requires_grad_(True)
    feature_matching_loss(real, fake).backward()
    assert real[0][0].grad is None and fake[0][0].grad is not None  # the real features are held fixed


def test_regions_of_an_edge_drawing_and_per_region_codes():
    edges = torch.ones(1, 1, 12, 12)
    edges[0, 0, 3, 3:9] = edges[0, 0, 8, 3:9] = edges[0, 0, 3:9, 3] = edges[0, 0, 3:9, 8] = -1
    edges[0, 0, 5, 3] = 1  # a one-pixel gap in the outline does not let the background in
    regions = regions_from_edges(edges)
    assert regions[0, 1, 5, 5] == 1 and regions[0, 0, 0, 0] == 1 and regions.sum(1).eq(1).all()
    features = torch.arange(144.0).view(1, 1, 12, 12)
    codes = region_average(features, regions)
    inside = regions[0, 1].bool()
    assert codes[0, 1, 0].item() == pytest.approx(features[0, 0][inside].mean().item())
    painted = paint_regions(codes, regions)
    assert painted[0, 0, 5, 5] == codes[0, 1, 0] and painted[0, 0, 0, 0] == codes[0, 0, 0]


def test_stage_at_picks_the_last_stage_started():
    stages = (Stage("global", 0), Stage("local", 10))
    assert [stage_at(stages, s).name for s in (0, 9, 10, 99)] == ["global", "global", "local", "local"]


def test_the_pix2pixhd_section_is_validated(tmp_path):
    config = load_config("dcgan-fashion", ["game=pix2pixhd"])
    assert config.section("pix2pixhd").lambda_fm == 10.0 and config.section("pix2pixhd").num_d == 3
    with pytest.raises(ConfigError, match="did you mean 'pix2pixhd.lambda_fm'"):
        load_config("dcgan-fashion", ["game=pix2pixhd", "pix2pixhd.lambda_f=1"])
    with pytest.raises(ConfigError, match="'pix2pixhd.regions' must be edges or image"):
        load_config("dcgan-fashion", ["game=pix2pixhd", "pix2pixhd.regions=blobs"])
    with pytest.raises(ConfigError, match="needs paired images"):
        api.train("dcgan-fashion", tmp_path / "run", overrides=["game=pix2pixhd", "data.limit=256"], dry_run=True)


def _tensors(run):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    return load_file(str(ckpt.latest_checkpoint(run / "checkpoints") / ckpt.TENSORS_FILE))


def test_the_stage_switch_is_logged_and_resuming_across_it_is_bit_exact(tmp_path):
    """Stopped at step 4, the last step of the global stage, and resumed: the same weights, optimizer moments and
    code statistics as the run that went straight through the switch at step 4."""
    options = TINY + ["pix2pixhd.global_steps=4", "train.ckpt_every=4", "train.amp=false", "pix2pixhd.lambda_l1=1"]
    api.train(load_config("dcgan-fashion", options + ["train.steps=7"]), tmp_path / "straight")
    api.train(load_config("dcgan-fashion", options + ["train.steps=4"]), tmp_path / "stopped")
    from gankit.training import checkpoint as ckpt

    _, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "stopped" / "checkpoints"))
    assert state["game"] == {"stage": "global"}  # saved before step 4 starts: the switch is still to come
    api.train(None, tmp_path / "stopped", overrides=["train.steps=7"], resume=True)
    a, b = _tensors(tmp_path / "straight"), _tensors(tmp_path / "stopped")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.startswith("networks.G.local_net") for k in a)
    events = [json.loads(line) for line in (tmp_path / "straight" / "metrics.jsonl").read_text().splitlines()]
    assert [(e["step"], e["stage"]) for e in events if e["kind"] == "stage"] == [(0, "global"), (4, "local")]
    _, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "straight" / "checkpoints"))
    assert state["game"] == {"stage": "local"}
