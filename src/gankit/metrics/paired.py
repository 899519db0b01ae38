"""Paired fidelity of a translation: each output against its own target (pix2pix's L1, PSNR and SSIM tables).

All three compare images on the [0, 1] scale (gankit's [-1, 1] images are mapped by ``(x + 1) / 2``) and are
averaged over the images:

- L1: mean |y - t| over pixels;
- PSNR (dB): 10·log10(1 / MSE) per image, data range 1 (``skimage.metrics.peak_signal_noise_ratio``);
  identical images give +inf, which the mean keeps;
- SSIM (Wang et al. 2004, "Image Quality Assessment: From Error Visibility to Structural Similarity"): the
  paper's 11 x 11 Gaussian window of σ = 1.5 and population covariances, per channel and averaged
  (``skimage.metrics.structural_similarity``); images smaller than 11 px use the largest odd window that fits.

`translation_accuracy` is the share of outputs a classifier puts in their target's class (Isola et al. 2017's
"FCN-score" idea, with gankit's domain classifier in place of an FCN).

`edge_agreement` asks whether an output kept its input's shape: the boundary F-measure of two edge masks with a
matching tolerance of one pixel (Martin et al. 2004, the Berkeley boundary benchmark's F, with a square window in
place of their bipartite matching): precision is the share of the output's edge pixels with an input edge
within one pixel (Chebyshev distance), recall the share of the input's edge pixels with an output edge within
one pixel, F = 2PR / (P + R), summed over all images before the ratios are taken.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gankit.errors import DataError


def _unit_images(fake: torch.Tensor, real: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(N, H, W, C) float64 arrays in [0, 1] from two (N, C, H, W) tensors in [-1, 1] of one shape."""
    if fake.shape != real.shape or fake.dim() != 4:
        raise DataError(f"paired metrics need two image batches of one shape, got {tuple(fake.shape)} and "
                        f"{tuple(real.shape)}")
    as_unit = [((t.detach().double().cpu().clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy() for t in (fake, real)]
    return as_unit[0], as_unit[1]


def l1_error(fake: torch.Tensor, real: torch.Tensor) -> float:
    """Mean absolute difference on [0, 1]."""
    y, t = _unit_images(fake, real)
    return float(np.abs(y - t).mean())


def psnr(fake: torch.Tensor, real: torch.Tensor) -> float:
    """Mean over images of 10·log10(1 / MSE) in dB (data range 1)."""
    from skimage.metrics import peak_signal_noise_ratio  # imported on use: skimage is heavy beside the metrics

    y, t = _unit_images(fake, real)
    with np.errstate(divide="ignore"):
        return float(np.mean([peak_signal_noise_ratio(b, a, data_range=1.0) for a, b in zip(y, t)]))


def ssim(fake: torch.Tensor, real: torch.Tensor) -> float:
    """Mean SSIM over images, Gaussian window σ = 1.5 (Wang et al. 2004), data range 1."""
    from skimage.metrics import structural_similarity

    y, t = _unit_images(fake, real)
    side = min(y.shape[1], y.shape[2])
    window = min(11, side if side % 2 else side - 1)
    scores = [structural_similarity(b, a, data_range=1.0, channel_axis=-1, gaussian_weights=True, sigma=1.5,
                                    use_sample_covariance=False, win_size=window) for a, b in zip(y, t)]
    return float(np.mean(scores))


def translation_accuracy(logits: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> float:
    """The share of rows of `logits` (N, K) whose arg-max is the row's label."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (len(logits),):
        raise DataError(f"translation accuracy needs logits (N, K) and N labels, got {logits.shape} and {labels.shape}")
    return float((logits.argmax(axis=1) == labels).mean())


def _near(edges: torch.Tensor, tolerance: int) -> torch.Tensor:
    """Pixels within `tolerance` (Chebyshev distance) of an edge pixel of `edges` (N, 1, H, W) bool."""
    return F.max_pool2d(edges.float(), 2 * tolerance + 1, 1, tolerance) > 0


def edge_agreement(output_edges: torch.Tensor, input_edges: torch.Tensor, tolerance: int = 1) -> dict[str, float]:
    """Precision, recall and F of `output_edges` against `input_edges`, two bool masks (N, 1, H, W) of the same
    shape (see the module docstring). An empty side gives 0 for the ratios that divide by it."""
    if output_edges.shape != input_edges.shape or output_edges.dim() != 4 or output_edges.dtype != torch.bool:
        raise DataError(f"edge agreement needs two bool masks (N, 1, H, W) of one shape, got "
                        f"{tuple(output_edges.shape)} {output_edges.dtype} and {tuple(input_edges.shape)} {input_edges.dtype}")
    matched_out = (output_edges & _near(input_edges, tolerance)).sum().item()
    matched_in = (input_edges & _near(output_edges, tolerance)).sum().item()
    precision = matched_out / max(int(output_edges.sum().item()), 1)
    recall = matched_in / max(int(input_edges.sum().item()), 1)
    f = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f": f}
