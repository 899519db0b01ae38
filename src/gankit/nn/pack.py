"""PacGAN packing (Lin, Khetan, Fanti & Oh 2018, "PacGAN: The power of two samples in GANs")."""

from __future__ import annotations

from torch import Tensor

__all__ = ["pack"]


def pack(x: Tensor, m: int) -> Tensor:
    """Concatenate each run of ``m`` consecutive samples into one packed sample for the discriminator.

        (N, C, ...) -> (N/m, m·C, ...)     images: samples concatenated along channels
        (N, D)      -> (N/m, m·D)          vectors: samples concatenated along features

    Packed sample k holds samples k·m, ..., k·m + m - 1 in order. A discriminator that judges m
    samples jointly penalizes a generator whose samples lack diversity (mode collapse); the
    discriminator's first layer must accept m times the channels. Pack real and fake batches
    separately (never mix them in one pack). m = 1 is the identity.
    """
    if m < 1:
        raise ValueError(f"pack size m must be >= 1, got {m}")
    if x.dim() < 2:
        raise ValueError(f"pack expects (N, C, ...) input, got shape {tuple(x.shape)}")
    n = x.shape[0]
    if n % m:
        raise ValueError(f"batch size {n} is not divisible by pack size {m}")
    return x.reshape(n // m, m * x.shape[1], *x.shape[2:])
