"""QuantGAN: the TCN's receptive field, causality and convolution by hand, its config section, learning the S&P 500's
Gaussianized returns in seconds, bit-exact resume, paths of any length from noise alone, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import wasserstein_distance

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.models.tcn import CausalConv, TCNCritic, TCNGenerator

from cli_helpers import expect_user_error, run_cli

QUIET = ["train.progress=false", "train.doctor=false", "train.threads=1", "optim.decay=none"]
# receptive field 2^(3+1) - 1 = 15 on windows of 8 + 8 = 16 days of the recipe's S&P 500 window
SMALL = QUIET + ["quantgan.width=16", "quantgan.blocks=3", "data.history=8", "data.future=8", "train.batch_size=64",
                 "train.log_every=10", "train.sample_every=100000", "train.ckpt_every=100000"]


def test_the_causal_convolution_is_conv1d_and_sees_no_future():
    torch.manual_seed(0)
    conv = CausalConv(3, 4, kernel=2, dilation=4)
    ref = torch.nn.Conv1d(3, 4, 2, dilation=4)
    with torch.no_grad():  # y_t = W [x_{t-d}, x_t] + b: the first 3 inputs weigh x_{t-d}, the next 3 x_t
        ref.weight.copy_(torch.stack([conv.linear.weight[:, :3], conv.linear.weight[:, 3:]], dim=2))
        ref.bias.copy_(conv.linear.bias)
    x = torch.randn(2, 20, 3)
    assert torch.allclose(conv(x), ref(x.transpose(1, 2)).transpose(1, 2), atol=1e-5)
    # one by hand: kernel 2, dilation 1, 1 channel: y_t = 2 x_{t-1} + 3 x_t + 1
    by_hand = CausalConv(1, 1, kernel=2, dilation=1)
    with torch.no_grad():
        by_hand.linear.weight.copy_(torch.tensor([[2.0, 3.0]]))
        by_hand.linear.bias.fill_(1.0)
    assert by_hand(torch.tensor([[[1.0], [2.0], [4.0]]]))[0, :, 0].tolist() == [9.0, 17.0]


def test_the_tcn_covers_127_steps_and_draws_any_length():
    torch.manual_seed(0)
    g = TCNGenerator(dim=1, z_dim=3, width=8)
    assert g.receptive_field == 127 and g.noise_length(2520) == 2646  # 1 + 2 (1 + 2 + ... + 32)
    z = torch.randn(2, 300, 3)
    out = g(z)
    assert out.shape == (2, 300 - 126, 1)
    changed = z.clone()
    changed[:, 200] += 1.0  # noise step 200 feeds outputs 200 - 126 = 74 .. 200 (output t reads noise t .. t + 126)
    moved = (g(changed) - out).abs()[0, :, 0] > 0
    assert not moved[:74].any() and moved[74:201].all() and not moved[201:].any()
    assert g(torch.randn(1, 2646, 3)).shape == (1, 2520, 1)
    critic = TCNCritic(dim=1, width=8)
    assert critic(torch.randn(5, 127, 1)).shape == (5,) and critic(torch.randn(5, 200, 1)).shape == (5,)


def test_the_quantgan_section_is_validated_like_any_key():
    config = load_config("quantgan-sp500")
    assert config.game == "quantgan" and config.section("quantgan").blocks == 6
    assert config.data.history + config.data.future == 127
    with pytest.raises(ConfigError, match="did you mean 'quantgan.width'"):
        load_config("quantgan-sp500", ["quantgan.widht=8"])
    with pytest.raises(ConfigError, match="'quantgan.blocks' must be positive"):
        load_config("quantgan-sp500", ["quantgan.blocks=0"])


def _marginal_emd(run, data) -> float:
    paths = api.sample_paths(run, n=20, length=500, seed=3)
    return wasserstein_distance(paths.flatten().numpy(), data.values[:, 0].numpy())


def test_quantgan_learns_the_return_distribution_in_seconds(tmp_path):
    """300 steps of a small TCN on the S&P 500's Gaussianized returns: the marginal EMD of generated paths to the
    real values falls far below an untrained G's (whose outputs are far too spread)."""
    from gankit.training.setup import load_data

    api.train(load_config("quantgan-sp500", SMALL + ["train.steps=1"]), tmp_path / "untrained")
    api.train(load_config("quantgan-sp500", SMALL + ["train.steps=300"]), tmp_path / "trained")
    data = load_data(load_config("quantgan-sp500", SMALL))
    untrained, trained = (_marginal_emd(tmp_path / run, data) for run in ("untrained", "trained"))
    # measured: untrained 1.41, trained 0.105 (seed 0)
    assert untrained > 0.4 and trained < 0.2 and trained < 0.3 * untrained


