"""StyleGAN2 networks: the styled-generator protocol (mapping, synthesis, num_ws, w_avg), the layer each w reaches,
truncation, the residual discriminator, and sizes that are not a power of two."""

from __future__ import annotations

import pytest
import torch

from gankit.errors import ConfigError
from gankit.models.stylegan2 import (MappingNetwork, StyleGAN2Discriminator, StyleGAN2Generator, stylegan2_levels,
                                     truncate)


def _generator(size: int = 16) -> StyleGAN2Generator:
    torch.manual_seed(0)
    return StyleGAN2Generator(z_dim=8, w_dim=12, img_size=size, channels=1, widths=8, mapping_layers=2)


def test_protocol_shapes_and_g_of_z_is_synthesis_of_the_broadcast_mapping():
    G, z = _generator(), torch.randn(3, 8)
    assert G.num_ws == 6 and _generator(32).num_ws == 8  # 2·log2(size) − 2
    w = G.mapping(z)
    assert w.shape == (3, 12) and G.w_avg.shape == (12,)
    ws = w.unsqueeze(1).repeat(1, G.num_ws, 1)
    assert torch.allclose(G(z, noise_mode="const"), G.synthesis(ws, noise_mode="const"), atol=1e-6)
    assert G(z).shape == (3, 1, 16, 16)
    assert "mapping.w_avg" in G.state_dict()  # saved with the weights
    with pytest.raises(ValueError, match=r"ws of shape \(N, 6, 12\)"):
        G.synthesis(w)


def test_every_style_index_reaches_a_layer():
    """None of the num_ws styles is unused: changing any one of them changes the image."""
    G, z = _generator(), torch.randn(2, 8)
    ws = G.broadcast(G.mapping(z)).clone()
    base = G.synthesis(ws, noise_mode="const")
    for k in range(G.num_ws):
        changed = ws.clone()
        changed[:, k] += 3.0
        assert not torch.allclose(G.synthesis(changed, noise_mode="const"), base, atol=1e-4), k


def test_w_avg_is_a_running_mean_with_beta_0995():
    mapping = MappingNetwork(4, 3, 1)
    z = torch.randn(5, 4)
    w = mapping(z, update_w_avg=True)
    assert torch.allclose(mapping.w_avg, 0.005 * w.mean(0), atol=1e-7)  # from zero: (1 − β)·mean
    before = mapping.w_avg.clone()
    w2 = mapping(z, update_w_avg=True)
    assert torch.allclose(mapping.w_avg, 0.995 * before + 0.005 * w2.mean(0), atol=1e-7)
    mapping(z)  # no update unless asked
    assert torch.allclose(mapping.w_avg, 0.995 * before + 0.005 * w2.mean(0), atol=1e-7)


def test_truncation_moves_w_toward_the_mean():
    w, avg = torch.tensor([[2.0, -4.0]]), torch.tensor([1.0, 0.0])
    assert torch.allclose(truncate(w, avg, 0.5), torch.tensor([[1.5, -2.0]]))
    assert torch.equal(truncate(w, avg, 1.0), w) and torch.allclose(truncate(w, avg, 0.0), avg.expand(1, 2))


def test_discriminator_scores_each_image_and_checks_the_size():
    torch.manual_seed(0)
    D = StyleGAN2Discriminator(img_size=16, channels=3, widths=8)
    x = torch.randn(4, 3, 16, 16)
    assert D(x).shape == (4,)
    x.requires_grad_(True)
    D(x).sum().backward()
    assert x.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="judges 16 px images"):
        D(torch.randn(4, 3, 8, 8))


@pytest.mark.parametrize("size", [4, 24, 28, 2048])
def test_sizes_that_are_not_powers_of_two_from_8_are_config_errors(size):
    with pytest.raises(ConfigError, match=f"power-of-two image size from 8 to 1024 px, got {size}"):
        stylegan2_levels(size)
