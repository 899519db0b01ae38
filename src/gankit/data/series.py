"""Windowed series: the next ``q`` steps of a series given the last ``p`` (DESIGN.md, seam 1: the history is a
field of the batch).

A series ``v`` of ``T`` values in ``d`` dimensions is cut into windows ``v[t : t + p + q]`` starting at
``t = 0, s, 2s, ...`` (stride ``s``; ``s = 1`` overlaps, ``s = p + q`` does not), each split into a
``history`` ``v[t : t + p]`` and a ``future`` ``v[t + p : t + p + q]``. The held-out windows come from the last
``round(holdout * T)`` values, cut on their own, so no window straddles the split (a chronological split:
the model never trains on a value it is evaluated on). With ``holdout = 0`` there is no held-out part and a
series is evaluated in-sample, as the SigCWGAN benchmark's committed results were (Ni et al. 2020,
arXiv:2006.05421).

A batch holds the fields ``history`` ``(N, p, d)`` and ``future`` ``(N, q, d)``, drawn at the same indices
(one group), so shuffling, rank sharding and resume are those of every other stream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import torch

from gankit.errors import ConfigError, DataError

PREVIEW_HISTORIES = 4  # held-out histories a preview fans generated futures from
PREVIEW_STRETCH = 200  # held-out values a preview sets beside one long generated path


@dataclass(frozen=True)
class Windowing:
    """How a series is cut: ``history`` p and ``future`` q steps per window, the ``stride`` between window
    starts and the share ``holdout`` of the values held out at the end."""

    history: int = 3
    future: int = 3
    stride: int = 1
    holdout: float = 0.2

    def __post_init__(self) -> None:
        for key in ("history", "future", "stride"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"config key 'data.{key}' must be a positive integer, got {value!r}")
        if not 0 <= self.holdout < 1:
            raise ConfigError(f"config key 'data.holdout' must be in [0, 1), got {self.holdout!r}")

    @property
    def length(self) -> int:
        return self.history + self.future


@dataclass(frozen=True)
class SeriesSource:
    """Where a real series comes from and how it is preprocessed (`gankit.data.series_real`): the dates
    ``start``..``end`` kept (inclusive, ISO ``YYYY-MM-DD``; None: all), the CSV ``column`` of values, ``returns``
    (``log``: prices to log returns; ``none``: the values as they are) and ``transform`` (``lambertw`` or
    ``standardize``, `gankit.data.series_pipeline`)."""

    start: str | None = None
    end: str | None = None
    column: str | None = None
    returns: str = "log"
    transform: str = "lambertw"


def window_starts(n_values: int, length: int, stride: int) -> torch.Tensor:
    """The start ``t`` of every window ``[t, t + length)`` inside ``n_values`` values: 0, stride, ...

    >>> window_starts(10, 6, 1).tolist(), window_starts(40_000, 6, 6).numel()
    ([0, 1, 2, 3, 4], 6666)
    """
    if n_values < length:
        return torch.zeros(0, dtype=torch.int64)
    return torch.arange(0, n_values - length + 1, stride)


def cut_windows(values: torch.Tensor, windowing: Windowing) -> tuple[torch.Tensor, torch.Tensor]:
    """(history ``(N, p, d)``, future ``(N, q, d)``) of the windows of ``values`` ``(T, d)`` (module docstring)."""
    starts = window_starts(len(values), windowing.length, windowing.stride)
    index = starts[:, None] + torch.arange(windowing.length)[None, :]
    windows = values[index] if len(starts) else values.new_zeros((0, windowing.length, values.shape[1]))
    return windows[:, : windowing.history].contiguous(), windows[:, windowing.history :].contiguous()


def standardize(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(v - mean) / std`` per dimension over the whole series (std unbiased, n - 1), with the mean and std.

    Computed in float64; the standardised values come back in ``values``' dtype.
    """
    v = values.double()
    mean, std = v.mean(0), v.std(0)
    if bool((std == 0).any()) or not bool(torch.isfinite(std).all()):
        raise DataError("cannot standardise a series with a constant (or non-finite) dimension")
    return ((v - mean) / std).to(values.dtype), mean, std


