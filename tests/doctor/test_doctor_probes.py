"""Diversity probes on samples whose statistics can be computed by hand."""

import math

import pytest
import torch

from gankit.data.toy import RING_STD, ring_modes
from gankit.doctor import mean_pairwise_distance, sample_diversity
from gankit.doctor.probes import mode_occupancy


def test_mean_pairwise_distance_by_hand():
    points = torch.tensor([[0.0], [1.0], [3.0]])  # distances 1, 3, 2 -> mean 2
    assert mean_pairwise_distance(points) == pytest.approx(2.0)
    square = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # four sides of 1, two diagonals
    assert mean_pairwise_distance(square) == pytest.approx((4 + 2 * math.sqrt(2)) / 6)
    images = torch.zeros(5, 1, 2, 2)
    assert mean_pairwise_distance(images) == 0.0
    with pytest.raises(ValueError):
        mean_pairwise_distance(torch.zeros(1, 3))


def test_diversity_ratio_is_one_for_real_data_and_zero_for_one_output():
    real = torch.randn(256, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    assert sample_diversity(real, real)["diversity_ratio"] == pytest.approx(1.0)
    one = real[:1].expand(256, -1, -1, -1)
    stats = sample_diversity(one, real)
    assert stats["diversity_ratio"] == pytest.approx(0.0, abs=1e-6) and stats["num_samples"] == 256
    assert stats["real_pairwise_distance"] > 0
    assert "modes_occupied" not in stats and "classes_covered" not in stats


def test_occupied_modes_on_the_ring():
    modes = ring_modes()
    noise = 0.01 * torch.randn(800, 2, generator=torch.Generator().manual_seed(1))
    spread = modes.repeat(100, 1) + noise
    stats = sample_diversity(spread, spread, modes=modes, mode_std=RING_STD)
    assert (stats["modes_occupied"], stats["num_modes"], stats["occupied_fraction"]) == (8, 8, 1.0)
    assert stats["modes_covered"] == 8 and stats["high_quality_fraction"] > 0.95
    one_mode = modes[:1] + noise
    stats = sample_diversity(one_mode, spread, modes=modes, mode_std=RING_STD)
    assert (stats["modes_occupied"], stats["occupied_fraction"]) == (1, 1.0)
    assert stats["diversity_ratio"] < 0.05


def test_occupancy_ignores_samples_between_modes_and_rare_visits():
    modes = ring_modes()
    centre = torch.zeros(100, 2)  # 1 away from every mode; the radius is half of 2 sin(pi/8) = 0.38
    assert mode_occupancy(centre, modes) == {"modes_occupied": 0, "occupied_fraction": 0.0}
    mostly_one = torch.cat([modes[:1].expand(97, 2), modes[1:4]])  # 97 at mode 0, one at each of modes 1..3
    assert mode_occupancy(mostly_one, modes) == {"modes_occupied": 1, "occupied_fraction": 1.0}
    assert mode_occupancy(mostly_one, modes, min_share=0.01)["modes_occupied"] == 4


def test_class_coverage_from_a_classifier():
    def classifier(images):  # class = brightness bucket: mean pixel in [-1, 1] -> 10 bins
        bins = ((images.mean(dim=(1, 2, 3)) + 1) / 2 * 10).clamp(0, 9).long()
        return torch.nn.functional.one_hot(bins, 10).float()

    levels = torch.linspace(-0.95, 0.95, 10).repeat_interleave(20)
    varied = levels.view(-1, 1, 1, 1).expand(-1, 1, 4, 4).contiguous()
    stats = sample_diversity(varied, classifier=classifier)
    assert (stats["classes_covered"], stats["num_classes"]) == (10, 10)
    assert stats["class_kl"] == pytest.approx(0.0, abs=1e-12)
    same = torch.full((50, 1, 4, 4), 0.5)
    stats = sample_diversity(same, classifier=classifier)
    assert stats["classes_covered"] == 1 and stats["class_kl"] == pytest.approx(math.log(10))


def test_a_classifier_module_runs_in_eval_mode_and_keeps_its_mode():
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3), torch.nn.Dropout(0.9))
    net.train()
    samples = torch.randn(64, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    first = sample_diversity(samples, classifier=net)
    second = sample_diversity(samples, classifier=net)
    assert first["class_histogram"] == second["class_histogram"]  # dropout off: deterministic
    assert net.training
