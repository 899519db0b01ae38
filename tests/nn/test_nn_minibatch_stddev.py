import pytest
import torch

from gankit.nn import MinibatchStdDev


def test_identical_samples_give_a_zero_feature():
    x = torch.randn(1, 3, 4, 4).repeat(8, 1, 1, 1)
    out = MinibatchStdDev(group_size=4)(x)
    assert out.shape == (8, 4, 4, 4)
    assert torch.equal(out[:, :3], x)
    assert out[:, 3].abs().max().item() < 1e-3  # sqrt(0 + 1e-8) = 1e-4


def test_diverse_samples_give_the_hand_computed_std():
    # two samples, one channel, one pixel: values 1 and 3 -> biased std 1
    x = torch.tensor([[1.0], [3.0]])
    out = MinibatchStdDev(group_size=2)(x)
    assert out.shape == (2, 2)
    assert out[:, 1].tolist() == pytest.approx([1.0, 1.0], abs=1e-6)


def test_groups_are_separate_and_strided():
    # N=4, G=2 -> groups {0, 2} and {1, 3}
    x = torch.tensor([[0.0], [5.0], [2.0], [5.0]])
    out = MinibatchStdDev(group_size=2)(x)
    assert out[:, 1].tolist() == pytest.approx([1.0, 0.0, 1.0, 0.0], abs=1e-3)


def test_random_images_give_positive_feature_broadcast_over_pixels():
    x = torch.randn(8, 3, 5, 5)
    out = MinibatchStdDev(group_size=4, num_features=1)(x)
    extra = out[:, 3]
    assert (extra > 0.3).all()
    assert torch.allclose(extra, extra[:, :1, :1].expand_as(extra))


def test_num_features_splits_channels():
    x = torch.zeros(4, 4, 2, 2)
    x[:, 2:] = torch.randn(4, 2, 2, 2)  # only the second half of the channels varies
    out = MinibatchStdDev(group_size=4, num_features=2)(x)
    assert out.shape == (4, 6, 2, 2)
    assert out[:, 4].abs().max() < 1e-3
    assert (out[:, 5] > 0.1).all()
    with pytest.raises(ValueError, match="divisible"):
        MinibatchStdDev(num_features=3)(x)


def test_group_size_that_does_not_divide_batch_falls_back():
    layer = MinibatchStdDev(group_size=4)
    assert layer.effective_group_size(2) == 2
    assert layer.effective_group_size(6) == 3
    assert layer.effective_group_size(7) == 1
    out = layer(torch.randn(6, 3, 2, 2))
    assert out.shape == (6, 4, 2, 2)


def test_gradient_flows_through_the_statistic():
    x = torch.randn(4, 2, requires_grad=True)
    MinibatchStdDev(group_size=4)(x)[:, 2].sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
