"""SWD and MS-SSIM checked by hand: the sliced Wasserstein distance of 1-D samples, a pyramid that adds back up to
its image, descriptors normalized per channel; SSIM against scikit-image, MS-SSIM of identical and unrelated
images, diversity of a collapsed and a varied set."""

import math

import numpy as np
import pytest
import torch

from gankit.data import load_dataset
from gankit.metrics.msssim import gaussian_window, ms_ssim, msssim_diversity, scales_for, ssim
from gankit.metrics.swd import (_up, descriptors, laplacian_pyramid, pyramid_sizes, sliced_wasserstein, swd)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_sliced_wasserstein_in_one_dimension_is_the_mean_gap_of_sorted_samples():
    a = torch.tensor([[0.0], [1.0], [2.0]])
    # a direction in 1-D is +1 or -1: either way the gap of the sorted projections is the same
    assert sliced_wasserstein(a, a + 1, 8, 2, generator=gen()) == pytest.approx(1.0)
    assert sliced_wasserstein(a, 2 * a, 8, 2, generator=gen()) == pytest.approx((0 + 1 + 2) / 3)
    assert sliced_wasserstein(a, a[[2, 0, 1]], 8, 2, generator=gen()) == 0.0  # order does not matter


def test_sliced_wasserstein_of_a_shift_in_the_plane():
    """A shift v in 2-D: each direction θ sees a gap |θ·v|, whose mean over the circle is 2|v|/π."""
    a = torch.randn(500, 2, generator=gen(1))
    v = torch.tensor([3.0, 4.0])
    got = sliced_wasserstein(a, a + v, 2000, 4, generator=gen(2))
    assert got == pytest.approx(2 * 5 / math.pi, rel=0.03)


def test_the_laplacian_pyramid_adds_back_up_to_the_image():
    x = torch.randn(2, 3, 28, 28, generator=gen())
    sizes = pyramid_sizes(28, 28)
    assert sizes == [(28, 28), (14, 14)] and pyramid_sizes(32, 32) == [(32, 32), (16, 16), (8, 8)]
    assert pyramid_sizes(8, 8) == [(8, 8)]
    levels = laplacian_pyramid(x, 3)
    assert [tuple(level.shape[-2:]) for level in levels] == [(28, 28), (14, 14), (7, 7)]
    rebuilt = levels[-1]
    for level in reversed(levels[:-1]):
        rebuilt = level + _up(rebuilt, level.shape[-2:])
    assert torch.allclose(rebuilt, x, atol=1e-5)
    # a constant image has no detail: every band-pass level is zero and the residual is the constant
    flat = laplacian_pyramid(torch.full((1, 1, 16, 16), 0.3), 2)
    assert flat[0].abs().max() < 1e-6 and torch.allclose(flat[1], torch.full((1, 1, 8, 8), 0.3))


def test_descriptors_are_7x7_neighbourhoods_normalized_per_channel():
    level = torch.randn(10, 3, 12, 12, generator=gen()) * torch.tensor([1.0, 5.0, 0.1]).view(1, 3, 1, 1) + 2
    d = descriptors(level, 4, gen())
    assert d.shape == (40, 3 * 49)
    per_channel = d.view(40, 3, 49)
    assert torch.allclose(per_channel.mean(dim=(0, 2)), torch.zeros(3, dtype=d.dtype), atol=1e-9)
    assert torch.allclose(per_channel.std(dim=(0, 2), unbiased=False), torch.ones(3, dtype=d.dtype), atol=1e-9)


