"""L1, PSNR, SSIM and translation accuracy against values worked out by hand."""

import math

import numpy as np
import pytest
import torch

from gankit.errors import DataError
from gankit.metrics.paired import edge_agreement, l1_error, psnr, ssim, translation_accuracy


def _images(seed=0, shape=(3, 1, 16, 16)):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed)) * 1.6 - 0.8  # in [-0.8, 0.8]


def test_an_offset_of_a_tenth_gives_l1_0_1_and_20_db():
    real = _images()
    fake = real + 0.2  # 0.2 on [-1, 1] is 0.1 on [0, 1]: MSE 0.01, PSNR = 10·log10(1 / 0.01) = 20 dB
    assert l1_error(fake, real) == pytest.approx(0.1, abs=1e-6)  # float32 inputs
    assert psnr(fake, real) == pytest.approx(20.0, abs=1e-4)


def test_identical_images_have_ssim_1_and_infinite_psnr():
    real = _images(shape=(2, 3, 32, 32))
    assert ssim(real, real) == pytest.approx(1.0, abs=1e-9)
    assert math.isinf(psnr(real, real)) and l1_error(real, real) == 0


def test_ssim_of_a_constant_shift_is_its_luminance_term():
    """Shifting by c leaves contrast and structure alone: SSIM = (2μxμy + C1) / (μx² + μy² + C1) per window,
    which for a flat image of value a vs a + c is exact everywhere."""
    a, c = 0.3, 0.2
    real = torch.full((1, 1, 16, 16), a * 2 - 1)
    fake = torch.full((1, 1, 16, 16), (a + c) * 2 - 1)
    c1 = (0.01 * 1.0) ** 2
    expected = (2 * a * (a + c) + c1) / (a * a + (a + c) ** 2 + c1)
    assert ssim(fake, real) == pytest.approx(expected, rel=1e-6)


def test_an_inverted_image_has_negative_ssim():
    real = _images(shape=(2, 1, 16, 16))
    assert ssim(-real, real) < 0 < ssim(real * 0.9, real)


def test_translation_accuracy_counts_arg_max_hits():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0], [1.0, 1.5]])
    assert translation_accuracy(logits, np.array([0, 1, 1, 1])) == 0.75


def test_shapes_must_agree():
    with pytest.raises(DataError, match="one shape"):
        psnr(_images(), _images(shape=(3, 1, 8, 8)))


def test_edge_agreement_counts_matches_within_one_pixel_by_hand():
    """Input: a vertical line of 4 pixels in column 2. Output: the same line shifted to column 3 (within one
    pixel: all match) plus 2 stray pixels in column 7 (no input edge near): P = 4/6, R = 4/4, F = 0.8."""
    inp = torch.zeros(1, 1, 8, 8, dtype=torch.bool)
    inp[0, 0, 2:6, 2] = True
    out = torch.zeros_like(inp)
    out[0, 0, 2:6, 3] = True
    out[0, 0, 0:2, 7] = True
    scores = edge_agreement(out, inp)
    assert scores["precision"] == pytest.approx(4 / 6) and scores["recall"] == 1.0
    assert scores["f"] == pytest.approx(2 * (4 / 6) / (4 / 6 + 1))
    shifted_two = torch.zeros_like(inp)
    shifted_two[0, 0, 2:6, 4] = True  # two columns away: outside the tolerance
    assert edge_agreement(shifted_two, inp)["f"] == 0.0
    assert edge_agreement(shifted_two, inp, tolerance=2)["f"] == 1.0
    with pytest.raises(DataError, match="two bool masks"):
        edge_agreement(out.float(), inp)
