"""channels_last helpers: only convolutional networks convert, numbers stay the same."""

import torch

from gankit.models import MLPDiscriminator, build_discriminator, build_generator
from gankit.models.layout import images_channels_last, prefers_channels_last, to_channels_last


def test_only_convolutional_networks_prefer_channels_last():
    assert prefers_channels_last(build_generator("dcgan", img_size=28, width=8))
    assert prefers_channels_last(build_discriminator("cgan-dcgan", img_size=28, width=8))
    assert not prefers_channels_last(MLPDiscriminator((2,), hidden=(4,)))


def test_conversion_keeps_the_outputs_and_changes_the_strides():
    torch.manual_seed(0)
    D = build_discriminator("dcgan", img_size=32, channels=3, width=8)
    x = torch.rand(4, 3, 32, 32) * 2 - 1
    reference = D(x)
    assert to_channels_last(D) is D
    assert D.features.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert not D.features.net[0].weight.is_contiguous()
    fast = images_channels_last(x)
    assert fast.is_contiguous(memory_format=torch.channels_last) and not fast.is_contiguous()
    torch.testing.assert_close(D(fast), reference, rtol=1e-4, atol=1e-5)


def test_mlp_and_points_are_left_alone():
    D = MLPDiscriminator((2,), hidden=(4,))
    weight = D.head.weight
    assert to_channels_last(D).head.weight is weight
    points = torch.randn(5, 2)
    assert images_channels_last(points) is points
