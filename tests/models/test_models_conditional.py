"""Conditional GANs (Mirza & Osindero 2014): shapes, the label changes the output, and conditioning is learnt."""

import pytest
import torch
import torch.nn.functional as F

from gankit.errors import ConfigError
from gankit.models import (
    ConditionalDCGANDiscriminator,
    ConditionalDCGANGenerator,
    ConditionalMLPDiscriminator,
    ConditionalMLPGenerator,
)


def _labels(*values):
    return torch.tensor(values)


@pytest.mark.parametrize("img_size", (28, 32, 64))
def test_dcgan_generator_shape_range_and_label_effect(img_size):
    torch.manual_seed(0)
    G = ConditionalDCGANGenerator(z_dim=8, num_classes=4, img_size=img_size, channels=3, width=8)
    z = torch.randn(1, 8).expand(4, 8)  # one code, four labels, in one (training-mode) batch
    x = G(z, _labels(0, 1, 2, 3))
    assert x.shape == (4, 3, img_size, img_size)
    assert x.min() >= -1 and x.max() <= 1
    scale = x.abs().mean()
    for a in range(4):
        for b in range(a + 1, 4):
            assert (x[a] - x[b]).abs().mean() > 0.1 * scale


@pytest.mark.parametrize("conditioning", ("projection", "concat"))
@pytest.mark.parametrize("img_size", (28, 32, 64))
def test_dcgan_discriminator_logits_depend_on_the_label(img_size, conditioning):
    torch.manual_seed(0)
    D = ConditionalDCGANDiscriminator(img_size=img_size, channels=1, num_classes=3, width=8,
                                      conditioning=conditioning).eval()
    x = torch.rand(1, 1, img_size, img_size).expand(3, -1, -1, -1) * 2 - 1
    logits = D(x, _labels(0, 1, 2))
    assert logits.shape == (3,)
    assert logits.unique().numel() == 3


def test_projection_term_is_the_embedding_dot_the_features():
    """D(x, y) - D_uncond(x) = <E[y], phi(x)> (Miyato & Koyama 2018, eq. 3)."""
    torch.manual_seed(0)
    D = ConditionalDCGANDiscriminator(img_size=32, channels=1, num_classes=2, width=8).eval()
    x = torch.rand(2, 1, 32, 32)
    y = _labels(1, 0)
    h = D.features(x)
    expected = D.head(h).flatten() + (D.embed.weight[y] * h.flatten(1)).sum(1)
    torch.testing.assert_close(D(x, y), expected)


def test_unknown_conditioning_is_a_config_error():
    with pytest.raises(ConfigError, match="conditioning='film'"):
        ConditionalDCGANDiscriminator(conditioning="film")


def test_mlp_shapes_and_label_effect():
    torch.manual_seed(0)
    G = ConditionalMLPGenerator(z_dim=4, num_classes=3, out_shape=(1, 28, 28), hidden=(16,))
    D = ConditionalMLPDiscriminator(in_shape=(1, 28, 28), num_classes=3, hidden=(16,))
    z = torch.randn(1, 4).expand(3, 4)
    x = G(z, _labels(0, 1, 2))
    assert x.shape == (3, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert (x[0] - x[1]).abs().max() > 1e-4 and (x[1] - x[2]).abs().max() > 1e-4
    same = x[:1].expand(3, -1, -1, -1)
    logits = D(same, _labels(0, 1, 2))
    assert logits.shape == (3,) and logits.unique().numel() == 3


def test_conditional_mlp_gan_learns_the_class_means():
    """Two classes, N(-2, 0.3^2) and N(+2, 0.3^2): the generator must use the label to place its samples."""
    torch.manual_seed(0)
    centres = torch.tensor([-2.0, 2.0])
    G = ConditionalMLPGenerator(z_dim=2, num_classes=2, out_shape=(1,), hidden=(32, 32), output="linear")
    D = ConditionalMLPDiscriminator(in_shape=(1,), num_classes=2, hidden=(32, 32))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    for _ in range(400):
        y = torch.randint(0, 2, (128,))
        real = centres[y, None] + 0.3 * torch.randn(128, 1)
        fake = G(torch.randn(128, 2), y)
        d_loss = F.softplus(-D(real, y)).mean() + F.softplus(D(fake.detach(), y)).mean()
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-D(fake, y)).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
    with torch.no_grad():
        for label, centre in enumerate(centres.tolist()):
            x = G(torch.randn(2000, 2), torch.full((2000,), label))
            assert abs(x.mean().item() - centre) < 0.3, (label, x.mean().item())
            assert (x.sign() == torch.sign(torch.tensor(centre))).float().mean() > 0.95
