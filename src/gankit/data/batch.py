"""A batch is a record of named tensors (DESIGN.md, seam 1).

Noise-to-image games read ``x`` (and ``y`` when labelled); a paired translation reads ``source`` and ``target``;
an unpaired one ``a`` and ``b``. A data source declares the fields it yields (`field_groups`), a game the fields
it needs (`Game.needs`), and `check_fields` turns a mismatch into one line naming both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import torch

from gankit.errors import ConfigError


class Batch:
    """One rank's share of a global batch, on the training device: ``batch["source"]``, or ``batch.x`` and
    ``batch.y`` for the noise-to-image fields (``y`` is None when the data has no labels)."""

    def __init__(self, fields: Mapping[str, torch.Tensor | None] | None = None, **named: torch.Tensor | None) -> None:
        merged = {**(fields or {}), **named}
        self.fields: dict[str, torch.Tensor] = {k: v for k, v in merged.items() if v is not None}
        if not self.fields:
            raise ValueError("a batch needs at least one field")

    def __getitem__(self, name: str) -> torch.Tensor:
        try:
            return self.fields[name]
        except KeyError:
            raise KeyError(f"batch has no field '{name}' (it has {', '.join(self.fields)})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.fields)

    @property
    def x(self) -> torch.Tensor:
        return self["x"]

    @property
    def y(self) -> torch.Tensor | None:
        return self.fields.get("y")

    def __len__(self) -> int:
        return int(next(iter(self.fields.values())).shape[0])


def check_fields(provided: Iterable[str], needed: Iterable[str], data_name: str, game_name: str) -> None:
    """Raise `ConfigError` when the data does not yield every field the game needs."""
    provided, needed = tuple(provided), tuple(needed)
    missing = [f for f in needed if f not in provided]
    if missing:
        raise ConfigError(f"game '{game_name}' needs data with fields {', '.join(needed)}; dataset '{data_name}' "
                          f"yields {', '.join(provided)}")
