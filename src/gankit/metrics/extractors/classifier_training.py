"""Training and scoring a :class:`DomainClassifier` on labelled images (cheap on a 2-core CPU)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import DataError
from gankit.metrics._arrays import check_positive_int
from gankit.metrics.extractors.base import check_images
from gankit.metrics.extractors.classifier import DomainClassifier


def _check_training_data(x: torch.Tensor, y: torch.Tensor, num_classes: int) -> torch.Tensor:
    check_images(x)
    y = torch.as_tensor(y)
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise DataError(f"labels must have shape ({x.shape[0]},), got {tuple(y.shape)}")
    if y.is_floating_point() or y.is_complex():
        raise DataError(f"labels must be integers, got {y.dtype}")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise DataError(f"labels must lie in 0..{num_classes - 1}, got {int(y.min())}..{int(y.max())}")
    return y.long()


def train_classifier(
    x: torch.Tensor,
    y: torch.Tensor,
    num_classes: int,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    device: torch.device | str | None = None,
    width: int = 16,
    feature_dim: int = 128,
) -> DomainClassifier:
    """Train a :class:`DomainClassifier` on images ``x`` (N, C, H, W) in [-1, 1] with labels ``y`` (N,).

    Adam with a one-cycle learning-rate schedule (peak ``lr``), cross-entropy, mini-batches reshuffled each
    epoch. Seeded: the same inputs and seed give the same weights on one device (the global RNG is restored
    afterwards). ``device`` defaults to ``x``'s. Returns the model in eval mode. On Fashion-MNIST the
    defaults reach about 91% test accuracy in 5 epochs (see tests/metrics/test_metrics_classifier.py).
    """
    num_classes = check_positive_int("num_classes", num_classes)
    epochs, batch_size = check_positive_int("epochs", epochs), check_positive_int("batch_size", batch_size)
    if x.ndim != 4 or x.shape[2] != x.shape[3]:
        raise DataError(f"classifier images must be (N, C, S, S), got shape {tuple(x.shape)}")
    labels = _check_training_data(x, y, num_classes)
    device = torch.device(device) if device is not None else x.device
    steps_per_epoch = -(-x.shape[0] // batch_size)
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        model = DomainClassifier(x.shape[1], num_classes, x.shape[2], width, feature_dim).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
        shuffle = torch.Generator().manual_seed(seed)
        model.train()
        for _ in range(epochs):
            order = torch.randperm(x.shape[0], generator=shuffle)
            for start in range(0, x.shape[0], batch_size):
                batch = order[start : start + batch_size]
                loss = F.cross_entropy(model(x[batch].to(device)), labels[batch].to(device))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
    return model.eval()


def classifier_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Fraction of images whose arg-max logit equals the label, in eval mode under inference_mode."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, x.shape[0], batch_size):
            logits = model(x[start : start + batch_size].to(device))
            correct += int((logits.argmax(dim=1).cpu() == torch.as_tensor(y[start : start + batch_size])).sum())
    model.train(was_training)
    return correct / x.shape[0]
