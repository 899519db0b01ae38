"""Building blocks for GAN networks: normalization, regularizing layers, augmentation, helpers."""

from gankit.nn.conditional_batchnorm import ConditionalBatchNorm2d, LinearConditionalBatchNorm2d
from gankit.nn.diffaugment import DIFFAUGMENT_POLICIES, diff_augment
from gankit.nn.equalized import EqualizedConv2d, EqualizedLinear
from gankit.nn.instance_noise import annealed_std, instance_noise
from gankit.nn.minibatch_averaging import minibatch_averaging
from gankit.nn.minibatch_discrimination import MinibatchDiscrimination
from gankit.nn.minibatch_stddev import MinibatchStdDev
from gankit.nn.pack import pack
from gankit.nn.pixel_norm import PixelNorm, pixel_norm
from gankit.nn.self_attention import SelfAttention2d
from gankit.nn.spectral_norm import SPECTRAL_NORM_LAYERS, apply_spectral_norm, power_iteration_, power_iteration_vectors
from gankit.nn.top_k import keep_top_k, top_k_fraction
from gankit.nn.unrolled import call_with_parameters, unrolled_discriminator

__all__ = [
    "ConditionalBatchNorm2d",
    "DIFFAUGMENT_POLICIES",
    "EqualizedConv2d",
    "EqualizedLinear",
    "LinearConditionalBatchNorm2d",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "PixelNorm",
    "SPECTRAL_NORM_LAYERS",
    "SelfAttention2d",
    "annealed_std",
    "apply_spectral_norm",
    "power_iteration_",
    "power_iteration_vectors",
    "call_with_parameters",
    "diff_augment",
    "instance_noise",
    "keep_top_k",
    "minibatch_averaging",
    "pack",
    "pixel_norm",
    "top_k_fraction",
    "unrolled_discriminator",
]
