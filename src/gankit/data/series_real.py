"""Real price series: the daily S&P 500 and NASDAQ composite that ship inside the PyPI package ``arch``
(``arch.data.sp500.load()``, ``arch.data.nasdaq.load()``: 5,031 days, 1999-01-04 .. 2018-12-31, read offline;
the ``series`` extra: ``pip install 'gankit[series]'``), and user CSV files with a date and a value column.

A series is the ``Adj Close`` (CSV: ``data.column``) between ``data.start`` and ``data.end`` (inclusive), in date
order, preprocessed by `gankit.data.series_pipeline` (``data.returns``, ``data.transform``; QuantGAN's log
returns -> standardize -> Lambert W -> standardize by default) and cut into windows
(`gankit.data.series.series_dataset`). QuantGAN's window is ``start: 2009-05-01, end: 2018-12-31`` (2,434
prices, 2,433 log returns).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import torch

from gankit.data.registry import LoadRequest
from gankit.data.series import SeriesDataset, SeriesSource, series_dataset
from gankit.data.series_pipeline import fit_pipeline
from gankit.errors import ConfigError, DataError

QUANTGAN_WINDOW = ("2009-05-01", "2018-12-31")
ARCH_SERIES = {"sp500": "S&P 500", "nasdaq": "NASDAQ composite"}


def require_arch():
    """The ``arch`` package, or a one-line error naming the extra that installs it."""
    try:
        import arch  # noqa: F401
    except ImportError:
        raise ConfigError("this needs the PyPI package 'arch', gankit's extra 'series' (gankit[series]; scripts/setup.sh "
                          "installs it)") from None
    return arch


def _date(text: str | None, key: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        raise ConfigError(f"config key 'data.{key}' must be a date YYYY-MM-DD, got {text!r}") from None


def select_dates(dates: list[date], values: np.ndarray, source: SeriesSource, name: str) -> np.ndarray:
    """The values dated within [start, end] (inclusive), in date order."""
    start, end = _date(source.start, "start"), _date(source.end, "end")
    if start and end and start > end:
        raise ConfigError(f"config key 'data.start' ({start}) is after 'data.end' ({end})")
    order = sorted(range(len(dates)), key=dates.__getitem__)
    keep = [i for i in order if (start is None or dates[i] >= start) and (end is None or dates[i] <= end)]
    if len(keep) < 2:
        raise DataError(f"series '{name}' holds {len(keep)} values between {start or 'the start'} and "
                        f"{end or 'the end'}")
    return values[keep]


def arch_prices(name: str, source: SeriesSource = SeriesSource()) -> np.ndarray:
    """The ``Adj Close`` of ``arch``'s built-in ``name`` (sp500, nasdaq) within the source's dates, float64."""
    require_arch()
    import importlib

    frame = importlib.import_module(f"arch.data.{name}").load()
    column = source.column or "Adj Close"
    if column not in frame.columns:
        raise ConfigError(f"series '{name}' has no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    dates = [stamp.date() for stamp in frame.index]
    return select_dates(dates, frame[column].to_numpy(dtype=np.float64), source, name)


def csv_values(path: str | Path, source: SeriesSource) -> np.ndarray:
    """The ``source.column`` values of a CSV file with a header, dated by its first column (or one named
    ``date``/``Date``), within the source's dates; empty cells are gaps (NaN)."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"data.path {str(file)!r} is not a file")
    with file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise DataError(f"{file}: empty CSV file")
    header = [h.strip() for h in rows[0]]
    if not source.column:
        raise ConfigError(f"{file}: set data.column to the CSV column of values (columns: {', '.join(header)})")
    if source.column not in header:
        raise DataError(f"{file}: no column {source.column!r} (columns: {', '.join(header)})")
    date_col = next((i for i, h in enumerate(header) if h.lower() == "date"), 0)
    col = header.index(source.column)
    dates, values = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            dates.append(date.fromisoformat(row[date_col].strip()[:10]))
        except (ValueError, IndexError):
            raise DataError(f"{file}:{line}: not a date YYYY-MM-DD in column {header[date_col]!r}") from None
        cell = row[col].strip() if col < len(row) else ""
        try:
            values.append(float(cell) if cell else float("nan"))
        except ValueError:
            raise DataError(f"{file}:{line}: {cell!r} in column {source.column!r} is not a number") from None
    return select_dates(dates, np.asarray(values, dtype=np.float64), source, str(file))


def real_series_dataset(series: np.ndarray, name: str, request: LoadRequest) -> SeriesDataset:
    """The windowed dataset of a price (value) series, preprocessed by the request's pipeline, fitted on the
    training part only (the held-out share ``data.holdout`` at the end is transformed, never fitted on)."""
    source = request.series
    n_values = len(series) - (1 if source.returns == "log" else 0)  # one model value per return
    held = round(request.windowing.holdout * n_values)  # as `series_dataset` splits them
    pipeline = fit_pipeline(series, source.returns, source.transform, name=name, held_out=held)
    values = torch.from_numpy(pipeline.forward(series, name)).reshape(-1, 1)
    return series_dataset(values, name, request.windowing, pipeline=pipeline, first=float(series[0]))


def arch_loader(name: str):
    """The registered loader of ``arch``'s built-in series ``name``."""

    def load(request: LoadRequest) -> SeriesDataset:
        return real_series_dataset(arch_prices(name, request.series), name, request)

    load.__doc__ = f"Daily {ARCH_SERIES[name]} Adj Close from the package arch (1999-2018), as log returns."
    return load


def load_series_csv(request: LoadRequest) -> SeriesDataset:
    """The loader of ``series-csv``: ``data.path`` a CSV with a date and a ``data.column`` of values."""
    if not request.path:
        raise ConfigError("dataset 'series-csv' needs data.path, a CSV file with a date and a value column")
    return real_series_dataset(csv_values(request.path, request.series), Path(request.path).stem, request)
