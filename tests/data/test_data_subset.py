"""data.limit: a seeded subset stratified by class, for class folders and the built-in labelled sets."""

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import ArrayDataset, load_dataset, register_dataset, subset_indices
from gankit.data.fashion_mnist import DEFAULT_FOLDER
from gankit.data.subset import stratified_counts


@pytest.mark.parametrize("sizes,limit,expected", [
    ([50, 30, 20], 10, [5, 3, 2]),  # exact proportions
    ([6, 3, 3], 6, [3, 2, 1]),  # 3, 1.5, 1.5: the one left over goes to the lower class index
    ([90, 9, 1], 10, [8, 1, 1]),  # 9, 0.9, 0.1 -> at least one each, paid by the largest class
    ([5, 5, 5, 5], 2, [1, 1, 0, 0]),  # fewer samples than classes: no minimum
    ([4, 0, 2], 3, [2, 0, 1]),  # an empty class gets nothing
    ([3, 2], 10, [3, 2]),  # more than there is: everything
])
def test_counts_by_hand(sizes, limit, expected):
    assert stratified_counts(sizes, limit) == expected


def test_counts_keep_their_promises_on_random_cases():
    rng = np.random.default_rng(0)
    for _ in range(300):
        sizes = rng.integers(0, 40, rng.integers(1, 12)).tolist()
        total, present = sum(sizes), sum(s > 0 for s in sizes)
        limit = int(rng.integers(1, total + 2)) if total else 1
        counts = stratified_counts(sizes, limit)
        assert sum(counts) == min(limit, total)
        assert all(0 <= c <= s for c, s in zip(counts, sizes))
        if limit >= present:
            assert all(c >= 1 for c, s in zip(counts, sizes) if s > 0)


def test_indices_are_sorted_unique_seeded_and_stratified():
    labels = torch.tensor([0] * 60 + [1] * 30 + [2] * 10)
    kept = subset_indices(labels, 100, 20, seed=7)
    assert torch.equal(kept, kept.sort().values) and kept.unique().numel() == 20
    assert torch.bincount(labels[kept]).tolist() == [12, 6, 2]
    assert torch.equal(kept, subset_indices(labels, 100, 20, seed=7))
    assert not torch.equal(kept, subset_indices(labels, 100, 20, seed=8))
    unlabelled = subset_indices(None, 100, 10, seed=0)
    assert unlabelled.numel() == 10 and not torch.equal(unlabelled, torch.arange(10))


def _class_folder(root, counts):
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            Image.new("RGB", (8, 8), (i * 20, 0, 0)).save(root / name / f"{i:02d}.png")
    return root


def test_a_limited_class_folder_keeps_every_class(tmp_path):
    root = _class_folder(tmp_path / "photos", {"cat": 6, "coffee": 3, "dog": 3})
    first = load_dataset("folder", root, limit=6)  # the old meaning, still the default of load_dataset
    assert first.y.tolist() == [0] * 6
    data = load_dataset("folder", root, limit=6, subset_seed=0, keep_uint8=True)
    assert torch.bincount(data.y).tolist() == [3, 2, 1] and data.class_names == ("cat", "coffee", "dog")
    again = load_dataset("folder", root, limit=6, subset_seed=0, keep_uint8=True)
    assert torch.equal(again.x, data.x)
    other_seeds = [load_dataset("folder", root, limit=6, subset_seed=s, keep_uint8=True).x for s in range(1, 6)]
    assert any(not torch.equal(x, data.x) for x in other_seeds)
    assert torch.bincount(load_dataset("folder", root, limit=3, subset_seed=0).y).tolist() == [1, 1, 1]


def test_config_limit_is_seeded_by_the_config_seed(tmp_path):
    from gankit.api import load_data
    from gankit.config import load_config

    root = _class_folder(tmp_path / "photos", {"a": 10, "b": 10})

    def kept(seed):
        config = load_config("dcgan-fashion", ["data.name=folder", f"data.path={root}", "data.limit=4",
                                               f"seed={seed}"])
        return load_data(config)

    data = kept(0)
    assert data.x.dtype == torch.uint8 and torch.bincount(data.y).tolist() == [2, 2]
    assert torch.equal(kept(0).x, data.x)
    assert any(not torch.equal(kept(seed).x, data.x) for seed in (1, 2, 3))


def test_builtin_digits_limit_is_stratified():
    data = load_dataset("digits", limit=50, subset_seed=3)
    assert torch.bincount(data.y, minlength=10).tolist() == [5] * 10  # 178-183 of each class: 5 each
    assert data.class_names == tuple("0123456789")
    full = load_dataset("digits")
    kept = subset_indices(full.y, len(full), 50, seed=3)
    assert torch.equal(data.x, full.x[kept])  # drawn early by the loader = drawn late by load_dataset


@pytest.mark.skipif(not DEFAULT_FOLDER.is_dir(), reason="apt-get install dataset-fashion-mnist to run this test")
def test_builtin_fashion_mnist_limit_is_stratified_and_named():
    data = load_dataset("fashion-mnist", limit=100, subset_seed=0)
    assert torch.bincount(data.y, minlength=10).tolist() == [10] * 10
    assert data.class_names[:2] == ("T-shirt/top", "Trouser") and data.class_names[-1] == "Ankle boot"


def test_a_loader_that_ignores_the_subset_still_gets_one():
    def load_labelled(request):
        assert request.limit is None and request.subset is not None  # "first N" is not asked for
        y = torch.arange(40) // 20  # 20 of class 0, then 20 of class 1
        return ArrayDataset(x=torch.arange(40.0)[:, None], y=y, num_classes=2, name="halves", kind="points")

    register_dataset("test-halves", load_labelled)
    data = load_dataset("test-halves", limit=10, subset_seed=1)
    assert torch.bincount(data.y).tolist() == [5, 5]
