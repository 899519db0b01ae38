"""The pieces of the perceptual path length, by hand: the unweighted LPIPS distance, the trimmed mean, upscaling."""

import pytest
import torch

from gankit.metrics.ppl import feature_distance, ppl_summary, upscaled


def test_feature_distance_by_hand():
    a = torch.zeros(3, 2, 1, 1)
    a[:, 0] = 1.0  # every position's feature vector is (1, 0)
    same, orthogonal, opposite = a.clone() * 5, torch.zeros_like(a), -a
    orthogonal[:, 1] = 2.0
    assert torch.allclose(feature_distance([a], [same]), torch.zeros(3))  # only the direction counts
    assert torch.allclose(feature_distance([a], [orthogonal]), torch.full((3,), 2.0))  # |(1,0) - (0,1)|² = 2
    assert torch.allclose(feature_distance([a], [opposite]), torch.full((3,), 4.0))
    assert torch.allclose(feature_distance([a, a], [orthogonal, opposite]), torch.full((3,), 6.0))  # taps add up


def test_ppl_summary_drops_the_tails():
    values = torch.arange(1.0, 101.0)  # 1st percentile 1.99, 99th 99.01: 1 and 100 are dropped
    assert ppl_summary(values) == pytest.approx(sum(range(2, 100)) / 98)
    assert ppl_summary(torch.tensor([3.0])) == 3.0


def test_upscaled_reaches_64_px_by_a_whole_factor():
    assert upscaled(torch.zeros(1, 1, 8, 8)).shape[-2:] == (64, 64)
    assert upscaled(torch.zeros(1, 1, 28, 28)).shape[-2:] == (84, 84)
    big = torch.zeros(1, 3, 64, 64)
    assert upscaled(big) is big
