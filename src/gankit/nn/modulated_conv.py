"""Modulated convolution with weight demodulation, noise injection and toRGB (Karras, Laine, Aittala, Hellsten,
Lehtinen & Aila 2020, "Analyzing and Improving the Image Quality of StyleGAN", §2.2, Figure 2).

A style s = A(w) (a learned affine map of the intermediate latent, bias 1) scales the input feature maps of a
convolution; instead of scaling the activations, it scales the weights, one copy per sample (eq. 1):

    w'_{o,i,k} = s_i · w_{o,i,k}

and demodulation (eq. 3) rescales each output map back to unit standard deviation, assuming unit-variance
i.i.d. inputs:

    w''_{o,i,k} = w'_{o,i,k} / sqrt( Σ_{i,k} w'_{o,i,k}² + ε )

The N per-sample kernels then run as ONE grouped convolution over the batch (the input reshaped to
(1, N·C_in, H, W), groups = N), which is the paper's implementation and what keeps the layer fast. The
up-sampling variant is a grouped transposed convolution of stride 2 followed by a [1, 3, 3, 1] low-pass filter
(the paper's bilinear-quality FIR up-sampling, done here with plain `conv2d`). Weights have an equalized
learning rate (`gankit.nn.equalized`): stored N(0, 1), scaled by 1/sqrt(fan_in) at run time.

Noise injection (StyleGAN §3.2): per-pixel N(0, 1) noise, one map per sample broadcast over channels, times a
learned per-layer strength initialised to 0. toRGB is a modulated 1×1 convolution without demodulation.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit.nn.equalized import EqualizedConv2d, EqualizedLinear

__all__ = ["ModulatedConv2d", "NoiseInjection", "ToRGB", "blur", "fir_kernel", "upsample_2x", "downsample_2x"]

LINEAR_GAIN = 1 / math.sqrt(2)  # an equalized layer with this gain has effective std 1/sqrt(fan_in)


def fir_kernel(taps: tuple[float, ...] = (1.0, 3.0, 3.0, 1.0), gain: float = 1.0) -> Tensor:
    """The separable 2-D low-pass kernel outer(taps, taps), normalized to sum `gain`."""
    k = torch.tensor(taps, dtype=torch.float32)
    k = torch.outer(k, k)
    return k * (gain / k.sum())


def blur(x: Tensor, kernel: Tensor, pad: tuple[int, int]) -> Tensor:
    """Depthwise 2-D filtering of every channel by `kernel` (K×K), zero padding (before, after) on each side."""
    c = x.shape[1]
    x = F.pad(x, (pad[0], pad[1], pad[0], pad[1]))
    weight = kernel.to(x.dtype).flip(0, 1).expand(c, 1, *kernel.shape)  # flipped: a true convolution
    return F.conv2d(x, weight, groups=c)


def upsample_2x(x: Tensor, kernel: Tensor) -> Tensor:
    """2× FIR up-sampling: zeros inserted between pixels, then `kernel` (sum 4 keeps a constant constant)."""
    c = x.shape[1]
    weight = kernel.to(x.dtype).expand(c, 1, *kernel.shape)
    pad = (kernel.shape[0] - 2) // 2  # 4 taps: output side (H−1)·2 − 2 + 4 = 2H
    return F.conv_transpose2d(x, weight, stride=2, padding=pad, groups=c)


def downsample_2x(x: Tensor, kernel: Tensor) -> Tensor:
    """2× FIR down-sampling: low-pass by `kernel` (sum 1), keep every other pixel."""
    pad = (kernel.shape[0] - 2) // 2
    return blur(x, kernel, (pad, pad))[:, :, ::2, ::2]


class ModulatedConv2d(nn.Module):
    """x (N, C_in, H, W), w (N, w_dim) → (N, C_out, H', W'), H' = H (or 2H with `upsample`); no bias, no
    activation (the synthesis layer adds noise, bias and the nonlinearity)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, w_dim: int, *, demodulate: bool = True,
                 upsample: bool = False, eps: float = 1e-8) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.demodulate, self.upsample, self.eps = demodulate, upsample, eps
        self.affine = EqualizedLinear(w_dim, in_channels, gain=LINEAR_GAIN, bias_init=1.0)  # s = A(w), bias 1
        # the weight and its equalized-lr scale 1/sqrt(C_in·k²); the convolution itself is run below, grouped
        self.conv = EqualizedConv2d(in_channels, out_channels, kernel_size, bias=False, gain=LINEAR_GAIN)
        if upsample:
            self.register_buffer("kernel", fir_kernel(gain=4.0), persistent=False)

    def styles(self, w: Tensor) -> Tensor:
        return self.affine(w)

    def weights(self, styles: Tensor) -> Tensor:
        """The per-sample kernels (N, C_out, C_in, k, k): modulated by `styles` (N, C_in), then demodulated."""
        weight = self.conv.weight * self.conv.scale
        weight = weight.unsqueeze(0) * styles.to(weight.dtype)[:, None, :, None, None]
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.square().sum(dim=(2, 3, 4), keepdim=True) + self.eps)
        # dense NCHW kernels whatever the stored weight's layout (the trainer may make it channels_last): the
        # grouped convolution then keeps the batch in the layout its reshape gives, with no reorder per call
        return weight.contiguous()

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        n, c, h, wd = x.shape
        k = self.kernel_size
        weight = self.weights(self.styles(w)).to(x.dtype)
        x = x.reshape(1, n * c, h, wd)  # the batch as groups: one convolution for all N samples
        if self.upsample:
            # transposed convolution takes (C_in, C_out / groups, k, k) per group
            weight = weight.transpose(1, 2).reshape(n * c, self.out_channels, k, k)
            x = F.conv_transpose2d(x, weight, stride=2, groups=n)  # side 2H + k − 2
            p = self.kernel.shape[0] - 2 - (k - 1)  # pads summing to taps + 1 − k: 4 taps, k = 3 → (1, 1), side 2H
            x = blur(x, self.kernel, ((p + 1) // 2 + 1, p // 2 + 1))
        else:
            x = F.conv2d(x, weight.reshape(n * self.out_channels, c, k, k), padding=k // 2, groups=n)
        return x.reshape(n, self.out_channels, *x.shape[2:])

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"demodulate={self.demodulate}, upsample={self.upsample}")


class NoiseInjection(nn.Module):
    """x + strength · noise, noise (N, 1, H, W) ~ N(0, 1) per pixel; `strength` is learned, starting at 0: one
    number per layer (StyleGAN2), or with `channels` > 0 one per feature map, (C,) (StyleGAN §3.2, "learned
    per-feature scaling factors").

    ``noise_mode``: "random" draws fresh noise (from the global torch generator, which checkpoints keep);
    "const" uses one fixed map stored with the weights (buffer ``noise_const``, deterministic sampling);
    "none" adds nothing.
    """

    def __init__(self, resolution: int, seed: int = 0, channels: int = 0) -> None:
        super().__init__()
        self.strength = nn.Parameter(torch.zeros([channels] if channels else []))
        generator = torch.Generator().manual_seed(seed)  # fixed, so every build holds the same map
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution, generator=generator))

    def forward(self, x: Tensor, noise_mode: str = "random") -> Tensor:
        if noise_mode == "none":
            return x
        if noise_mode == "const":
            noise = self.noise_const.to(x.dtype)
        elif noise_mode == "random":
            noise = torch.randn(x.shape[0], 1, *x.shape[2:], device=x.device, dtype=x.dtype)
        else:
            raise ValueError(f"noise_mode must be random, const or none, got {noise_mode!r}")
        strength = self.strength.to(x.dtype)
        return x + (strength.view(1, -1, 1, 1) if strength.dim() else strength) * noise


class ToRGB(nn.Module):
    """A modulated 1×1 convolution to `channels` image channels, without demodulation, plus a bias."""

    def __init__(self, in_channels: int, channels: int, w_dim: int) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        return self.conv(x, w) + self.bias.to(x.dtype).view(1, -1, 1, 1)
