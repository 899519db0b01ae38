"""Losses checked against numbers computed by hand on tiny tensors."""

import math

import pytest
import torch
from torch import nn

from gankit import losses
from gankit.errors import ConfigError

LOG2 = math.log(2.0)


def t(*values: float) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


# --------------------------------------------------------------------------- values by hand
def test_minimax_d_at_zero_logits_is_two_log_two():
    assert losses.minimax_d(t(0.0, 0.0), t(0.0)).item() == pytest.approx(2 * LOG2)


def test_minimax_d_matches_hand_values():
    # -log σ(2) = softplus(-2); -log(1 - σ(-1)) = softplus(-1)
    expected = softplus(-2.0) + softplus(-1.0)
    assert losses.minimax_d(t(2.0), t(-1.0)).item() == pytest.approx(expected)
    assert losses.nonsaturating_d(t(2.0), t(-1.0)).item() == pytest.approx(expected)


def test_minimax_d_is_stable_for_huge_logits():
    value = losses.minimax_d(t(-1000.0), t(1000.0))
    assert torch.isfinite(value)
    assert value.item() == pytest.approx(2000.0)


def test_one_sided_label_smoothing_uses_soft_real_target():
    # real term: 0.9·(-log σ(2)) + 0.1·(-log(1-σ(2))); fake term unchanged
    expected = 0.9 * softplus(-2.0) + 0.1 * softplus(2.0) + softplus(-1.0)
    assert losses.minimax_d(t(2.0), t(-1.0), real_target=0.9).item() == pytest.approx(expected)
    # the smoothed real term is minimal where σ(D(x)) = 0.9, not at D(x) → ∞
    logit = torch.tensor([0.0], requires_grad=True)
    opt = torch.optim.SGD([logit], lr=1.0)
    for _ in range(500):
        opt.zero_grad()
        losses.minimax_d(logit, torch.zeros(1), real_target=0.9).backward()
        opt.step()
    assert torch.sigmoid(logit).item() == pytest.approx(0.9, abs=1e-3)


def test_real_target_outside_unit_interval_is_rejected():
    with pytest.raises(ValueError, match="real_target"):
        losses.minimax_d(t(0.0), t(0.0), real_target=1.5)


def test_generator_losses_at_zero_logits():
    assert losses.minimax_g(t(0.0)).item() == pytest.approx(-LOG2)  # log(1 - 1/2)
    assert losses.nonsaturating_g(t(0.0)).item() == pytest.approx(LOG2)  # -log(1/2)


def test_minimax_gradient_vanishes_where_nonsaturating_does_not():
    """At a confident discriminator (fake logit -5) the saturating loss has gradient -σ(-5) ≈ -0.0067
    w.r.t. the logit, the non-saturating one -(1 - σ(-5)) ≈ -0.9933."""
    sigma = 1.0 / (1.0 + math.exp(5.0))
    fake = torch.tensor([-5.0], dtype=torch.float64, requires_grad=True)
    (g_minimax,) = torch.autograd.grad(losses.minimax_g(fake), fake)
    (g_nonsat,) = torch.autograd.grad(losses.nonsaturating_g(fake), fake)
    assert g_minimax.item() == pytest.approx(-sigma)
    assert g_nonsat.item() == pytest.approx(-(1.0 - sigma))
    assert abs(g_minimax.item()) < 0.01
    assert abs(g_nonsat.item()) > 0.99


def test_wasserstein_losses():
    assert losses.wasserstein_d(t(1.0, 3.0), t(0.0, 2.0)).item() == pytest.approx(1.0 - 2.0)
    assert losses.wasserstein_g(t(0.0, 2.0)).item() == pytest.approx(-1.0)


def test_hinge_losses():
    # real: relu(1-0.5)=0.5, relu(1-2)=0 -> 0.25; fake: relu(1-0.5)=0.5, relu(1-2)=0 -> 0.25
    assert losses.hinge_d(t(0.5, 2.0), t(-0.5, -2.0)).item() == pytest.approx(0.5)
    assert losses.hinge_g(t(-0.5, -2.0)).item() == pytest.approx(1.25)


