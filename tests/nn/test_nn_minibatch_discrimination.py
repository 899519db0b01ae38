import math

import pytest
import torch

from gankit.nn import MinibatchDiscrimination


def test_identical_samples_score_n_minus_one():
    layer = MinibatchDiscrimination(in_features=6, out_features=5, kernel_dims=3)
    x = torch.randn(1, 6).repeat(7, 1)
    out = layer(x)
    assert out.shape == (7, 11)
    assert torch.equal(out[:, :6], x)
    assert torch.allclose(out[:, 6:], torch.full((7, 5), 6.0))


def test_far_apart_samples_score_about_zero():
    torch.manual_seed(0)
    layer = MinibatchDiscrimination(in_features=4, out_features=3, kernel_dims=2, init_std=1.0)
    x = torch.eye(4) * 1000.0
    assert layer(x)[:, 4:].abs().max().item() < 1e-6


def test_hand_computed_pair():
    layer = MinibatchDiscrimination(in_features=1, out_features=1, kernel_dims=2)
    with torch.no_grad():
        layer.T.copy_(torch.tensor([[1.0, 2.0]]))
    x = torch.tensor([[0.0], [1.0]])  # M = (0, 0) and (1, 2): L1 distance 3
    out = layer(x)[:, 1]
    assert out.tolist() == pytest.approx([math.exp(-3.0)] * 2)


def test_collapsed_batch_is_separable_from_diverse_batch_and_grads_flow():
    torch.manual_seed(1)
    layer = MinibatchDiscrimination(in_features=8, out_features=4, kernel_dims=4)
    collapsed = torch.randn(1, 8).repeat(16, 1) + 0.001 * torch.randn(16, 8)
    diverse = torch.randn(16, 8) * 3
    assert layer(collapsed)[:, 8:].mean() > 10 * layer(diverse)[:, 8:].mean()
    layer(diverse)[:, 8:].sum().backward()
    assert layer.T.grad is not None and layer.T.grad.abs().sum() > 0


def test_wrong_width_is_rejected():
    with pytest.raises(ValueError, match=r"\(N, 6\)"):
        MinibatchDiscrimination(6, 2, 2)(torch.randn(3, 5))
