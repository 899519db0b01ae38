"""StyleGAN2: the style-based generator with skip connections and the residual discriminator of Karras, Laine,
Aittala, Hellsten, Lehtinen & Aila 2020, "Analyzing and Improving the Image Quality of StyleGAN" (config E/F,
Figure 7), scaled down for the CPU; no growing.

Generator (the styled-generator protocol other tools use: `mapping`, `synthesis`, `num_ws`, `w_avg`):

    mapping      z (N, z_dim) → pixel norm → `mapping_layers` × [dense, LeakyReLU(0.2)] (lr ×0.01) → w (N, w_dim)
    synthesis    ws (N, num_ws, w_dim): a learned constant 4×4 input; at 4 px one modulated 3×3 convolution;
                 at each larger size an up-sampling modulated 3×3 convolution and a plain one; each followed by
                 noise injection, a bias and LeakyReLU(0.2)·√2; a modulated 1×1 toRGB per size whose outputs
                 are summed, each up-sampled (FIR [1,3,3,1]) into the next (the skip architecture, Figure 7b)
    forward      G(z) = synthesis(broadcast(mapping(z))), every layer getting the same w

Layer k of the synthesis reads ws[:, k]: at 4 px conv→0, toRGB→1; at size 4·2^l conv0→2l−1, conv1→2l,
toRGB→2l+1 (a toRGB shares its index with the next convolution), so num_ws = 2·log2(size) − 2 (8 at 32 px).
`w_avg` is the running mean of w, β = 0.995, updated by `mapping(..., update_w_avg=True)` during training and
saved with the weights; truncation in w is w_avg + ψ(w − w_avg) (`truncate`).

Discriminator (residual, Figure 7c): fromRGB 1×1 at full size; per size down to 8 px a block of two 3×3
convolutions, the second down-sampling (FIR blur then stride 2), plus a 1×1 down-sampling skip, summed and
divided by √2; at 4 px the minibatch standard deviation, a 3×3 convolution, a dense layer and a linear score.
Every layer has an equalized learning rate (`gankit.nn.equalized`).
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit.models.dcgan import ImageSizeError
from gankit.models.progan import BASE_SIZE, MAX_SIZE, level_widths, progan_levels
from gankit.nn.equalized import EqualizedConv2d, EqualizedLinear
from gankit.nn.minibatch_stddev import MinibatchStdDev
from gankit.nn.modulated_conv import LINEAR_GAIN, ModulatedConv2d, NoiseInjection, ToRGB, blur, fir_kernel, upsample_2x
from gankit.nn.pixel_norm import pixel_norm

__all__ = ["MappingNetwork", "SynthesisNetwork", "StyleGAN2Generator", "StyleGAN2Discriminator", "stylegan2_levels",
           "truncate"]

SQRT2 = math.sqrt(2.0)


def stylegan2_levels(img_size: int) -> int:
    """The number of resolutions 4, 8, ..., `img_size` px; `img_size` must be a power of two from 8 to 1024 px
    (`ImageSizeError`, a one-line config error, otherwise)."""
    if img_size < 2 * BASE_SIZE or img_size > MAX_SIZE or img_size & (img_size - 1):
        raise ImageSizeError(f"StyleGAN2 needs a power-of-two image size from {2 * BASE_SIZE} to {MAX_SIZE} px, got "
                             f"{img_size} (set data.img_size, e.g. 32)")
    return progan_levels(img_size)


def truncate(w: Tensor, w_avg: Tensor, psi: float) -> Tensor:
    """The truncation trick in w (StyleGAN §3.1): w_avg + ψ·(w − w_avg); ψ = 1 leaves w, ψ = 0 gives w_avg."""
    return torch.lerp(w_avg.to(w.dtype), w, float(psi))


def _lrelu(x: Tensor) -> Tensor:
    return F.leaky_relu(x, 0.2) * SQRT2


class MappingNetwork(nn.Module):
    """z (N, z_dim) [+ class labels] → w (N, w_dim); keeps `w_avg`, the running mean of w (β = `w_avg_beta`)."""

    def __init__(self, z_dim: int, w_dim: int, num_layers: int = 8, *, lr_multiplier: float = 0.01,
                 num_classes: int = 0, w_avg_beta: float = 0.995) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"the mapping network needs at least one layer, got {num_layers}")
        self.z_dim, self.w_dim, self.num_classes, self.w_avg_beta = z_dim, w_dim, num_classes, w_avg_beta
        self.embed = EqualizedLinear(num_classes, w_dim, gain=LINEAR_GAIN) if num_classes else None
        widths = [z_dim + (w_dim if num_classes else 0)] + [w_dim] * num_layers
        self.layers = nn.ModuleList(EqualizedLinear(a, b, lr_multiplier=lr_multiplier)
                                    for a, b in zip(widths[:-1], widths[1:]))
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z: Tensor, labels: Tensor | None = None, *, update_w_avg: bool = False) -> Tensor:
        x = pixel_norm(z.flatten(1))
        if self.embed is not None:
            if labels is None:
                raise ValueError("a conditional mapping network needs labels")
            y = self.embed(F.one_hot(labels.long(), self.num_classes).to(x.dtype))
            x = torch.cat([x, pixel_norm(y)], dim=1)
        for layer in self.layers:
            x = F.leaky_relu(layer(x), 0.2)
        if update_w_avg:
            with torch.no_grad():  # w_avg ← β·w_avg + (1 − β)·mean(w)
                self.w_avg.lerp_(x.detach().float().mean(dim=0), 1.0 - self.w_avg_beta)
        return x


class SynthesisLayer(nn.Module):
    """Modulated 3×3 convolution (optionally up-sampling), noise, bias, LeakyReLU(0.2)·√2."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, upsample: bool,
                 index: int = 0) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim, upsample=upsample)
        self.noise = NoiseInjection(resolution, seed=index)  # a constant noise map of its own per layer
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: Tensor, w: Tensor, noise_mode: str) -> Tensor:
        x = self.noise(self.conv(x, w), noise_mode)
        return _lrelu(x + self.bias.to(x.dtype).view(1, -1, 1, 1))


