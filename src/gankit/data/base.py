"""The in-memory dataset every loader returns."""

from __future__ import annotations

from dataclasses import dataclass

import torch

KINDS = ("image", "points")


@dataclass
class ArrayDataset:
    """A whole dataset held in memory as tensors.

    ``x`` is float32: images ``(N, C, H, W)`` scaled to ``[-1, 1]``, or points ``(N, D)`` left in their own
    units (toy mixtures, tables). Images may instead be uint8 pixels 0..255 (a quarter of the memory), which
    :func:`gankit.data.transforms.to_signed` maps by ``p / 255 * 2 - 1`` when a batch is used. ``y`` holds int64
    class labels ``(N,)`` or is ``None``; ``num_classes`` is 0 when unlabelled; ``class_names``, when known, name
    the classes in label order (one per class). Toy mixtures also carry their mode centres ``modes`` ``(K, D)``
    and the standard deviation ``mode_std`` of each Gaussian, so mode-coverage metrics can be computed against
    the truth.
    """

    x: torch.Tensor
    y: torch.Tensor | None
    num_classes: int
    name: str
    kind: str
    modes: torch.Tensor | None = None
    mode_std: float | None = None
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        expected_dims = 4 if self.kind == "image" else 2
        if self.x.dim() != expected_dims:
            raise ValueError(f"{self.kind} data needs x with {expected_dims} dims, got shape {tuple(self.x.shape)}")
        if self.y is not None:
            if self.y.shape != (self.x.shape[0],):
                raise ValueError(f"y has shape {tuple(self.y.shape)}, expected ({self.x.shape[0]},)")
            if self.num_classes <= 0:
                raise ValueError("labelled data needs num_classes > 0")
        elif self.num_classes != 0:
            raise ValueError("unlabelled data must have num_classes == 0")
        if self.x.dtype == torch.uint8 and self.kind != "image":
            raise ValueError("only images may be stored as uint8 pixels")
        self.class_names = tuple(str(name) for name in self.class_names)
        if self.class_names and len(self.class_names) != self.num_classes:
            raise ValueError(f"{len(self.class_names)} class names for {self.num_classes} classes")

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def field_groups(self) -> dict[str, dict[str, torch.Tensor]]:
        """The named fields this data yields, in groups drawn together (`gankit.data.batch`): ``x`` with ``y``."""
        fields = {"x": self.x} if self.y is None else {"x": self.x, "y": self.y}
        return {"samples": fields}

    def preview_examples(self) -> dict[str, torch.Tensor]:
        """Real examples a game's previews may show: a few real points under a 2-D scatter; none for images."""
        return {"reference": self.x[:2500]} if self.kind == "points" else {}

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """The shape of one sample: ``(C, H, W)`` for images, ``(D,)`` for points."""
        return tuple(self.x.shape[1:])
