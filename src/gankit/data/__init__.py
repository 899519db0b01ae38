"""Datasets, loaded whole into memory as tensors, and the load-time transforms.

>>> data = load_dataset("fashion-mnist", img_size=32)      # x: (60000, 1, 32, 32) in [-1, 1]
>>> ring = load_dataset("ring", n_points=10_000, seed=1)   # x: (10000, 2), ring.modes: (8, 2)

Built-in datasets: ``idx``, ``fashion-mnist``, ``mnist``, ``folder``, ``npz``, ``digits``, ``ring``, ``grid``,
``tuxpaint-stamps`` (627 colour drawings, the few-image set);
translation (docs/data.md): ``edges2fashion``, ``colorize``, ``sneaker2boot``, ``aligned``, ``unaligned``,
``paired-folders``; series (docs/series.md): ``ar1-0.2``, ``ar1-0.5``, ``ar1-0.8``, ``sp500``, ``nasdaq`` (PyPI ``arch``),
``series-csv``; tables (docs/tables.md): ``table`` (a CSV or Parquet file), ``breast-cancer``, ``wine``.
Add one with :func:`register_dataset`; the built-ins are registered below the same way.
"""

from __future__ import annotations

from typing import Callable

from gankit.data.base import ArrayDataset
from gankit.data.colorize import load_colorize
from gankit.data.digits import load_digits
from gankit.data.fashion_mnist import load_fashion_mnist
from gankit.data.fashion_tasks import load_edges2fashion, load_sneaker2boot
from gankit.data.folder import load_folder
from gankit.data.idx import load_idx, read_idx
from gankit.data.mnist import load_mnist
from gankit.data.npz import load_npz
from gankit.data.registry import LoadRequest, dataset_names, get_loader, register_dataset
from gankit.data.series import SeriesDataset, SeriesSource, Windowing
from gankit.data.series_real import ARCH_SERIES, arch_loader, load_series_csv
from gankit.data.series_synthetic import AR1_PHIS, ar1_loader
from gankit.data.stamps import load_tuxpaint_stamps
from gankit.data.subset import Subset, subset_indices
from gankit.data.table import BUILTIN_TABLES, TableDataset, TableOptions, builtin_loader, load_table
from gankit.data.toy import load_grid, load_ring
from gankit.data.translation import PairedDataset, UnpairedDataset
from gankit.data.translation_folders import load_aligned, load_paired_folders, load_unaligned
from gankit.data.transforms import convert_channels, finish_dataset, resize_images, to_signed
from gankit.errors import ConfigError

__all__ = [
    "ArrayDataset",
    "LoadRequest",
    "PairedDataset",
    "SeriesDataset",
    "TableDataset",
    "TableOptions",
    "UnpairedDataset",
    "Subset",
    "Windowing",
    "SeriesSource",
    "convert_channels",
    "dataset_names",
    "load_dataset",
    "read_idx",
    "register_dataset",
    "resize_images",
    "subset_indices",
    "to_signed",
]

SPLITS = ("train", "test")


def _check_positive(key: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ConfigError(f"{key} must be a positive integer, got {value!r}")


def load_dataset(
    name: str,
    path: str | None = None,
    *,
    img_size: int | None = None,
    channels: int | None = None,
    split: str = "train",
    n_points: int = 50_000,
    seed: int = 0,
    limit: int | None = None,
    subset_seed: int | None = None,
    keep_uint8: bool = False,
    windowing: Windowing | None = None,
    table: TableOptions | None = None,
    series: SeriesSource | None = None,
) -> ArrayDataset:
    """Load the registered dataset ``name`` whole into memory.

    Images come back as contiguous float32 ``(N, C, H, W)`` in [-1, 1] (8-bit pixels map by ``p / 255 * 2 - 1``),
    resized once to ``img_size x img_size`` (bilinear, antialiased) and converted to ``channels`` (1 or 3; grey
    is tiled, colour -> grey takes the ITU-R 601 luma). With ``keep_uint8``, images a loader holds as 8-bit
    pixels (image folders, decoded straight to ``img_size``) stay uint8 0..255, a quarter of the memory; map
    them with :func:`to_signed`. Points come back ``(N, D)`` unscaled. ``limit`` keeps the first ``limit``
    samples, or with ``subset_seed`` a seeded subset of ``limit`` stratified by class (:mod:`gankit.data.subset`;
    what ``data.limit`` means); ``n_points`` and ``seed`` draw the synthetic mixtures and series. A series comes
    back as a :class:`SeriesDataset` cut by ``windowing`` (default: 3 past, 3 future steps, stride 1, the last
    20% held out) and, for real series, preprocessed as ``series`` says (dates, column, returns, transform). A
    table comes back as a :class:`TableDataset` (``table``: its target, column kinds and held-out share).
    """
    loader = get_loader(name)
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {SPLITS}, got {split!r}")
    for key, value in (("img_size", img_size), ("limit", limit), ("n_points", n_points)):
        _check_positive(key, value)
    if channels is not None and channels not in (1, 3):
        raise ConfigError(f"channels must be 1 or 3, got {channels!r}")
    subset = Subset(limit, subset_seed) if limit is not None and subset_seed is not None else None
    first = None if subset is not None else limit
    request = LoadRequest(
        path=None if path is None else str(path), split=split, n_points=n_points, seed=seed,
        limit=first, img_size=img_size, channels=channels, subset=subset, windowing=windowing or Windowing(),
        table=table or TableOptions(),
        series=series or SeriesSource(),
    )
    dataset = loader(request)
    if isinstance(dataset, (PairedDataset, UnpairedDataset, SeriesDataset, TableDataset)):
        return dataset  # translation loaders size, convert and limit their images themselves; series are windows
    if not isinstance(dataset, ArrayDataset):
        raise TypeError(f"loader for {name!r} returned {type(dataset).__name__}, not ArrayDataset")
    return finish_dataset(dataset, limit=first, img_size=img_size, channels=channels, subset=subset,
                          keep_uint8=keep_uint8)


_BUILTINS: dict[str, Callable[[LoadRequest], ArrayDataset]] = {
    "idx": load_idx,
    "fashion-mnist": load_fashion_mnist,
    "mnist": load_mnist,
    "folder": load_folder,
    "npz": load_npz,
    "digits": load_digits,
    "ring": load_ring,
    "grid": load_grid,
    "tuxpaint-stamps": load_tuxpaint_stamps,
    "edges2fashion": load_edges2fashion,
    "colorize": load_colorize,
    "sneaker2boot": load_sneaker2boot,
    "aligned": load_aligned,
    "unaligned": load_unaligned,
    "paired-folders": load_paired_folders,
}
for _phi in AR1_PHIS:
    _BUILTINS[f"ar1-{_phi:g}"] = ar1_loader(_phi)
_BUILTINS["table"] = load_table
for _table in BUILTIN_TABLES:
    _BUILTINS[_table] = builtin_loader(_table)
for _name in ARCH_SERIES:
    _BUILTINS[_name] = arch_loader(_name)
_BUILTINS["series-csv"] = load_series_csv
for _name, _loader in _BUILTINS.items():
    register_dataset(_name, _loader)
