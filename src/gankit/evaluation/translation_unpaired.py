"""Evaluating an unpaired image-to-image run (game cyclegan): both directions on the held-out images.

``gankit eval RUN`` on a CycleGAN run translates the first ``n`` held-out images of each domain, a -> b with
G_ab and b -> a with G_ba, and reports per direction (Zhu et al. 2017, §5.1 measure the same three things
with an FCN score, perceptual studies and reconstructions):

- ``accuracy``: ``translation_accuracy_a2b``, the share of translated a-images the domain classifier puts in
  b's class (sneaker2boot: Fashion-MNIST class 9, Ankle boot), and ``translation_accuracy_b2a`` (class 7);
  the domains' classes are found by their names among the classifier's (``class_names`` of the data);
- ``cycle``: ``cycle_l1_a`` = mean |G_ba(G_ab(a)) - a| and ``cycle_l1_b`` = mean |G_ab(G_ba(b)) - b| on [0, 1];
- ``fid``, ``kid``: ``fid_a2b`` etc., the outputs as a distribution against the held-out images of the target
  domain, in the classifier's features (Inception-v3's when the data names no labelled dataset).

``paired`` does not apply (there are no targets); asked for, it is a `ConfigError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from gankit.data import UnpairedDataset
from gankit.errors import ConfigError
from gankit.evaluation.defaults import EVAL_DEFAULTS
from gankit.evaluation.translation_features import target_extractor
from gankit.metrics import FeatureExtractor, evaluate, extract
from gankit.metrics.paired import l1_error, translation_accuracy
from gankit.sampling.translate import load_translator, translate_images

UNPAIRED_METRICS = ("fid", "kid", "accuracy", "cycle")


def _chosen(metrics: Sequence[str] | None) -> tuple[str, ...]:
    chosen = tuple(metrics) if metrics is not None else tuple(EVAL_DEFAULTS["metrics_unpaired"])  # type: ignore[arg-type]
    for name in chosen:
        if name not in UNPAIRED_METRICS:
            raise ConfigError(f"metric {name!r} does not apply to an unpaired translation run; choose from "
                              f"{','.join(UNPAIRED_METRICS)}")
    return chosen


def domain_labels(data: UnpairedDataset, classifier_classes: Sequence[str]) -> tuple[int, int]:
    """The classifier's labels of domains a and b, found by the data's ``class_names`` (e.g. Sneaker = 7)."""
    if len(data.class_names) != 2 or any(name not in classifier_classes for name in data.class_names):
        raise ConfigError(f"metric 'accuracy' needs the classes of both domains of '{data.name}' among the "
                          f"classifier's ({', '.join(classifier_classes) or 'none'})")
    return classifier_classes.index(data.class_names[0]), classifier_classes.index(data.class_names[1])


def _translations(run, device, data: UnpairedDataset, count: int) -> tuple[dict[str, torch.Tensor], dict, Any]:
    """Held-out inputs and outputs of both directions, and the cycle reconstructions."""
    g_ab, g_ba = load_translator(run, device, "a2b"), load_translator(run, device, "b2a")
    a, b = data.test_a[:count], data.test_b[:count]
    fake_b, fake_a = translate_images(g_ab, a, direction="a2b"), translate_images(g_ba, b, direction="b2a")
    images = {"a": a, "b": b, "a2b": fake_b, "b2a": fake_a,
              "aba": translate_images(g_ba, fake_b, direction="b2a"), "bab": translate_images(g_ab, fake_a)}
    return images, {"a2b": b, "b2a": a}, g_ab


def evaluate_unpaired(
    run: str | Path, data: UnpairedDataset, *, metrics: Sequence[str] | None, n: int | None, extractor: str | None,
    seed: int, batch_size: int | None, cache: Path, device: torch.device, feature_dtype: torch.dtype | None,
    precision: str, build_extractor: Callable[..., tuple[FeatureExtractor, dict[str, Any] | None]],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The metrics of a CycleGAN run (see the module docstring), as a flat dict + ``settings``."""
    chosen = _chosen(metrics)
    count = min(n or len(data.test_a), len(data.test_a), len(data.test_b))
    images, targets, loaded = _translations(run, device, data, count)
    result: dict[str, Any] = {}
    if "cycle" in chosen:
        result.update(cycle_l1_a=l1_error(images["aba"], images["a"]), cycle_l1_b=l1_error(images["bab"], images["b"]))
    skipped: list[str] = []
    if "accuracy" in chosen and not data.target_dataset:
        if metrics is not None:
            raise ConfigError(f"metric 'accuracy' needs domains with classes; '{data.name}' names no labelled dataset")
        skipped.append(f"accuracy: the domains of '{data.name}' name no labelled dataset")
        chosen = tuple(m for m in chosen if m != "accuracy")
    distribution = tuple(m for m in chosen if m in ("fid", "kid"))
    extractor_name, classifier_info, extractor_id = None, None, None
    if distribution or "accuracy" in chosen:
        feature_extractor, extractor_name, classifier_info, reference = target_extractor(
            run, data.name, data.target_dataset, extractor, images["a2b"], count, cache, device, build_extractor, say,
            what="domains")
        extractor_id = feature_extractor.cache_id()
        for direction in ("a2b", "b2a"):
            if distribution:
                scores = evaluate(images[direction], targets[direction], distribution, feature_extractor,
                                  batch_size=batch_size, seed=seed, feature_dtype=feature_dtype)
                scores.pop("settings")
                result.update({f"{key.replace('_std', '')}_{direction}{'_std' * key.endswith('_std')}": value
                               for key, value in scores.items()})
        if "accuracy" in chosen:
            if not feature_extractor.has_logits:
                raise ConfigError(f"metric 'accuracy' needs a classifier; extractor '{extractor_name}' has no logits")
            label_a, label_b = domain_labels(data, reference.data.class_names)
            for direction, label in (("a2b", label_b), ("b2a", label_a)):
                logits = extract(feature_extractor, images[direction], batch_size, output="logits", dtype=feature_dtype)
                result[f"translation_accuracy_{direction}"] = translation_accuracy(logits, [label] * count)
    result["settings"] = {
        "source": str(run), "source_kind": "translation", "checkpoint": str(loaded.checkpoint),
        "step": loaded.step, "n_fake": count, "n": count, "seed": seed,
        "ref": {"dataset": data.name, "split": "test", "n": count, "identity": f"{data.name} held-out images of the "
                "other domain", "shape": list(images["a"].shape[1:])},
        "extractor": extractor_name, "extractor_id": extractor_id or "none", "classifier": classifier_info,
        "precision": precision, "skipped": skipped, "cache_dir": str(cache),
    }
    return result
