"""Building blocks for GAN networks: normalization, regularizing layers, augmentation, helpers."""

from gankit.nn.diffaugment import DIFFAUGMENT_POLICIES, diff_augment
from gankit.nn.instance_noise import annealed_std, instance_noise
from gankit.nn.minibatch_discrimination import MinibatchDiscrimination
from gankit.nn.minibatch_stddev import MinibatchStdDev
from gankit.nn.pack import pack
from gankit.nn.spectral_norm import SPECTRAL_NORM_LAYERS, apply_spectral_norm

__all__ = [
    "DIFFAUGMENT_POLICIES",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "SPECTRAL_NORM_LAYERS",
    "annealed_std",
    "apply_spectral_norm",
    "diff_augment",
    "instance_noise",
    "pack",
]
