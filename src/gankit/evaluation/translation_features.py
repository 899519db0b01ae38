"""The feature extractor a translation run is measured in: the target domain's classifier, or Inception-v3.

Shared by the paired (`gankit.evaluation.translation`) and unpaired (`translation_unpaired`) evaluations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import torch

from gankit.errors import ConfigError
from gankit.evaluation.sources import EvalSource, Reference, load_reference
from gankit.metrics import FeatureExtractor


def target_extractor(
    run: str | Path, data_name: str, target_dataset: str | None, extractor: str | None, outputs: torch.Tensor,
    count: int, cache: Path, device: torch.device,
    build_extractor: Callable[..., tuple[FeatureExtractor, dict[str, Any] | None]], say: Callable[[str], None],
    what: str = "targets",
) -> tuple[FeatureExtractor, str, dict[str, Any] | None, Reference | None]:
    """(extractor, its name, the classifier's settings or None, the target dataset's reference or None).

    Default: the classifier of `target_dataset` (the registered labelled data the targets come from), loaded at
    the size and channels of `outputs`; Inception-v3 when the data names none. Asking for the classifier then
    is a `ConfigError` naming the data's `what` (targets, domains)."""
    name = extractor or ("classifier" if target_dataset else "inception")
    if name == "classifier" and not target_dataset:
        raise ConfigError(f"the {what} of '{data_name}' name no labelled dataset to train a classifier on: "
                          "use --extractor inception")
    stub = EvalSource(outputs, "image", {"source": str(run), "source_kind": "generator"})
    reference = load_reference(target_dataset, stub, count) if target_dataset else None
    feature_extractor, classifier_info = build_extractor(name, reference, cache, device, say)
    return feature_extractor, name, classifier_info, reference
