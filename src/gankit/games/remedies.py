"""Discriminator-side remedies that change what D sees: layers inserted before D's last layer.

Minibatch discrimination (Salimans et al. 2016) and the minibatch standard deviation (Karras et al. 2018)
give D a feature that measures the diversity of the batch, so a collapsed generator is easy to spot. Both sit
between D's trunk and its final layer; this module splits a discriminator that exposes a trunk (``body`` for
the MLP, ``features`` for DCGAN) and a ``head``, inserts the layer and builds a head of the right width.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.nn import MinibatchDiscrimination, MinibatchStdDev


def _trunk_of(discriminator: nn.Module) -> nn.Module:
    for name in ("body", "features"):
        if hasattr(discriminator, name) and hasattr(discriminator, "head"):
            return getattr(discriminator, name)
    raise ConfigError(f"{type(discriminator).__name__} has no trunk/head split, so minibatch layers cannot be added")


class DiscriminatorWithBatchFeature(nn.Module):
    """logit = head'(layer(trunk(x))): D's trunk, a batch-statistics layer, and a head sized for its output."""

    def __init__(self, discriminator: nn.Module, sample_shape: tuple[int, ...], *, stddev: bool, mbd_kernels: int,
                 mbd_dims: int = 16) -> None:
        super().__init__()
        self.trunk = _trunk_of(discriminator)
        with torch.no_grad():
            probe = self.trunk(torch.zeros(2, *sample_shape))
        layers: list[nn.Module] = []
        if stddev:
            layers.append(MinibatchStdDev(group_size=4))
            probe = torch.cat([probe, probe[:, :1]], dim=1)
        if mbd_kernels:
            layers += [nn.Flatten(), MinibatchDiscrimination(probe[0].numel(), mbd_kernels, mbd_dims)]
            probe = torch.zeros(2, probe[0].numel() + mbd_kernels)
        self.batch_layers = nn.Sequential(*layers)
        if probe.dim() == 4:  # a feature map: a convolution over the whole map, as DCGAN's head
            self.head = nn.Conv2d(probe.shape[1], 1, kernel_size=tuple(probe.shape[2:]))
        else:
            self.head = nn.Linear(probe.shape[1], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.batch_layers(self.trunk(x))).reshape(x.shape[0])
