"""One call that turns fake and real samples into every metric that applies: ``evaluate(fake, real)``.

It only wires the pieces together -- extractor -> features (and logits) -> metric functions -- with the
reference statistics optionally taken from the validated cache. The CLI's ``gankit eval`` sits on top.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from gankit.errors import ConfigError, DataError
from gankit.metrics._arrays import to_numpy
from gankit.metrics.coverage import class_coverage, mode_coverage
from gankit.metrics.defaults import DEFAULTS
from gankit.metrics.extractors import FeatureExtractor, extract, get_feature_extractor
from gankit.metrics.frechet import fid_from_features, frechet_distance, mean_and_covariance
from gankit.metrics.inception_score import inception_score
from gankit.metrics.kid import kid
from gankit.metrics.manifold import density_coverage, precision_recall
from gankit.metrics.msssim import msssim_diversity
from gankit.metrics.reference_cache import reference_stats
from gankit.metrics.swd import swd

METRICS = ("fid", "kid", "is", "pr", "dc", "modes", "classes", "swd", "msssim")
_NEEDS_REAL = ("fid", "kid", "pr", "dc")
PIXEL_METRICS = ("swd", "msssim")  # computed on the images themselves, no extractor
_NEEDS_LOGITS = ("is", "classes")


def _kind(samples: Any, what: str) -> str:
    shape = tuple(samples.shape)
    if len(shape) == 4:
        return "images"
    if len(shape) == 2:
        return "vectors"
    raise DataError(f"{what} must be images (N, C, H, W) or vectors (N, F), got shape {shape}")


def _resolve_extractor(extractor: str | FeatureExtractor, kwargs: dict[str, Any] | None) -> FeatureExtractor:
    if isinstance(extractor, FeatureExtractor):
        return extractor
    if isinstance(extractor, str):
        return get_feature_extractor(extractor, **(kwargs or {}))
    raise ConfigError(f"extractor must be a registered name or a FeatureExtractor, got {type(extractor).__name__}")


def _default_metrics(kind: str, has_real: bool, has_logits: bool, has_modes: bool) -> tuple[str, ...]:
    chosen = list(_NEEDS_REAL) if has_real else []
    if kind == "images" and has_logits:
        chosen += list(_NEEDS_LOGITS)
    if kind == "vectors" and has_modes:
        chosen.append("modes")
    return tuple(chosen)


def _check_applicable(name: str, kind: str, has_real: bool, has_logits: bool, has_modes: bool, extractor: str) -> None:
    if name not in METRICS:
        raise ConfigError(f"unknown metric {name!r}; choose from {list(METRICS)}")
    if name in _NEEDS_REAL and not has_real:
        raise ConfigError(f"metric {name!r} needs real samples (or cached reference statistics)")
    if name in _NEEDS_LOGITS and (kind != "images" or not has_logits):
        raise ConfigError(f"metric {name!r} needs class logits: extractor {extractor!r} has none on {kind}")
    if name == "modes" and not (kind == "vectors" and has_modes):
        raise ConfigError("metric 'modes' needs points (N, D) with modes= and mode_std= given")
    if name in PIXEL_METRICS and kind != "images":
        raise ConfigError(f"metric {name!r} needs images (N, C, H, W), got {kind}")


def _cache_key(reference_key: Any, extractor: FeatureExtractor | None, real: Any) -> dict[str, Any]:
    """reference_key + the extractor's id + the sample count ``n`` (from the key, else from ``real``)."""
    if not isinstance(reference_key, dict):
        raise ConfigError(f"reference_key must be a dict such as {{'dataset': ..., 'split': ...}}, got {reference_key!r}")
    key = dict(reference_key)
    key["extractor"] = extractor.cache_id() if extractor is not None else "identity"
    if real is not None:
        if key.setdefault("n", int(real.shape[0])) != int(real.shape[0]):
            raise ConfigError(f"reference_key n={key['n']} but {int(real.shape[0])} real samples were given")
    elif "n" not in key:
        raise ConfigError("reference_key needs 'n' (the sample count) when no real samples are given")
    return key


