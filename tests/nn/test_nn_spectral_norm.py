import torch
from torch import nn
from torch.nn.utils import parametrize

from gankit.nn import apply_spectral_norm


def largest_singular_value(layer: nn.Module) -> float:
    weight = layer.weight.detach()
    if isinstance(layer, nn.ConvTranspose2d):  # output channels are dim 1
        weight = weight.transpose(0, 1)
    return torch.linalg.svdvals(weight.reshape(weight.shape[0], -1))[0].item()


def make_network() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1),
        nn.Flatten(),
        nn.Linear(8 * 16 * 16, 10),
    )


def test_every_weight_layer_gets_unit_spectral_norm_after_power_iterations():
    torch.manual_seed(0)
    net = make_network()
    with torch.no_grad():  # make the raw weights far from unit norm
        for layer in (net[0], net[2], net[4]):
            layer.weight.mul_(25.0)
    raw = [largest_singular_value(layer) for layer in (net[0], net[2], net[4])]
    assert min(raw) > 5.0

    apply_spectral_norm(net)
    net.train()
    x = torch.randn(2, 3, 8, 8)
    for _ in range(20):
        net(x)
    for layer in (net[0], net[2], net[4]):
        assert parametrize.is_parametrized(layer, "weight")
        assert abs(largest_singular_value(layer) - 1.0) < 1e-2


def test_activation_layers_untouched_and_second_call_is_harmless():
    net = apply_spectral_norm(make_network())
    assert not parametrize.is_parametrized(net[1])
    apply_spectral_norm(net)
    assert len(net[0].parametrizations["weight"]) == 1


def test_bounds_the_lipschitz_constant_of_a_linear_map():
    torch.manual_seed(1)
    layer = apply_spectral_norm(nn.Linear(5, 5, bias=False))
    with torch.no_grad():
        layer.parametrizations.weight.original.mul_(100.0)
    for _ in range(30):
        layer(torch.randn(1, 5))
    x, y = torch.randn(100, 5), torch.randn(100, 5)
    ratio = (layer(x) - layer(y)).norm(dim=1) / (x - y).norm(dim=1)
    assert ratio.max().item() <= 1.0 + 1e-3
