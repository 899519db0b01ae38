"""Label accuracy of a class-conditional generator in ``gankit eval``: does ``--label k`` give class k?

The measure is the "GAN-test" of Shmelkov, Schmid & Alahari 2018 ("How good is my GAN?", ECCV): a classifier
trained on the real labelled training split (the cached domain classifier, `gankit.evaluation.classifier`) is
shown ``m`` samples drawn for each class k, and a_k = (1/m) sum_i [argmax f(G(z_i, k)) = k]; ``label_accuracy`` is
the mean of a_k over the classes (`gankit.metrics.label_accuracy`). The classifier's own accuracy on the real
test split bounds what a perfect generator can score (the classifier settings report it).

It is measured by default for a conditional generator run compared with its own data by the domain classifier,
and on request (``--metrics labels``) only where it applies.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.errors import ConfigError
from gankit.evaluation.sources import EvalSource
from gankit.metrics import FeatureExtractor, label_accuracy
from gankit.metrics.extractors.base import extract
from gankit.sampling import LoadedGenerator, draw_samples, load_generator

NAME = "labels"


def choose_label_metric(chosen: tuple[str, ...] | None, src: EvalSource, *, ref: Any,
                        extractor: str) -> tuple[tuple[str, ...] | None, bool]:
    """(the other metrics, whether to measure the label accuracy).

    Default (``chosen`` None): measured for a conditional generator run compared with its own data (no ``ref``)
    through the domain classifier. Asked for by name: a ConfigError where it cannot apply. ``src`` is the loaded
    source (`gankit.evaluation.sources.load_source`), whose settings say how many classes its generator has.
    """
    classes = int(src.settings.get("generator_classes", 0))
    if chosen is None:
        return None, ref is None and extractor == "classifier" and classes > 0
    if NAME not in chosen:
        return chosen, False
    if classes == 0:
        raise ConfigError(f"metric 'labels' measures a class-conditional generator; {src.settings['source']} is not "
                          "a run of one")
    if ref is not None:
        raise ConfigError("metric 'labels' classifies samples with the classes of the run's own data: drop --ref")
    if extractor != "classifier":
        raise ConfigError("metric 'labels' needs the domain classifier's class logits: use --extractor classifier")
    return tuple(name for name in chosen if name != NAME), True


def measure_label_accuracy(source: str | Path | LoadedGenerator, classifier: FeatureExtractor, *, n: int, seed: int,
                           label: int | str | None, device: torch.device, batch_size: int | None = None,
                           jacobian_rejection: float | None = None, truncation: float | None = None,
                           dtype: torch.dtype | None = None) -> tuple[dict[str, float], dict[str, Any]]:
    """(metrics, settings): ``n`` samples split evenly over the classes (all of class ``label`` when given), each
    class drawn from the same latent seed, classified by ``classifier``. ``source``: a run or checkpoint, or its
    generator already loaded (`gankit.evaluation.sources.EvalSource.generator`: loaded, and its standing
    statistics estimated, once per evaluation)."""
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source, device=device)
    classes = [label] if label is not None else list(range(loaded.game.num_classes))
    per_class = math.ceil(n / len(classes))
    predicted, requested = [], []
    for k in classes:
        drawn = draw_samples(loaded, per_class, label=k, seed=seed, jacobian_rejection=jacobian_rejection,
                             truncation=truncation)
        logits = extract(classifier, drawn.samples, batch_size, output="logits", dtype=dtype)
        predicted.append(logits.argmax(axis=1))
        requested.append(np.full(len(logits), _index(k, loaded)))
    found = label_accuracy(np.concatenate(predicted), np.concatenate(requested))
    names = loaded.data.class_names
    settings = {"samples_per_class": per_class,
                "per_class": {(names[k] if names and k < len(names) else str(k)): round(share, 4)
                              for k, share in found["per_class"].items()}}
    return {"label_accuracy": found["label_accuracy"], "label_accuracy_min": found["label_accuracy_min"]}, settings


def _index(label: int | str, loaded: Any) -> int:
    """The class index of ``label`` (an index or a class name of the run's data)."""
    from gankit.data.labels import resolve_label

    return int(resolve_label(label, loaded.game.num_classes, loaded.data.class_names))
