"""Random inputs (latent vectors, fake labels) that are reproducible, resumable and shard-consistent.

Every rank draws the *global* batch from one generator seeded identically everywhere and keeps its own slice,
so a run on W processes sees exactly the noise a single process with W times the batch would see. The
generator's state goes into checkpoints, so a resumed run continues the same stream.
"""

from __future__ import annotations

import torch


class NoiseSource:
    """Draws per-rank slices of global random batches from a dedicated `torch.Generator`."""

    def __init__(self, seed: int, device: torch.device, rank: int = 0, world_size: int = 1) -> None:
        self.device = torch.device(device)
        self.rank = rank
        self.world_size = world_size
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(seed)

    def _slice(self, full: torch.Tensor, n: int) -> torch.Tensor:
        return full[self.rank * n : (self.rank + 1) * n]

    def normal(self, n: int, *shape: int) -> torch.Tensor:
        """Standard normal noise of shape (n, *shape): this rank's share of a global batch of n * world_size."""
        full = torch.randn(n * self.world_size, *shape, generator=self.generator, device=self.device)
        return self._slice(full, n)

    def uniform(self, n: int, *shape: int) -> torch.Tensor:
        """U[0, 1) noise of shape (n, *shape), sharded like `normal`."""
        full = torch.rand(n * self.world_size, *shape, generator=self.generator, device=self.device)
        return self._slice(full, n)

    def integers(self, n: int, high: int) -> torch.Tensor:
        """Integers in [0, high) of shape (n,), e.g. fake class labels, sharded like `normal`."""
        full = torch.randint(high, (n * self.world_size,), generator=self.generator, device=self.device)
        return self._slice(full, n)

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
