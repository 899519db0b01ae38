"""The defaults of ``gankit eval`` and :func:`gankit.evaluation.evaluate_source`, in one dict both read.

This module imports nothing heavy (no torch), so the CLI can show these defaults in ``--help`` without paying
for a torch import. The metric options themselves (KID subsets, k of precision/recall, IS splits, the mode
threshold, the extraction batch size) come from :data:`gankit.metrics.DEFAULTS` and are not repeated here.

Why the extractor default differs from ``gankit.metrics.DEFAULTS["extractor"]`` ("inception"): Inception-v3
runs at about 5-10 images/s on a laptop CPU, so 10,000 images take 20-30 minutes, while the domain classifier
(a small CNN trained once per dataset and cached) extracts thousands of images per second. ``gankit eval``
is meant to be run often, during and after training, so it defaults to the fast, domain-specific features;
``--extractor inception`` gives numbers comparable with the literature (see docs/evaluation.md).
"""

from __future__ import annotations

# Metric names `gankit eval --metrics` accepts and what each adds to the result.
METRIC_OUTPUTS: dict[str, tuple[str, ...]] = {
    "fid": ("fid",),
    "kid": ("kid", "kid_std"),
    "is": ("is", "is_std"),
    "pr": ("precision", "recall"),
    "dc": ("density", "coverage"),
    "modes": ("modes_covered", "high_quality_fraction", "reverse_kl"),
    "classes": ("classes_covered", "class_kl_from_uniform"),
    "labels": ("label_accuracy", "label_accuracy_min"),  # conditional runs: GAN-test share of --label k put in class k
    # measured on the images themselves (gankit.metrics.swd, gankit.metrics.msssim); swd also gives swd_<height>
    "swd": ("swd",),  # sliced Wasserstein distance on Laplacian pyramids, x10^3 (ProGAN, Karras et al. 2018)
    "msssim": ("msssim", "msssim_real"),  # mean MS-SSIM of random pairs of samples, and of reference images
    "ppl": ("ppl",),  # perceptual path length of a run's generator (gankit.evaluation.ppl; needs asset vgg16)
    # image-to-image runs (gankit.evaluation.translation): outputs of held-out inputs vs their targets
    "paired": ("l1", "psnr", "ssim"),
    "accuracy": ("translation_accuracy",),  # unpaired runs: translation_accuracy_a2b, translation_accuracy_b2a
    "cycle": ("cycle_l1_a", "cycle_l1_b"),  # unpaired runs: |G_ba(G_ab(a)) - a| and |G_ab(G_ba(b)) - b| on [0, 1]
    # series runs (gankit.evaluation.series): the SigCWGAN benchmark's test metrics
    "marginal": ("marginal_distance",),
    "acf": ("acf_lag1",),
    "r2": ("r2_tstr", "r2_trtr", "r2_gap"),
    # table runs (gankit.evaluation.table): fidelity, train-on-synthetic utility, privacy
    "fidelity": ("shape_score", "ks_mean", "tv_mean"),
    "utility": ("tstr_f1_gb", "tstr_f1_lr", "trtr_f1_gb", "trtr_f1_lr"),
    "privacy": ("dcr_synthetic", "dcr_holdout", "dcr_ratio", "exact_copies"),
    # tables of binary columns (medGAN's measures, gankit.evaluation.dimwise)
    "dimwise": ("dwp_correlation", "dwp_mean_abs_diff", "dwpred_f1_real", "dwpred_f1_synthetic", "dwpred_f1_gap",
                "dwpred_mean_abs_gap", "dwpred_columns"),
    # real series of returns: QuantGAN's stylized facts of whole-length paths (gankit.metrics.stylized)
    "facts": ("emd_1", "emd_5", "emd_20", "emd_100", "acf_r", "acf_abs", "acf_sq", "leverage", "kurtosis_real",
              "kurtosis_fake"),
    # series runs, by default for TimeGAN's: its post-hoc GRU scores (gankit.metrics.timegan)
    "discriminative": ("discriminative",),
    "predictive": ("predictive", "predictive_real"),
}

EVAL_DEFAULTS: dict[str, object] = {
    "extractor": "classifier",  # fast on a CPU; see the module docstring
    "metrics_images": ("fid", "kid", "is", "pr"),  # "is" is skipped (with a note) for extractors without logits
    "metrics_points": ("fid", "kid", "pr", "modes"),  # "modes" only against a mixture with known modes
    "n_images": 10_000,  # generated (and at most this many reference) images
    "n_points": 2_500,  # the VEEGAN / PacGAN protocol draws 2,500 samples
    "seed": 0,  # latent vectors, labels and KID subsets
    "reference_points_seed": 1,  # reference points of a synthetic mixture, independent of a run's seed 0
    "ppl_pairs": 1_000,  # latent pairs of the perceptual path length (the StyleGAN paper: 100,000); --n overrides
    "precision": "fp32",  # feature extraction: fp32 or bf16 (autocast); docs/BENCHMARKS.md has the FID change
    "metrics_translation": ("paired", "fid", "kid", "accuracy"),  # accuracy: when the targets have classes
    "metrics_unpaired": ("fid", "kid", "accuracy", "cycle"),  # per direction (a2b, b2a): cyclegan runs
    "metrics_series": ("marginal", "acf", "r2"),
    "metrics_table": ("fidelity", "utility", "privacy"),  # and dimwise for binary tables; every window of the evaluation split, one continuation each
}
