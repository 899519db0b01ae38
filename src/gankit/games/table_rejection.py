"""Drawing ``n`` table rows from a generator without a conditional input (TVAE, medGAN), optionally keeping only
the rows that have one category (``--where``) by rejection: draw batches, keep the matching rows, stop after
``MAX_REJECTION`` × n draws with a one-line error naming the category."""

from __future__ import annotations

from typing import Callable

import torch

from gankit.errors import ConfigError

MAX_REJECTION = 100


def draw_rows(draw: Callable[[int], torch.Tensor], n: int, batch_size: int,
              keep: Callable[[torch.Tensor], torch.Tensor] | None = None, where: tuple[str, str] | None = None,
              noun: str = "generated rows") -> torch.Tensor:
    """``n`` rows of ``draw(m)`` (m rows per call, on any device), filtered by the boolean mask ``keep(rows)``
    when given (``where`` names the category in the error), concatenated on the CPU."""
    out, kept, drawn = [], 0, 0
    with torch.no_grad():
        while kept < n:
            if drawn >= MAX_REJECTION * n:
                raise ConfigError(f"--where {where[0]}={where[1]}: only {kept} of {drawn} {noun} have it; "
                                  "the model rarely makes this category")
            m = min(batch_size, n - kept) if keep is None else batch_size
            rows = draw(m)
            drawn += m
            if keep is not None:
                rows = rows[keep(rows)][: n - kept]
            out.append(rows)
            kept += len(rows)
    return torch.cat(out).cpu()
