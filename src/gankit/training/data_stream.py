"""An in-memory, epoch-shuffled, rank-sharded stream of named batches whose position can be saved and restored.

The data comes as *groups* of fields (`field_groups()` of a dataset): the fields of one group share their
first dimension and are drawn at the same indices (``x`` with its label ``y``; a ``source`` with its
``target``), while separate groups are drawn independently (the two domains ``a`` and ``b`` of unpaired
translation, each with its own length and epochs).

Each epoch of a group is a permutation drawn from a generator seeded by (seed, group number, epoch), so the
order depends on nothing but those numbers and a resumed run continues exactly where it stopped. The global
batch ``batch_size * world_size`` is split into contiguous rank slices; a partial last batch is dropped. The
first group is seeded as the single group of earlier versions was, so their runs resume unchanged. Given the
fields a game reads (``needs``, `Game.needs`), a stream draws only the groups that hold one of them (a table's
CTGAN draws and TVAE records are separate groups): the others cost a gather per step for nothing.

With gradient accumulation (`next_parts`), a step takes the global batch of ``parts`` times the size and splits
each rank's contiguous share into ``parts`` micro-batches: the samples (and the position after the step) are
those of one batch of ``parts × batch_size``.

Images held as uint8 pixels (``load_dataset(..., keep_uint8=True)``) are mapped to float32 in [-1, 1] one batch
at a time, after the move to the device, by the same ``p / 255 * 2 - 1`` the loaders use, so a batch holds the
same numbers as if the whole dataset had been converted at load time.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from gankit.data.batch import Batch
from gankit.data.transforms import to_signed

__all__ = ["Batch", "DataStream"]


class _Group:
    """The shuffling and position of one group of fields drawn together."""

    def __init__(self, fields: Mapping[str, torch.Tensor], seed: int) -> None:
        sizes = {name: len(t) for name, t in fields.items()}
        if len(set(sizes.values())) != 1:
            raise ValueError(f"fields drawn together must have the same length, got {sizes}")
        self.fields = dict(fields)
        self.size = next(iter(sizes.values()))
        self.seed = seed
        self.epoch = 0
        self.position = 0
        self._order: torch.Tensor | None = None

    def take(self, global_batch: int, rank: int, batch_size: int) -> torch.Tensor:
        """This rank's indices of the next global batch; starts a new epoch when fewer than one remain."""
        if self.position + global_batch > self.size:
            self.epoch += 1
            self.position = 0
            self._order = None
        if self._order is None:
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
            self._order = torch.randperm(self.size, generator=generator)
        start = self.position + rank * batch_size
        self.position += global_batch
        return self._order[start : start + batch_size]

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict) -> None:
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])
        self._order = None


class DataStream:
    def __init__(
        self,
        groups: Mapping[str, Mapping[str, torch.Tensor | None]],
        batch_size: int,
        *,
        seed: int,
        device: torch.device,
        rank: int = 0,
        world_size: int = 1,
        channels_last: bool = False,
        needs: tuple[str, ...] | None = None,
    ) -> None:
        global_batch = batch_size * world_size
        self.groups: dict[str, _Group] = {}
        for number, (name, fields) in enumerate(groups.items()):
            present = {k: v for k, v in fields.items() if v is not None}
            if needs is not None and not set(present) & set(needs):
                continue  # a group the game never reads is not drawn; the others keep their numbers' seeds
            # group 0 keeps the seed of the single-group stream of earlier versions
            group = _Group(present, seed if number == 0 else seed + 7919 * number)
            if group.size < global_batch:
                raise ValueError(f"dataset of {group.size} samples is smaller than one global batch of {global_batch}")
            self.groups[name] = group
        if not self.groups:
            raise ValueError("a data stream needs at least one group of fields")
        self.batch_size = batch_size
        self.global_batch = global_batch
        self.device = torch.device(device)
        self.rank = rank
        self.channels_last = channels_last

    @classmethod
    def of(cls, dataset, batch_size: int, **options) -> DataStream:
        """The stream of a dataset's `field_groups()` (every dataset class of `gankit.data` has them)."""
        return cls(dataset.field_groups(), batch_size, **options)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for group in self.groups.values() for name in group.fields)

    def _field(self, name: str) -> torch.Tensor:
        for group in self.groups.values():
            if name in group.fields:
                return group.fields[name]
        raise KeyError(f"the data has no field '{name}' (it has {', '.join(self.field_names)})")

    def field_size(self, name: str) -> int:
        return len(self._field(name))

    def _to_device(self, t: torch.Tensor) -> torch.Tensor:
        if self.channels_last and t.dim() == 4:
            t = t.contiguous(memory_format=torch.channels_last)
        t = t.to(self.device, non_blocking=True)
        return to_signed(t) if t.dtype == torch.uint8 else t  # .to(float32) keeps the channels_last strides

    def next(self) -> Batch:
        """The next batch: each group's next slice, all fields on the device."""
        return self.next_parts(1)[0]

    def next_parts(self, parts: int) -> list[Batch]:
        """The next batch of ``parts × batch_size`` samples per rank, as ``parts`` micro-batches of `batch_size`."""
        fields: list[dict[str, torch.Tensor]] = [{} for _ in range(parts)]
        for group in self.groups.values():
            if group.size < self.global_batch * parts:
                raise ValueError(f"dataset of {group.size} samples is smaller than one global batch of "
                                 f"{self.global_batch * parts}")
            index = group.take(self.global_batch * parts, self.rank, self.batch_size * parts)
            for name, t in group.fields.items():
                for part, chunk in enumerate(index.split(self.batch_size)):
                    fields[part][name] = self._to_device(t[chunk])
        return [Batch(f) for f in fields]

    def samples(self, index: torch.Tensor, field: str = "x") -> torch.Tensor:
        """The samples of `field` at ``index`` as the training sees them (images in [-1, 1] float32), on the CPU."""
        return to_signed(self._field(field)[index].cpu()).float()

    def state_dict(self) -> dict:
        if len(self.groups) == 1:  # the format of earlier versions
            return next(iter(self.groups.values())).state_dict()
        return {"groups": {name: group.state_dict() for name, group in self.groups.items()}}

    def load_state_dict(self, state: dict) -> None:
        if "groups" not in state:
            next(iter(self.groups.values())).load_state_dict(state)
            return
        for name, group in self.groups.items():
            group.load_state_dict(state["groups"][name])