class SynthesisNetwork(nn.Module):
    """ws (N, num_ws, w_dim) → images (N, channels, img_size, img_size), linear output (about [-1, 1] once trained)."""

    def __init__(self, w_dim: int, img_size: int, channels: int = 1, widths: int | Sequence[int] = 64) -> None:
        super().__init__()
        self.w_dim, self.img_size, self.channels = w_dim, img_size, channels
        self.levels = stylegan2_levels(img_size)
        self.widths = level_widths(widths, self.levels)
        self.num_ws = 2 * self.levels
        self.const = nn.Parameter(torch.randn(self.widths[0], BASE_SIZE, BASE_SIZE))
        self.convs = nn.ModuleList([SynthesisLayer(self.widths[0], self.widths[0], w_dim, BASE_SIZE, False)])
        for level in range(1, self.levels):
            size, w_in, w_out = BASE_SIZE * 2 ** level, self.widths[level - 1], self.widths[level]
            self.convs.append(SynthesisLayer(w_in, w_out, w_dim, size, True, 2 * level - 1))
            self.convs.append(SynthesisLayer(w_out, w_out, w_dim, size, False, 2 * level))
        self.to_rgb = nn.ModuleList(ToRGB(w, channels, w_dim) for w in self.widths)
        self.register_buffer("kernel", fir_kernel(gain=4.0), persistent=False)

    def forward(self, ws: Tensor, noise_mode: str = "random") -> Tensor:
        if ws.dim() != 3 or ws.shape[1] != self.num_ws:
            raise ValueError(f"synthesis takes ws of shape (N, {self.num_ws}, {self.w_dim}), got {tuple(ws.shape)}")
        x = self.const.unsqueeze(0).expand(ws.shape[0], -1, -1, -1).to(ws.dtype)
        x = self.convs[0](x, ws[:, 0], noise_mode)
        img = self.to_rgb[0](x, ws[:, 1])
        for level in range(1, self.levels):
            x = self.convs[2 * level - 1](x, ws[:, 2 * level - 1], noise_mode)
            x = self.convs[2 * level](x, ws[:, 2 * level], noise_mode)
            img = upsample_2x(img, self.kernel) + self.to_rgb[level](x, ws[:, 2 * level + 1])
        return img


