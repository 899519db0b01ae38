"""The columns of a table: their kinds, inferred or given, and what restoring them exactly needs.

Kinds (``data.column_kinds`` overrides the inference, e.g. ``"age=integer,sex=categorical"``):

- ``categorical``: strings, pandas categories, booleans, and integer columns with at most
  ``CATEGORICAL_MAX_INTEGERS`` distinct values (a class label, a small count); a missing value is a category
  of its own;
- ``integer``: other integer columns, and float columns whose values are all whole numbers (counts read from a
  CSV with gaps); modelled as continuous, rounded back;
- ``continuous``: other floats; rounded back to the fewest decimals (≤ ``MAX_DECIMALS``) that hold every value
  of the input, so a table read from text returns exactly;
- ``datetime``: timezone-naive datetimes, modelled as whole multiples of the coarsest unit (day, second,
  millisecond, microsecond, nanosecond) that divides every value.

A missing value in a numeric or datetime column is kept: the column gets a missing indicator, and the value
returns as NaN/NaT. A column with no value at all is a `DataError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gankit.errors import ConfigError, DataError

KINDS = ("continuous", "integer", "categorical", "boolean", "datetime")
CATEGORICAL_MAX_INTEGERS = 10
MAX_DECIMALS = 8
UNITS_NS = (86_400 * 10**9, 10**9, 10**6, 10**3, 1)


@dataclass
class ColumnInfo:
    """One column: its name, kind, original pandas dtype (as text), and what its kind needs to return exactly:
    the categories (in one-hot order, JSON values), the decimals, the range, the datetime unit."""

    name: str
    kind: str
    dtype: str
    categories: list[Any] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)  # training rows per category (missing last, if any)
    has_missing: bool = False
    decimals: int | None = None
    low: float = 0.0
    high: float = 0.0
    unit_ns: int = 1
    ordered: bool = False

    @property
    def discrete(self) -> bool:
        return self.kind in ("categorical", "boolean")

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: dict) -> ColumnInfo:
        return cls(**d)


def parse_overrides(text: str) -> dict[str, str]:
    """``"a=integer,b=categorical"`` -> {a: integer, b: categorical} (kinds checked; `ConfigError` otherwise)."""
    out: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, sep, kind = item.rpartition("=")
        if not sep or not name.strip():
            raise ConfigError(f"config key 'data.column_kinds' expects name=kind pairs, got '{item}'")
        if kind.strip() not in KINDS:
            raise ConfigError(f"config key 'data.column_kinds' has unknown kind '{kind.strip()}' for column "
                              f"'{name.strip()}'; choose from {', '.join(KINDS)}")
        out[name.strip()] = kind.strip()
    return out


def _json_value(v: Any) -> Any:
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v if isinstance(v, (str, int, float)) else str(v)


def decimals_of(values: np.ndarray) -> int | None:
    """The fewest decimals d ≤ MAX_DECIMALS with round(v, d) == v for every value, else None."""
    for d in range(MAX_DECIMALS + 1):
        if np.array_equal(np.round(values, d), values):
            return d
    return None


def infer_kind(series) -> str:
    """The kind of a pandas column (module docstring)."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "datetime"
        return "categorical"
    values = series.dropna().to_numpy(dtype=np.float64)
    if pd.api.types.is_integer_dtype(dtype):
        return "categorical" if len(np.unique(values)) <= CATEGORICAL_MAX_INTEGERS else "integer"
    return "integer" if len(values) and np.array_equal(np.round(values), values) else "continuous"


def datetime_ns(series) -> np.ndarray:
    """A datetime column as int64 nanoseconds (NaT as the int64 minimum)."""
    return series.to_numpy(dtype="datetime64[ns]").astype(np.int64)


def describe_column(series, kind: str | None = None) -> ColumnInfo:
    """The `ColumnInfo` of a pandas column, its kind inferred unless given."""
    import pandas as pd

    name = str(series.name)
    if series.isna().all():
        raise DataError(f"column '{name}' has no value (every row is missing): drop it or fill it")
    kind = kind or infer_kind(series)
    info = ColumnInfo(name, kind, str(series.dtype), has_missing=bool(series.isna().any()))
    if kind in ("categorical", "boolean"):
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats = list(series.dtype.categories)
            info.ordered = bool(series.dtype.ordered)
        else:
            cats = list(pd.unique(series.dropna()))
            try:
                cats = sorted(cats)
            except TypeError:
                pass
        info.categories = [_json_value(c) for c in cats]
        return info
    if kind == "datetime":
        if not pd.api.types.is_datetime64_any_dtype(series.dtype) or getattr(series.dtype, "tz", None) is not None:
            raise DataError(f"column '{name}' is not a timezone-naive datetime column")
        ns = datetime_ns(series.dropna())
        info.unit_ns = next(u for u in UNITS_NS if np.all(ns % u == 0))
        values = (ns // info.unit_ns).astype(np.float64)
        info.decimals = 0
    else:
        if not pd.api.types.is_numeric_dtype(series.dtype):
            raise DataError(f"column '{name}' holds non-numbers, so it cannot be {kind}")
        values = series.dropna().to_numpy(dtype=np.float64)
        info.decimals = 0 if kind == "integer" else decimals_of(values)
    info.low, info.high = float(values.min()), float(values.max())
    return info


def numeric_values(series, info: ColumnInfo) -> np.ndarray:
    """A numeric or datetime column as float64 (datetimes in units of ``info.unit_ns``; NaN where missing)."""
    if info.kind == "datetime":
        missing = series.isna().to_numpy()
        out = np.zeros(len(series))
        out[~missing] = datetime_ns(series[~missing]) // info.unit_ns
        out[missing] = np.nan
        return out
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def restore_numeric(values: np.ndarray, missing: np.ndarray, info: ColumnInfo):
    """The pandas column of model values: rounded to the column's decimals, clipped to its range, NaN where
    ``missing``, cast to its dtype."""
    import pandas as pd

    v = np.clip(np.asarray(values, dtype=np.float64), info.low, info.high)
    if info.decimals is not None:
        v = np.round(v, info.decimals)
    v[missing] = np.nan
    if info.kind == "datetime":
        ns = np.where(missing, 0, v).astype(np.int64) * info.unit_ns
        out = pd.Series(ns.astype("datetime64[ns]"), name=info.name)
        out[missing] = pd.NaT
        return out.astype(info.dtype)
    return pd.Series(v, name=info.name).astype(info.dtype)


def restore_categorical(index: np.ndarray, info: ColumnInfo):
    """The pandas column of category indices (index len(categories) is the missing value), in its dtype."""
    import pandas as pd

    table = np.empty(len(info.categories) + 1, dtype=object)
    table[: len(info.categories)] = info.categories
    table[-1] = None
    values = table[np.asarray(index)]
    if info.dtype == "category":
        return pd.Series(pd.Categorical(values, categories=info.categories, ordered=info.ordered), name=info.name)
    return pd.Series(values, name=info.name, dtype=object).astype(info.dtype)