@dataclass
class SeriesDataset:
    """A series in memory and its windows (module docstring).

    ``values`` ``(T, d)`` float32 is the whole series in the units the model sees (standardised:
    ``(raw - mean) / std``, see :meth:`inverse_transform`); ``history``/``future`` are the training windows,
    ``test_history``/``test_future`` the held-out ones (empty when ``holdout = 0``); ``split`` is the index of
    the first held-out value. ``x`` (the training windows whole, ``(N, p + q, d)``) is what code that asks any
    dataset for "the real samples" gets.
    """

    values: torch.Tensor
    history: torch.Tensor
    future: torch.Tensor
    test_history: torch.Tensor
    test_future: torch.Tensor
    name: str
    split: int
    mean: torch.Tensor = field(default_factory=lambda: torch.zeros(1, dtype=torch.float64))
    std: torch.Tensor = field(default_factory=lambda: torch.ones(1, dtype=torch.float64))
    kind: str = "series"
    num_classes: int = 0
    y: None = None
    class_names: tuple[str, ...] = ()
    pipeline: Any = None  # a fitted `gankit.data.series_pipeline.ReturnsPipeline` for real series, else None
    first: float | None = None  # the first price (value) of a real series, where `pipeline.inverse` starts

    def __post_init__(self) -> None:
        if self.values.dim() != 2 or self.values.dtype != torch.float32:
            raise ValueError(f"values must be float32 (T, d), got {self.values.dtype} {tuple(self.values.shape)}")
        d = self.values.shape[1]
        for name in ("history", "future", "test_history", "test_future"):
            t = getattr(self, name)
            if t.dim() != 3 or t.shape[2] != d:
                raise ValueError(f"{name} must be (N, steps, {d}), got {tuple(t.shape)}")
        if len(self.history) == 0:
            raise DataError(f"series '{self.name}' of {len(self.values)} values is too short for one training window "
                            f"of {self.history.shape[1] + self.future.shape[1]} steps")

    # ------------------------------------------------------------------------------------------ shape
    @property
    def dim(self) -> int:
        return int(self.values.shape[1])

    @property
    def windowing(self) -> tuple[int, int]:
        """(p, q): the history and future lengths."""
        return int(self.history.shape[1]), int(self.future.shape[1])

    @property
    def x(self) -> torch.Tensor:
        return torch.cat([self.history, self.future], dim=1)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    def __len__(self) -> int:
        return int(self.history.shape[0])

    # ------------------------------------------------------------------------------------------ fields
    def field_groups(self) -> dict[str, dict[str, torch.Tensor]]:
        return {"windows": {"history": self.history, "future": self.future}}

    def spec_extra(self) -> str:
        """What a game may need beyond shapes (JSON): ``low`` and ``high``, each feature's least and greatest value
        over the training windows (TimeGAN scales its windows to [0, 1] by them, as Yoon et al. 2019)."""
        windows = torch.cat([self.history, self.future], dim=1).flatten(0, 1)
        return json.dumps({"low": windows.min(0).values.tolist(), "high": windows.max(0).values.tolist()})

    @property
    def in_sample(self) -> bool:
        """Whether evaluation uses the training windows (no held-out part: ``holdout = 0``)."""
        return len(self.test_history) == 0

    def eval_windows(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(history, future) of the windows evaluation scores: the held-out ones, else the training ones."""
        return (self.history, self.future) if self.in_sample else (self.test_history, self.test_future)

    def eval_values(self) -> torch.Tensor:
        """The values the evaluation windows come from: the held-out part, else the whole series."""
        return self.values if self.in_sample else self.values[self.split :]

    def preview_examples(self) -> dict[str, torch.Tensor]:
        """The first held-out windows (the fixed histories of every preview) and a held-out stretch of values."""
        history, future = self.eval_windows()
        return {"history": history[:PREVIEW_HISTORIES], "future": future[:PREVIEW_HISTORIES],
                "stretch": self.eval_values()[:PREVIEW_STRETCH]}

    def inverse_transform(self, values: torch.Tensor) -> torch.Tensor:
        """Model units back to the series' own (float64): ``v * std + mean``, or for a real series its
        pipeline's log returns (`ReturnsPipeline.to_returns`)."""
        if self.pipeline is not None:
            return torch.from_numpy(self.pipeline.to_returns(values)).reshape(values.shape)
        return values.double() * self.std.to(values.device) + self.mean.to(values.device)


def series_dataset(values: torch.Tensor, name: str, windowing: Windowing, *, mean: torch.Tensor | None = None,
                   std: torch.Tensor | None = None, pipeline: Any = None, first: float | None = None,
                   ) -> SeriesDataset:
    """The windowed dataset of ``values`` ``(T,)`` or ``(T, d)`` (already in model units) for ``windowing``."""
    values = values.reshape(len(values), -1).to(torch.float32).contiguous()
    if not bool(torch.isfinite(values).all()):
        raise DataError(f"series '{name}' holds missing or non-finite values")
    held = round(windowing.holdout * len(values))
    split = len(values) - held
    history, future = cut_windows(values[:split], windowing)
    test_history, test_future = cut_windows(values[split:], windowing)
    if held and len(test_history) == 0:
        raise DataError(f"data.holdout={windowing.holdout:g} keeps {held} values of series '{name}', fewer than one "
                        f"window of {windowing.length}: raise data.holdout or set it to 0")
    d = values.shape[1]
    return SeriesDataset(values, history, future, test_history, test_future, name, split,
                         mean=torch.zeros(d, dtype=torch.float64) if mean is None else mean.double().reshape(d),
                         std=torch.ones(d, dtype=torch.float64) if std is None else std.double().reshape(d),
                         pipeline=pipeline, first=first)
