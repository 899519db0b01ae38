import pytest
import torch
from torch import nn

from gankit.nn import ConditionalBatchNorm2d


def test_equals_plain_batchnorm_at_initialisation():
    x = torch.randn(6, 4, 3, 3) * 3 + 1
    cbn = ConditionalBatchNorm2d(4, num_classes=5)
    bn = nn.BatchNorm2d(4)
    assert torch.allclose(cbn(x, torch.tensor([0, 1, 2, 3, 4, 0])), bn(x), atol=1e-6)


def test_different_labels_give_different_outputs_for_the_same_input():
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(3, num_classes=2)
    with torch.no_grad():
        cbn.gain.weight.copy_(torch.tensor([[1.0, 1.0, 1.0], [2.0, 0.5, 1.0]]))
        cbn.bias.weight.copy_(torch.tensor([[0.0, 0.0, 0.0], [1.0, -1.0, 3.0]]))
    x = torch.randn(1, 3, 4, 4).repeat(2, 1, 1, 1)  # the same sample twice
    cbn.eval()  # running stats (0, 1): y = γ_c x / sqrt(1 + ε) + β_c
    out = cbn(x, torch.tensor([0, 1]))
    scale = 1 / (1 + 1e-5) ** 0.5
    expected1 = torch.tensor([2.0, 0.5, 1.0]).view(3, 1, 1) * x[1] * scale + torch.tensor([1.0, -1.0, 3.0]).view(3, 1, 1)
    assert torch.allclose(out[0], x[0] * scale, atol=1e-6)
    assert torch.allclose(out[1], expected1, atol=1e-6)


def test_learns_a_label_dependent_scale():
    torch.manual_seed(1)
    cbn = ConditionalBatchNorm2d(2, num_classes=3)
    opt = torch.optim.Adam(cbn.parameters(), lr=0.1)
    target_scale = torch.tensor([0.5, 1.0, 3.0])
    for _ in range(100):
        x = torch.randn(30, 2, 2, 2)
        labels = torch.arange(30) % 3
        target = nn.functional.batch_norm(x, None, None, training=True) * target_scale[labels].view(-1, 1, 1, 1)
        opt.zero_grad()
        ((cbn(x, labels) - target) ** 2).mean().backward()
        opt.step()
    assert cbn.gain.weight.detach().mean(dim=1) == pytest.approx(target_scale.tolist(), abs=0.1)


def test_label_shape_is_checked():
    with pytest.raises(ValueError, match="labels"):
        ConditionalBatchNorm2d(2, 3)(torch.randn(4, 2, 2, 2), torch.zeros(4, 1, dtype=torch.long))
