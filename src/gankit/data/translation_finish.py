"""The load-time options every translation loader applies itself: limit, size and channels.

:func:`gankit.data.load_dataset` hands a :class:`PairedDataset` or :class:`UnpairedDataset` back as the loader
built it, so each translation loader ends with :func:`finish_paired` or :func:`finish_unpaired`:

* ``limit`` keeps the first ``limit`` training images (of each domain when unpaired), or ``subset`` the seeded
  class-stratified subset of :mod:`gankit.data.subset` (unlabelled data is one class);
* the held-out images are capped at ``TEST_LIMIT`` (the first ones), so a large test folder cannot fill memory;
* every image is resized to ``img_size`` (the request's, else the task's default; bilinear, antialiased, see
  :func:`resize_images`) and converted to ``channels`` (grey tiles, colour takes the ITU-R 601 luma, see
  :func:`convert_channels`) when one is asked for.
"""

from __future__ import annotations

import torch

from gankit.data.registry import LoadRequest
from gankit.data.transforms import resize_and_convert, to_signed
from gankit.data.translation import PairedDataset, UnpairedDataset

TEST_LIMIT = 1000  # held-out images kept per side (paired) or per domain (unpaired)


def kept_indices(n: int, request: LoadRequest, labels: torch.Tensor | None = None) -> torch.Tensor | None:
    """Indices of the training samples ``request`` keeps out of ``n`` (None: all of them, in order)."""
    if request.subset is not None and n > request.subset.size:
        return request.subset.indices(labels, n)
    if request.limit is not None and n > request.limit:
        return torch.arange(request.limit)
    return None


def keep(x: torch.Tensor, index: torch.Tensor | None) -> torch.Tensor:
    """``x[index]``, or ``x`` when ``index`` is None."""
    return x if index is None else x[index]


def finish_images(x: torch.Tensor, img_size: int | None, channels: int | None) -> torch.Tensor:
    """Float32 contiguous images in [-1, 1] at ``img_size`` with ``channels`` (None: leave as they are)."""
    return resize_and_convert(to_signed(x), img_size, channels).to(torch.float32).contiguous()


def finish_paired(
    source: torch.Tensor, target: torch.Tensor, test_source: torch.Tensor, test_target: torch.Tensor,
    request: LoadRequest, *, name: str, default_size: int | None = None, labels: torch.Tensor | None = None,
    test_labels: torch.Tensor | None = None, class_names: tuple[str, ...] = (), target_dataset: str | None = None,
) -> PairedDataset:
    """A :class:`PairedDataset` with the request's limit (or subset, stratified by ``labels`` when given),
    size (``request.img_size`` else ``default_size``) and channels applied to both sides, and its test pairs
    capped at ``TEST_LIMIT``."""
    index = kept_indices(len(source), request, labels)
    size = request.img_size or default_size
    test_labels = None if test_labels is None else test_labels[:TEST_LIMIT].to(torch.int64).contiguous()
    return PairedDataset(
        source=finish_images(keep(source, index), size, request.channels),
        target=finish_images(keep(target, index), size, request.channels),
        test_source=finish_images(test_source[:TEST_LIMIT], size, request.channels),
        test_target=finish_images(test_target[:TEST_LIMIT], size, request.channels),
        name=name, test_labels=test_labels, class_names=tuple(class_names), target_dataset=target_dataset,
    )


def finish_unpaired(
    a: torch.Tensor, b: torch.Tensor, test_a: torch.Tensor, test_b: torch.Tensor, request: LoadRequest, *,
    name: str, default_size: int | None = None, domain_names: tuple[str, str] = ("a", "b"),
    class_names: tuple[str, ...] = (), target_dataset: str | None = None,
) -> UnpairedDataset:
    """An :class:`UnpairedDataset` with the request's limit (or subset) applied to each domain on its own,
    size and channels to every image, and each test domain capped at ``TEST_LIMIT``."""
    size = request.img_size or default_size
    return UnpairedDataset(
        a=finish_images(keep(a, kept_indices(len(a), request)), size, request.channels),
        b=finish_images(keep(b, kept_indices(len(b), request)), size, request.channels),
        test_a=finish_images(test_a[:TEST_LIMIT], size, request.channels),
        test_b=finish_images(test_b[:TEST_LIMIT], size, request.channels),
        name=name, domain_names=domain_names, class_names=tuple(class_names), target_dataset=target_dataset,
    )
