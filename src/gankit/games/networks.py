"""Build a generator/discriminator pair from the `model` section of a config and the data's shape.

Models take explicit constructor arguments and never see a config; this module is the one place that maps
config keys onto them.
"""

from __future__ import annotations

from torch import nn

from gankit.config import ModelConfig, StabilityConfig
from gankit.errors import ConfigError

IMAGE_ARCHS = ("dcgan", "cgan-dcgan")


def _arch_for(model: ModelConfig, num_classes: int) -> str:
    """`model.arch` names the backbone; a conditional game uses its conditional twin."""
    if num_classes == 0:
        if model.arch.startswith("cgan-"):
            raise ConfigError(f"model.arch '{model.arch}' is conditional: use game=conditional with "
                              f"model.arch={model.arch[5:]}")
        return model.arch
    return model.arch if model.arch.startswith("cgan-") else f"cgan-{model.arch}"


def build_pair(model: ModelConfig, sample_shape: tuple[int, ...], *, num_classes: int = 0, kind: str = "image",
               stab: StabilityConfig | None = None) -> tuple[nn.Module, nn.Module]:
    """(G, D) for data samples of `sample_shape` ((C, H, W) images or (D,) points).

    With PacGAN packing (`stab.pack` = m) D takes m samples concatenated along channels (images) or features
    (points); with minibatch discrimination or the minibatch standard deviation it gets that layer before
    its last one.
    """
    stab = stab or StabilityConfig()
    d_shape = (sample_shape[0] * stab.pack, *sample_shape[1:])
    from gankit.models import build_discriminator, build_generator

    arch = _arch_for(model, num_classes)
    cond = {"num_classes": num_classes} if num_classes else {}
    if arch in IMAGE_ARCHS:
        if kind != "image" or len(sample_shape) != 3 or sample_shape[1] != sample_shape[2]:
            raise ConfigError(f"model.arch '{model.arch}' needs square images; the data has samples of shape {sample_shape}")
        channels, size = sample_shape[0], sample_shape[1]
        G = build_generator(arch, z_dim=model.z_dim, img_size=size, channels=channels, width=model.g_width, **cond)
        D = build_discriminator(arch, img_size=size, channels=d_shape[0], width=model.d_width, norm=model.d_norm,
                                **cond)
    else:
        if model.d_norm != "batch":
            raise ConfigError(f"model.d_norm applies to the convolutional discriminators ({', '.join(IMAGE_ARCHS)}), "
                              f"not model.arch '{model.arch}'")
        output = "tanh" if kind == "image" else "linear"
        G = build_generator(arch, z_dim=model.z_dim, out_shape=sample_shape, hidden=tuple(model.g_hidden),
                            output=output, **cond)
        D = build_discriminator(arch, in_shape=d_shape, hidden=tuple(model.d_hidden), **cond)
    if stab.minibatch_stddev or stab.minibatch_discrimination:
        from gankit.games.remedies import DiscriminatorWithBatchFeature

        D = DiscriminatorWithBatchFeature(D, d_shape, stddev=stab.minibatch_stddev,
                                          mbd_kernels=stab.minibatch_discrimination)
    if model.spectral_norm:
        from gankit.nn import apply_spectral_norm

        D = apply_spectral_norm(D)
    return G, D
