"""A tiny StyleGAN (v1) grown to 32 px on garments (once per session): it learns, truncation in w (ψ → 0 is the mean
image, ψ = 1 the plain sampler), style mixing, and `gankit mix`, `gankit interpolate` and `gankit project` on it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gankit import api
from gankit.config import load_config
from gankit.models.stylegan import StyleGANGenerator

from style.style_helpers import check_truncation_psi, mixing_grid
from cli_helpers import expect_user_error, fingerprint, run_cli

STEPS = 1000
# 4 px for 60 steps, then 8 and 16 px each fading in over 60 steps and stable for 60, 32 px from step 300 (fading
# in until 360); width 8 keeps it cheap, and 32 px gives the styles four resolutions to be coarse or fine at
OPTIONS = ["data.img_size=32", "data.limit=1024", "name=sg1-32", "model.z_dim=16", "stylegan.w_dim=32",
           "stylegan.g_width=8", "stylegan.d_width=8", "stylegan.mapping_layers=2", "stylegan.fade_steps=60",
           "stylegan.stable_steps=60", "train.batch_size=16", f"train.steps={STEPS}", "train.log_every=50",
           "train.sample_every=100000", "train.ckpt_every=100000", "train.progress=false", "train.amp=false",
           "eval.every=0", "train.doctor=false", "train.ema=0.99"]


@pytest.fixture(scope="session")
def stylegan_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("stylegan") / "run"
    api.train(load_config("stylegan-fashion", OPTIONS), run)
    return run


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 256) -> float:
    """Mean over random unit directions of the 1-D Wasserstein-1 distance of the projected samples (equal counts)."""
    directions = torch.randn(a[0].numel(), projections, generator=torch.Generator().manual_seed(0))
    directions = directions / directions.norm(dim=0)
    pa, pb = (a.flatten(1) @ directions).sort(0).values, (b.flatten(1) @ directions).sort(0).values
    return (pa - pb).abs().mean().item()


def test_stylegan_learns_garments_at_32px(stylegan_run):
    """1,000 steps on 1,024 garments move the mean image and the sliced Wasserstein distance to the real garments
    far from an untrained G's (measured: mean-image error 0.36 -> 0.21, SWD 0.35 -> 0.24; with seed 1: 0.16 and
    0.21)."""
    from gankit.data import load_dataset

    real = load_dataset("fashion-mnist", img_size=32, limit=1024).x
    torch.manual_seed(0)
    with torch.no_grad():
        untrained = StyleGANGenerator(16, 32, 32, 1, 8, 2)(torch.randn(1024, 16), noise_mode="const").clamp(-1, 1)
    trained = api.sample(stylegan_run, n=1024, seed=1)
    assert trained.shape == real.shape
    assert api.load_generator(stylegan_run).game.resolution == 32

    def mean_image_error(x):
        return (x.mean(0) - real.mean(0)).abs().mean().item()

    assert mean_image_error(trained) < 0.7 * mean_image_error(untrained)
    assert sliced_wasserstein(trained, real) < 0.8 * sliced_wasserstein(untrained, real)


def test_truncation_psi_zero_gives_the_mean_image_and_one_the_plain_sampler(stylegan_run):
    check_truncation_psi(stylegan_run)


def _layout(x: torch.Tensor) -> torch.Tensor:
    """The low-frequency layout of each image: its 4 × 4 averages with the image's mean and contrast removed
    (unit norm), so that the dot product of two layouts is their correlation."""
    low = F.avg_pool2d(x, x.shape[-1] // 4).flatten(1)
    low = low - low.mean(1, keepdim=True)
    return low / low.norm(dim=1, keepdim=True).clamp_min(1e-8)


def test_style_mixing_keeps_the_layout_of_the_coarse_styles(stylegan_run):
    """Rows keep layers 0-5 (4 to 16 px), columns give 6-7 (32 px): the mixes' layouts correlate more with their
    row source than with their column source (measured: 0.91 against 0.75; with seed 1 0.94 against 0.65); the
    columns giving the coarse layers 0-3 (4 and 8 px) instead reverses it (0.78 against 0.85; seed 1: 0.65 against
    0.83). The layout is compared with each image's mean and contrast removed: AdaIN lets the last layers' styles
    set every map's offset and scale, so they carry the brightness (the paper's "colour scheme" of the finest
    styles; on the plain 4 × 4 averages the (6-7) mixes are as near their rows as their columns: 0.21 and 0.22)."""
    rows, cols = list(range(12)), list(range(12, 24))

    def correlations(layers):
        row_images, col_images, mixes = mixing_grid(stylegan_run, rows, cols, layers)
        mixed = _layout(mixes.flatten(0, 1))
        to_row = (mixed * _layout(row_images[:, None].expand_as(mixes).flatten(0, 1))).sum(1).mean()
        to_col = (mixed * _layout(col_images[None].expand_as(mixes).flatten(0, 1))).sum(1).mean()
        return to_row.item(), to_col.item()

    to_row, to_col = correlations((6, 7))
    assert to_row > to_col + 0.05, (to_row, to_col)
    to_row, to_col = correlations((0, 3))
    assert to_col > to_row, (to_row, to_col)


def test_mix_grid_layout_and_cli(stylegan_run, tmp_path, capsys):
    row_images, col_images, mixes = mixing_grid(stylegan_run, [5, 6], [7], (0, 7))
    assert torch.allclose(row_images[0:1], api.sample(stylegan_run, 1, seed=5), atol=1e-5)  # = `sample --seed 5`
    assert torch.allclose(mixes[:, 0], col_images[0].expand(2, -1, -1, -1), atol=1e-5)  # every layer from the column
    out = tmp_path / "mix.png"
    code, stdout, err = run_cli(capsys, "mix", stylegan_run, "--rows", "1-3", "--cols", "4,5", "--layers", "0-2",
                                "--out", out)
    assert code == 0, err
    assert out.is_file() and "style-mixing grid" in stdout


def test_interpolation_walks_w_between_the_seeds_samples(stylegan_run):
    walk = api.interpolate(stylegan_run, [1, 2], frames=5)
    assert walk.space == "w (linear)" and walk.frames.shape == (5, 1, 32, 32)
    assert torch.allclose(walk.frames[0], api.sample(stylegan_run, 1, seed=1)[0], atol=1e-6)
    assert torch.allclose(walk.frames[-1], api.sample(stylegan_run, 1, seed=2)[0], atol=1e-6)


def test_gankit_project_searches_w_of_the_grown_generator(stylegan_run, tmp_path, capsys):
    from gankit.data import load_dataset
    from gankit.previews import save_png, to_uint8

    garment = load_dataset("fashion-mnist", img_size=32, limit=1200).x[1100:1101]  # not among the 1,024 trained on
    save_png(to_uint8(garment)[0], tmp_path / "garment.png")
    code, out, err = run_cli(capsys, "project", stylegan_run, tmp_path / "garment.png", "--steps", "40",
                             "--out", tmp_path / "proj")
    assert code == 0, err
    assert "into w" in out
    record = json.loads((tmp_path / "proj" / "projection.json").read_text())
    assert record["space"] == "w" and record["losses"][-1] < record["losses"][0]
    assert np.load(tmp_path / "proj" / "latent.npy").shape == (1, 32)


def test_style_controls_refuse_bad_input_in_one_line(stylegan_run, tmp_path, capsys):
    expect_user_error(capsys, "sample", stylegan_run, "--truncation-psi", "1.5", "--out", tmp_path / "a.png",
                      says=("--truncation-psi", "[0, 1]"))
    expect_user_error(capsys, "mix", stylegan_run, "--rows", "1", "--cols", "2", "--layers", "6-8", "--out",
                      tmp_path / "b.png", says=("--layers", "0 <= K <= L <= 7"))
    assert fingerprint(tmp_path) == {}
