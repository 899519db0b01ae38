"""Adaptive discriminator augmentation: p = 0 is the identity, p = 1 transforms every image, gradients flow, and
the update of p by hand."""

from __future__ import annotations

import torch

from gankit.nn.ada import _translate, ada_adjust, ada_augment


def test_p_zero_is_the_identity_and_p_one_changes_every_image():
    x = torch.rand(8, 1, 16, 16)
    assert ada_augment(x, 0.0) is x
    g = torch.Generator().manual_seed(0)
    y = ada_augment(x, 1.0, generator=g)
    assert y.shape == x.shape
    assert all(not torch.equal(a, b) for a, b in zip(x, y))


def test_augmentation_is_differentiable_and_reproducible():
    x = torch.rand(4, 3, 8, 8, requires_grad=True)
    y = ada_augment(x, 0.7, generator=torch.Generator().manual_seed(1))
    y.square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    again = ada_augment(x.detach(), 0.7, generator=torch.Generator().manual_seed(1))
    assert torch.equal(y.detach(), again)


def test_integer_translation_by_hand():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    moved = _translate(x, torch.tensor([1]), torch.tensor([-1]))  # down one row, left one column, zero fill
    expected = torch.tensor([[0, 0, 0, 0], [1, 2, 3, 0], [5, 6, 7, 0], [9, 10, 11, 0]], dtype=torch.float32)
    assert torch.equal(moved[0, 0], expected)


def test_p_moves_by_the_share_of_images_toward_the_target():
    # r_t = 0.8 > 0.6: D is too sure of the reals, p rises by 64 images / 1000 images
    assert abs(ada_adjust(0.1, 0.8, 0.6, 64, 1000) - 0.164) < 1e-12
    assert abs(ada_adjust(0.1, 0.2, 0.6, 64, 1000) - 0.036) < 1e-12  # below the target: p falls
    assert ada_adjust(0.01, -1.0, 0.6, 64, 1000) == 0.0 and ada_adjust(0.99, 1.0, 0.6, 64, 1000) == 1.0  # clamped
    assert ada_adjust(0.3, 0.6, 0.6, 64, 1000) == 0.3
