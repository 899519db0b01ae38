"""Translation tasks built from Fashion-MNIST (Xiao et al. 2017): ``edges2fashion`` and ``sneaker2boot``.

* ``edges2fashion`` (paired, the small analogue of pix2pix's edges2shoes, Isola et al. 2017): the source is the
  garment's edge map (:mod:`gankit.data.edges`: Canny on the resized image, black lines on white), the target
  the garment. Training pairs come from the train split (60,000), test pairs from the test split: a
  class-stratified ``TEST_LIMIT`` of its 10,000 (100 per class, seed 0), with their labels in ``test_labels``
  (translation accuracy needs them).
* ``sneaker2boot`` (unpaired, the small analogue of CycleGAN's horse2zebra, Zhu et al. 2017): domain ``a`` is
  class 7 (Sneaker), domain ``b`` class 9 (Ankle boot); 6,000 of each from the train split, 1,000 of each from
  the test split held out.

Both default to 32 px (``data.img_size`` changes it; the edges are computed at that size); ``data.path`` is
Fashion-MNIST's folder, as for ``fashion-mnist``; ``data.split`` does not apply (both splits are loaded).
"""

from __future__ import annotations

import torch

from gankit.data.edges import edge_maps
from gankit.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist
from gankit.data.registry import LoadRequest
from gankit.data.subset import Subset
from gankit.data.transforms import finish_dataset
from gankit.data.translation import PairedDataset, UnpairedDataset
from gankit.data.translation_finish import TEST_LIMIT, finish_paired, finish_unpaired

DEFAULT_SIZE = 32
SNEAKER, ANKLE_BOOT = 7, 9  # Fashion-MNIST's labels of the two sneaker2boot domains
TEST_SEED = 0  # the stratified draw of edges2fashion's test pairs: fixed, so every run is scored on the same ones


def _garments(request: LoadRequest, split: str, size: int, limit: int | None, subset: Subset | None):
    """Fashion-MNIST's ``split`` as float32 ``(N, 1, size, size)`` in [-1, 1], with its labels."""
    raw = load_fashion_mnist(LoadRequest(path=request.path, split=split, limit=limit, subset=subset))
    data = finish_dataset(raw, img_size=size)
    return data.x, data.y


def load_edges2fashion(request: LoadRequest) -> PairedDataset:
    """Edge map -> garment pairs (see the module docstring)."""
    size = request.img_size or DEFAULT_SIZE
    x, y = _garments(request, "train", size, request.limit, request.subset)
    test_x, test_y = _garments(request, "test", size, None, Subset(TEST_LIMIT, TEST_SEED))
    return finish_paired(edge_maps(x), x, edge_maps(test_x), test_x, request, name="edges2fashion", labels=y,
                         test_labels=test_y, class_names=CLASS_NAMES, target_dataset="fashion-mnist")


def _domain(x: torch.Tensor, y: torch.Tensor, label: int) -> torch.Tensor:
    return x[y == label]


def load_sneaker2boot(request: LoadRequest) -> UnpairedDataset:
    """Sneakers (domain a) and ankle boots (domain b), unpaired (see the module docstring)."""
    train = load_fashion_mnist(LoadRequest(path=request.path, split="train"))
    test = load_fashion_mnist(LoadRequest(path=request.path, split="test"))
    return finish_unpaired(
        _domain(train.x, train.y, SNEAKER), _domain(train.x, train.y, ANKLE_BOOT),
        _domain(test.x, test.y, SNEAKER), _domain(test.x, test.y, ANKLE_BOOT), request, name="sneaker2boot",
        default_size=DEFAULT_SIZE, domain_names=("sneaker", "ankle boot"),
        class_names=(CLASS_NAMES[SNEAKER], CLASS_NAMES[ANKLE_BOOT]), target_dataset="fashion-mnist",
    )
