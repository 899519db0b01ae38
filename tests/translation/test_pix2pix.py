"""Pix2Pix: the U-Net and PatchGAN, its config section, learning a real paired task, bit-exact resume."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from gankit import api
from gankit.config import all_keys, dump_config, load_config
from gankit.errors import ConfigError
from gankit.models.patchgan import PatchDiscriminator, patch_receptive_field
from gankit.models.unet import UNetGenerator

from deblur_data import NAME, TINY_PIX2PIX


@pytest.mark.parametrize("size", [8, 32, 64])
def test_unet_maps_an_image_to_one_of_the_same_size(size):
    generator = UNetGenerator(1, 3, size, width=8).eval()
    out = generator(torch.randn(2, 1, size, size))
    assert out.shape == (2, 3, size, size) and out.abs().max() <= 1


def test_unet_refuses_sizes_it_cannot_halve_to_one_pixel():
    with pytest.raises(ValueError, match="power of 2"):
        UNetGenerator(1, 1, 48)


@pytest.mark.parametrize("n_layers, field", [(1, 16), (2, 34), (3, 70)])
def test_a_patch_logit_sees_exactly_its_receptive_field(n_layers, field):
    """The paper's 16x16 and 70x70 PatchGANs: the gradient of one central logit is zero outside its field."""
    assert patch_receptive_field(n_layers) == field
    torch.manual_seed(0)
    net = PatchDiscriminator(1, width=4, n_layers=n_layers).double().eval()  # eval: norm per position
    x = torch.randn(1, 1, 160, 160, dtype=torch.double, requires_grad=True)
    logits = net(x)
    h, w = logits.shape[-2:]
    logits[0, 0, h // 2, w // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    cols = torch.nonzero(x.grad[0, 0].abs().sum(0)).flatten()
    assert int(rows.max() - rows.min() + 1) <= field and int(cols.max() - cols.min() + 1) <= field
    assert int(rows.max() - rows.min() + 1) >= field - 2  # zero weights at the edge aside, it is the whole field


def test_the_pix2pix_section_is_validated_like_any_key():
    config = load_config("dcgan-fashion", ["game=pix2pix"])
    assert config.section("pix2pix").lambda_l1 == 100.0  # the paper's λ
    assert "pix2pix:\n  lambda_l1: 100.0" in dump_config(config)
    assert "pix2pix.lambda_l1" in all_keys()
    with pytest.raises(ConfigError, match=r"did you mean 'pix2pix.lambda_l1'"):
        load_config("dcgan-fashion", ["game=pix2pix", "pix2pix.lamda_l1=10"])
    with pytest.raises(ConfigError, match="'pix2pix.lambda_l1' must be 0 or more"):
        load_config("dcgan-fashion", ["game=pix2pix", "pix2pix.lambda_l1=-1"])
    with pytest.raises(ConfigError, match="must be a number"):
        load_config("dcgan-fashion", ["game=pix2pix", "pix2pix.lambda_l1=lots"])
    with pytest.raises(ConfigError, match="read by game pix2pix, not by game 'unconditional'"):
        load_config("dcgan-fashion", ["pix2pix.lambda_l1=10"])
    assert "pix2pix" not in load_config("dcgan-fashion").to_dict()  # other games' configs stay as they were


def test_pix2pix_needs_paired_data(tmp_path):
    with pytest.raises(ConfigError, match="needs paired images"):
        api.train("dcgan-fashion", tmp_path / "run", overrides=["game=pix2pix", "data.limit=256"], dry_run=True)


def _held_out_l1(run, data) -> float:
    loaded = api.load_translator(run)
    with torch.no_grad():
        out = loaded.game.translate(loaded.module, data.test_source)
    return F.l1_loss(out, data.test_target).item()


def test_pix2pix_learns_to_deblur_held_out_garments(tmp_path):
    """After 400 steps G's output is closer to the sharp held-out garments than its blurred input is."""
    from gankit.data import load_dataset

    result = api.train(load_config("dcgan-fashion", TINY_PIX2PIX + ["train.steps=400"]), tmp_path / "run")
    assert result.step == 400 and (tmp_path / "run" / "samples" / "final.png").is_file()
    data = load_dataset(NAME)
    baseline = F.l1_loss(data.test_source, data.test_target).item()  # the blurred input itself
    assert _held_out_l1(tmp_path / "run", data) < 0.95 * baseline  # measured: 0.10 at 500 steps vs 0.135 (seeds 0, 1)


def test_pix2pix_resume_is_bit_exact(tmp_path):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    options = TINY_PIX2PIX + ["train.ckpt_every=3", "train.amp=false"]
    api.train(load_config("dcgan-fashion", options + ["train.steps=6"]), tmp_path / "straight")
    api.train(load_config("dcgan-fashion", options + ["train.steps=3"]), tmp_path / "stopped")
    api.train(None, tmp_path / "stopped", overrides=["train.steps=6"], resume=True)
    a, b = (load_file(str(ckpt.latest_checkpoint(tmp_path / r / "checkpoints") / ckpt.TENSORS_FILE))
            for r in ("straight", "stopped"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_patchgan_too_deep_for_the_images_is_a_config_error(tmp_path):
    from deblur_data import DIGITS_NAME

    with pytest.raises(ConfigError, match="pix2pix.d_layers=2 needs images of at least 12 px, got 8"):
        api.train(load_config("dcgan-fashion", TINY_PIX2PIX + [f"data.name={DIGITS_NAME}"]), tmp_path / "r",
                  dry_run=True)
