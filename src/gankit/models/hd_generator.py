"""Pix2PixHD's coarse-to-fine generator (Wang et al. 2018, "High-Resolution Image Synthesis and Semantic
Manipulation with Conditional GANs", §3.2), sized for 32-64 px.

* **Global generator G1** (Johnson et al. 2016's architecture, at half resolution): a front-end G1(F) -- a 7x7
  convolution c7s1-w, then ``n_down`` stride-2 3x3 convolutions doubling the width -- residual blocks G1(R) at
  the lowest resolution, and a back-end G1(B) of stride-2 transposed convolutions back to width w; its to-image
  layer (c7s1-out, Tanh) is used only while G1 trains alone.
* **Local enhancer G2** at full resolution: a front-end G2(F) (c7s1-w/2, then one stride-2 convolution to w
  channels at half resolution) whose output is *added* to G1(B)'s last feature map; residual blocks G2(R) on
  that sum; a back-end G2(B) (a stride-2 transposed convolution to w/2 at full resolution, c7s1-out, Tanh).
* The **feature encoder E** (§3.4) on the target image: a small encoder-decoder whose output (``feat_dim``
  channels, Tanh) is averaged over each region (`gankit.nn.regions`); those per-region codes, painted back onto
  their regions, are concatenated to the generator's input. At test time a chosen code per region sets the
  output's colour and intensity. `code_mean`/`code_std` keep the running statistics of the codes seen in
  training (updated by `observe_codes`), from which a style is drawn.

Instance norm and reflection padding throughout, as in the paper. Residual block: x + [pad-conv3-IN-ReLU-pad-
conv3-IN](x) (He et al. 2016; Johnson et al. 2016).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.nn.regions import paint_regions, region_average
from gankit.models.unet import norm_layer


def half(x: torch.Tensor) -> torch.Tensor:
    """The image at half resolution: 3x3 average pooling at stride 2, padding not counted (the paper's)."""
    return F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)


def _conv7(cin: int, cout: int, norm: str) -> list[nn.Module]:
    return [nn.ReflectionPad2d(3), nn.Conv2d(cin, cout, 7), norm_layer(norm, cout), nn.ReLU()]


def _down(cin: int, cout: int, norm: str) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, 2, 1), norm_layer(norm, cout), nn.ReLU()]


def _up(cin: int, cout: int, norm: str) -> list[nn.Module]:
    return [nn.ConvTranspose2d(cin, cout, 3, 2, 1, output_padding=1), norm_layer(norm, cout), nn.ReLU()]


def _to_image(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.ReflectionPad2d(3), nn.Conv2d(cin, cout, 7), nn.Tanh())


