"""Image transforms applied once, at load time: scaling to [-1, 1], channel conversion, resizing, limiting.

Images stored as uint8 pixels (folders decode straight to their target size, see :mod:`gankit.data.folder`)
stay uint8 when :func:`finish_dataset` is asked to keep them, and :func:`to_signed` maps each batch to
[-1, 1] as it is used: the same ``p / 255 * 2 - 1`` in float32 as at load time, so the numbers are identical.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
import torch.nn.functional as F

from gankit.data.base import ArrayDataset
from gankit.data.subset import Subset
from gankit.errors import ConfigError

# ITU-R BT.601 luma weights (the ones PIL's convert("L") uses): Y = 0.299 R + 0.587 G + 0.114 B.
LUMA_601 = (0.299, 0.587, 0.114)

# Resize at most this many input+output bytes at a time, so a 60k-image dataset never doubles in memory at once.
_RESIZE_CHUNK_BYTES = 64 * 2**20


def uint8_to_signed(pixels: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Map 8-bit pixels to float32 in [-1, 1]: ``x / 255 * 2 - 1`` (0 -> -1, 255 -> +1)."""
    if isinstance(pixels, np.ndarray):  # astype copies, so read-only buffers (np.frombuffer) are fine
        return torch.from_numpy(pixels.astype(np.float32)).mul_(2.0 / 255.0).sub_(1.0)
    return pixels.to(torch.float32).mul_(2.0 / 255.0).sub_(1.0)


def to_signed(x: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] as float32 from either storage: uint8 pixels via :func:`uint8_to_signed`, float as is."""
    return uint8_to_signed(x) if x.dtype == torch.uint8 else x


def unit_to_signed(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Map float images in [0, 1] to float32 in [-1, 1]: ``2 x - 1``."""
    return torch.as_tensor(x).to(torch.float32).mul(2.0).sub_(1.0)


def convert_channels(x: torch.Tensor, channels: int) -> torch.Tensor:
    """Convert ``(N, C, H, W)`` images to ``channels`` channels.

    Grey -> RGB tiles the single channel; RGB -> grey takes the ITU-R BT.601 luma
    ``0.299 R + 0.587 G + 0.114 B`` (the weights sum to 1, so [-1, 1] stays [-1, 1]).
    """
    if channels not in (1, 3):
        raise ConfigError(f"channels must be 1 or 3, got {channels!r}")
    have = x.shape[1]
    if have == channels:
        return x
    if have == 1 and channels == 3:
        return x.expand(-1, 3, -1, -1).contiguous()
    if have == 3 and channels == 1:
        weights = torch.tensor(LUMA_601, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
        return (x * weights).sum(dim=1, keepdim=True)
    raise ValueError(f"cannot convert {have}-channel images to {channels} channels")


def resize_images(x: torch.Tensor, size: int) -> torch.Tensor:
    """Resize ``(N, C, H, W)`` images to ``(N, C, size, size)``.

    Bilinear interpolation with antialiasing (``align_corners=False``), so downscaling averages rather than
    aliases; done in chunks so memory stays bounded. Non-square images are stretched to a square.
    """
    if size <= 0:
        raise ConfigError(f"img_size must be a positive integer, got {size!r}")
    n, c, h, w = x.shape
    if (h, w) == (size, size):
        return x
    out = torch.empty((n, c, size, size), dtype=torch.float32, device=x.device)
    bytes_per_image = 4 * c * (h * w + size * size)
    chunk = max(1, _RESIZE_CHUNK_BYTES // bytes_per_image)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        out[start:stop] = F.interpolate(
            x[start:stop].to(torch.float32), size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )
    return out


def resize_and_convert(x: torch.Tensor, img_size: int | None, channels: int | None) -> torch.Tensor:
    """Float images resized to ``img_size`` square and converted to ``channels`` (None: left as they are);
    colour -> grey happens before resizing, since resizing one channel is cheaper than three."""
    if channels is not None and channels < x.shape[1]:
        x = convert_channels(x, channels)
    if img_size is not None:
        x = resize_images(x, img_size)
    if channels is not None:
        x = convert_channels(x, channels)
    return x


def finish_dataset(
    dataset: ArrayDataset, *, limit: int | None = None, img_size: int | None = None, channels: int | None = None,
    subset: Subset | None = None, keep_uint8: bool = False,
) -> ArrayDataset:
    """Apply the load-time options every loader shares: keep the first ``limit`` samples (or the seeded,
    class-stratified ``subset``), then (images only) convert to ``channels`` and resize to ``img_size``.

    Returns contiguous float32 tensors, except that uint8 images which need no conversion or resizing stay
    uint8 when ``keep_uint8`` (a uint8 dataset that still needs either is converted to float first)."""
    x, y = dataset.x, dataset.y
    if subset is not None and len(x) > subset.size:
        index = subset.indices(y, len(x))
        x, y = x[index], None if y is None else y[index]
    if limit is not None:
        x = x[:limit]
        y = None if y is None else y[:limit]
    if dataset.kind == "image":
        if x.dtype == torch.uint8:
            done = channels in (None, x.shape[1]) and img_size in (None, x.shape[2]) and img_size in (None, x.shape[3])
            if not (done and keep_uint8):
                x = uint8_to_signed(x)
        x = resize_and_convert(x, img_size, channels)
    elif img_size is not None or channels is not None:
        raise ConfigError(
            f"dataset {dataset.name!r} holds points, not images: img_size and channels do not apply "
            f"(got img_size={img_size!r}, channels={channels!r})"
        )
    x = x.contiguous() if x.dtype == torch.uint8 else x.to(torch.float32).contiguous()
    y = None if y is None else y.to(torch.int64).contiguous()
    return dataclasses.replace(dataset, x=x, y=y)
