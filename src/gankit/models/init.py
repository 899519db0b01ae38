"""Weight initialisation shared by the model families."""

from __future__ import annotations

from torch import nn

_WEIGHTED_LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)
_NORM_LAYERS = (nn.BatchNorm1d, nn.BatchNorm2d)


def dcgan_init_(module: nn.Module, std: float = 0.02) -> nn.Module:
    """Initialise every layer of `module` in place the way DCGAN does, and return it.

    Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with Deep
    Convolutional GANs", section 4: "All weights were initialized from a zero-centered
    Normal distribution with standard deviation 0.02."  Following the reference code
    (and pytorch/examples), batch-norm scales are drawn from N(1, 0.02) and every bias
    (batch-norm shift included) starts at 0:

        W ~ N(0, std^2)        for Conv2d, ConvTranspose2d, Linear, Embedding
        gamma ~ N(1, std^2), beta = 0, b = 0
    """
    for layer in module.modules():
        if isinstance(layer, _WEIGHTED_LAYERS):
            nn.init.normal_(layer.weight, mean=0.0, std=std)
            bias = getattr(layer, "bias", None)
            if bias is not None:
                nn.init.zeros_(bias)
        elif isinstance(layer, _NORM_LAYERS) and layer.affine:
            nn.init.normal_(layer.weight, mean=1.0, std=std)
            nn.init.zeros_(layer.bias)
    return module