def test_quantgan_resume_is_bit_exact(tmp_path):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    for loss in ("wgan-gp", "nonsaturating"):
        options = SMALL + [f"loss={loss}", "train.amp=false", "train.batch_size=8", "train.ckpt_every=3",
                           "train.log_every=2", "train.d_steps=2"]
        api.train(load_config("quantgan-sp500", options + ["train.steps=6"]), tmp_path / loss / "straight")
        api.train(load_config("quantgan-sp500", options + ["train.steps=3"]), tmp_path / loss / "stopped")
        api.train(None, tmp_path / loss / "stopped", overrides=["train.steps=6"], resume=True)
        a, b = (load_file(str(ckpt.latest_checkpoint(tmp_path / loss / r / "checkpoints") / ckpt.TENSORS_FILE))
                for r in ("straight", "stopped"))
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _cli_set(options):
    return [arg for option in options for arg in ("--set", option)]


def test_quantgan_samples_paths_of_any_length_from_noise_alone(capsys, tmp_path):
    run = tmp_path / "run"
    code, _, _ = run_cli(capsys, "train", "quantgan-sp500", *_cli_set(SMALL + ["train.steps=2"]), "--out", run)
    assert code == 0 and (run / "samples" / "final.png").is_file()
    code, _, _ = run_cli(capsys, "sample", run, "-n", 3, "--length", 400, "--out", tmp_path / "paths.npy")
    paths = np.load(tmp_path / "paths.npy")
    assert code == 0 and paths.shape == (3, 400) and np.isfinite(paths).all()
    code, _, _ = run_cli(capsys, "sample", run, "-n", 2, "--length", 5, "--prices", "--out", tmp_path / "p.csv")
    assert code == 0 and (tmp_path / "p.csv").read_text().splitlines()[0] == "t0,t1,t2,t3,t4,t5"
    again = api.sample_series(run, 3, 400)
    assert np.array_equal(again, paths)
    history = tmp_path / "history.csv"
    history.write_text("date,price\n2020-01-02,100\n2020-01-03,101\n2020-01-06,99\n", encoding="utf-8")
    expect_user_error(capsys, "sample", run, "-n", 2, "--length", 5, "--history", history, "--out",
                      tmp_path / "x.npy", says=("game 'quantgan' draws paths from noise alone",))
    expect_user_error(capsys, "sample", run, "-n", 2, "--length", 0, "--out", tmp_path / "x.npy",
                      says=("--length must be positive",))
    assert not (tmp_path / "x.npy").exists()
    code, out, _ = run_cli(capsys, "eval", run, "--n", 4)
    assert code == 0 and "emd_1" in out and "acf_abs" in out


def test_a_window_shorter_than_the_receptive_field_is_one_line(capsys, tmp_path):
    run = tmp_path / "run"
    expect_user_error(capsys, "train", "quantgan-sp500", *_cli_set(SMALL + ["data.future=4", "train.steps=2"]),
                      "--out", run, says=("data.history + data.future = 12 steps, fewer than its TCN's receptive "
                                          "field 15",))
    assert not run.exists()
