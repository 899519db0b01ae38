"""MLP GAN (Goodfellow et al. 2014): shapes, output ranges, errors, and a tiny GAN that learns a Gaussian."""

import pytest
import torch
import torch.nn.functional as F

from gankit.errors import ConfigError
from gankit.models import MLPDiscriminator, MLPGenerator


def test_image_generator_shape_and_tanh_range():
    G = MLPGenerator(z_dim=10, out_shape=(1, 28, 28), hidden=(32, 64))
    x = G(torch.randn(6, 10) * 10)
    assert x.shape == (6, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1


def test_point_generator_is_linear_and_unbounded():
    G = MLPGenerator(z_dim=3, out_shape=(2,), hidden=(16,), output="linear")
    with torch.no_grad():
        G.head.bias.fill_(5.0)
    x = G(torch.randn(7, 3))
    assert x.shape == (7, 2)
    assert x.min() > 1  # a Tanh output could never exceed 1


@pytest.mark.parametrize("in_shape", [(2,), (1, 28, 28)])
def test_discriminator_returns_one_raw_logit_per_sample(in_shape):
    D = MLPDiscriminator(in_shape, hidden=(32, 16))
    assert D(torch.randn(5, *in_shape)).shape == (5,)
    with torch.no_grad():
        D.head.bias.fill_(-7.0)
    assert torch.all(D(torch.zeros(5, *in_shape)) < -1)  # no sigmoid


def test_discriminator_dropout_is_active_only_in_training():
    D = MLPDiscriminator((4,), hidden=(64,), dropout=0.5)
    x = torch.randn(3, 4)
    assert not torch.equal(D(x), D(x))
    D.eval()
    assert torch.equal(D(x), D(x))


@pytest.mark.parametrize("kwargs,match", [
    (dict(output="sigmoid"), "output='sigmoid'"),
    (dict(activation="gelu"), "activation='gelu'"),
    (dict(out_shape=(0, 3)), r"out_shape=\(0, 3\)"),
])
def test_generator_rejects_bad_arguments(kwargs, match):
    args = dict(z_dim=4, out_shape=(2,)) | kwargs
    with pytest.raises(ConfigError, match=match):
        MLPGenerator(**args)


def test_discriminator_rejects_bad_dropout():
    with pytest.raises(ConfigError, match="dropout=1.0"):
        MLPDiscriminator((2,), dropout=1.0)


def test_mlp_gan_learns_a_gaussian():
    """Non-saturating GAN on N(3, 0.5^2) in 1-D: the generated mean and std approach the data's."""
    torch.manual_seed(0)
    mean, std = 3.0, 0.5
    G = MLPGenerator(z_dim=4, out_shape=(1,), hidden=(32, 32), output="linear")
    D = MLPDiscriminator((1,), hidden=(32, 32))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))

    def sample_stats():
        with torch.no_grad():
            x = G(torch.randn(4000, 4))
        return x.mean().item(), x.std().item()

    start_mean, start_std = sample_stats()
    for _ in range(600):
        real = mean + std * torch.randn(128, 1)
        fake = G(torch.randn(128, 4))
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-D(fake)).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
    gen_mean, gen_std = sample_stats()
    assert abs(start_mean - mean) > 2.0 and start_std < 0.2  # it had something to learn
    assert abs(gen_mean - mean) < 0.2
    # a GAN tends to under-disperse a little (0.3-0.45 over seeds 0-5); collapse would give ~0
    assert 0.25 < gen_std < 0.75
