"""Regions of an image and per-region average pooling: the instance-wise pooling of Pix2PixHD's feature encoder
(Wang et al. 2018, §3.4).

Pix2PixHD pools the encoder's feature map over each object instance, so that one code per instance sets its
colour and texture. Its label maps come with instance maps; an edge map does not, so `regions_from_edges`
derives two regions from the drawing itself: the background (every pixel reachable from the image border
without crossing a line) and the object (the rest: its outline and everything the outline encloses). Lines
are first thickened by one pixel so that a one-pixel gap in an outline does not let the background flood in.

Regions are one-hot masks (N, R, H, W). `region_average` is the instance-wise average pooling
    c_r = Σ_p m_r(p)·f(p) / max(Σ_p m_r(p), 1),
and `paint_regions` broadcasts one code per region back to its pixels: Σ_r m_r(p)·c_r.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

REGION_NAMES = ("background", "object")


def regions_from_edges(edges: torch.Tensor, threshold: float = 0.0) -> torch.Tensor:
    """Masks (N, 2, H, W) of background and object for edge maps (N, 1, H, W) drawn dark (< threshold) on light."""
    lines = (edges[:, :1] < threshold).float()
    walls = F.max_pool2d(lines, 3, 1, 1) > 0  # one pixel thicker: small gaps in an outline close
    free = ~walls
    reach = torch.zeros_like(free)
    reach[..., 0, :], reach[..., -1, :], reach[..., :, 0], reach[..., :, -1] = True, True, True, True
    reach &= free
    while True:  # flood fill from the border through line-free pixels (morphological reconstruction)
        grown = (F.max_pool2d(reach.float(), 3, 1, 1) > 0) & free
        if torch.equal(grown, reach):
            break
        reach = grown
    background = reach.to(edges.dtype)
    return torch.cat([background, 1.0 - background], dim=1)


def whole_image_region(images: torch.Tensor) -> torch.Tensor:
    """One region covering every pixel: (N, 1, H, W) of ones (a single style code per image)."""
    return images.new_ones(images.shape[0], 1, *images.shape[2:])


def region_average(features: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
    """Codes (N, R, C): the mean of `features` (N, C, H, W) over each region of `regions` (N, R, H, W)."""
    sums = torch.einsum("nchw,nrhw->nrc", features, regions)
    counts = regions.sum(dim=(2, 3)).clamp(min=1.0)
    return sums / counts.unsqueeze(-1)


def paint_regions(codes: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
    """A feature map (N, C, H, W) holding each region's code (N, R, C) at each of its pixels."""
    return torch.einsum("nrc,nrhw->nchw", codes, regions)
