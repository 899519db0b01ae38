"""Modulated convolution: the one grouped convolution against a per-sample loop, demodulation by hand, the
up-sampling variant, FIR filters on constants, noise injection and toRGB."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.nn.modulated_conv import (ModulatedConv2d, NoiseInjection, ToRGB, blur, downsample_2x, fir_kernel,
                                      upsample_2x)


def _per_sample(layer: ModulatedConv2d, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """The layer run one sample at a time with its own kernel: the definition the grouped version must match."""
    kernels = layer.weights(layer.styles(w))
    out = []
    for i in range(len(x)):
        if layer.upsample:
            y = F.conv_transpose2d(x[i:i + 1], kernels[i].transpose(0, 1), stride=2)
            out.append(blur(y, layer.kernel, (1, 1)))
        else:
            out.append(F.conv2d(x[i:i + 1], kernels[i], padding=layer.kernel_size // 2))
    return torch.cat(out)


def test_grouped_convolution_equals_one_convolution_per_sample():
    torch.manual_seed(0)
    x, w = torch.randn(5, 3, 8, 8), torch.randn(5, 6)
    for upsample in (False, True):
        layer = ModulatedConv2d(3, 4, 3, 6, upsample=upsample)
        y = layer(x, w)
        assert y.shape == ((5, 4, 16, 16) if upsample else (5, 4, 8, 8))
        assert torch.allclose(y, _per_sample(layer, x, w), atol=1e-5)


def test_modulation_scales_input_channels_and_demodulation_normalizes_each_output_kernel():
    torch.manual_seed(0)
    layer = ModulatedConv2d(2, 3, 3, 4)
    styles = torch.tensor([[2.0, 0.5]])
    raw = layer.conv.weight * layer.conv.scale  # the equalized weight: N(0,1) · 1/sqrt(2·3·3)
    assert abs(layer.conv.scale - 1 / 18 ** 0.5) < 1e-7
    modulated = raw * torch.tensor([2.0, 0.5]).view(1, 2, 1, 1)
    expected = modulated / (modulated.square().sum(dim=(1, 2, 3), keepdim=True) + 1e-8).sqrt()
    kernels = layer.weights(styles)[0]
    assert torch.allclose(kernels, expected, atol=1e-6)
    assert torch.allclose(kernels.square().sum(dim=(1, 2, 3)), torch.ones(3), atol=1e-5)
    # scaling every style by the same factor changes nothing after demodulation
    assert torch.allclose(layer.weights(3 * styles), layer.weights(styles), atol=1e-6)
    # the affine map starts at s = 1 + A·w: bias 1
    assert torch.allclose(layer.styles(torch.zeros(1, 4)), torch.ones(1, 2))


def test_demodulated_output_has_about_unit_variance_for_unit_inputs():
    torch.manual_seed(0)
    layer = ModulatedConv2d(32, 32, 3, 8)
    y = layer(torch.randn(16, 32, 16, 16), torch.randn(16, 8))
    assert 0.8 < y[:, :, 1:-1, 1:-1].std().item() < 1.2


def test_fir_resampling_keeps_a_constant_inside_the_border():
    up = upsample_2x(torch.ones(1, 2, 4, 4), fir_kernel(gain=4.0))
    assert up.shape == (1, 2, 8, 8) and torch.allclose(up[..., 1:-1, 1:-1], torch.ones(1, 2, 6, 6))
    assert torch.isclose(up[0, 0, 0, 0], torch.tensor(0.75 * 0.75))  # [1,3,3,1]/4: only the 3/4 tap at the edge
    down = downsample_2x(torch.ones(1, 1, 8, 8), fir_kernel())
    assert down.shape == (1, 1, 4, 4) and torch.allclose(down[..., 1:-1, 1:-1], torch.ones(1, 1, 2, 2))
    assert torch.allclose(fir_kernel().sum(), torch.tensor(1.0))


def test_noise_starts_off_and_const_noise_is_fixed():
    torch.manual_seed(0)
    layer, x = NoiseInjection(8), torch.randn(2, 3, 8, 8)
    assert torch.equal(layer(x), x)  # strength 0 at initialisation
    with torch.no_grad():
        layer.strength.fill_(0.5)
    const = layer(x, "const")
    assert torch.allclose(const - x, 0.5 * layer.noise_const.expand(2, 3, 8, 8))  # one map, over channels
    assert torch.equal(NoiseInjection(8).noise_const, layer.noise_const)  # every build holds the same map
    assert not torch.equal(layer(x, "random"), layer(x, "random"))
    assert torch.equal(layer(x, "none"), x)


def test_to_rgb_is_modulated_but_not_demodulated():
    torch.manual_seed(0)
    to_rgb, x, w = ToRGB(4, 3, 5), torch.randn(2, 4, 4, 4), torch.randn(2, 5)
    assert not to_rgb.conv.demodulate
    styles = to_rgb.conv.styles(w)
    kernel = to_rgb.conv.conv.weight * to_rgb.conv.conv.scale
    expected = torch.einsum("oi,nihw,ni->nohw", kernel[:, :, 0, 0], x, styles)
    assert torch.allclose(to_rgb(x, w), expected, atol=1e-5)
