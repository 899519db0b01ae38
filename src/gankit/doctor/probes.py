"""Cheap diversity statistics of a batch of generated samples: what the mode-collapse monitor reads.

Logged statistics cannot see mode collapse (a collapsed generator can fool D for a while), so the doctor
looks at samples: their spread relative to real data, the known modes they reach (2-D mixtures) and the
classes a classifier finds in them.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from gankit.metrics import class_coverage, mode_coverage


def mean_pairwise_distance(samples: torch.Tensor) -> float:
    """(1 / (n (n - 1))) * sum_{i != j} ||x_i - x_j||_2 over the flattened samples (n >= 2).

    The spread statistic behind the "average pairwise distance" diversity checks of the mode-collapse
    literature (e.g. Srivastava et al. 2017; Karras et al. 2018 measure it through minibatch statistics).
    """
    flat = samples.detach().reshape(len(samples), -1).double()
    n = flat.shape[0]
    if n < 2:
        raise ValueError(f"mean_pairwise_distance needs at least 2 samples, got {n}")
    return float(torch.cdist(flat, flat).sum() / (n * (n - 1)))


def mode_occupancy(samples: torch.Tensor, modes: torch.Tensor, min_share: float = 1 / 32) -> dict[str, Any]:
    """How many of K known modes the samples sit at, without requiring the samples to be sharp.

    Each sample goes to its nearest mode when it lies within r = half the smallest distance between two modes
    (the largest radius at which the balls around the modes do not overlap; unbounded for K = 1). A mode is
    *occupied* when it receives at least ``min_share`` of all samples (1/32: a quarter of the 1/8 share each
    mode of the 8-Gaussian ring deserves). Unlike the high-quality count of `gankit.metrics.mode_coverage`
    (within 3 std, which a generator still learning rarely reaches) this sees collapse early: a generator that
    has collapsed puts most samples at few modes, one that is still learning spreads them or sits between them.
    Returns ``modes_occupied`` and ``occupied_fraction`` (the share of samples within r of a mode).
    """
    points = samples.detach().reshape(len(samples), -1).double().cpu()
    centres = modes.detach().double().cpu()
    distances = torch.cdist(points, centres)
    nearest, index = distances.min(dim=1)
    if len(centres) > 1:
        between = torch.cdist(centres, centres)
        between.fill_diagonal_(float("inf"))
        inside = nearest <= between.min() / 2
    else:
        inside = torch.ones_like(nearest, dtype=torch.bool)
    counts = torch.bincount(index[inside], minlength=len(centres))
    return {"modes_occupied": int((counts >= min_share * len(points)).sum()),
            "occupied_fraction": float(inside.double().mean())}


@torch.no_grad()
def predicted_labels(
    classifier: Callable[[torch.Tensor], torch.Tensor], samples: torch.Tensor
) -> tuple[torch.Tensor, int]:
    """argmax of the classifier's logits (N, K) for `samples`, and K. An `nn.Module` runs in eval mode on its device."""
    if isinstance(classifier, torch.nn.Module):
        was_training = classifier.training
        classifier.eval()
        try:
            device = next(classifier.parameters()).device
            logits = classifier(samples.to(device))
        finally:
            classifier.train(was_training)
    else:
        logits = classifier(samples)
    if logits.dim() != 2:
        raise ValueError(f"the classifier must return logits of shape (N, K), got {tuple(logits.shape)}")
    return logits.argmax(dim=1).cpu(), int(logits.shape[1])


def sample_diversity(
    samples: torch.Tensor,
    real: torch.Tensor | None = None,
    *,
    modes: torch.Tensor | None = None,
    mode_std: float | None = None,
    classifier: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> dict[str, Any]:
    """Diversity statistics of generated `samples` (N, ...), all cheap for N of a few hundred.

    * ``pairwise_distance``: mean pairwise L2 distance of the samples (see `mean_pairwise_distance`);
      with `real` (a batch of real samples) also ``real_pairwise_distance`` and ``diversity_ratio`` = their
      quotient: about 1 for a healthy generator, near 0 for one that produces a single output.
    * with `modes` (K, D) and `mode_std` (a known mixture such as the 8-Gaussian ring): ``modes_covered``,
      ``num_modes``, ``high_quality_fraction`` and ``reverse_kl`` (`gankit.metrics.mode_coverage`: the
      VEEGAN/PacGAN protocol, a sample within 3 std of its nearest mode is high quality), and
      ``modes_occupied`` and ``occupied_fraction`` (`mode_occupancy`, the statistics the monitor reads).
    * with `classifier` (images -> logits (N, K)): ``classes_covered``, ``num_classes`` and ``class_kl``
      (`gankit.metrics.class_coverage` of the predicted labels: KL from uniform, 0 when balanced, log K for one
      class).
    """
    samples = samples.detach().float().cpu()
    out: dict[str, Any] = {"num_samples": int(len(samples)), "pairwise_distance": mean_pairwise_distance(samples)}
    if real is not None:
        real_distance = mean_pairwise_distance(real.detach().float().cpu())
        out["real_pairwise_distance"] = real_distance
        out["diversity_ratio"] = out["pairwise_distance"] / real_distance if real_distance > 0 else float("nan")
    if modes is not None:
        if mode_std is None:
            raise ValueError("sample_diversity: modes need mode_std")
        coverage = mode_coverage(samples.reshape(len(samples), -1), modes.detach().cpu(), mode_std)
        out.update(modes_covered=coverage["modes_covered"], num_modes=int(len(modes)),
                   high_quality_fraction=coverage["high_quality_fraction"], reverse_kl=coverage["reverse_kl"],
                   mode_histogram=coverage["histogram"], **mode_occupancy(samples, modes))
    if classifier is not None:
        labels, num_classes = predicted_labels(classifier, samples)
        coverage = class_coverage(labels, num_classes)
        out.update(classes_covered=coverage["classes_covered"], num_classes=num_classes,
                   class_kl=coverage["kl_from_uniform"], class_histogram=coverage["histogram"])
    return out
