"""The domain classifier behind ``gankit eval --extractor classifier``: trained once per dataset, then cached.

The classifier (:class:`gankit.metrics.DomainClassifier`) is trained on the reference dataset's labelled
training split at the reference's image shape and stored as
``<cache>/classifiers/<dataset>-<H>x<W>-c<C>.safetensors`` (+ a JSON sidecar with its metadata). Later calls
load it; a cached file that is unreadable or does not fit the data is retrained and replaced. A file lock beside it
(``.lock``) makes processes that share a cache (evaluations run side by side, the ranks of one job) train it once:
the others wait, then load what the first one saved.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import torch
from filelock import FileLock

from gankit.errors import CheckpointError, DataError
from gankit.evaluation.sources import Reference
from gankit.metrics import (
    ClassifierFeatureExtractor,
    DomainClassifier,
    classifier_accuracy,
    load_classifier,
    save_classifier,
    train_classifier,
)
from gankit.metrics.extractors import read_classifier_metadata

CLASSIFIER_BATCH_SIZE = 128
CLASSIFIER_MIN_EPOCHS = 5  # Fashion-MNIST: ~91% test accuracy after 5 epochs (2,345 steps)
CLASSIFIER_MIN_STEPS = 300  # small datasets train longer: 8x8 digits reach ~92% held-out accuracy in 300 steps
CLASSIFIER_SEED = 0


def classifier_path(cache_dir: Path, reference: Reference) -> Path:
    """``<cache_dir>/classifiers/<identity>-<H>x<W>-c<C>.safetensors`` for the reference's image shape."""
    channels, height, width = reference.data.sample_shape
    return Path(cache_dir) / "classifiers" / f"{reference.identity}-{height}x{width}-c{channels}.safetensors"


def classifier_epochs(n_train: int) -> int:
    """max(5, ceil(300 * 128 / n_train)): five epochs, or at least 300 optimizer steps on small datasets."""
    return max(CLASSIFIER_MIN_EPOCHS, math.ceil(CLASSIFIER_MIN_STEPS * CLASSIFIER_BATCH_SIZE / n_train))


def _fits(model: DomainClassifier, reference: Reference) -> bool:
    channels, height, _ = reference.data.sample_shape
    config = model.config
    classes = reference.data.num_classes
    return (config["in_channels"] == channels and config["img_size"] == height
            and (classes == 0 or config["num_classes"] == classes))


def domain_classifier(reference: Reference, cache_dir: Path, device: torch.device,
                      log: Callable[[str], None] = lambda message: None) -> tuple[ClassifierFeatureExtractor, dict[str, Any]]:
    """The cached domain classifier of ``reference`` as a feature extractor, training it first if absent.

    Returns (extractor on ``device``, info for the settings: its path and training metadata).
    DataError when the reference has no labels to train on.
    """
    path = classifier_path(cache_dir, reference)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        return _load_or_train(reference, path, device, log)


def _load_or_train(reference: Reference, path: Path, device: torch.device,
                   log: Callable[[str], None]) -> tuple[ClassifierFeatureExtractor, dict[str, Any]]:
    """The body of `domain_classifier`, run under its lock."""
    if path.is_file():
        try:
            model = load_classifier(path, device)
            if _fits(model, reference):
                metadata = read_classifier_metadata(path).get("metadata", {})
                return ClassifierFeatureExtractor(model), {"path": str(path), **metadata}
            log(f"cached classifier {path} does not fit reference '{reference.identity}'; training a new one")
        except CheckpointError as error:
            log(f"cached classifier {path} is unreadable ({error}); training a new one")
    model, metadata = _train(reference, device, log, path)
    save_classifier(model, path, metadata)
    return ClassifierFeatureExtractor(model), {"path": str(path), **metadata}


def _train(reference: Reference, device: torch.device, log: Callable[[str], None],
           path: Path) -> tuple[DomainClassifier, dict[str, Any]]:
    train = reference.load_train()
    if train.y is None or train.num_classes < 2:
        raise DataError(f"reference '{reference.display}' has no class labels to train the domain classifier on: "
                        "use --extractor inception")
    epochs = classifier_epochs(len(train))
    log(f"training the domain classifier on {reference.display} (train split, {len(train)} images, "
        f"{epochs} epochs) -> {path}")
    model = train_classifier(train.x, train.y, train.num_classes, epochs=epochs, batch_size=CLASSIFIER_BATCH_SIZE,
                             seed=CLASSIFIER_SEED, device=device)
    test_accuracy = None
    if reference.load_test is not None:
        test = reference.load_test()
        if test.y is not None:
            test_accuracy = classifier_accuracy(model, test.x, test.y)
            log(f"domain classifier test accuracy: {test_accuracy:.4f}")
    metadata = {"dataset": reference.identity, "split": "train", "n_train": len(train), "epochs": epochs,
                "batch_size": CLASSIFIER_BATCH_SIZE, "seed": CLASSIFIER_SEED, "test_accuracy": test_accuracy}
    return model, metadata