def test_least_squares_losses():
    # ½·mean((0, 4)) + ½·mean((0, 4)) = 1 + 1
    assert losses.least_squares_d(t(1.0, 3.0), t(0.0, 2.0)).item() == pytest.approx(2.0)
    # ½·mean((1, 1))
    assert losses.least_squares_g(t(0.0, 2.0)).item() == pytest.approx(0.5)


def test_losses_average_patch_maps_to_a_scalar():
    real = torch.zeros(2, 1, 3, 3)
    fake = torch.zeros(2, 1, 3, 3)
    for name in losses.LOSS_NAMES:
        loss = losses.get_loss(name)
        assert loss.d_loss(real, fake).dim() == 0
        assert loss.g_loss(fake).dim() == 0


# --------------------------------------------------------------------------- weight clipping
def test_clip_weights_bounds_every_parameter_and_keeps_small_ones():
    layer = nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[-2.0, 0.005, 3.0], [0.0, -0.01, 0.02]]))
        layer.bias.copy_(torch.tensor([5.0, -5.0]))
    losses.clip_weights_(layer, 0.01)
    assert torch.equal(layer.weight, torch.tensor([[-0.01, 0.005, 0.01], [0.0, -0.01, 0.01]]))
    assert torch.equal(layer.bias, torch.tensor([0.01, -0.01]))
    assert layer.weight.requires_grad  # still a trainable parameter


def test_clip_weights_rejects_non_positive_bound():
    with pytest.raises(ValueError):
        losses.clip_weights_(nn.Linear(2, 2), 0.0)


# --------------------------------------------------------------------------- gradient penalty
def linear_critic(w: torch.Tensor):
    return lambda x: x.reshape(x.shape[0], -1) @ w.reshape(-1)


def test_gradient_penalty_is_zero_for_unit_norm_linear_critic():
    w = torch.tensor([0.6, 0.8], dtype=torch.float64)
    real, fake = torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    assert losses.gradient_penalty(linear_critic(w), real, fake).item() == pytest.approx(0.0, abs=1e-12)


def test_gradient_penalty_is_one_for_norm_two_linear_critic_on_images():
    w = torch.zeros(1, 2, 2, dtype=torch.float64)
    w[0, 0, 0] = 2.0  # ||w|| = 2 -> (2 - 1)^2 = 1
    real = torch.randn(4, 1, 2, 2, dtype=torch.float64)
    fake = torch.randn(4, 1, 2, 2, dtype=torch.float64)
    assert losses.gradient_penalty(linear_critic(w), real, fake).item() == pytest.approx(1.0)
    assert losses.gradient_penalty(linear_critic(w), real, fake, weight_target=2.0).item() == pytest.approx(0.0)