def evaluate(
    fake: torch.Tensor | np.ndarray,
    real: torch.Tensor | np.ndarray | None = None,
    metrics: tuple[str, ...] | list[str] | None = None,
    extractor: str | FeatureExtractor = str(DEFAULTS["extractor"]),
    *,
    extractor_kwargs: dict[str, Any] | None = None,
    modes: Any = None,
    mode_std: float | None = None,
    mode_threshold: float = float(DEFAULTS["mode_threshold"]),  # type: ignore[arg-type]
    batch_size: int | None = DEFAULTS["batch_size"],  # type: ignore[assignment]
    kid_subsets: int = int(DEFAULTS["kid_subsets"]),  # type: ignore[arg-type]
    kid_subset_size: int = int(DEFAULTS["kid_subset_size"]),  # type: ignore[arg-type]
    kid_degree: int = int(DEFAULTS["kid_degree"]),  # type: ignore[arg-type]
    kid_coef0: float = float(DEFAULTS["kid_coef0"]),  # type: ignore[arg-type]
    pr_k: int = int(DEFAULTS["pr_k"]),  # type: ignore[arg-type]
    dc_k: int = int(DEFAULTS["dc_k"]),  # type: ignore[arg-type]
    is_splits: int = int(DEFAULTS["is_splits"]),  # type: ignore[arg-type]
    seed: int = int(DEFAULTS["seed"]),  # type: ignore[arg-type]
    msssim_pairs: int = int(DEFAULTS["msssim_pairs"]),  # type: ignore[arg-type]
    reference_key: dict[str, Any] | None = None,
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    feature_dtype: torch.dtype | None = None,
) -> dict[str, Any]:
    """Compute the metrics of ``fake`` against ``real`` and return them in one flat dict plus ``settings``.

    Inputs are tensors or arrays, either images (N, C, H, W) in [-1, 1] -- run through ``extractor`` (a
    registered name such as "inception" or "classifier", built with ``extractor_kwargs``, or an instance) --
    or vectors (N, F): 2-D points or features already extracted, used as they are. ``real`` may also be
    the precomputed features (N, F) of real images.

    ``metrics`` names any of "fid", "kid" (-> ``kid``, ``kid_std``), "is" (-> ``is``, ``is_std``), "pr"
    (-> ``precision``, ``recall``), "dc" (-> ``density``, ``coverage``), "modes" (points with ``modes``
    (K, D) and ``mode_std`` -> ``modes_covered``, ``high_quality_fraction``, ``reverse_kl``) "classes"
    (-> ``classes_covered``, ``class_kl_from_uniform``, ``class_histogram``), and two measured on the images
    themselves, no extractor: "swd" (-> ``swd`` and ``swd_<height>`` per pyramid level, ×10³; against real
    images, `gankit.metrics.swd`) and "msssim" (-> ``msssim``, the mean MS-SSIM of ``msssim_pairs`` random pairs
    of fakes, and ``msssim_real`` of the real images when given; `gankit.metrics.msssim`). ``None`` means every metric that
    applies to the inputs: fid, kid, pr, dc when there are real samples, is and classes when the extractor has
    logits, modes when modes are given. Asking for one that does not apply raises ConfigError (the Inception
    network shipped here has no logits, so "is" needs the "classifier" extractor).

    With ``cache_dir`` and ``reference_key`` (e.g. {"dataset": "fashion-mnist", "split": "train"}), the real
    features come from :func:`reference_stats`, keyed by that dict plus the extractor id and the sample count.
    The ``settings`` entry records everything needed to reproduce the numbers. ``progress`` is called with
    the number of images of each batch run through the extractor (for a progress bar). ``feature_dtype``
    (e.g. ``torch.bfloat16``) runs the extractor under autocast in that type (None: float32); the cache key
    then names it, so float32 and bfloat16 reference features never mix.
    """
    kind = _kind(fake, "fake")
    has_modes = modes is not None and mode_std is not None
    use_cache = cache_dir is not None and reference_key is not None
    has_real = real is not None or use_cache
    real_kind = _kind(real, "real") if real is not None else None

    pixels_only = metrics is not None and bool(metrics) and all(name in PIXEL_METRICS for name in metrics)
    feature_extractor = (_resolve_extractor(extractor, extractor_kwargs)
                         if "images" in (kind, real_kind) and not pixels_only else None)
    extractor_name = "none" if pixels_only else feature_extractor.name if feature_extractor is not None else "identity"
    has_logits = feature_extractor is not None and feature_extractor.has_logits
    chosen = tuple(metrics) if metrics is not None else _default_metrics(kind, has_real, has_logits, has_modes)
    if not chosen:
        raise ConfigError("no metric applies: give real samples, an extractor with logits, or modes")
    for name in chosen:
        _check_applicable(name, kind, has_real, has_logits, has_modes, extractor_name)

    def features_of(samples: Any) -> np.ndarray:
        if _kind(samples, "samples") == "images":
            assert feature_extractor is not None
            return extract(feature_extractor, samples, batch_size, progress=progress, dtype=feature_dtype)
        return to_numpy(samples)

    fake_features = None if pixels_only else features_of(fake)
    result: dict[str, Any] = {}
    if "swd" in chosen and (real is None or real_kind != "images" or tuple(real.shape[1:]) != tuple(fake.shape[1:])):
        raise ConfigError("metric 'swd' needs real images of the fakes' shape (not features or cached statistics)")
    real_features = None
    reference_sigma = reference_mu = None
    if any(name in _NEEDS_REAL for name in chosen):
        if use_cache:
            key = _cache_key(reference_key, feature_extractor, real)
            if feature_dtype is not None:
                key["feature_dtype"] = str(feature_dtype).removeprefix("torch.")

            def compute() -> np.ndarray:
                if real is None:
                    raise ConfigError(f"no valid cached reference statistics for {key} in {cache_dir}, and no real samples")
                return features_of(real)

            reference_mu, reference_sigma, real_features = reference_stats(key, compute, cache_dir)  # type: ignore[arg-type]
        else:
            real_features = features_of(real)
        assert fake_features is not None
        if real_features.shape[1] != fake_features.shape[1]:
            raise DataError(f"real and fake features differ in width: {real_features.shape[1]} vs {fake_features.shape[1]}")

    if "fid" in chosen:
        if reference_mu is not None:
            mu, sigma = mean_and_covariance(fake_features)
            result["fid"] = frechet_distance(mu, sigma, reference_mu, reference_sigma)
        else:
            result["fid"] = fid_from_features(fake_features, real_features)
    if "kid" in chosen:
        result["kid"], result["kid_std"] = kid(fake_features, real_features, kid_subsets, kid_subset_size,
                                               kid_degree, None, kid_coef0, seed)
    if "pr" in chosen:
        result["precision"], result["recall"] = precision_recall(real_features, fake_features, pr_k)
    if "dc" in chosen:
        result["density"], result["coverage"] = density_coverage(real_features, fake_features, dc_k)
    if any(name in _NEEDS_LOGITS for name in chosen):
        assert feature_extractor is not None
        logits = extract(feature_extractor, fake, batch_size, output="logits", progress=progress, dtype=feature_dtype)
        if "is" in chosen:
            result["is"], result["is_std"] = inception_score(logits, is_splits)
        if "classes" in chosen:
            coverage = class_coverage(logits.argmax(axis=1), logits.shape[1])
            result["classes_covered"] = coverage["classes_covered"]
            result["class_kl_from_uniform"] = coverage["kl_from_uniform"]
            result["class_histogram"] = coverage["histogram"]
    if "modes" in chosen:
        found = mode_coverage(fake_features, modes, mode_std, mode_threshold)  # type: ignore[arg-type]
        result.update({name: found[name] for name in ("modes_covered", "high_quality_fraction", "reverse_kl")})
        result["mode_histogram"] = found["histogram"]
    if "swd" in chosen:
        result.update(swd(torch.as_tensor(fake), torch.as_tensor(real), seed=seed))
    if "msssim" in chosen:
        result["msssim"] = msssim_diversity(torch.as_tensor(fake), pairs=msssim_pairs, seed=seed)
        if real is not None and real_kind == "images":
            result["msssim_real"] = msssim_diversity(torch.as_tensor(real), pairs=msssim_pairs, seed=seed)

    result["settings"] = {
        "metrics": list(chosen),
        "extractor": extractor_name,
        "extractor_id": feature_extractor.cache_id() if feature_extractor is not None else extractor_name,
        "feature_dtype": str(feature_dtype or torch.float32).removeprefix("torch."),
        "feature_dim": None if fake_features is None else int(fake_features.shape[1]),
        "n_fake": int(fake.shape[0]),
        "n_real": int(real_features.shape[0]) if real_features is not None else (
            int(real.shape[0]) if real is not None and "swd" in chosen else None),
        "batch_size": batch_size if batch_size is not None or feature_extractor is None
        else feature_extractor.preferred_batch_size,
        "kid_subsets": kid_subsets,
        "kid_subset_size": kid_subset_size,
        "kid_degree": kid_degree,
        "kid_coef0": kid_coef0,
        "pr_k": pr_k,
        "dc_k": dc_k,
        "is_splits": is_splits,
        "mode_threshold": mode_threshold,
        "mode_std": mode_std,
        "msssim_pairs": msssim_pairs if "msssim" in chosen else None,
        "seed": seed,
        "reference_cache": str(cache_dir) if use_cache else None,
    }
    return result