def test_swd_tells_real_images_from_noise_and_blur():
    """Descriptors are drawn at random places, so two draws of one set differ a little (like two real sets)."""
    fashion = load_dataset("fashion-mnist", limit=600).x
    same = swd(fashion[:300], fashion[:300], descriptors_per_level=4096)
    assert set(same) == {"swd_28", "swd_14", "swd"}
    other = swd(fashion[:300], fashion[300:], descriptors_per_level=4096)
    noise = swd(fashion[:300], torch.rand(300, 1, 28, 28, generator=gen()) * 2 - 1, descriptors_per_level=4096)
    assert 0 < same["swd"] < noise["swd"] / 5 and 0 < other["swd"] < noise["swd"] / 5
    # blurred images lose their fine detail: the finest level sees it most
    blurred = torch.nn.functional.avg_pool2d(fashion[300:], 3, 1, 1)
    blur = swd(fashion[:300], blurred, descriptors_per_level=4096)
    assert blur["swd_28"] > 3 * other["swd_28"]
    assert other["swd"] == pytest.approx((other["swd_28"] + other["swd_14"]) / 2)


def test_ssim_matches_scikit_image():
    from skimage.metrics import structural_similarity

    x = torch.rand(2, 3, 24, 20, generator=gen()) * 2 - 1
    y = (x + 0.3 * torch.randn(2, 3, 24, 20, generator=gen(1))).clamp(-1, 1)
    ours = ssim(x, y, data_range=2.0, win_size=11)
    for k in range(2):
        theirs = structural_similarity(x[k].permute(1, 2, 0).double().numpy(), y[k].permute(1, 2, 0).double().numpy(),
                                       gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                       data_range=2.0, channel_axis=2)
        assert float(ours[k]) == pytest.approx(theirs, abs=1e-6)


def test_ms_ssim_by_hand():
    assert torch.allclose(gaussian_window(7).sum(), torch.tensor(1.0, dtype=torch.float64))
    assert [scales_for(s, s) for s in (8, 28, 32, 64, 256)] == [1, 3, 3, 4, 5]
    x = torch.rand(3, 1, 32, 32, generator=gen()) * 2 - 1
    assert torch.allclose(ms_ssim(x, x), torch.ones(3, dtype=torch.float64))
    # one scale is plain SSIM (with the same window); a negative SSIM counts as 0
    y = x + 0.1 * torch.randn(3, 1, 32, 32, generator=gen(1))
    assert (ssim(x, y, win_size=7) > 0.5).all()
    assert torch.allclose(ms_ssim(x, y, scales=1), ssim(x, y, win_size=7))
    assert float(ssim(x, x.flip(0), win_size=7)[0]) < 0 and float(ms_ssim(x, x.flip(0))[0]) == 0.0
    # two constant images of different levels: cs = 1 at every scale (no variance), so MS-SSIM = l^w_M with
    # l = (2ab + C1)/(a² + b² + C1), C1 = (0.01·2)²
    a, b = torch.full((1, 1, 32, 32), 0.5), torch.full((1, 1, 32, 32), -0.5)
    c1 = 0.02 ** 2
    l = (2 * 0.5 * -0.5 + c1) / (0.25 + 0.25 + c1)  # negative: clamped to 0
    assert l < 0 and float(ms_ssim(a, b)) == 0.0
    a2 = torch.full((1, 1, 32, 32), 0.6)
    l = (2 * 0.5 * 0.6 + c1) / (0.25 + 0.36 + c1)
    w_last = 0.3001 / (0.0448 + 0.2856 + 0.3001)
    assert float(ms_ssim(a, a2)) == pytest.approx(l ** w_last, rel=1e-7)  # 0.6 in float32: 0.60000002


def test_msssim_diversity_of_a_collapsed_set_is_one_and_of_noise_near_zero():
    one = torch.rand(1, 1, 28, 28, generator=gen()).expand(50, 1, 28, 28) * 2 - 1
    assert msssim_diversity(one, pairs=200) == pytest.approx(1.0)
    noise = torch.rand(50, 1, 28, 28, generator=gen(1)) * 2 - 1
    assert abs(msssim_diversity(noise, pairs=200)) < 0.05
    fashion = load_dataset("fashion-mnist", limit=500).x
    assert 0.05 < msssim_diversity(fashion, pairs=500) < 0.6
    assert np.isfinite(msssim_diversity(fashion[:2], pairs=3))
