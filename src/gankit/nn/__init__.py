"""Building blocks for GAN networks: normalization, regularizing layers, augmentation, helpers."""

from gankit.nn.minibatch_stddev import MinibatchStdDev
from gankit.nn.spectral_norm import SPECTRAL_NORM_LAYERS, apply_spectral_norm

__all__ = [
    "MinibatchStdDev",
    "SPECTRAL_NORM_LAYERS",
    "apply_spectral_norm",
]