class StyledGenerator(nn.Module):
    """What every style-based generator shares (the protocol of `gankit.sampling.styles`): z → w by ``mapping``
    (a `MappingNetwork` with the running mean ``w_avg``), w broadcast to ``num_ws`` layers, ws → image by
    ``synthesis``; truncation in w, w_avg + ψ·(w − w_avg). Subclasses build ``mapping`` and ``synthesis``."""

    mapping: MappingNetwork
    synthesis: nn.Module

    @property
    def num_ws(self) -> int:
        return self.synthesis.num_ws

    @property
    def w_avg(self) -> Tensor:
        return self.mapping.w_avg

    def broadcast(self, w: Tensor) -> Tensor:
        """w (N, w_dim) → ws (N, num_ws, w_dim): the same w for every layer."""
        return w.unsqueeze(1).expand(-1, self.num_ws, -1)

    def forward(self, z: Tensor, labels: Tensor | None = None, *, truncation_psi: float = 1.0,
                noise_mode: str = "random") -> Tensor:
        w = self.mapping(z, labels)
        if truncation_psi != 1:
            w = truncate(w, self.w_avg, truncation_psi)
        return self.synthesis(self.broadcast(w), noise_mode=noise_mode)


class StyleGAN2Generator(StyledGenerator):
    """z (N, z_dim) → images (N, channels, img_size, img_size): `synthesis(broadcast(mapping(z)))`."""

    # the running mean of w is an average already: the trainer's EMA copies it instead of averaging it again
    ema_copied_buffers = ("mapping.w_avg",)

    def __init__(self, z_dim: int = 128, w_dim: int = 128, img_size: int = 32, channels: int = 1,
                 widths: int | Sequence[int] = 64, mapping_layers: int = 8, *, mapping_lr: float = 0.01,
                 num_classes: int = 0, w_avg_beta: float = 0.995) -> None:
        super().__init__()
        self.z_dim, self.w_dim, self.img_size, self.channels = z_dim, w_dim, img_size, channels
        self.synthesis = SynthesisNetwork(w_dim, img_size, channels, widths)
        self.mapping = MappingNetwork(z_dim, w_dim, mapping_layers, lr_multiplier=mapping_lr,
                                      num_classes=num_classes, w_avg_beta=w_avg_beta)



class ResidualBlock(nn.Module):
    """(conv3×3, LReLU, blur + conv3×3 stride 2, LReLU) + 1×1 down-sampling skip, summed / √2."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv0 = EqualizedConv2d(in_channels, in_channels, 3, padding=1)
        self.conv1 = EqualizedConv2d(in_channels, out_channels, 3, stride=2)
        self.skip = EqualizedConv2d(in_channels, out_channels, 1, stride=2, bias=False, gain=LINEAR_GAIN)
        self.register_buffer("kernel", fir_kernel(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        skip = self.skip(blur(x, self.kernel, (1, 1)))  # side H − 1, then stride 2: H/2
        x = F.leaky_relu(self.conv0(x), 0.2)
        x = F.leaky_relu(self.conv1(blur(x, self.kernel, (2, 2))), 0.2)  # side H + 1, 3×3 stride 2: H/2
        return (x + skip) / SQRT2


class StyleGAN2Discriminator(nn.Module):
    """Images (N, channels, img_size, img_size) → scores (N,): the residual discriminator."""

    def __init__(self, img_size: int = 32, channels: int = 1, widths: int | Sequence[int] = 64,
                 mbstd_group: int = 4) -> None:
        super().__init__()
        self.img_size, self.channels = img_size, channels
        self.levels = stylegan2_levels(img_size)
        self.widths = level_widths(widths, self.levels)
        self.from_rgb = EqualizedConv2d(channels, self.widths[-1], 1)
        self.blocks = nn.Sequential(*(ResidualBlock(self.widths[level], self.widths[level - 1])
                                      for level in range(self.levels - 1, 0, -1)))
        w0 = self.widths[0]
        self.mbstd = MinibatchStdDev(mbstd_group)
        self.conv = EqualizedConv2d(w0 + 1, w0, 3, padding=1)
        self.dense = EqualizedLinear(w0 * BASE_SIZE * BASE_SIZE, w0)
        self.out = EqualizedLinear(w0, 1, gain=LINEAR_GAIN)

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-2:] != (self.img_size, self.img_size):
            raise ValueError(f"the discriminator judges {self.img_size} px images, got {tuple(x.shape[-2:])}")
        h = self.blocks(F.leaky_relu(self.from_rgb(x), 0.2))
        h = F.leaky_relu(self.conv(self.mbstd(h)), 0.2)
        h = F.leaky_relu(self.dense(h.flatten(1)), 0.2)
        return self.out(h).view(x.shape[0])
