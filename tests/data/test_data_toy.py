"""Toy mixtures: the VEEGAN/PacGAN ring and grid, checked against their specification."""

import itertools
import math

import pytest
import torch

from gankit.data import load_dataset
from gankit.errors import ConfigError


def test_ring_modes_lie_evenly_on_the_unit_circle():
    data = load_dataset("ring", n_points=100)
    assert data.modes.shape == (8, 2) and data.num_classes == 8 and data.mode_std == 0.01
    torch.testing.assert_close(data.modes.norm(dim=1), torch.ones(8))
    angles = torch.atan2(data.modes[:, 1], data.modes[:, 0]).remainder(2 * math.pi)
    torch.testing.assert_close(angles, torch.arange(8) * (math.pi / 4), atol=1e-6, rtol=0)
    torch.testing.assert_close(data.modes[2], torch.tensor([0.0, 1.0]), atol=1e-6, rtol=0)


def test_grid_modes_are_the_25_lattice_points():
    data = load_dataset("grid", n_points=100)
    assert data.modes.shape == (25, 2) and data.num_classes == 25 and data.mode_std == 0.05
    expected = set(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
    assert {tuple(m) for m in data.modes.tolist()} == expected


@pytest.mark.parametrize("name,std", [("ring", 0.01), ("grid", 0.05)])
def test_points_scatter_around_their_modes_with_the_specified_std(name, std):
    data = load_dataset(name, n_points=40_000, seed=3)
    assert data.kind == "points" and data.x.shape == (40_000, 2) and data.x.dtype == torch.float32
    offsets = data.x - data.modes[data.y]
    assert offsets.mean(dim=0).abs().max() < 0.1 * std
    empirical = offsets.std(dim=0)
    assert torch.all((empirical - std).abs() < 0.1 * std), empirical
    # Equal weights: every mode gets n/K points within a few binomial standard deviations.
    k = len(data.modes)
    counts = torch.bincount(data.y, minlength=k).double()
    expected = 40_000 / k
    assert torch.all((counts - expected).abs() < 5 * math.sqrt(expected * (1 - 1 / k)))


def test_nearest_mode_is_the_label():
    data = load_dataset("grid", n_points=5000)
    nearest = torch.cdist(data.x, data.modes).argmin(dim=1)
    assert torch.equal(nearest, data.y)


def test_seed_makes_the_data_deterministic():
    a = load_dataset("ring", n_points=500, seed=7)
    b = load_dataset("ring", n_points=500, seed=7)
    c = load_dataset("ring", n_points=500, seed=8)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)


def test_limit_and_image_options_on_points():
    assert len(load_dataset("grid", n_points=100, limit=10)) == 10
    with pytest.raises(ConfigError, match="img_size"):
        load_dataset("ring", img_size=32)
    with pytest.raises(ConfigError, match="n_points"):
        load_dataset("ring", n_points=0)
