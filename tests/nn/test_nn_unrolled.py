import pytest
import torch
from torch import nn

from gankit.losses import nonsaturating_d, nonsaturating_g, wasserstein_d, wasserstein_g
from gankit.nn import call_with_parameters, unrolled_discriminator


def linear_setup():
    """D(x) = w·x + b with w = 1, b = 0; G outputs the constant θ = 2; real samples are 0."""
    D = nn.Linear(1, 1)
    with torch.no_grad():
        D.weight.fill_(1.0)
        D.bias.fill_(0.0)
    theta = torch.tensor(2.0, requires_grad=True)
    fake = theta * torch.ones(4, 1)
    real = torch.zeros(4, 1)
    return D, theta, fake, real


def test_one_dimensional_wasserstein_case_by_hand():
    """L_D = w(θ - 0), so ∂L_D/∂w = θ and w_k = w - k·lr·θ (b unchanged).
    G's loss -(w_k θ + b) has dL_G/dθ = -(w_k + θ·∂w_k/∂θ) = -(w - 2k·lr·θ).
    With w=1, θ=2, k=3, lr=0.1: plain -1, unrolled -(1 - 1.2) = +0.2, first-order -w_k = -0.4."""
    D, theta, fake, real = linear_setup()
    params = unrolled_discriminator(D, wasserstein_d, steps=3, lr=0.1, real_batches=real, fake=fake)
    assert params["weight"].item() == pytest.approx(0.4)
    assert params["bias"].item() == pytest.approx(0.0)
    (grad,) = torch.autograd.grad(wasserstein_g(call_with_parameters(D, params, fake)), theta)
    assert grad.item() == pytest.approx(0.2)

    D, theta, fake, real = linear_setup()
    params = unrolled_discriminator(D, wasserstein_d, steps=3, lr=0.1, real_batches=real, fake=fake, create_graph=False)
    (grad,) = torch.autograd.grad(wasserstein_g(call_with_parameters(D, params, fake)), theta)
    assert grad.item() == pytest.approx(-0.4)


def mlp_setup(seed: int = 0):
    torch.manual_seed(seed)
    G = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    D = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    z, real = torch.randn(32, 2), torch.randn(32, 2) + 3.0
    return G, D, z, real


def g_grads(G, D, z, real, steps, **kwargs):
    G.zero_grad()
    fake = G(z)
    params = unrolled_discriminator(D, nonsaturating_d, steps=steps, lr=0.5, real_batches=real, fake=fake, **kwargs)
    nonsaturating_g(call_with_parameters(D, params, fake)).backward()
    return [p.grad.clone() for p in G.parameters()]


def test_zero_steps_gives_the_plain_generator_gradient():
    G, D, z, real = mlp_setup()
    unrolled = g_grads(G, D, z, real, steps=0)
    G.zero_grad()
    nonsaturating_g(D(G(z))).backward()
    plain = [p.grad.clone() for p in G.parameters()]
    for a, b in zip(unrolled, plain):
        assert torch.allclose(a, b)


def test_three_steps_change_the_generator_gradient_and_leave_D_alone():
    G, D, z, real = mlp_setup()
    before = {n: p.detach().clone() for n, p in D.named_parameters()}
    plain = g_grads(G, D, z, real, steps=0)
    unrolled = g_grads(G, D, z, real, steps=3)
    assert all(torch.isfinite(g).all() for g in unrolled)
    difference = sum((a - b).abs().sum().item() for a, b in zip(unrolled, plain))
    assert difference > 1e-3
    for n, p in D.named_parameters():
        assert torch.equal(p, before[n])
        assert p.grad is None


def test_works_with_a_frozen_discriminator_and_per_step_batches():
    G, D, z, real = mlp_setup(1)
    D.requires_grad_(False)
    grads = g_grads(G, D, z, [real, real + 0.1, real - 0.1], steps=3)
    assert all(torch.isfinite(g).all() and g.abs().sum() > 0 for g in grads)
    with pytest.raises(ValueError, match="real batches"):
        g_grads(G, D, z, [real], steps=3)


def test_batchnorm_running_stats_are_not_mutated_by_unrolling():
    torch.manual_seed(2)
    D = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    running_mean = D[1].running_mean.clone()
    fake = torch.randn(16, 2, requires_grad=True)
    unrolled_discriminator(D, nonsaturating_d, steps=2, lr=0.1, real_batches=torch.randn(16, 2) + 5, fake=fake)
    assert torch.equal(D[1].running_mean, running_mean)


def test_conditional_kwargs_reach_the_discriminator():
    class LabelD(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(3, 2)

        def forward(self, x, labels):
            return (x * self.embed(labels)).sum(dim=1)

    D = LabelD()
    fake = torch.randn(6, 2, requires_grad=True)
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    params = unrolled_discriminator(
        D, nonsaturating_d, steps=2, lr=0.1, real_batches=torch.randn(6, 2), fake=fake,
        real_kwargs={"labels": labels}, fake_kwargs={"labels": labels},
    )
    out = call_with_parameters(D, params, fake, labels=labels)
    assert out.shape == (6,)
    assert not torch.equal(params["embed.weight"], D.embed.weight)


def test_spectrally_normalized_discriminator_unrolls_without_touching_its_power_iteration_state():
    from gankit.losses import hinge_d, hinge_g
    from gankit.nn import apply_spectral_norm

    torch.manual_seed(3)
    D = apply_spectral_norm(nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)))
    u = D[0].parametrizations.weight[0]._u.clone()
    G = nn.Linear(2, 2)
    fake = G(torch.randn(8, 2))
    params = unrolled_discriminator(D, hinge_d, steps=3, lr=0.1, real_batches=torch.randn(8, 2), fake=fake)
    assert "0.parametrizations.weight.original" in params
    assert torch.equal(D[0].parametrizations.weight[0]._u, u)
    hinge_g(call_with_parameters(D, params, fake)).backward()
    assert torch.isfinite(G.weight.grad).all() and G.weight.grad.abs().sum() > 0