def test_gradient_penalty_backpropagates_into_critic_weights():
    # d/dw (||w|| - 1)^2 = 2(||w|| - 1) w/||w||; at w = (2, 0) that is (2, 0)
    w = torch.tensor([2.0, 0.0], dtype=torch.float64, requires_grad=True)
    real, fake = torch.randn(5, 2, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
    losses.gradient_penalty(linear_critic(w), real, fake).backward()
    assert torch.allclose(w.grad, torch.tensor([2.0, 0.0], dtype=torch.float64))


def test_gradient_penalty_passes_extra_kwargs_to_the_discriminator():
    rows = torch.tensor([[1.0, 0.0], [0.0, 3.0]], dtype=torch.float64)  # class 0: norm 1, class 1: norm 3

    def conditional_critic(x, labels):
        return (x * rows[labels]).sum(dim=1)

    real, fake = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    labels = torch.tensor([0, 0, 1, 1])
    # half the samples at (1-1)^2 = 0, half at (3-1)^2 = 4
    value = losses.gradient_penalty(conditional_critic, real, fake, labels=labels)
    assert value.item() == pytest.approx(2.0)


def test_gradient_penalty_epsilon_draw_follows_the_generator():
    def quadratic_critic(x):  # gradient 2x depends on where the interpolate lands
        return (x**2).sum(dim=1)

    real, fake = torch.ones(6, 3), -torch.ones(6, 3)
    a = losses.gradient_penalty(quadratic_critic, real, fake, generator=torch.Generator().manual_seed(1))
    b = losses.gradient_penalty(quadratic_critic, real, fake, generator=torch.Generator().manual_seed(1))
    c = losses.gradient_penalty(quadratic_critic, real, fake, generator=torch.Generator().manual_seed(2))
    assert a.item() == b.item()
    assert a.item() != c.item()


def test_gradient_penalty_interpolates_between_real_and_fake():
    seen = []

    def recording_critic(x):
        seen.append(x.detach().clone())
        return x.sum(dim=1)

    real, fake = torch.full((50, 1), 3.0), torch.full((50, 1), -1.0)
    losses.gradient_penalty(recording_critic, real, fake)
    x_hat = seen[0]
    assert (x_hat >= -1.0).all() and (x_hat <= 3.0).all()
    assert x_hat.unique().numel() > 40  # one ε per sample


# --------------------------------------------------------------------------- R1
def test_r1_of_linear_discriminator_is_squared_weight_norm():
    w = torch.tensor([1.0, -2.0, 2.0], dtype=torch.float64)  # ||w||^2 = 9
    x = torch.randn(7, 3, dtype=torch.float64).requires_grad_(True)
    assert losses.r1_penalty(linear_critic(w)(x), x).item() == pytest.approx(9.0)


def test_r1_of_quadratic_discriminator_is_mean_squared_input_norm():
    x = torch.tensor([[1.0, 2.0], [0.0, 3.0]], requires_grad=True)  # ∇ ½||x||^2 = x
    logits = 0.5 * (x**2).sum(dim=1)
    assert losses.r1_penalty(logits, x).item() == pytest.approx((5.0 + 9.0) / 2)


def test_r1_backpropagates_into_weights_and_requires_input_grad():
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    x = torch.randn(4, 2).requires_grad_(True)
    losses.r1_penalty(x @ w, x).backward()  # d/dw ||w||^2 = 2w
    assert torch.allclose(w.grad, 2 * w.detach())
    with pytest.raises(ValueError, match="requires_grad"):
        x2 = torch.randn(4, 2)
        losses.r1_penalty(x2 @ w, x2)


# --------------------------------------------------------------------------- registry
def test_get_loss_knows_every_name():
    assert set(losses.LOSS_NAMES) == {"minimax", "nonsaturating", "wasserstein", "wgan-gp", "hinge", "least-squares"}
    for name in losses.LOSS_NAMES:
        assert losses.get_loss(name).name == name
    assert losses.get_loss("wgan-gp").d_loss is losses.wasserstein_d
    assert losses.get_loss("nonsaturating").g_loss is losses.nonsaturating_g
    assert losses.get_loss("minimax").g_loss is losses.minimax_g


def test_probabilistic_flag():
    flags = {name: losses.get_loss(name).probabilistic for name in losses.LOSS_NAMES}
    assert flags == {
        "minimax": True,
        "nonsaturating": True,
        "wasserstein": False,
        "wgan-gp": False,
        "hinge": False,
        "least-squares": False,
    }


def test_unknown_loss_is_a_config_error_naming_the_choices():
    with pytest.raises(ConfigError) as excinfo:
        losses.get_loss("vanilla")
    message = str(excinfo.value)
    assert "unknown loss 'vanilla'" in message
    assert "hinge" in message and "\n" not in message


def test_adversarial_loss_is_frozen():
    loss = losses.get_loss("hinge")
    with pytest.raises(Exception):
        loss.name = "other"  # type: ignore[misc]


def test_orthogonal_regularization_by_hand():
    """R(W) = ||W W^T * (1 - I)||_F^2 over the filters (rows): W = [[1, 2], [3, 4]] has Gram [[5, 11], [11, 25]]."""
    from gankit.losses import orthogonal_regularization

    w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert orthogonal_regularization([w]).item() == pytest.approx(2 * 11 ** 2)
    # a convolution kernel (out=2, in=1, 1x2) is the same matrix; two weights add up
    kernel = w.detach().reshape(2, 1, 1, 2)
    assert orthogonal_regularization([kernel, w.detach()]).item() == pytest.approx(4 * 11 ** 2)
    # orthogonal filters of any norms cost nothing: the diagonal is masked
    assert orthogonal_regularization([torch.tensor([[3.0, 0.0], [0.0, 0.5]])]).item() == 0.0
    # gradient 4 (W W^T * (1 - I)) W
    orthogonal_regularization([w]).backward()
    off = torch.tensor([[0.0, 11.0], [11.0, 0.0]])
    assert torch.allclose(w.grad, 4 * off @ w.detach())
