"""Evaluating an image-to-image run: its outputs for the held-out inputs, against their targets.

``gankit eval RUN`` on a translation run (game pix2pix) translates the first ``n`` held-out sources of its data
and reports, with :mod:`gankit.metrics.paired` and :func:`gankit.metrics.evaluate`:

- ``paired``: L1, PSNR and SSIM of each output against its own target (Isola et al. 2017, Table 1 style);
- ``fid``, ``kid``: the outputs as a distribution against the held-out targets, in the features of the target
  domain's classifier when the targets come from a labelled dataset (edges2fashion: Fashion-MNIST), else of
  Inception-v3;
- ``accuracy``: the share of outputs that classifier puts in their target's class (needs target labels).

Unpaired runs (game cyclegan) are measured in both directions by :mod:`gankit.evaluation.translation_unpaired`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from gankit.data import PairedDataset, UnpairedDataset
from gankit.errors import ConfigError
from gankit.evaluation.defaults import EVAL_DEFAULTS
from gankit.evaluation.translation_features import target_extractor
from gankit.metrics import FeatureExtractor, evaluate, extract
from gankit.metrics.paired import l1_error, psnr, ssim, translation_accuracy
from gankit.sampling.translate import load_translator, translate_images
from gankit.training.setup import load_data

TRANSLATION_METRICS = ("paired", "fid", "kid", "accuracy")


def is_translation_run(loaded) -> bool:
    """Whether a loaded run maps images to images (its game takes no noise)."""
    return not loaded.game.takes_noise


def evaluate_translation(
    run: str | Path,
    *,
    metrics: Sequence[str] | None,
    n: int | None,
    extractor: str | None,
    seed: int,
    batch_size: int | None,
    cache: Path,
    device: torch.device,
    feature_dtype: torch.dtype | None,
    precision: str,
    build_extractor: Callable[..., tuple[FeatureExtractor, dict[str, Any] | None]],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The metrics of a translation run (see the module docstring); the same flat dict + ``settings`` as
    `gankit.evaluation.evaluate_source`, which calls this for translation runs."""
    loaded = load_translator(run, device)
    config = copy.deepcopy(loaded.config)
    config.data.limit = 1  # only the held-out pairs are measured: skip preparing the training images
    data = load_data(config)
    if isinstance(data, UnpairedDataset):
        from gankit.evaluation.translation_unpaired import evaluate_unpaired

        return evaluate_unpaired(run, data, metrics=metrics, n=n, extractor=extractor, seed=seed,
                                 batch_size=batch_size, cache=cache, device=device, feature_dtype=feature_dtype,
                                 precision=precision, build_extractor=build_extractor, say=say)
    if not isinstance(data, PairedDataset):
        raise ConfigError(f"{run} was trained on data that is neither paired nor unpaired images")
    chosen = tuple(metrics) if metrics is not None else tuple(EVAL_DEFAULTS["metrics_translation"])  # type: ignore[arg-type]
    for name in chosen:
        if name not in TRANSLATION_METRICS:
            raise ConfigError(f"metric {name!r} does not apply to a translation run; choose from "
                              f"{','.join(TRANSLATION_METRICS)}")
    count = min(n or len(data.test_source), len(data.test_source))
    sources, targets = data.test_source[:count], data.test_target[:count]
    outputs = translate_images(loaded, sources)
    result: dict[str, Any] = {}
    if "paired" in chosen:
        result.update(l1=l1_error(outputs, targets), psnr=psnr(outputs, targets), ssim=ssim(outputs, targets))

    skipped: list[str] = []
    labels = data.test_labels[:count] if data.test_labels is not None else None
    if "accuracy" in chosen and (labels is None or not data.target_dataset):
        if metrics is not None:
            raise ConfigError(f"metric 'accuracy' needs targets with classes; '{data.name}' has none")
        skipped.append(f"accuracy: the targets of '{data.name}' have no classes")
        chosen = tuple(m for m in chosen if m != "accuracy")
    distribution = [m for m in chosen if m in ("fid", "kid")]
    extractor_name, classifier_info, extractor_id = None, None, None
    if distribution or "accuracy" in chosen:
        feature_extractor, extractor_name, classifier_info, _ = target_extractor(
            run, data.name, data.target_dataset, extractor, outputs, count, cache, device, build_extractor, say)
        extractor_id = feature_extractor.cache_id()
        if distribution:
            scores = evaluate(outputs, targets, tuple(distribution), feature_extractor, batch_size=batch_size,
                              seed=seed, feature_dtype=feature_dtype)
            scores.pop("settings")
            result.update(scores)
        if "accuracy" in chosen:
            if not feature_extractor.has_logits:
                raise ConfigError(f"metric 'accuracy' needs a classifier; extractor '{extractor_name}' has no logits")
            logits = extract(feature_extractor, outputs, batch_size, output="logits", dtype=feature_dtype)
            result["translation_accuracy"] = translation_accuracy(logits, labels.numpy())
    result["settings"] = {
        "source": str(run), "source_kind": "translation", "checkpoint": str(loaded.checkpoint),
        "step": loaded.step, "n_fake": count, "n": count, "seed": seed,
        "ref": {"dataset": data.name, "split": "test", "n": count, "identity": f"{data.name} held-out targets",
                "shape": list(targets.shape[1:])},
        "extractor": extractor_name, "extractor_id": extractor_id or "none", "classifier": classifier_info,
        "precision": precision, "skipped": skipped, "cache_dir": str(cache),
    }
    return result
