"""The thin image-side convolutions equal torch's own layers: outputs, gradients and double backward."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gankit.nn.thin_conv import ThinConv2d, ThinConvTranspose2d


def _twins(thin_cls, plain_cls, *args, **kwargs):
    torch.manual_seed(0)
    thin = thin_cls(*args, **kwargs).double()
    plain = plain_cls(*args, **kwargs).double()
    plain.load_state_dict(thin.state_dict())
    return thin, plain


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [16, 14])
def test_transposed_layer_matches_torch_in_output_and_gradients(channels: int, size: int) -> None:
    thin, plain = _twins(ThinConvTranspose2d, nn.ConvTranspose2d, 8, channels, 4, stride=2, padding=1)
    x = torch.randn(3, 8, size, size, dtype=torch.float64, requires_grad=True)
    y_thin, y_plain = thin(x), plain(x)
    torch.testing.assert_close(y_thin, y_plain)
    g = torch.randn_like(y_plain)
    grads_thin = torch.autograd.grad(y_thin, (x, thin.weight, thin.bias), g)
    grads_plain = torch.autograd.grad(y_plain, (x, plain.weight, plain.bias), g)
    for a, b in zip(grads_thin, grads_plain):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [32, 28, 15])
@pytest.mark.parametrize("bias", [True, False])
def test_reading_layer_matches_torch_in_gradients_and_double_backward(channels: int, size: int, bias: bool) -> None:
    thin, plain = _twins(ThinConv2d, nn.Conv2d, channels, 8, 4, stride=2, padding=1, bias=bias)
    x = torch.randn(3, channels, size, size, dtype=torch.float64, requires_grad=True)
    outputs = {}
    for name, layer in (("thin", thin), ("plain", plain)):
        y = layer(x)
        params = [layer.weight] + ([layer.bias] if bias else [])
        (dx,) = torch.autograd.grad(y.square().sum(), x, create_graph=True)  # a gradient penalty's first backward
        penalty = dx.square().sum()
        outputs[name] = (y, dx, *torch.autograd.grad(penalty, [x] + params))
    for a, b in zip(outputs["thin"], outputs["plain"]):
        torch.testing.assert_close(a, b)


def test_reading_layer_passes_gradcheck() -> None:
    layer = ThinConv2d(1, 4, 4, stride=2, padding=1).double()
    x = torch.randn(2, 1, 8, 8, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))
    assert torch.autograd.gradgradcheck(layer, (x,))


def test_wide_layers_and_autocast_take_torchs_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = torch.ops.aten.slow_conv_transpose2d

    monkeypatch.setattr(torch.ops.aten, "slow_conv_transpose2d", lambda *a: calls.append(1) or original(*a),
                        raising=False)
    ThinConvTranspose2d(8, 16, 4, stride=2, padding=1)(torch.randn(1, 8, 4, 4))  # 16 channels: not thin
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ThinConvTranspose2d(8, 1, 4, stride=2, padding=1)(torch.randn(1, 8, 4, 4))
    assert not calls
    ThinConvTranspose2d(8, 1, 4, stride=2, padding=1)(torch.randn(1, 8, 4, 4))
    assert calls
