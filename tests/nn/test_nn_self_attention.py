import torch

from gankit.nn import SelfAttention2d


def test_identity_at_initialisation():
    block = SelfAttention2d(16)
    x = torch.randn(2, 16, 5, 5)
    assert torch.equal(block(x), x)


def test_gradients_reach_gamma_and_training_moves_it():
    torch.manual_seed(0)
    block = SelfAttention2d(8)
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
