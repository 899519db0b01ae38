"""StyleGAN: the style-based generator of Karras, Laine & Aila 2019, "A Style-Based Generator Architecture for
Generative Adversarial Networks" (Figure 1b), grown progressively as ProGAN's, scaled down for the CPU.

Generator (the styled-generator protocol the sampling tools use: `mapping`, `synthesis`, `num_ws`, `w_avg`):

    mapping      z (N, z_dim) → pixel norm → `mapping_layers` × [dense, LeakyReLU(0.2)] (lr ×0.01) → w (N, w_dim)
                 (`gankit.models.stylegan2.MappingNetwork`; the paper: 8 layers of 512), with the running mean w_avg
    synthesis    ws (N, num_ws, w_dim): a learned constant 4×4 input (initialised to ones); at 4 px the constant and
                 one 3×3 convolution, at each larger size a nearest 2× upsampling, a 3×3 convolution and a [1, 2, 1]
                 blur, then a second 3×3 convolution; every one of these 2·levels layers ends with the epilogue

                     x ← x + s_noise ⊙ noise,  x ← LeakyReLU_0.2(x + b),  x ← AdaIN(x, ws[:, k])

                 with noise (N, 1, H, W) ~ N(0, 1) per pixel, s_noise learned per channel (starting at 0), and

                     AdaIN(x_i, w) = y_s,i · (x_i − μ(x_i)) / σ(x_i) + y_b,i,  (y_s, y_b) = (1 + A_s w, A_b w)  (eq. 1)

                 (A a learned affine map, so y_s starts around 1; μ, σ over the pixels of each map and sample);
                 a 1×1 toRGB per resolution, linear output.

Layer k reads ws[:, k]: 4 px takes 0–1, size 4·2^l takes 2l and 2l + 1, so num_ws = 2·levels (8 at 32 px); the
coarse styles come first.

Growing (ProGAN §3, `gankit.models.progan`): the synthesis runs at a `level` (4·2^level px) and a fade-in weight
α, y = α·toRGB_l(block_l(h)) + (1 − α)·upsample(toRGB_{l−1}(h)); blocks not yet grown never run. `render(ws,
level, α)` gives images at that level's size (what the game trains); `forward(ws)` renders at the generator's own
`level` and `alpha` buffers, which the game sets every step and which are saved with the weights (the EMA copies
them), upsampled (nearest) to `img_size`: so every tool that calls `G.synthesis(ws)` draws what the run draws.
The discriminator is ProGAN's (`ProGANDiscriminator`), as in the paper.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankit.models.progan import BASE_SIZE, level_widths, progan_levels, upsample
from gankit.models.stylegan2 import MappingNetwork, StyledGenerator
from gankit.nn.equalized import EqualizedConv2d, EqualizedLinear
from gankit.nn.modulated_conv import LINEAR_GAIN, NoiseInjection, blur, fir_kernel

__all__ = ["AdaIN", "StyleGANGenerator", "StyleSynthesis", "adain"]


def adain(x: Tensor, scale: Tensor, bias: Tensor, eps: float = 1e-8) -> Tensor:
    """Adaptive instance normalization (eq. 1): scale_i · (x_i − μ(x_i)) / σ(x_i) + bias_i per sample and channel,
    μ and σ over the pixels of each map; `scale`, `bias` of shape (N, C)."""
    x = x - x.mean(dim=(2, 3), keepdim=True)
    x = x * torch.rsqrt(x.square().mean(dim=(2, 3), keepdim=True) + eps)
    return x * scale[:, :, None, None] + bias[:, :, None, None]


class AdaIN(nn.Module):
    """The style of one layer: (y_s, y_b) = (1 + A_s w, A_b w) from a learned affine map A, then `adain`."""

    def __init__(self, channels: int, w_dim: int) -> None:
        super().__init__()
        self.channels = channels
        self.affine = EqualizedLinear(w_dim, 2 * channels, gain=LINEAR_GAIN)

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        scale, bias = self.affine(w).to(x.dtype).chunk(2, dim=1)
        return adain(x, 1 + scale, bias)


class Epilogue(nn.Module):
    """What follows every synthesis layer: per-channel scaled noise, bias, LeakyReLU(0.2), AdaIN from w."""

    def __init__(self, channels: int, w_dim: int, resolution: int, index: int) -> None:
        super().__init__()
        self.noise = NoiseInjection(resolution, seed=1000 + index, channels=channels)
        self.bias = nn.Parameter(torch.zeros(channels))
        self.style = AdaIN(channels, w_dim)

    def forward(self, x: Tensor, w: Tensor, noise_mode: str) -> Tensor:
        x = self.noise(x, noise_mode)
        x = F.leaky_relu(x + self.bias.to(x.dtype).view(1, -1, 1, 1), 0.2)
        return self.style(x, w)


class SynthesisBlock(nn.Module):
    """Resolution 4·2^level (level ≥ 1): upsample, conv3×3, blur, epilogue; conv3×3, epilogue."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, level: int) -> None:
        super().__init__()
        size = BASE_SIZE * 2 ** level
        self.conv0 = EqualizedConv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.epilogue0 = Epilogue(out_channels, w_dim, size, 2 * level)
        self.conv1 = EqualizedConv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.epilogue1 = Epilogue(out_channels, w_dim, size, 2 * level + 1)
        self.register_buffer("kernel", fir_kernel((1.0, 2.0, 1.0)), persistent=False)

    def forward(self, x: Tensor, ws: Tensor, noise_mode: str) -> Tensor:
        x = blur(self.conv0(upsample(x)), self.kernel, (1, 1))
        x = self.epilogue0(x, ws[:, 0], noise_mode)
        return self.epilogue1(self.conv1(x), ws[:, 1], noise_mode)


