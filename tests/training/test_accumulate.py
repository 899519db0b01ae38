"""Gradient accumulation (train.accumulate): K micro-batches of B give one batch of K*B's gradients, resume stays
bit-exact, and games where micro-batches would change the meaning of a step refuse it in one line."""

import sys
from pathlib import Path

import pytest
import torch

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.games import DataSpec, Phase, build_game
from gankit.training.data_stream import DataStream
from gankit.training.noise import NoiseSource
from gankit.training.trainer import Trainer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cli_helpers import expect_user_error  # noqa: E402
from training.test_resume import final_tensors  # noqa: E402

# MLP networks (no batch norm): the loss of a batch is the mean of per-sample losses
TINY = ["data.name=digits", "model.arch=mlp", "model.g_hidden=[32]", "model.d_hidden=[32]", "data.limit=200",
        "optim.decay=none", "stab.top_k=1", "train.progress=false", "game=conditional", "loss=hinge",
        "train.amp=false"]  # float32: bfloat16 autocast would round the two sums differently


def trainer_with(tmp_path, batch_size, accumulate):
    config = load_config("gan-ring", TINY + [f"train.batch_size={batch_size}", f"train.accumulate={accumulate}"])
    data = api.load_data(config)
    torch.manual_seed(0)
    game = build_game(config, DataSpec.of(data))
    stream = DataStream.of(data, batch_size, seed=0, device=torch.device("cpu"))
    return Trainer(game, stream, config, tmp_path, torch.device("cpu"))


def grads(module):
    return [p.grad.clone() for p in module.parameters()]


@pytest.mark.parametrize("phase", [Phase("D", ("D",)), Phase("G", ("G",), needs_batch=False)])
def test_four_micro_batches_give_the_gradient_of_one_batch_four_times_larger(tmp_path, phase):
    whole = trainer_with(tmp_path / "whole", 32, 1)
    parts = trainer_with(tmp_path / "parts", 8, 4)
    name = phase.updates[0]
    for trainer in (whole, parts):
        stats = trainer._run_phase(phase)
    for a, b in zip(grads(whole.game.module(name)), grads(parts.game.module(name))):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-6)
    assert stats[f"grad_norm/{name}"] > 0
    assert whole.stream.state_dict() == parts.stream.state_dict()  # the data position moved by one batch of 32


def test_micro_batches_split_the_noise_of_one_draw():
    whole, parts = NoiseSource(3, "cpu"), NoiseSource(3, "cpu")
    z = whole.normal(6, 2)
    labels = whole.integers(6, 10)
    pieces = []
    for part in range(3):
        with parts.parts(part, 3):
            pieces.append((parts.normal(2, 2), parts.integers(2, 10)))
    assert torch.equal(torch.cat([p[0] for p in pieces]), z)
    assert torch.equal(torch.cat([p[1] for p in pieces]), labels)
    with parts.parts(0, 2):
        parts.normal(2, 2)
    with pytest.raises(RuntimeError, match="micro-batch 1"):
        with parts.parts(1, 2):
            parts.uniform(2, 2)


def test_resume_with_accumulation_is_bit_identical(tmp_path):
    options = TINY + ["train.batch_size=8", "train.accumulate=3", "train.d_steps=2", "train.ema=0.9",
                      "train.log_every=2", "train.sample_every=100", "train.ckpt_every=100", "train.doctor=false"]
    api.train("gan-ring", tmp_path / "straight", overrides=options + ["train.steps=9"])
    api.train("gan-ring", tmp_path / "stopped", overrides=options + ["train.steps=4"])
    api.train("gan-ring", tmp_path / "stopped", overrides=options + ["train.steps=9"], resume=True)
    straight, resumed = final_tensors(tmp_path / "straight"), final_tensors(tmp_path / "stopped")
    assert straight.keys() == resumed.keys()
    assert not [k for k in straight if not torch.equal(straight[k], resumed[k])]


@pytest.mark.parametrize("overrides, says", [
    (["stab.top_k=0.5"], "stab.top_k"),
    (["game=unconditional", "data.name=ring", "stab.minibatch_discrimination=4"], "minibatch discrimination"),
    (["game=unconditional", "data.name=ring", "stab.minibatch_stddev=true", "train.batch_size=6"], "groups of 4"),
])
def test_games_whose_step_micro_batches_would_change_refuse_accumulation(overrides, says):
    config = load_config("gan-ring", TINY + ["train.accumulate=2"] + overrides)
    with pytest.raises(ConfigError, match=says):
        build_game(config, DataSpec.of(api.load_data(config)))


def test_cyclegan_refuses_accumulation_on_the_command_line(capsys, tmp_path):
    from translation.unpaired_data import TINY_DIGITS_CYCLE

    argv = [a for o in TINY_DIGITS_CYCLE + ["train.accumulate=2"] for a in ("--set", o)]
    expect_user_error(capsys, "train", "dcgan", "--out", tmp_path / "run", *argv,
                      says=("train.accumulate=2", "cyclegan", "pool of past fakes"))
    assert not (tmp_path / "run").exists()
