"""Random inputs (latent vectors, fake labels) that are reproducible, resumable and shard-consistent.

Every rank draws the *global* batch from one generator seeded identically everywhere and keeps its own slice,
so a run on W processes sees exactly the noise a single process with W times the batch would see. The
generator's state goes into checkpoints, so a resumed run continues the same stream.

Gradient accumulation (``train.accumulate`` = K) treats the K micro-batches of a step like K more ranks: inside
`parts(k, K)`, micro-batch 0 draws the global batch of K·W slices once and keeps it; micro-batch k takes slice
rank·K + k of the same draws, in the same order. So a run with batches of B accumulated K times draws exactly
the noise of a run with batches of K·B (the draws a game makes with `generator` directly, such as a gradient
penalty's mixing weights, are not split this way: they stay deterministic but per micro-batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch


class NoiseSource:
    """Draws per-rank slices of global random batches from a dedicated `torch.Generator`."""

    def __init__(self, seed: int, device: torch.device, rank: int = 0, world_size: int = 1) -> None:
        self.device = torch.device(device)
        self.rank = rank
        self.world_size = world_size
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(seed)
        self._part, self._parts = 0, 1  # the micro-batch being computed, of how many (gradient accumulation)
        self._drawn: list[tuple[tuple, torch.Tensor]] = []  # micro-batch 0's draws, for the others to slice
        self._call = 0

    @contextmanager
    def parts(self, part: int, parts: int) -> Iterator[None]:
        """Draw inside this block as micro-batch `part` of `parts` (see the module docstring)."""
        if part == 0:
            self._drawn = []
        self._part, self._parts, self._call = part, parts, 0
        try:
            yield
        finally:
            self._part, self._parts = 0, 1
            if part == parts - 1:
                self._drawn = []

    def _draw(self, key: tuple, n: int, make: Callable[[int], torch.Tensor]) -> torch.Tensor:
        """This rank's (and micro-batch's) n rows of a global draw `make(rows)`."""
        if self._parts == 1:
            index, full = self.rank, make(n * self.world_size)
        else:
            index = self.rank * self._parts + self._part
            if self._part == 0:
                full = make(n * self.world_size * self._parts)
                self._drawn.append((key, full))
            else:
                if self._call >= len(self._drawn) or self._drawn[self._call][0] != key:
                    raise RuntimeError(f"micro-batch {self._part} drew noise {key} that micro-batch 0 did not draw: "
                                       "a game must draw the same noise for every micro-batch")
                full = self._drawn[self._call][1]
            self._call += 1
        return full[index * n : (index + 1) * n]

    def normal(self, n: int, *shape: int) -> torch.Tensor:
        """Standard normal noise of shape (n, *shape): this rank's share of a global batch of n * world_size."""
        return self._draw(("normal", n, shape), n, lambda rows: torch.randn(
            rows, *shape, generator=self.generator, device=self.device))

    def uniform(self, n: int, *shape: int) -> torch.Tensor:
        """U[0, 1) noise of shape (n, *shape), sharded like `normal`."""
        return self._draw(("uniform", n, shape), n, lambda rows: torch.rand(
            rows, *shape, generator=self.generator, device=self.device))

    def integers(self, n: int, high: int) -> torch.Tensor:
        """Integers in [0, high) of shape (n,), e.g. fake class labels, sharded like `normal`."""
        return self._draw(("integers", n, high), n, lambda rows: torch.randint(
            high, (rows,), generator=self.generator, device=self.device))

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