class StyleSynthesis(nn.Module):
    """ws (N, num_ws, w_dim) → images; `render` at a given level and α, `forward` at the buffers' (module docstring)."""

    def __init__(self, w_dim: int, img_size: int, channels: int = 1, widths: int | Sequence[int] = 64) -> None:
        super().__init__()
        self.w_dim, self.img_size, self.channels = w_dim, img_size, channels
        self.levels = progan_levels(img_size)
        self.widths = level_widths(widths, self.levels)
        self.num_ws = 2 * self.levels
        w0 = self.widths[0]
        self.const = nn.Parameter(torch.ones(w0, BASE_SIZE, BASE_SIZE))
        self.epilogue0 = Epilogue(w0, w_dim, BASE_SIZE, 0)
        self.conv = EqualizedConv2d(w0, w0, 3, padding=1, bias=False)
        self.epilogue1 = Epilogue(w0, w_dim, BASE_SIZE, 1)
        self.blocks = nn.ModuleList([nn.Identity()])  # level 0 is the constant's
        self.blocks.extend(SynthesisBlock(self.widths[level - 1], self.widths[level], w_dim, level)
                           for level in range(1, self.levels))
        self.to_rgb = nn.ModuleList(EqualizedConv2d(w, channels, 1, gain=LINEAR_GAIN) for w in self.widths)
        # the resolution and fade-in the network samples at: set by the game every step, saved with the weights
        self.register_buffer("level", torch.tensor(self.levels - 1))
        self.register_buffer("alpha", torch.tensor(1.0))

    def set_growth(self, level: int, alpha: float) -> None:
        """Make `forward` render at `level` (0 .. levels − 1) with fade-in weight `alpha`."""
        if not 0 <= level < self.levels:
            raise ValueError(f"level must be 0 to {self.levels - 1}, got {level}")
        self.level.fill_(int(level))
        self.alpha.fill_(float(alpha))

    def render(self, ws: Tensor, level: int, alpha: float = 1.0, noise_mode: str = "random") -> Tensor:
        """Images (N, channels, s, s) at s = 4·2^level px; during a fade-in (α < 1) blended with the previous level."""
        if ws.dim() != 3 or ws.shape[1] != self.num_ws:
            raise ValueError(f"synthesis takes ws of shape (N, {self.num_ws}, {self.w_dim}), got {tuple(ws.shape)}")
        if not 0 <= level < self.levels:
            raise ValueError(f"level must be 0 to {self.levels - 1}, got {level}")
        x = self.const.unsqueeze(0).expand(ws.shape[0], -1, -1, -1).to(ws.dtype)
        x = self.epilogue1(self.conv(self.epilogue0(x, ws[:, 0], noise_mode)), ws[:, 1], noise_mode)
        for l in range(1, level):
            x = self.blocks[l](x, ws[:, 2 * l:2 * l + 2], noise_mode)
        if level == 0:
            return self.to_rgb[0](x)
        new = self.to_rgb[level](self.blocks[level](x, ws[:, 2 * level:2 * level + 2], noise_mode))
        if alpha >= 1:
            return new
        return torch.lerp(upsample(self.to_rgb[level - 1](x)), new, float(alpha))

    def forward(self, ws: Tensor, noise_mode: str = "random") -> Tensor:
        """Images (N, channels, img_size, img_size) at the buffers' level and α, upsampled (nearest) when smaller."""
        images = self.render(ws, int(self.level), float(self.alpha), noise_mode)
        factor = self.img_size // images.shape[-1]
        return F.interpolate(images, scale_factor=factor, mode="nearest") if factor > 1 else images


class StyleGANGenerator(StyledGenerator):
    """z (N, z_dim) → images (N, channels, img_size, img_size): `synthesis(broadcast(mapping(z)))`."""

    # averages and growth state the trainer's EMA copies instead of averaging (w_avg is a running mean already)
    ema_copied_buffers = ("mapping.w_avg", "synthesis.alpha")

    def __init__(self, z_dim: int = 128, w_dim: int = 128, img_size: int = 32, channels: int = 1,
                 widths: int | Sequence[int] = 64, mapping_layers: int = 8, *, mapping_lr: float = 0.01,
                 w_avg_beta: float = 0.995) -> None:
        super().__init__()
        self.z_dim, self.w_dim, self.img_size, self.channels = z_dim, w_dim, img_size, channels
        self.mapping = MappingNetwork(z_dim, w_dim, mapping_layers, lr_multiplier=mapping_lr, w_avg_beta=w_avg_beta)
        self.synthesis = StyleSynthesis(w_dim, img_size, channels, widths)
        self.levels = self.synthesis.levels

    def set_growth(self, level: int, alpha: float) -> None:
        """The level and fade-in `forward` and `synthesis` render at (`StyleSynthesis.set_growth`)."""
        self.synthesis.set_growth(level, alpha)
