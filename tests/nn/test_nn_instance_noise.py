import pytest
import torch

from gankit.nn import annealed_std, instance_noise


def test_noise_has_the_requested_std_and_zero_mean():
    x = torch.full((200, 50), 3.0)
    y = instance_noise(x, 0.5, generator=torch.Generator().manual_seed(0))
    assert y.shape == x.shape
    assert (y - x).std().item() == pytest.approx(0.5, rel=0.03)
    assert (y - x).mean().item() == pytest.approx(0.0, abs=0.01)


def test_zero_std_is_identity_and_generator_reproduces():
    x = torch.randn(4, 3, 2, 2)
    assert instance_noise(x, 0.0) is x
    a = instance_noise(x, 1.0, generator=torch.Generator().manual_seed(3))
    b = instance_noise(x, 1.0, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    with pytest.raises(ValueError):
        instance_noise(x, -1.0)


def test_noise_is_differentiable_in_x():
    x = torch.randn(3, 2, requires_grad=True)
    instance_noise(x, 0.1).sum().backward()
    assert torch.equal(x.grad, torch.ones(3, 2))


def test_linear_annealing():
    assert annealed_std(0, 100, 0.2) == pytest.approx(0.2)
    assert annealed_std(25, 100, 0.2) == pytest.approx(0.15)
    assert annealed_std(100, 100, 0.2) == 0.0
    assert annealed_std(500, 100, 0.2) == 0.0
    with pytest.raises(ValueError):
        annealed_std(0, 0, 0.2)
