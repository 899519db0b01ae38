"""Image-to-image data: paired (`source` -> `target`, pix2pix) and unpaired (domains `a` and `b`, CycleGAN).

A translation dataset holds its training images and its held-out test images, all float32 ``(N, C, H, W)`` in
[-1, 1]. It yields named fields (`gankit.data.batch`): a paired set one group ``pairs`` with ``source`` and
``target`` drawn at the same indices; an unpaired set two groups ``a`` and ``b``, each drawn on its own, so
the two domains never pair up by position. The held-out images are the fixed inputs of previews and of
``gankit eval``. ``x`` is the domain a generator produces (the targets, or domain ``b``), so code that asks
a dataset for "the real images" (FID references, the run summary) keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

PREVIEW_PAIRS = 8  # held-out inputs a preview strip shows


def _check_images(name: str, images: torch.Tensor) -> None:
    if images.dim() != 4 or images.dtype != torch.float32:
        raise ValueError(f"{name} must be float32 images (N, C, H, W), got {images.dtype} {tuple(images.shape)}")


@dataclass
class PairedDataset:
    """Aligned pairs: ``source[i]`` translates to ``target[i]``; ``test_source``/``test_target`` held out."""

    source: torch.Tensor
    target: torch.Tensor
    test_source: torch.Tensor
    test_target: torch.Tensor
    name: str
    kind: str = "image"
    num_classes: int = 0
    y: None = None
    test_labels: torch.Tensor | None = None  # classes of the held-out targets, when known (translation accuracy)
    class_names: tuple[str, ...] = ()
    target_dataset: str | None = None  # the registered labelled dataset the targets come from (its classifier)

    def __post_init__(self) -> None:
        for field in ("source", "target", "test_source", "test_target"):
            _check_images(field, getattr(self, field))
        def count_and_size(t: torch.Tensor) -> tuple[int, ...]:  # channels may differ (grey -> colour)
            return (t.shape[0], *t.shape[2:])

        if count_and_size(self.source) != count_and_size(self.target) \
                or count_and_size(self.test_source) != count_and_size(self.test_target) \
                or self.test_source.shape[1:] != self.source.shape[1:] \
                or self.test_target.shape[1:] != self.target.shape[1:]:
            raise ValueError(f"paired images must share their sizes: source {tuple(self.source.shape)}, target "
                             f"{tuple(self.target.shape)}, test {tuple(self.test_source.shape)}, "
                             f"{tuple(self.test_target.shape)}")
        if len(self.test_source) == 0:
            raise ValueError("a paired dataset needs held-out test pairs")

    @property
    def x(self) -> torch.Tensor:
        return self.target

    @property
    def paired(self) -> bool:
        return True

    def __len__(self) -> int:
        return int(self.source.shape[0])

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.target.shape[1:])

    def field_groups(self) -> dict[str, dict[str, torch.Tensor]]:
        return {"pairs": {"source": self.source, "target": self.target}}

    def preview_examples(self) -> dict[str, torch.Tensor]:
        """The first held-out pairs: the fixed input | output | target strips of every preview."""
        return {"source": self.test_source[:PREVIEW_PAIRS], "target": self.test_target[:PREVIEW_PAIRS]}


@dataclass
class UnpairedDataset:
    """Two domains ``a`` and ``b`` of same-sized images, with no correspondence; ``test_a``/``test_b`` held out."""

    a: torch.Tensor
    b: torch.Tensor
    test_a: torch.Tensor
    test_b: torch.Tensor
    name: str
    kind: str = "image"
    num_classes: int = 0
    y: None = None
    domain_names: tuple[str, str] = ("a", "b")  # e.g. ("sneaker", "ankle boot")
    class_names: tuple[str, ...] = ()
    target_dataset: str | None = None  # the registered labelled dataset both domains come from (its classifier)

    def __post_init__(self) -> None:
        for field in ("a", "b", "test_a", "test_b"):
            _check_images(field, getattr(self, field))
            if len(getattr(self, field)) == 0:
                raise ValueError(f"domain {field} has no images")
        shapes = {tuple(getattr(self, f).shape[1:]) for f in ("a", "b", "test_a", "test_b")}
        if len(shapes) != 1:
            raise ValueError(f"both domains' images must share one size, got {sorted(shapes)}")

    @property
    def x(self) -> torch.Tensor:
        return self.b

    @property
    def paired(self) -> bool:
        return False

    def __len__(self) -> int:
        return max(int(self.a.shape[0]), int(self.b.shape[0]))

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.b.shape[1:])

    def field_groups(self) -> dict[str, dict[str, torch.Tensor]]:
        return {"a": {"a": self.a}, "b": {"b": self.b}}

    def preview_examples(self) -> dict[str, torch.Tensor]:
        """The first held-out images of each domain: the fixed inputs of a2b and b2a preview strips."""
        return {"a": self.test_a[:PREVIEW_PAIRS], "b": self.test_b[:PREVIEW_PAIRS]}
