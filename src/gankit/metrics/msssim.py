"""SSIM, multi-scale SSIM and the MS-SSIM diversity of a set of generated images.

SSIM (Wang et al. 2004): with local means μ, variances σ² and covariance σ_xy under a Gaussian window (σ = 1.5,
population moments, 'valid' filtering: no padding), luminance l = (2 μ_x μ_y + C1) / (μ_x² + μ_y² + C1) and
contrast-structure cs = (2 σ_xy + C2) / (σ_x² + σ_y² + C2), C1 = (0.01 L)², C2 = (0.03 L)² for the data range L;
SSIM is the mean of l·cs over the positions, per channel, then averaged over the channels.

MS-SSIM (Wang, Simoncelli & Bovik 2003): M scales, each a 2x2 average-pooling of the one before (an odd row or column
is dropped first), MS-SSIM = Π_{j<M} cs_j^{w_j} · (l_M·cs_M)^{w_M} with the paper's weights (0.0448, 0.2856,
0.3001, 0.2363, 0.1333). Negative cs or SSIM values are clamped to 0 before the powers, as pytorch-msssim does.
Scaled down for small images: the window is 7 px (not 11) and there are as many scales (at most 5) as keep the
coarsest at least one window wide -- 8 px: 1 scale (plain SSIM), 28 and 32 px: 3, 64 px: 4 -- with the first M
weights renormalized to sum to 1.

MS-SSIM diversity (Odena et al. 2017, AC-GAN §4.2; the ProGAN paper's Table 1 reports it on CelebA): the mean
MS-SSIM of random pairs of distinct images of one set -- 1 when every image is the same (mode collapse), lower
for a more varied set; compare it with the same number measured on the real images.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["gaussian_window", "ms_ssim", "msssim_diversity", "ssim"]

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
WINDOW = 7
SIGMA = 1.5
PAIRS = 10_000


def gaussian_window(size: int, sigma: float = SIGMA) -> torch.Tensor:
    """The normalized 1-D Gaussian of `size` taps (odd), float64."""
    x = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-(x ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def _filter(x: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    k = window.to(x)
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def _ssim_parts(x: torch.Tensor, y: torch.Tensor, window: torch.Tensor,
                data_range: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(SSIM, cs) of each image and channel, (N, C): the means of l·cs and of cs over the positions."""
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = _filter(x, window), _filter(y, window)
    var_x = _filter(x * x, window) - mu_x ** 2
    var_y = _filter(y * y, window) - mu_y ** 2
    cov = _filter(x * y, window) - mu_x * mu_y
    cs = (2 * cov + c2) / (var_x + var_y + c2)
    luminance = (2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)
    return (luminance * cs).flatten(2).mean(2), cs.flatten(2).mean(2)


def _check(x: torch.Tensor, y: torch.Tensor, win_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = torch.as_tensor(x).double(), torch.as_tensor(y).double()
    if x.shape != y.shape or x.dim() != 4:
        raise ValueError(f"SSIM needs two (N, C, H, W) batches of one shape, got {tuple(x.shape)}, {tuple(y.shape)}")
    if win_size % 2 == 0 or min(x.shape[-2:]) < win_size:
        raise ValueError(f"the window ({win_size} px, odd) must fit the images {tuple(x.shape[-2:])}")
    return x, y


def ssim(x: torch.Tensor, y: torch.Tensor, *, data_range: float = 2.0, win_size: int = 11,
         sigma: float = SIGMA) -> torch.Tensor:
    """SSIM of each pair of images (N,), averaged over the channels; `data_range` 2 for gankit's [-1, 1]."""
    x, y = _check(x, y, win_size)
    return _ssim_parts(x, y, gaussian_window(win_size, sigma), data_range)[0].mean(1)


def scales_for(height: int, width: int, win_size: int = WINDOW) -> int:
    """How many scales fit: the coarsest (each halving rounds down) is at least `win_size` px; 1 to 5."""
    side = min(height, width)
    if side < win_size:
        raise ValueError(f"the window ({win_size} px) must fit the images ({height}x{width})")
    return max(1, min(len(WEIGHTS), int(math.floor(math.log2(side / win_size))) + 1))


def ms_ssim(x: torch.Tensor, y: torch.Tensor, *, data_range: float = 2.0, win_size: int = WINDOW,
            sigma: float = SIGMA, scales: int | None = None) -> torch.Tensor:
    """MS-SSIM of each pair of images (N,) (module docstring); `scales` None: as many as fit (`scales_for`)."""
    x, y = _check(x, y, win_size)
    m = scales or scales_for(*x.shape[-2:], win_size)
    weights = torch.tensor(WEIGHTS[:m], dtype=torch.float64)
    weights /= weights.sum()
    window = gaussian_window(win_size, sigma)
    factors = []
    for j in range(m):
        whole, cs = _ssim_parts(x, y, window, data_range)
        factors.append((whole if j == m - 1 else cs).clamp_min(0) ** weights[j])
        if j < m - 1:
            h, w = x.shape[-2:]
            x = F.avg_pool2d(x[..., : h - h % 2, : w - w % 2], 2)
            y = F.avg_pool2d(y[..., : h - h % 2, : w - w % 2], 2)
    return torch.stack(factors).prod(0).mean(1)


def msssim_diversity(images: torch.Tensor, *, pairs: int = PAIRS, seed: int = 0, data_range: float = 2.0,
                     win_size: int = WINDOW, batch: int = 1000) -> float:
    """The mean MS-SSIM of `pairs` random pairs (i ≠ j) of `images` (N, C, H, W), N ≥ 2; lower is more varied."""
    images = torch.as_tensor(images).float().cpu()
    n = len(images)
    if n < 2:
        raise ValueError("MS-SSIM diversity needs at least two images")
    generator = torch.Generator().manual_seed(seed)
    first = torch.randint(n, (pairs,), generator=generator)
    second = (first + torch.randint(1, n, (pairs,), generator=generator)) % n  # any other image, uniformly
    total = 0.0
    for start in range(0, pairs, batch):
        i, j = first[start:start + batch], second[start:start + batch]
        total += float(ms_ssim(images[i], images[j], data_range=data_range, win_size=win_size).sum())
    return total / pairs
