"""SAGAN: a tiny class-conditional SAGAN learns which digit to draw, resumes bit-exactly (conditional and not),
and refuses data and options it cannot use in one line."""

import json

import pytest
import torch

from gankit import api
from gankit.cli import main
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games import DataSpec, build_game
from gankit.nn import ConditionalBatchNorm2d
from games.resnet_gan_helpers import digits_judge, label_shares, tiny
from cli_helpers import expect_user_error
from training.test_resume import final_tensors


def test_a_tiny_conditional_sagan_draws_the_digit_asked_for(tmp_path, capsys):
    """Share of `gankit sample --label K` images the judge calls K, averaged over the 10 digits (chance: 0.1).

    Measured here after 400 steps (width 16, lr 5e-4 / 1e-3, spectral norm in both networks): 0.52 (0.35-0.72
    per digit). The bound 0.3 leaves room for another CPU's rounding, while a G that ignores the label fails.
    """
    run = tmp_path / "sagan"
    api.train("dcgan", run, overrides=tiny("sagan", width=16) + [
        "train.steps=400", "optim.lr_g=5e-4", "optim.lr_d=1e-3"])
    shares = label_shares(run, digits_judge(), tmp_path)
    assert sum(shares) / 10 >= 0.3, f"label shares {[round(s, 2) for s in shares]}"
    # `gankit eval`'s label accuracy (its own domain classifier, 50 samples per class) tells the same story
    capsys.readouterr()
    assert main(["eval", str(run), "--metrics", "labels", "--n", "500", "--json",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    measured = json.loads(capsys.readouterr().out)["label_accuracy"]
    assert measured >= 0.3 and abs(measured - sum(shares) / 10) < 0.2, (measured, shares)


@pytest.mark.parametrize("conditional", [True, False])
def test_sagan_resume_is_bit_exact(tmp_path, conditional):
    options = tiny("sagan") + [f"sagan.conditional={str(conditional).lower()}", "train.ema=0.9", "train.log_every=2"]
    api.train("dcgan", tmp_path / "straight", overrides=options + ["train.steps=8"])
    api.train("dcgan", tmp_path / "stopped", overrides=options + ["train.steps=5"])
    api.train("dcgan", tmp_path / "stopped", overrides=options + ["train.steps=8"], resume=True)
    straight, resumed = final_tensors(tmp_path / "straight"), final_tensors(tmp_path / "stopped")
    assert straight.keys() == resumed.keys()
    assert any("parametrizations" in k and k.endswith("_u") for k in straight)  # spectral norm's vectors saved
    assert not [k for k in straight if not torch.equal(straight[k], resumed[k])]


def test_the_conditional_variant_has_class_gains_and_the_unconditional_one_none():
    for conditional, expected in ((True, 10), (False, 0)):
        config = load_config("dcgan", tiny("sagan") + [f"sagan.conditional={str(conditional).lower()}"])
        game = build_game(config, DataSpec.of(api.load_data(config)))
        assert game.num_classes == expected
        gains = [m for m in game.module("G").modules() if isinstance(m, ConditionalBatchNorm2d)]
        assert bool(gains) == conditional and (game.module("D").embed is not None) == conditional


@pytest.mark.parametrize("overrides, says", [
    (["data.img_size=24"], "power of two"),
    (["sagan.attention=16"], "'sagan.attention' must be 0 or one of 8 at 16 px"),
    (["sagan.g_width=0"], "'sagan.g_width' must be positive"),
    (["stab.pack=2"], "builds its own discriminator"),
    (["data.name=ring", "data.img_size=null"], "needs square images"),
])
def test_bad_sagan_settings_are_one_line_errors(capsys, tmp_path, overrides, says):
    argv = [a for o in tiny("sagan") + overrides for a in ("--set", o)]
    expect_user_error(capsys, "train", "dcgan", "--out", tmp_path / "run", *argv, says=(says,))
    assert not (tmp_path / "run").exists()


def test_the_sagan_section_is_only_for_game_sagan():
    with pytest.raises(ConfigError, match="read by game sagan"):
        load_config("dcgan", ["sagan.g_width=8"])
