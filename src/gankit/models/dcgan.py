"""DCGAN: the deep convolutional GAN of Radford, Metz & Chintala 2016 (arXiv:1511.06434).

The architecture guidelines of the paper (section 3), followed to the letter:

* generator: z is projected to a small spatial map by a transposed convolution from 1x1
  (the paper's "project and reshape"), then each fractional-strided convolution
  (ConvTranspose2d, kernel 4, stride 2, padding 1) doubles the resolution;
  batch norm and ReLU after every layer except the output, which is Tanh;
* discriminator: strided convolutions (kernel 4, stride 2, padding 1), LeakyReLU(0.2),
  batch norm after every layer except the first and the last; a final convolution that
  covers the whole remaining map gives one raw logit per image (no sigmoid: the losses
  apply it);
* no pooling, no fully connected hidden layers; weights N(0, 0.02), see `dcgan_init_`.
  Layers followed by batch norm have no bias (the norm's shift replaces it).

Widths follow the pytorch/examples ngf/ndf convention: `width` is the channel count of the
last hidden layer of G (and of the first layer of D), doubling towards the 1x1 end:
width*8, *4, *2, *1 at 64 px.

Supported sizes (`DCGAN_SIZES`), each a chain of resolutions:

* 32 px: G 4 -> 8 -> 16 -> 32, D 32 -> 16 -> 8 -> 4 -> logit (4x4 conv);
* 64 px: G 4 -> 8 -> 16 -> 32 -> 64, D the mirror (the paper's LSUN/ImageNet networks);
* every larger power of two up to `MAX_SIZE` (128, 256, ...): one more up-block in G and down-block in D per
  doubling, widths doubling towards the 4x4 end as above (width*16 ... width at 128 px), the way DCGAN scales
  (the paper grew its 64 px networks the same way from 32 px). Parameters grow about 4x per doubling
  (width 64, 3 channels: G has 3.6M at 64 px, 12.8M at 128 px, 48M at 256 px);
* 28 px (MNIST-sized): G projects 1x1 -> 7x7 with a 7x7 transposed convolution, then
  7 -> 14 -> 28; D 28 -> 14 -> 7 -> logit with a final 7x7 convolution. Starting at 7x7
  keeps every upsampling layer the paper's k4/s2/p1 (a 4 -> 7 step would need an odd
  kernel or output padding), so 28 px is 32 px with one hidden layer fewer.

CPU speed (measured by benchmarks/bench_step.py; see the `speed notes` in `__init__`):
convert both networks AND the image batches to `torch.channels_last` - the oneDNN
convolution kernels then skip a layout reorder on every layer, forward and backward.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.models.init import dcgan_init_

#: The discriminator's normalizations (`model.d_norm`).
D_NORM_CHOICES = ("batch", "none")

#: The largest image size built (1024 px at width 64 starts from 8192 channels: 0.7 billion parameters in G).
MAX_SIZE = 1024
#: Image sizes the DCGAN networks are defined for, with the spatial size of the smallest map:
#: 28 (from 7x7) and the powers of two from 32 to MAX_SIZE (from 4x4).
DCGAN_SIZES: dict[int, int] = {28: 7, **{2**k: 4 for k in range(5, MAX_SIZE.bit_length())}}


class ImageSizeError(ConfigError, ValueError):
    """An image size a network is not defined for (both a ConfigError and a ValueError)."""


def dcgan_plan(img_size: int) -> tuple[int, int]:
    """Return (base, doublings): the smallest map size and how many x2 steps reach `img_size`.

    base * 2**doublings == img_size for every supported size, e.g. 32 -> (4, 3).
    """
    if img_size not in DCGAN_SIZES:
        supported = ", ".join(str(s) for s in DCGAN_SIZES)
        raise ImageSizeError(f"img_size={img_size} is not supported by DCGAN (supported: {supported}; "
                             "set data.img_size to one of them)")
    base = DCGAN_SIZES[img_size]
    doublings = (img_size // base).bit_length() - 1
    return base, doublings


def _widths(width: int, layers: int) -> list[int]:
    """Hidden widths from the coarse end to the fine end: width*2**(layers-1), ..., width."""
    return [width * 2 ** (layers - 1 - i) for i in range(layers)]


class DCGANGenerator(nn.Module):
    """DCGAN generator: z (N, z_dim) or (N, z_dim, 1, 1) -> images (N, channels, img_size, img_size) in [-1, 1].

    x = tanh(ConvT_L(...ReLU(BN(ConvT_1(z)))...)), Radford et al. 2016, figure 1.
    """

    def __init__(self, z_dim: int = 100, img_size: int = 32, channels: int = 1, width: int = 64) -> None:
        super().__init__()
        base, doublings = dcgan_plan(img_size)
        self.z_dim, self.img_size, self.channels, self.width = z_dim, img_size, channels, width
        hidden = _widths(width, doublings)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim, hidden[0], kernel_size=base, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(hidden[0]),
            nn.ReLU(inplace=True),
        ]
        for c_in, c_out in zip(hidden[:-1], hidden[1:]):
            layers += [
                nn.ConvTranspose2d(c_in, c_out, kernel_size=4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]
        layers += [nn.ConvTranspose2d(hidden[-1], channels, kernel_size=4, stride=2, padding=1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent codes to images: (N, z_dim[, 1, 1]) -> (N, C, H, W), Tanh range."""
        return self.net(z.reshape(z.shape[0], self.z_dim, 1, 1))


class DCGANFeatures(nn.Module):
    """The strided-convolution trunk of the DCGAN discriminator: images -> (N, C, base, base) features.

    Conv(k4 s2 p1) + LeakyReLU(0.2) per layer, batch norm on all but the first (`norm="batch"`, Radford
    et al. 2016) or no normalization (`norm="none"`: the SN-DCGAN discriminator of Miyato et al. 2018,
    where spectral normalization alone bounds each layer; batch norm would rescale what SN bounds).
    `out_channels` and `out_size` describe the output map (used by the logit heads).
    """

    def __init__(self, img_size: int = 32, channels: int = 1, width: int = 64, norm: str = "batch") -> None:
        super().__init__()
        if norm not in D_NORM_CHOICES:
            raise ConfigError(f"model.d_norm '{norm}' is unknown (choose one of {', '.join(D_NORM_CHOICES)})")
        base, doublings = dcgan_plan(img_size)
        hidden = _widths(width, doublings)[::-1]
        layers: list[nn.Module] = [
            nn.Conv2d(channels, hidden[0], kernel_size=4, stride=2, padding=1),
            nn.LeakyReLU(0.2, inplace=True),
        ]
        for c_in, c_out in zip(hidden[:-1], hidden[1:]):
            batch_norm = norm == "batch"
            layers.append(nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(c_out))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
        self.net = nn.Sequential(*layers)
        self.out_channels, self.out_size = hidden[-1], base

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) images -> (N, out_channels, out_size, out_size) features."""
        return self.net(x)


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator: images (N, channels, img_size, img_size) -> raw logits (N,).

    logit = Conv_{base x base}(features(x)), Radford et al. 2016; no sigmoid.
    """

    def __init__(self, img_size: int = 32, channels: int = 1, width: int = 64, norm: str = "batch") -> None:
        super().__init__()
        self.img_size, self.channels, self.width = img_size, channels, width
        self.features = DCGANFeatures(img_size, channels, width, norm)
        self.head = nn.Conv2d(self.features.out_channels, 1, kernel_size=self.features.out_size)
        dcgan_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images -> one raw logit per image, shape (N,)."""
        return self.head(self.features(x)).reshape(x.shape[0])
