"""Latent walks: slerp checked by hand, the walk's ends are the seeds' samples, w-space walks are straight in w,
and bad requests are one-line errors that write nothing."""

import math

import pytest
import torch
from cli_helpers import expect_user_error, run_cli
from latent_helpers import fake_styled_run
from PIL import Image

from gankit import api
from gankit.sampling.interpolate import lerp, slerp, slerp_rows


def test_slerp_keeps_unit_norm_and_halves_the_angle():
    e1, e2 = torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    path = slerp(e1, e2, torch.linspace(0, 1, 11))
    assert path.shape == (11, 3)
    assert torch.allclose(path.norm(dim=1), torch.ones(11), atol=1e-6)
    assert torch.allclose(path[5], torch.tensor([1.0, 1.0, 0.0]) / math.sqrt(2), atol=1e-6)
    # a quarter of the way: 22.5 degrees from e1
    assert slerp(e1, e2, [0.25])[0] @ e1 == pytest.approx(math.cos(math.pi / 8), abs=1e-6)
    # any two unit vectors: the norm stays 1 all along
    a, b = torch.randn(2, 16, generator=torch.Generator().manual_seed(0))
    a, b = a / a.norm(), b / b.norm()
    assert torch.allclose(slerp(a, b, torch.rand(20)).norm(dim=1), torch.ones(20), atol=1e-5)


def test_row_wise_slerp_is_slerp_of_each_row():
    a, b = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(2))
    t = torch.tensor([0.0, 0.3, 0.5, 0.9, 1.0])
    rows = slerp_rows(a, b, t)
    for i in range(5):
        assert torch.allclose(rows[i], slerp(a[i], b[i], [float(t[i])])[0], atol=1e-6)
    assert torch.allclose(slerp_rows(a, 3 * a, t)[2], 2 * a[2])  # parallel rows: the straight line


def test_slerp_and_lerp_ends_are_exact_and_parallel_codes_go_straight():
    a, b = torch.randn(2, 2, 5, generator=torch.Generator().manual_seed(1))
    for f in (slerp, lerp):
        path = f(a, b, torch.arange(7, dtype=torch.float64) / 6)
        assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    # parallel codes: the straight line (the limit of slerp as the angle goes to 0)
    assert torch.allclose(slerp(a, 2 * a, [0.5])[0], 1.5 * a)


def test_the_walk_ends_are_the_seeds_samples(digits_gan, tmp_path, capsys):
    code, out, _ = run_cli(capsys, "interpolate", digits_gan, "--seeds", "3,8,5", "--frames", "6",
                           "--out", tmp_path / "frames")
    assert code == 0 and "11 frames" in out and "z (slerp)" in out
    frames = sorted((tmp_path / "frames").iterdir())
    assert len(frames) == 11  # two segments of 6 sharing one frame
    for seed, index in ((3, 0), (8, 5), (5, 10)):
        assert run_cli(capsys, "sample", digits_gan, "-n", "1", "--seed", seed, "--out", tmp_path / f"s{seed}")[0] == 0
        assert (tmp_path / f"s{seed}" / "000000.png").read_bytes() == frames[index].read_bytes()
    walk = api.interpolate(digits_gan, [3, 8], frames=4)
    assert torch.equal(walk.frames[0], api.sample(digits_gan, 1, seed=3)[0])
    assert torch.equal(walk.frames[-1], api.sample(digits_gan, 1, seed=8)[0])
    assert not torch.equal(walk.frames[1], walk.frames[0])  # the middle frames move


def test_gif_and_grid(digits_gan, tmp_path, capsys):
    assert run_cli(capsys, "interpolate", digits_gan, "--seeds", "1,2,3", "--frames", "5",
                   "--out", tmp_path / "walk.gif")[0] == 0
    with Image.open(tmp_path / "walk.gif") as gif:
        assert gif.n_frames == 9 and gif.size == (128, 128)  # 8 px frames scaled up 16x
    assert run_cli(capsys, "interpolate", digits_gan, "--seeds", "1,2,3", "--frames", "5",
                   "--out", tmp_path / "walk.png")[0] == 0
    with Image.open(tmp_path / "walk.png") as grid:  # two rows (segments) of 5 frames, 2 px white lines
        assert grid.size == (5 * 10 + 2, 2 * 10 + 2)


def test_a_conditional_walk_keeps_its_label_and_ends_on_the_samples(digits_run, tmp_path):
    """(This run's recipe samples with Jacobian rejection by default; a walk's ends are the plain samples.)"""
    walk = api.interpolate(digits_run, [4, 9], frames=3, label="7")
    assert torch.equal(walk.frames[0], api.sample(digits_run, 1, seed=4, label="7", jacobian_rejection=0)[0])
    assert torch.equal(walk.frames[-1], api.sample(digits_run, 1, seed=9, label="7", jacobian_rejection=0)[0])
    own = api.interpolate(digits_run, [4, 9], frames=3)  # each seed's own class at its end
    assert torch.equal(own.frames[-1], api.sample(digits_run, 1, seed=9, jacobian_rejection=0)[0])


def test_a_style_based_generator_walks_straight_in_w():
    loaded = fake_styled_run()
    walk = api.interpolate(loaded, [1, 2], frames=5)
    assert walk.space == "w (linear)"
    a, b = (api.sample(loaded, 1, seed=s, jacobian_rejection=0)[0] for s in (1, 2))
    assert torch.equal(walk.frames[0], a) and torch.equal(walk.frames[-1], b)
    # the synthesis is linear in w, so a straight line in w gives straight lines in pixels ...
    for i, t in enumerate((0.25, 0.5, 0.75), start=1):
        assert torch.allclose(walk.frames[i], (1 - t) * a + t * b, atol=1e-5)
    # ... which a walk in z, through the tanh mapping, would not give
    z = [torch.randn(1, 4, generator=torch.Generator().manual_seed(s)) for s in (1, 2)]
    through_z = loaded.module(slerp(z[0][0], z[1][0], [0.5]))[0]
    assert not torch.allclose(through_z, (a + b) / 2, atol=1e-3)


def test_bad_walks_are_one_line_errors_that_write_nothing(digits_gan, ring_run, tmp_path, capsys):
    expect_user_error(capsys, "interpolate", digits_gan, "--seeds", "1", "--out", tmp_path / "w.gif",
                      says=("at least two seeds",))
    expect_user_error(capsys, "interpolate", digits_gan, "--seeds", "1,x", "--out", tmp_path / "w.gif",
                      says=("comma-separated integers",))
    expect_user_error(capsys, "interpolate", digits_gan, "--seeds", "1,2", "--frames", "1", "--out",
                      tmp_path / "w.gif", says=("--frames",))
    expect_user_error(capsys, "interpolate", digits_gan, "--seeds", "1,2", "--out", tmp_path / "w.jpg",
                      says=(".gif",))
    expect_user_error(capsys, "interpolate", ring_run, "--seeds", "1,2", "--out", tmp_path / "w.gif",
                      says=("not images",))
    expect_user_error(capsys, "interpolate", digits_gan, "--seeds", "1,2", "--label", "3", "--out",
                      tmp_path / "w.gif", says=("not conditional",))
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "w.gif").write_bytes(b"GIF89a")
    expect_user_error(capsys, "interpolate", digits_gan, "--seeds", "1,2", "--out", tmp_path / "w.gif",
                      says=("--force",))
