"""One dict of metric defaults, read by both the Python API and the CLI so the two cannot drift."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    "extractor": "inception",
    "batch_size": None,  # images per forward pass; None: the extractor's preferred size. Results do not depend on it
    "kid_subsets": 100,  # Binkowski et al. 2018: 100 subsets ...
    "kid_subset_size": 1000,  # ... of 1000 samples each
    "kid_degree": 3,
    "kid_coef0": 1.0,
    "pr_k": 3,  # Kynkaanniemi et al. 2019
    "dc_k": 5,  # Naeem et al. 2020
    "is_splits": 10,  # Salimans et al. 2016
    "mode_threshold": 3.0,  # VEEGAN / PacGAN: within 3 standard deviations
    "msssim_pairs": 10_000,  # MS-SSIM diversity: random pairs of generated images (ProGAN's Table 1: 10,000)
    "seed": 0,
    "distance_chunk": 1024,  # rows of a pairwise-distance block (memory bound: chunk x N float64)
}
