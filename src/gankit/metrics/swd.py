"""Sliced Wasserstein distance between Laplacian pyramids of two image sets (SWD): Karras et al. 2018, "Progressive
Growing of GANs for Improved Quality, Stability, and Variation", appendix D.

At each level of a Laplacian pyramid (Burt & Adelson 1983) the two sets are summarized by local descriptors -- 7x7
neighbourhoods of C channels taken at random places, each channel normalized to mean 0 and standard deviation 1
over the set's descriptors -- and the two clouds of descriptors are compared by the sliced Wasserstein distance
(Rabin et al. 2011): project both on random unit directions θ and average the 1-D Wasserstein-1 distance of the
projections, which for two samples of equal size n is the mean gap between their sorted values,

    SWD(A, B) = E_θ [ (1/n) Σ_i |sort(A·θ)_i − sort(B·θ)_i| ].

Fine levels measure texture and detail, coarse ones the layout and colour of large areas; the paper reports each
level (×10³) and their mean. Pyramid: a 5x5 binomial blur ([1, 4, 6, 4, 1]/16 each way, reflected edges); a level
down keeps every second pixel of the blurred image; a level up inserts zeros, blurs with 4 × the kernel and crops;
level l = G_l − up(G_{l+1}), and the last level is the low-pass image itself, so the levels add back up to the image.

Scaled down from the paper for small images (the paper: 16,384 images of 1024 px, levels down to 16 px, 128
descriptors per image and level, 512 projections, drawn as 4 repeats of 128 directions): levels go down while a side is at least
`MIN_LEVEL` = 8 px (28 px -> 28, 14; 32 px -> 32, 16, 8), at most `DESCRIPTORS` = 16,384 descriptors per set and level
(at most 128 per image, as many as spread that total over the images), 4 repeats of 128 directions. Images are
compared on gankit's [-1, 1] scale; the per-channel normalization makes the result independent of that scale.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["descriptors", "laplacian_pyramid", "pyramid_sizes", "sliced_wasserstein", "swd"]

PATCH = 7
MIN_LEVEL = 8
DESCRIPTORS = 16_384
MAX_PER_IMAGE = 128
DIRECTIONS = 128  # per repeat: 4 x 128 = the paper's 512 projections
REPEATS = 4
_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _blur(x: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """The 5x5 binomial blur of each channel (separable), edges reflected (replicated below 3 px)."""
    c = x.shape[1]
    k = (_BINOMIAL * gain ** 0.5).to(x)
    mode = "reflect" if min(x.shape[-2:]) > 2 else "replicate"
    x = F.pad(x, (2, 2, 2, 2), mode=mode)
    x = F.conv2d(x, k.view(1, 1, 1, 5).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, k.view(1, 1, 5, 1).repeat(c, 1, 1, 1), groups=c)


def _down(x: torch.Tensor) -> torch.Tensor:
    return _blur(x)[..., ::2, ::2]


def _up(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    n, c, h, w = x.shape
    y = x.new_zeros(n, c, 2 * h, 2 * w)
    y[..., ::2, ::2] = x
    return _blur(y, gain=4.0)[..., : size[0], : size[1]]


def pyramid_sizes(height: int, width: int, min_level: int = MIN_LEVEL) -> list[tuple[int, int]]:
    """The (H, W) of each level: halving (rounding up) while both sides stay at least `min_level`; at least one."""
    sizes = [(height, width)]
    while math.ceil(sizes[-1][0] / 2) >= min_level and math.ceil(sizes[-1][1] / 2) >= min_level:
        sizes.append((math.ceil(sizes[-1][0] / 2), math.ceil(sizes[-1][1] / 2)))
    return sizes


def laplacian_pyramid(images: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """`levels` band-pass images of (N, C, H, W), finest first; the last is the low-pass residual. The image is
    the sum of the levels, each brought up to the size of the one before (`_up`) from the coarsest."""
    out, g = [], images
    for _ in range(levels - 1):
        smaller = _down(g)
        out.append(g - _up(smaller, g.shape[-2:]))
        g = smaller
    out.append(g)
    return out


def descriptors(level: torch.Tensor, per_image: int, generator: torch.Generator) -> torch.Tensor:
    """`per_image` random 7x7 neighbourhoods of each image of `level` (N, C, H, W), as rows (N·per_image, C·49),
    each channel normalized to mean 0 and standard deviation 1 over all of them."""
    n, c, h, w = level.shape
    if h < PATCH or w < PATCH:
        raise ValueError(f"SWD needs images of at least {PATCH}x{PATCH} px at every level, got {h}x{w}")
    ys = torch.randint(h - PATCH + 1, (n, per_image), generator=generator)
    xs = torch.randint(w - PATCH + 1, (n, per_image), generator=generator)
    offsets = torch.arange(PATCH)
    rows = (ys[..., None] + offsets)[..., :, None]  # (n, per_image, 7, 1)
    cols = (xs[..., None] + offsets)[..., None, :]  # (n, per_image, 1, 7)
    pixels = level.permute(0, 2, 3, 1)  # (n, h, w, c)
    patches = pixels[torch.arange(n)[:, None, None, None], rows, cols]  # (n, per_image, 7, 7, c)
    patches = patches.reshape(-1, PATCH * PATCH, c).double()
    mean = patches.mean(dim=(0, 1), keepdim=True)
    std = patches.std(dim=(0, 1), keepdim=True, unbiased=False).clamp_min(1e-12)
    return ((patches - mean) / std).permute(0, 2, 1).reshape(len(patches), -1)


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, directions: int = DIRECTIONS, repeats: int = REPEATS, *,
                       generator: torch.Generator, chunk: int = 64) -> float:
    """The sliced Wasserstein-1 distance between the rows of `a` and `b` (equal counts), averaged over `repeats`
    draws of `directions` random unit directions (formula in the module docstring)."""
    if a.shape != b.shape or a.dim() != 2:
        raise ValueError(f"sliced_wasserstein needs two (n, d) arrays of one shape, got {tuple(a.shape)}, "
                         f"{tuple(b.shape)}")
    a, b = a.float(), b.float()  # float32 projections: the sorts are most of the time
    total = 0.0
    for _ in range(repeats):
        theta = torch.randn(a.shape[1], directions, generator=generator, dtype=torch.float64)
        theta /= theta.norm(dim=0, keepdim=True)
        gaps = 0.0
        for start in range(0, directions, chunk):  # rows of (directions, n): each sort runs along memory
            t = theta[:, start:start + chunk].T.float()
            pa, pb = (t @ a.T).sort(dim=1).values, (t @ b.T).sort(dim=1).values
            gaps += float((pa - pb).abs().double().mean(1).sum())
        total += gaps / directions
    return total / repeats


def swd(fake: torch.Tensor, real: torch.Tensor, *, seed: int = 0, descriptors_per_level: int = DESCRIPTORS,
        directions: int = DIRECTIONS, repeats: int = REPEATS, min_level: int = MIN_LEVEL) -> dict[str, float]:
    """SWD ×10³ of two image sets (N, C, H, W) of one image shape, per pyramid level and their mean:
    ``{"swd_32": ..., "swd_16": ..., "swd_8": ..., "swd": mean}`` (keys name each level's height)."""
    fake, real = torch.as_tensor(fake).float().cpu(), torch.as_tensor(real).float().cpu()
    if fake.dim() != 4 or fake.shape[1:] != real.shape[1:]:
        raise ValueError(f"swd needs two image sets of one shape, got {tuple(fake.shape)} and {tuple(real.shape)}")
    generator = torch.Generator().manual_seed(seed)
    sizes = pyramid_sizes(*fake.shape[-2:], min_level=min_level)
    count = min(descriptors_per_level, MAX_PER_IMAGE * min(len(fake), len(real)))
    result: dict[str, float] = {}
    pyramids = [laplacian_pyramid(images, len(sizes)) for images in (fake, real)]
    for (h, _), level_fake, level_real in zip(sizes, *pyramids):
        a = descriptors(level_fake, math.ceil(count / len(fake)), generator)[:count]
        b = descriptors(level_real, math.ceil(count / len(real)), generator)[:count]
        result[f"swd_{h}"] = 1e3 * sliced_wasserstein(a, b, directions, repeats, generator=generator)
    result["swd"] = sum(result.values()) / len(sizes)
    return result
