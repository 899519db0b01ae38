"""SAGAN / BigGAN networks: shapes, where they attend, the projection head and BigGAN's conditioning, by hand."""

import pytest
import torch
from torch import nn

from gankit.models.biggan import BigGANGenerator
from gankit.models.resblocks import ResNetProjectionDiscriminator
from gankit.models.sagan import SAGANGenerator
from gankit.nn import ConditionalBatchNorm2d, LinearConditionalBatchNorm2d, SelfAttention2d


@pytest.mark.parametrize("size, attention", [(16, 8), (32, 16), (32, 0)])
@pytest.mark.parametrize("classes", [0, 3])
def test_generators_and_discriminator_map_shapes(size, attention, classes):
    torch.manual_seed(0)
    z, labels = torch.randn(4, 60), torch.tensor([0, 1, 2, 0]) if classes else None
    D = ResNetProjectionDiscriminator(size, 3, classes, width=4, attention=attention)
    for G in (SAGANGenerator(60, classes, size, 3, width=4, attention=attention),
              BigGANGenerator(60, classes, size, 3, width=4, shared_dim=5, attention=attention)):
        images = G(z, labels)
        assert images.shape == (4, 3, size, size) and images.abs().max() <= 1
        assert D(images, labels).shape == (4,)
        assert (G.attention is not None) == bool(attention)


def test_attention_sits_at_16_px_of_32_px_images_in_both_networks():
    G = SAGANGenerator(8, 0, 32, 1, width=4, attention=16)
    seen = {}
    G.attention.register_forward_hook(lambda module, args, out: seen.update(G=out.shape[-1]))
    G(torch.randn(2, 8))
    D = ResNetProjectionDiscriminator(32, 1, 0, width=4, attention=16)
    attention = [m for m in D.modules() if isinstance(m, SelfAttention2d)]
    attention[0].register_forward_hook(lambda module, args, out: seen.update(D=out.shape[-1]))
    D(torch.randn(2, 1, 32, 32))
    assert seen == {"G": 16, "D": 16} and len(attention) == 1
    assert G.attention.gamma.item() == 0.0  # the identity at initialisation (SAGAN §3)


def test_spectral_norm_bounds_every_weight_of_both_networks():
    G, D = SAGANGenerator(8, 2, 16, 1, width=4, attention=8), ResNetProjectionDiscriminator(16, 1, 2, 4, 8)
    for net in (G, D):
        for _ in range(30):  # power iterations converge in training mode
            net(torch.randn(4, 8), torch.tensor([0, 1, 0, 1])) if net is G else net(torch.randn(4, 1, 16, 16),
                                                                                 torch.tensor([0, 1, 0, 1]))
        normalized = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear)) and hasattr(m, "parametrizations")]
        assert normalized
        for layer in normalized:
            w = layer.weight.detach().reshape(layer.weight.shape[0], -1)
            assert torch.linalg.matrix_norm(w, ord=2) < 1.05
    gains = [m for m in G.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert gains and not hasattr(gains[0].gain, "parametrizations")  # per-class gains are left free


def test_projection_discriminator_by_hand():
    """D(x, y) = w·φ(x) + b + <E[y], φ(x)>, φ(x) = Σ_positions ReLU(features), on a case small enough to do by hand."""
    D = ResNetProjectionDiscriminator(8, 2, num_classes=2, width=2, attention=0, spectral_norm=False)
    D.blocks = nn.Identity()  # φ(x) = Σ ReLU(x) over positions
    with torch.no_grad():
        D.linear.weight.copy_(torch.tensor([[0.5, -1.0]]))
        D.linear.bias.fill_(0.25)
        D.embed.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 3.0]]))
    x = torch.tensor([[[[1.0, 2.0]], [[-1.0, 4.0]]],     # φ = (3, 4)
                      [[[-2.0, -1.0]], [[0.5, 0.5]]]])   # φ = (0, 1)
    # sample 0, class 0: 0.5*3 - 4 + 0.25 + (1*3 + 0*4) = 0.75; sample 1, class 1: -1 + 0.25 + 3*1 = 2.25
    assert torch.allclose(D(x, torch.tensor([0, 1])), torch.tensor([0.75, 2.25]))
    # the class moves only the projection term: sample 0 as class 1 gives 0.5*3 - 4 + 0.25 + 3*4 = 9.75
    assert torch.allclose(D(x, torch.tensor([1, 1])), torch.tensor([9.75, 2.25]))
    with pytest.raises(ValueError, match="needs labels"):
        D(x)


def test_biggan_feeds_one_chunk_of_z_and_the_shared_embedding_to_each_block():
    torch.manual_seed(0)
    G = BigGANGenerator(z_dim=12, num_classes=3, img_size=16, channels=1, width=4, shared_dim=5, attention=0)
    assert G.chunk == 4  # 3 chunks: the input layer and 2 blocks
    assert [m for m in G.modules() if isinstance(m, nn.Embedding)] == [G.shared]  # one shared embedding
    norms = [m for m in G.modules() if isinstance(m, LinearConditionalBatchNorm2d)]
    assert len(norms) == 4 and all(m.cond_dim == 4 + 5 for m in norms)
    seen = []
    norms[2].register_forward_hook(lambda module, args, out: seen.append(args[1]) and None)  # block 1's first BN
    z, labels = torch.randn(2, 12), torch.tensor([2, 0])
    G(z, labels)
    assert torch.equal(seen[0], torch.cat([z[:, 8:12], G.shared(labels)], dim=1))
    with pytest.raises(ValueError, match="3 equal chunks"):
        BigGANGenerator(z_dim=10, num_classes=3, img_size=16)


def test_linear_conditional_batch_norm_by_hand():
    bn = LinearConditionalBatchNorm2d(2, cond_dim=1)
    x = torch.tensor([[[[1.0]], [[2.0]]], [[[3.0]], [[6.0]]]])  # per channel: mean 2 and 4, var 1 and 4
    normalized = torch.tensor([[[[-1.0]], [[-1.0]]], [[[1.0]], [[1.0]]]])
    c = torch.tensor([[1.0], [2.0]])
    assert torch.allclose(bn(x, c), normalized, atol=1e-4)  # W_γ = W_β = 0: plain batch norm
    with torch.no_grad():
        bn.gain.weight.copy_(torch.tensor([[0.5], [1.0]]))
        bn.bias.weight.copy_(torch.tensor([[1.0], [0.0]]))
    gain = 1 + c * torch.tensor([0.5, 1.0])  # (N, C): 1 + W_γ c
    bias = c * torch.tensor([1.0, 0.0])
    assert torch.allclose(bn(x, c), gain[:, :, None, None] * normalized + bias[:, :, None, None], atol=1e-4)
