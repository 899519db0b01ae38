import math

import pytest
import torch

from gankit.nn import EqualizedConv2d, EqualizedLinear


def test_linear_output_std_matches_he_init():
    # Var(y) = c² · fan_in · Var(w) · Var(x) = 2 gain²
    torch.manual_seed(0)
    layer = EqualizedLinear(512, 256)
    y = layer(torch.randn(2048, 512))
    assert y.std().item() == pytest.approx(math.sqrt(2.0), rel=0.05)
    unit = EqualizedLinear(512, 256, gain=1 / math.sqrt(2.0))
    assert unit(torch.randn(2048, 512)).std().item() == pytest.approx(1.0, rel=0.05)


def test_conv_output_std_matches_he_init():
    torch.manual_seed(1)
    layer = EqualizedConv2d(16, 64, 3, padding=0)  # fan_in = 144; no padding, so every output is a full sum
    y = layer(torch.randn(64, 16, 10, 10))
    assert y.shape == (64, 64, 8, 8)
    assert y.std().item() == pytest.approx(math.sqrt(2.0), rel=0.05)


def test_lr_multiplier_keeps_the_effective_weights_but_scales_the_update():
    """Adam's first step moves every stored parameter by exactly lr (in magnitude), so the effective
    weight c·λ·W moves by lr·c·λ: relative to its std c, by lr·λ whatever the fan-in."""
    for fan_in, multiplier in ((16, 1.0), (1024, 1.0), (64, 0.01)):
        torch.manual_seed(2)
        layer = EqualizedLinear(fan_in, 8, bias=False, lr_multiplier=multiplier).double()  # stored weights ~1/λ: float64 keeps the tiny step exact
        c = math.sqrt(2.0 / fan_in)
        effective = (layer.weight * layer.scale).detach().clone()
        assert effective.std().item() == pytest.approx(c, rel=0.1)
        opt = torch.optim.Adam(layer.parameters(), lr=1e-3, eps=1e-12)
        layer(torch.randn(32, fan_in, dtype=torch.float64)).pow(2).mean().backward()
        opt.step()
        moved = ((layer.weight * layer.scale).detach() - effective).abs()
        assert moved.max().item() / c == pytest.approx(1e-3 * multiplier, rel=1e-3)


def test_bias_and_gradients():
    layer = EqualizedConv2d(2, 3, 1, lr_multiplier=0.5)
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.fill_(4.0)  # effective bias 4 · 0.5 = 2
    x = torch.randn(1, 2, 2, 2, requires_grad=True)
    assert torch.allclose(layer(x), torch.full((1, 3, 2, 2), 2.0))
    lin = EqualizedLinear(3, 2, bias_init=1.0, lr_multiplier=0.1)
    assert torch.allclose(lin(torch.zeros(1, 3)), torch.ones(1, 2))
    lin(torch.randn(4, 3)).sum().backward()
    assert lin.weight.grad is not None and lin.bias.grad is not None