class ResidualBlock(nn.Module):
    """x + F(x), F = reflect-pad, conv 3x3, norm, ReLU, reflect-pad, conv 3x3, norm (same width throughout)."""

    def __init__(self, channels: int, norm: str = "instance") -> None:
        super().__init__()
        self.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), norm_layer(norm, channels),
                                  nn.ReLU(), nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3),
                                  norm_layer(norm, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class GlobalGenerator(nn.Module):
    """G1: ``in_channels`` -> ``out_channels`` at its own resolution; `features` gives G1(B)'s last map (w channels)."""

    def __init__(self, in_channels: int, out_channels: int, width: int = 32, n_down: int = 2, n_blocks: int = 4,
                 norm: str = "instance") -> None:
        super().__init__()
        layers = _conv7(in_channels, width, norm)
        for i in range(n_down):
            layers += _down(width * 2 ** i, width * 2 ** (i + 1), norm)
        layers += [ResidualBlock(width * 2 ** n_down, norm) for _ in range(n_blocks)]
        for i in reversed(range(n_down)):
            layers += _up(width * 2 ** (i + 1), width * 2 ** i, norm)
        self.body = nn.Sequential(*layers)
        self.to_image = _to_image(width, out_channels)
        self.multiple = 2 ** n_down  # the side must divide by this

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_image(self.body(x))


class LocalEnhancer(nn.Module):
    """G2: full-resolution front-end, added to G1's features (w channels at half resolution), then back up."""

    def __init__(self, in_channels: int, out_channels: int, width: int = 32, n_blocks: int = 2,
                 norm: str = "instance") -> None:
        super().__init__()
        narrow = max(width // 2, 1)
        self.front = nn.Sequential(*_conv7(in_channels, narrow, norm), *_down(narrow, width, norm))
        self.back = nn.Sequential(*[ResidualBlock(width, norm) for _ in range(n_blocks)], *_up(width, narrow, norm),
                                  _to_image(narrow, out_channels))

    def forward(self, x: torch.Tensor, global_features: torch.Tensor) -> torch.Tensor:
        return self.back(self.front(x) + global_features)


class FeatureEncoder(nn.Module):
    """E: image -> ``feat_dim`` feature maps in [-1, 1] (conv7, two stride-2 downs, two ups, conv7, Tanh)."""

    def __init__(self, in_channels: int, feat_dim: int = 3, width: int = 16, norm: str = "instance") -> None:
        super().__init__()
        self.net = nn.Sequential(*_conv7(in_channels, width, norm), *_down(width, 2 * width, norm),
                                 *_down(2 * width, 4 * width, norm), *_up(4 * width, 2 * width, norm),
                                 *_up(2 * width, width, norm), _to_image(width, feat_dim))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.net(image)


class Pix2PixHDGenerator(nn.Module):
    """G1 + G2 + E for ``size`` x ``size`` images. `forward(source, codes, regions, local)`: the output image.

    ``local=False`` is the global stage: G1 alone on the half-resolution input, its output upsampled (bilinear)
    to full size; ``local=True`` runs G1's features into G2 at full resolution. `encode` gives the per-region
    codes (N, R, feat_dim) of target images.
    """

    def __init__(self, in_channels: int, out_channels: int, size: int, width: int = 32, n_down: int = 2,
                 n_blocks: int = 4, local_blocks: int = 2, feat_dim: int = 3, n_regions: int = 2,
                 encoder_width: int = 16, norm: str = "instance", code_momentum: float = 0.01) -> None:
        super().__init__()
        if feat_dim < 0:
            raise ValueError(f"feat_dim must be 0 or more, got {feat_dim}")
        step = 2 * 2 ** n_down  # G2 halves, then G1 halves n_down times more
        if size < 2 * step or size % step:
            raise ValueError(f"Pix2PixHD with {n_down} downsamplings in G1 needs images whose side divides by {step} "
                             f"(at least {2 * step} px), got {size}")
        self.feat_dim, self.code_momentum = feat_dim, code_momentum
        self.global_net = GlobalGenerator(in_channels + feat_dim, out_channels, width, n_down, n_blocks, norm)
        self.local_net = LocalEnhancer(in_channels + feat_dim, out_channels, width, local_blocks, norm)
        self.encoder = FeatureEncoder(out_channels, feat_dim, encoder_width, norm) if feat_dim else None
        self.register_buffer("code_mean", torch.zeros(n_regions, feat_dim))
        self.register_buffer("code_std", torch.full((n_regions, feat_dim), 0.5))

    def encode(self, target: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
        """Per-region codes (N, R, feat_dim) of `target` images: E's features averaged over each region."""
        if self.encoder is None:
            return target.new_zeros(target.shape[0], regions.shape[1], 0)
        return region_average(self.encoder(target), regions)

    @torch.no_grad()
    def observe_codes(self, codes: torch.Tensor) -> None:
        """Fold a batch of codes (N, R, feat_dim) into the running mean and standard deviation of each region's."""
        if codes.shape[0] < 2 or codes.shape[-1] == 0:
            return
        m = self.code_momentum
        self.code_mean.lerp_(codes.float().mean(0), m)
        self.code_std.lerp_(codes.float().std(0), m)

    def sample_codes(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Codes (n, R, feat_dim) drawn from N(code_mean, code_std^2) per region, clipped to E's range [-1, 1]."""
        noise = torch.randn(n, *self.code_mean.shape, generator=generator).to(self.code_mean.device)
        return (self.code_mean + self.code_std * noise).clamp(-1, 1)

    def mean_codes(self, n: int) -> torch.Tensor:
        """The average code of each region, for `n` images (the default style)."""
        return self.code_mean.expand(n, *self.code_mean.shape).clone()

    def _input(self, source: torch.Tensor, codes: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
        if not self.feat_dim:
            return source
        return torch.cat([source, paint_regions(codes.to(source.dtype), regions.to(source.dtype))], dim=1)

    def coarse(self, source: torch.Tensor, codes: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
        """G1 alone: the output at half resolution (what the global stage trains)."""
        return self.global_net(half(self._input(source, codes, regions)))

    def forward(self, source: torch.Tensor, codes: torch.Tensor, regions: torch.Tensor,
                local: bool = True) -> torch.Tensor:
        if not local:
            coarse = self.coarse(source, codes, regions)
            return F.interpolate(coarse, scale_factor=2, mode="bilinear", align_corners=False)
        x = self._input(source, codes, regions)
        return self.local_net(x, self.global_net.features(half(x)))
