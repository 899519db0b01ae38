"""Networks: plain nn.Modules with explicit constructor arguments, and a registry of families.

Conventions: images are (N, C, H, W) floats in [-1, 1] and generators end in Tanh (MLP
generators for points may end linear); discriminators return raw logits of shape (N,).
Conditional networks take `forward(z, labels)` / `forward(x, labels)` with int labels (N,).

Built-in families (`build_generator(arch, **kw)` / `build_discriminator(arch, **kw)`):
"mlp" (Goodfellow et al. 2014), "dcgan" (Radford et al. 2016), "cgan-mlp" and
"cgan-dcgan" (Mirza & Osindero 2014; projection D of Miyato & Koyama 2018).

Speed notes for the training engine (CPU, measured by benchmarks/bench_step.py):
see docs in `gankit.models.speed` / the report; in short, convolutional models and their
image batches in `torch.channels_last`, `zero_grad(set_to_none=True)` and fused Adam.
"""

from gankit.models.conditional import (
    ConditionalDCGANDiscriminator,
    ConditionalDCGANGenerator,
    ConditionalMLPDiscriminator,
    ConditionalMLPGenerator,
)
from gankit.models.dcgan import D_NORM_CHOICES, DCGAN_SIZES, DCGANDiscriminator, DCGANGenerator, ImageSizeError
from gankit.models.init import dcgan_init_
from gankit.models.layout import images_channels_last, prefers_channels_last, to_channels_last
from gankit.models.mlp import MLPDiscriminator, MLPGenerator
from gankit.models.registry import MODEL_NAMES, build_discriminator, build_generator, register_model

register_model("mlp", MLPGenerator, MLPDiscriminator)
register_model("dcgan", DCGANGenerator, DCGANDiscriminator)
register_model("cgan-mlp", ConditionalMLPGenerator, ConditionalMLPDiscriminator)
register_model("cgan-dcgan", ConditionalDCGANGenerator, ConditionalDCGANDiscriminator)

__all__ = [
    "D_NORM_CHOICES",
    "MODEL_NAMES",
    "DCGAN_SIZES",
    "ImageSizeError",
    "build_generator",
    "build_discriminator",
    "register_model",
    "dcgan_init_",
    "prefers_channels_last",
    "to_channels_last",
    "images_channels_last",
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
    "ConditionalMLPGenerator",
    "ConditionalMLPDiscriminator",
    "ConditionalDCGANGenerator",
    "ConditionalDCGANDiscriminator",
]
