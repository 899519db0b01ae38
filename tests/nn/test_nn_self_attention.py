import torch

from gankit.nn import SelfAttention2d


def test_identity_at_initialisation():
    block = SelfAttention2d(16)
    x = torch.randn(2, 16, 5, 5)
    assert torch.equal(block(x), x)


def test_gradients_reach_gamma_and_training_moves_it():
    torch.manual_seed(0)
    block = SelfAttention2d(8, reduction=2)  # C-bar = 4: k = 8 would squeeze the 8 channels' means through one
    x = torch.randn(4, 8, 4, 4)
    target = x + x.mean(dim=(2, 3), keepdim=True)  # needs global information
    opt = torch.optim.Adam(block.parameters(), lr=1e-2)
    block.train()
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = ((block(x) - target) ** 2).mean()
        loss.backward()
        if not losses:
            assert block.gamma.grad is not None and block.gamma.grad.abs().item() > 0
        opt.step()
        losses.append(loss.item())
    assert block.gamma.item() != 0.0
    assert losses[-1] < 0.5 * losses[0]


def test_attention_rows_are_distributions_and_the_block_is_non_local():
    torch.manual_seed(1)
    block = SelfAttention2d(8)
    with torch.no_grad():
        block.gamma.fill_(1.0)
    x = torch.randn(1, 8, 6, 6)
    beta = block.attention(x)
    assert beta.shape == (1, 36, 36)
    assert torch.allclose(beta.sum(dim=-1), torch.ones(1, 36))
    x2 = x.clone()
    x2[0, :, 5, 5] += 5.0  # change the far corner only
    changed = (block(x2) - block(x))[0, :, 0, 0].abs().max()
    assert changed > 1e-4  # a 3×3 convolution could not see it from (0, 0)


def test_the_block_computes_the_papers_formula_by_hand():
    """SAGAN eq. 1-3 on two positions, with f, g, h, v set to known 1x1 maps (C = 2, C-bar = 1)."""
    block = SelfAttention2d(2, reduction=2)
    with torch.no_grad():
        block.key.weight.copy_(torch.tensor([1.0, 0.0]).view(1, 2, 1, 1))  # f(x) = x[0]
        block.query.weight.copy_(torch.tensor([0.0, 1.0]).view(1, 2, 1, 1))  # g(x) = x[1]
        block.value.weight.copy_(torch.tensor([1.0, 1.0]).view(1, 2, 1, 1))  # h(x) = x[0] + x[1]
        block.out.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))  # v(o) = (o, -o)
        block.gamma.fill_(0.5)
    x = torch.tensor([[1.0, 2.0], [0.0, 1.0]]).view(1, 2, 1, 2)  # position 1: (1, 0), position 2: (2, 1)
    # s_ij = f(x_i) g(x_j): f = (1, 2), g = (0, 1); position j=1 attends uniformly, j=2 with weights e^1, e^2
    e = torch.e
    beta = torch.tensor([[0.5, 0.5], [e / (e + e ** 2), e ** 2 / (e + e ** 2)]])
    assert torch.allclose(block.attention(x)[0], beta, atol=1e-6)
    h = torch.tensor([1.0, 3.0])
    o = beta @ h
    expected = x + 0.5 * torch.stack([o, -o]).view(1, 2, 1, 2)
    assert torch.allclose(block(x), expected, atol=1e-6)
