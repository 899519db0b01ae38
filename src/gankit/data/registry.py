"""One registry of dataset loaders; the built-ins register themselves through it like any user would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from gankit.data.base import ArrayDataset
from gankit.data.series import SeriesSource, Windowing
from gankit.data.subset import Subset
from gankit.data.table import TableOptions
from gankit.errors import ConfigError


@dataclass(frozen=True)
class LoadRequest:
    """Everything a loader may need, passed as one object so loaders stay stable as options grow.

    A loader must honour ``path`` and ``split`` when they apply to it; ``limit`` (keep the first ``limit``),
    ``subset`` (keep the seeded class-stratified subset ``subset.indices(labels, n)`` picks, see
    :mod:`gankit.data.subset`; ``limit`` is then None), ``img_size`` and ``channels`` are applied again by
    :func:`gankit.data.load_dataset` afterwards, so a loader may use them early (to save time or memory) or
    ignore them. ``n_points`` and ``seed`` are for synthetic data; ``windowing`` (history and future lengths,
    stride, held-out share) and ``series`` (dates, column, returns, transform) for series
    (:mod:`gankit.data.series`); ``table`` (target, column kinds, held-out share) for tables (:mod:`gankit.data.table`).
    """

    path: str | None = None
    split: str = "train"
    n_points: int = 50_000
    seed: int = 0
    limit: int | None = None
    img_size: int | None = None
    channels: int | None = None
    subset: Subset | None = None
    windowing: Windowing = Windowing()
    table: TableOptions = TableOptions()
    series: SeriesSource = SeriesSource()


DatasetLoader = Callable[[LoadRequest], ArrayDataset]

_LOADERS: dict[str, DatasetLoader] = {}


def register_dataset(name: str, loader: Callable[..., ArrayDataset]) -> None:
    """Make ``load_dataset(name, ...)`` call ``loader(request: LoadRequest) -> ArrayDataset``.

    Registering a name twice is a programming error (``ValueError``), so a plugin cannot silently replace a
    built-in.
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"dataset name must be a non-empty string without surrounding spaces, got {name!r}")
    if not callable(loader):
        raise TypeError(f"loader for {name!r} is not callable")
    if name in _LOADERS:
        raise ValueError(f"dataset {name!r} is already registered")
    _LOADERS[name] = loader


def dataset_names() -> list[str]:
    """The registered dataset names, sorted."""
    return sorted(_LOADERS)


def get_loader(name: str) -> DatasetLoader:
    """The loader registered under ``name``; an unknown name is a ``ConfigError`` listing the known ones."""
    try:
        return _LOADERS[name]
    except KeyError:
        raise ConfigError(f"unknown dataset {name!r} (known: {', '.join(dataset_names())})") from None
