"""DCGAN and conditional DCGAN at 128 px and beyond: one more up/down block per doubling, and they train."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit.config import load_config
from gankit.games import DataSpec, build_game
from gankit.models import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, DCGANDiscriminator, DCGANGenerator
from gankit.models.dcgan import DCGAN_SIZES, MAX_SIZE, dcgan_plan


def test_every_power_of_two_from_32_to_the_maximum_is_supported():
    assert sorted(DCGAN_SIZES) == [28] + [2**k for k in range(5, 11)] and MAX_SIZE == 1024
    for size in (128, 256, 1024):
        base, doublings = dcgan_plan(size)
        assert (base, base * 2**doublings) == (4, size)


@pytest.mark.parametrize("size,widths", [(128, [128, 64, 32, 16, 8]), (256, [256, 128, 64, 32, 16, 8])])
def test_one_more_block_per_doubling(size, widths):
    G, D = DCGANGenerator(z_dim=4, img_size=size, channels=3, width=8), DCGANDiscriminator(size, 3, width=8)
    g_convs = [m for m in G.modules() if isinstance(m, nn.ConvTranspose2d)]
    d_convs = [m for m in D.features.modules() if isinstance(m, nn.Conv2d)]
    assert [m.out_channels for m in g_convs] == widths + [3]
    assert [m.out_channels for m in d_convs] == widths[::-1]
    assert D.head.kernel_size == (4, 4)


def _step(G, D, real, labels=None):
    """One discriminator and one generator Adam step with the non-saturating loss; returns (loss_D, loss_G)."""
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    cond = () if labels is None else (labels,)
    z = torch.randn(len(real), 16)
    fake = G(z, *cond)
    loss_d = F.softplus(-D(real, *cond)).mean() + F.softplus(D(fake.detach(), *cond)).mean()
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = F.softplus(-D(G(z, *cond), *cond)).mean()
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


@pytest.mark.parametrize("conditional", (False, True))
def test_a_128px_pair_builds_has_the_right_shapes_and_trains(conditional):
    torch.manual_seed(0)
    if conditional:
        G = ConditionalDCGANGenerator(z_dim=16, num_classes=3, img_size=128, channels=3, width=4)
        D = ConditionalDCGANDiscriminator(img_size=128, channels=3, num_classes=3, width=4)
        labels = torch.tensor([0, 1, 2, 0, 1, 2])
    else:
        G, D = DCGANGenerator(z_dim=16, img_size=128, channels=3, width=4), DCGANDiscriminator(128, 3, width=4)
        labels = None
    cond = () if labels is None else (labels,)
    fake = G(torch.randn(6, 16), *cond)
    assert fake.shape == (6, 3, 128, 128) and fake.min() >= -1 and fake.max() <= 1
    assert D(fake, *cond).shape == (6,)
    before = [p.detach().clone() for p in (*G.parameters(), *D.parameters())]
    real = torch.rand(6, 3, 128, 128) * 2 - 1
    losses = [_step(G, D, real, labels) for _ in range(3)]
    after = list((*G.parameters(), *D.parameters()))
    assert all(torch.isfinite(torch.tensor(pair)).all() for pair in losses)
    assert all(not torch.equal(a, b) for a, b in zip(before, after) if a.dim() > 1)  # every weight moved
    assert losses[-1][0] < losses[0][0]  # D learns to tell noise images from G's


@pytest.mark.parametrize("game", ("unconditional", "conditional"))
def test_config_with_img_size_128_validates_and_builds_both_games(game):
    config = load_config("dcgan-fashion", ["data.img_size=128", f"game={game}", "model.g_width=4",
                                           "model.d_width=4"])
    spec = DataSpec("folder:photos", "image", (3, 128, 128), 3, ("cat", "coffee", "dog"))
    built = build_game(config, spec)
    z = torch.randn(2, *built.latent_shape())
    labels = torch.tensor([0, 2]) if game == "conditional" else None
    G, D = built.module("G").eval(), built.module("D").eval()
    images = built.generate(G, z, labels)
    assert images.shape == (2, 3, 128, 128)
    assert (D(images, labels) if labels is not None else D(images)).shape == (2,)
