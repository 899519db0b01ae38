"""Saving and loading a :class:`DomainClassifier`: safetensors weights plus a JSON sidecar, never pickle.

``<name>.safetensors`` holds the state dict; ``<name>.json`` holds ``format``, the constructor ``config``
and free ``metadata`` (dataset, test accuracy ...). Both are written atomically (tmp file, fsync, replace).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from gankit.atomic import atomic_write
from gankit.errors import CheckpointError, ConfigError
from gankit.metrics.extractors.classifier import ClassifierFeatureExtractor, DomainClassifier

FORMAT = "gankit.domain_classifier/1"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def save_classifier(model: DomainClassifier, path: str | Path, metadata: dict[str, Any] | None = None) -> Path:
    """Write ``path`` (safetensors weights) and ``path`` with suffix .json (architecture + ``metadata``).

    Both files are written atomically. Returns the weights path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    sidecar = {"format": FORMAT, "config": model.config, "metadata": metadata or {}}
    atomic_write(path, lambda tmp: save_file(state, tmp))

    def write_json(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as stream:
            json.dump(sidecar, stream, indent=2, sort_keys=True)

    atomic_write(_sidecar(path), write_json)
    return path


def read_classifier_metadata(path: str | Path) -> dict[str, Any]:
    """The JSON sidecar of a saved classifier (format, config, metadata); CheckpointError if unreadable."""
    sidecar = _sidecar(Path(path))
    if not sidecar.is_file():
        raise CheckpointError(f"classifier sidecar not found: {sidecar}")
    try:
        content = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"classifier sidecar {sidecar} is not valid JSON: {error}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT or not isinstance(content.get("config"), dict):
        raise CheckpointError(f"classifier sidecar {sidecar} is not a {FORMAT} file")
    return content


def load_classifier(path: str | Path, device: torch.device | str | None = None) -> DomainClassifier:
    """Load a classifier written by :func:`save_classifier` (weights + JSON sidecar), in eval mode."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"classifier weights not found: {path}")
    content = read_classifier_metadata(path)
    try:
        model = DomainClassifier(**content["config"])
    except (TypeError, ConfigError) as error:
        raise CheckpointError(f"classifier sidecar {_sidecar(path)} has a bad config: {error}") from None
    try:
        state = load_file(str(path))
    except Exception as error:  # safetensors raises its own error types for corrupt files
        raise CheckpointError(f"classifier weights {path} are corrupt: {error}") from None
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        first_line = str(error).strip().splitlines()[0]
        raise CheckpointError(f"classifier weights {path} do not fit its sidecar: {first_line}") from None
    return model.to(device if device is not None else "cpu").eval()


def classifier_extractor(path: str | Path, device: torch.device | str | None = None) -> ClassifierFeatureExtractor:
    """Factory registered as "classifier": load the classifier saved at ``path`` and wrap it."""
    return ClassifierFeatureExtractor(load_classifier(path, device))
