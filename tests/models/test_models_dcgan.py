"""DCGAN networks: shapes, ranges, the paper's layer rules and initialisation, size errors."""

import pytest
import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.models import DCGANDiscriminator, DCGANGenerator, dcgan_init_
from gankit.models.dcgan import dcgan_plan

SIZES = (28, 32, 64)


@pytest.mark.parametrize("img_size", SIZES)
@pytest.mark.parametrize("channels", (1, 3))
def test_generator_makes_images_in_tanh_range(img_size, channels):
    G = DCGANGenerator(z_dim=16, img_size=img_size, channels=channels, width=8)
    with torch.no_grad():
        G.net[-2].weight.mul_(100)  # push the output layer's pre-activations far beyond +-1
    x = G(torch.randn(4, 16))
    assert x.shape == (4, channels, img_size, img_size)
    assert x.min() >= -1 and x.max() <= 1
    assert x.min() < -0.99 and x.max() > 0.99  # saturated on both sides: a Tanh, not a clamp of small values


@pytest.mark.parametrize("img_size", SIZES)
def test_generator_accepts_flat_and_4d_codes(img_size):
    G = DCGANGenerator(z_dim=16, img_size=img_size, width=8).eval()
    z = torch.randn(3, 16)
    torch.testing.assert_close(G(z), G(z[:, :, None, None]))


@pytest.mark.parametrize("img_size", SIZES)
@pytest.mark.parametrize("channels", (1, 3))
def test_discriminator_returns_one_logit_per_image(img_size, channels):
    D = DCGANDiscriminator(img_size=img_size, channels=channels, width=8)
    logits = D(torch.rand(5, channels, img_size, img_size) * 2 - 1)
    assert logits.shape == (5,)
    # raw logits, not probabilities: scaling the last layer moves them outside [0, 1]
    with torch.no_grad():
        D.head.weight.mul_(1e3)
    assert (D(torch.rand(5, channels, img_size, img_size) * 2 - 1).abs() > 1).any()


@pytest.mark.parametrize("img_size,widths", [(64, [512, 256, 128, 64]), (32, [256, 128, 64]), (28, [128, 64])])
def test_widths_follow_the_ngf_ndf_convention(img_size, widths):
    G = DCGANGenerator(img_size=img_size, width=64)
    D = DCGANDiscriminator(img_size=img_size, width=64)
    g_convs = [m for m in G.modules() if isinstance(m, nn.ConvTranspose2d)]
    d_convs = [m for m in D.modules() if isinstance(m, nn.Conv2d)]
    assert [m.out_channels for m in g_convs[:-1]] == widths
    assert [m.out_channels for m in d_convs[:-1]] == widths[::-1]


@pytest.mark.parametrize("img_size", SIZES)
def test_layer_rules_of_the_paper(img_size):
    """BN everywhere in G but the output; in D everywhere but the first and last layer; no bias before BN."""
    G = DCGANGenerator(img_size=img_size, width=8)
    D = DCGANDiscriminator(img_size=img_size, width=8)
    g_layers, d_layers = list(G.net), list(D.features.net) + [D.head]

    def followed_by_bn(layers, i):
        return i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d)

    g_convs = [i for i, m in enumerate(g_layers) if isinstance(m, nn.ConvTranspose2d)]
    assert [followed_by_bn(g_layers, i) for i in g_convs] == [True] * (len(g_convs) - 1) + [False]
    assert isinstance(g_layers[-1], nn.Tanh)
    assert all(isinstance(m, nn.ReLU) for m in g_layers if isinstance(m, (nn.ReLU, nn.LeakyReLU)))
    d_convs = [i for i, m in enumerate(d_layers) if isinstance(m, nn.Conv2d)]
    assert [followed_by_bn(d_layers, i) for i in d_convs] == [False] + [True] * (len(d_convs) - 2) + [False]
    assert all(m.negative_slope == 0.2 for m in d_layers if isinstance(m, nn.LeakyReLU))
    for layers, convs in ((g_layers, g_convs), (d_layers, d_convs)):
        for i in convs:
            assert (layers[i].bias is None) == followed_by_bn(layers, i)
    # fractional-strided / strided k4 s2 p1 everywhere between the projection and the output
    for m in [g_layers[i] for i in g_convs[1:]] + [d_layers[i] for i in d_convs[:-1]]:
        assert (m.kernel_size, m.stride, m.padding) == ((4, 4), (2, 2), (1, 1))


def test_initialisation_statistics():
    torch.manual_seed(0)
    G, D = DCGANGenerator(img_size=64, width=64), DCGANDiscriminator(img_size=64, width=64)
    weights = torch.cat([m.weight.flatten() for net in (G, D) for m in net.modules()
                         if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))])
    gammas = torch.cat([m.weight for net in (G, D) for m in net.modules() if isinstance(m, nn.BatchNorm2d)])
    betas = torch.cat([m.bias for net in (G, D) for m in net.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(weights.std().item() - 0.02) < 0.0005 and abs(weights.mean().item()) < 0.0005
    assert abs(gammas.mean().item() - 1) < 0.005 and abs(gammas.std().item() - 0.02) < 0.004
    assert torch.all(betas == 0)
    assert all(torch.all(m.bias == 0) for net in (G, D) for m in net.modules()
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.bias is not None)


def test_dcgan_init_returns_the_module_and_resets_linear_layers():
    layer = nn.Linear(500, 500)
    assert dcgan_init_(layer) is layer
    assert abs(layer.weight.std().item() - 0.02) < 0.001 and torch.all(layer.bias == 0)


@pytest.mark.parametrize("bad", [16, 48, 96, 2048, 0])
def test_unsupported_size_is_a_value_error_naming_it(bad):
    for build in (lambda: DCGANGenerator(img_size=bad), lambda: DCGANDiscriminator(img_size=bad)):
        with pytest.raises(ValueError, match=rf"img_size={bad} .*28, 32, 64"):
            build()
        with pytest.raises(ConfigError):  # and the CLI reports it as a user error
            build()


def test_plan_reaches_the_image_size():
    for size in SIZES:
        base, doublings = dcgan_plan(size)
        assert base * 2**doublings == size


def test_channels_last_gives_the_same_numbers():
    torch.manual_seed(0)
    G, D = DCGANGenerator(z_dim=8, img_size=32, width=8), DCGANDiscriminator(img_size=32, width=8)
    z = torch.randn(4, 8)
    reference = D(G(z))
    G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    images = G(z)
    assert images.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(D(images), reference, rtol=1e-4, atol=1e-5)
