"""An in-memory, epoch-shuffled, rank-sharded stream of batches whose position can be saved and restored.

Each epoch is a permutation drawn from a generator seeded by (seed, epoch), so the order depends on nothing
but those two numbers and a resumed run continues exactly where it stopped. The global batch
``batch_size * world_size`` is split into contiguous rank slices; a partial last batch is dropped.

Images held as uint8 pixels (``load_dataset(..., keep_uint8=True)``) are mapped to float32 in [-1, 1] one batch
at a time, after the move to the device, by the same ``p / 255 * 2 - 1`` the loaders use, so a batch holds the
same numbers as if the whole dataset had been converted at load time.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.data.transforms import to_signed


@dataclass
class Batch:
    """One rank's share of a global batch, already on the training device."""

    x: torch.Tensor
    y: torch.Tensor | None

    def __len__(self) -> int:
        return self.x.shape[0]


class DataStream:
    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor | None,
        batch_size: int,
        *,
        seed: int,
        device: torch.device,
        rank: int = 0,
        world_size: int = 1,
        channels_last: bool = False,
    ) -> None:
        global_batch = batch_size * world_size
        if len(x) < global_batch:
            raise ValueError(f"dataset of {len(x)} samples is smaller than one global batch of {global_batch}")
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.global_batch = global_batch
        self.seed = seed
        self.device = torch.device(device)
        self.rank = rank
        self.channels_last = channels_last and x.dim() == 4
        self.epoch = 0
        self.position = 0
        self._order: torch.Tensor | None = None

    def _permutation(self) -> torch.Tensor:
        if self._order is None:
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
            self._order = torch.randperm(len(self.x), generator=generator)
        return self._order

    def next(self) -> Batch:
        """The next batch; starts a new epoch when fewer than a global batch remain."""
        if self.position + self.global_batch > len(self.x):
            self.epoch += 1
            self.position = 0
            self._order = None
        start = self.position + self.rank * self.batch_size
        index = self._permutation()[start : start + self.batch_size]
        self.position += self.global_batch
        x = self.x[index]
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        x = to_signed(x.to(self.device, non_blocking=True))  # .to(float32) keeps the channels_last strides
        y = self.y[index].to(self.device, non_blocking=True) if self.y is not None else None
        return Batch(x, y)

    def samples(self, index: torch.Tensor) -> torch.Tensor:
        """The samples at ``index`` as the training sees them (images in [-1, 1] float32), on the CPU."""
        return to_signed(self.x[index].cpu()).float()

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict) -> None:
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])
        self._order = None
