"""Adam's L2 weight decay (``optim.weight_decay``), checked by hand on one step."""

from __future__ import annotations

import torch

from gankit.config import config_from_dict
from gankit.training.optimizers import make_adam


def test_weight_decay_moves_a_parameter_with_no_loss_gradient_by_the_learning_rate():
    """With loss gradient 0 the gradient is wd·θ; Adam's first step is lr·ĝ/(|ĝ| + ε) ≈ lr·sign(θ)."""
    for decay, expected in ((0.0, 2.0), (0.1, 2.0 - 0.01)):
        theta = torch.nn.Parameter(torch.tensor([2.0]))
        optim = config_from_dict({"optim": {"beta1": 0.5, "beta2": 0.9}}, [f"optim.weight_decay={decay}"]).optim
        adam = make_adam([theta], 0.01, optim, torch.device("cpu"))
        (theta * 0.0).sum().backward()
        adam.step()
        assert abs(theta.item() - expected) < 1e-6, (decay, theta.item())
