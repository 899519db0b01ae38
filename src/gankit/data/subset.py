"""Which samples ``data.limit`` keeps: a seeded subset, stratified by class.

Keeping the first N samples of a class-folder dataset keeps class 0 alone (the files are listed class by
class), and the first N of a sorted set of photos may all come from one shoot. So ``limit`` draws instead:

* the per-class counts follow the class proportions, apportioned by the largest-remainder (Hamilton) method:
  class k with n_k of the M samples gets floor(N n_k / M), and the samples left over go, one each, to the
  classes with the largest remainders N n_k / M - floor(N n_k / M) (ties: the lower class index);
* when N >= K (the number of classes present), every class keeps at least one sample: a class whose quota
  rounds to 0 gets 1, paid for by the classes whose count most exceeds their quota;
* within a class the samples are a uniform draw without replacement from ``torch.Generator().manual_seed(seed)``
  (one permutation per class, classes in label order), so the subset depends on the labels and the seed alone;
* the kept indices are returned sorted, so the subset keeps the dataset's order.

Unlabelled data is one class: a uniform seeded subset of N.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


def stratified_counts(class_sizes: list[int], limit: int) -> list[int]:
    """How many samples of each class a subset of ``limit`` keeps (see the module docstring).

    >>> stratified_counts([90, 9, 1], 10)
    [8, 1, 1]
    """
    total = sum(class_sizes)
    if limit >= total:
        return list(class_sizes)
    quotas = [limit * size / total for size in class_sizes]
    counts = [int(q) for q in quotas]
    present = [k for k, size in enumerate(class_sizes) if size > 0]
    if limit >= len(present):
        for k in present:
            counts[k] = max(counts[k], 1)
    surplus = sum(counts) - limit
    if surplus < 0:  # hand out what flooring left, largest remainder first
        order = sorted(range(len(counts)), key=lambda k: (-(quotas[k] - counts[k]), k))
        for k in [k for k in order if counts[k] < class_sizes[k]][:-surplus]:
            counts[k] += 1
    while surplus > 0:  # take back what the at-least-one rule added, from the most over-served class with > 1
        k = min((k for k in range(len(counts)) if counts[k] > 1), key=lambda k: (quotas[k] - counts[k], k))
        counts[k] -= 1
        surplus -= 1
    return counts


def subset_indices(labels: torch.Tensor | None, n: int, limit: int, seed: int) -> torch.Tensor:
    """Sorted int64 indices of a seeded, class-stratified subset of ``min(limit, n)`` of ``n`` samples.

    ``labels``: int labels ``(n,)`` or None (unlabelled: one class).
    """
    if limit >= n:
        return torch.arange(n)
    labels = torch.zeros(n, dtype=torch.int64) if labels is None else labels.to(torch.int64).reshape(-1)
    if labels.shape != (n,):
        raise ValueError(f"labels have shape {tuple(labels.shape)}, expected ({n},)")
    sizes = torch.bincount(labels).tolist() if n else []
    counts = stratified_counts(sizes, limit)
    generator = torch.Generator().manual_seed(seed)
    kept = []
    for label, count in enumerate(counts):
        members = (labels == label).nonzero().flatten()
        if count:
            kept.append(members[torch.randperm(len(members), generator=generator)[:count]])
    return torch.cat(kept).sort().values if kept else torch.zeros(0, dtype=torch.int64)


@dataclass(frozen=True)
class Subset:
    """A request for ``size`` samples drawn by :func:`subset_indices` with ``seed`` (what ``data.limit`` means)."""

    size: int
    seed: int

    def indices(self, labels: torch.Tensor | None, n: int) -> torch.Tensor:
        """The kept indices of ``n`` samples with these ``labels`` (None: unlabelled)."""
        return subset_indices(labels, n, self.size, self.seed)
