"""A table of binary and count columns as the code matrix medGAN reads (Choi et al. 2017, §2: a patient's
record is a vector x ∈ {0, 1}^|C| of medical codes, or of their counts, x ∈ ℕ^|C|).

Column by column (the kinds of `gankit.data.table_columns`, fitted on the training rows):

- ``binary``: a categorical or boolean column with two categories (or one: a constant) and no gap; its value
  is the category's index in the column's sorted categories (0/1 → 0/1, False/True → 0/1, F/M → 0/1);
- ``count``: an integer column (or a categorical one whose categories are all whole numbers, e.g. a count with
  few values) with no negative value and no gap; its value is the count itself.

Anything else (a continuous or datetime column, a category with more than two text values, a negative
integer, a gap) cannot be a code: `code_columns` names the first such column. ``from_codes`` maps a code
matrix back to the table: binary values thresholded at 0.5, counts rounded to the nearest whole number (for a
categorical count, the nearest category) and clipped to the column's training range, in the input's dtypes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gankit.data.table_columns import ColumnInfo, restore_categorical, restore_numeric
from gankit.errors import ConfigError

CODE_KINDS = ("binary", "count")


@dataclass(frozen=True)
class CodeColumn:
    """One column of the code matrix: its name, ``binary`` or ``count``, and the column it comes from."""

    name: str
    kind: str
    info: ColumnInfo


def _whole_numbers(values: list) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() for v in values)


def code_kind(info: ColumnInfo) -> str:
    """``binary`` or ``count`` for a column that can be a code; `ConfigError` naming the column otherwise."""
    if info.has_missing:
        raise ConfigError(f"column '{info.name}' has missing values; medGAN codes are binary or counts without gaps "
                          "(fill them, or add a 0/1 column that says whether the value is known)")
    if info.discrete and len(info.categories) <= 2:
        return "binary"
    if info.discrete and _whole_numbers(info.categories) and min(info.categories) >= 0:
        return "count"
    if info.kind == "integer" and info.low >= 0:
        return "count"
    what = f"{info.kind} with {len(info.categories)} categories" if info.discrete else info.kind
    if info.kind == "integer":
        what = "an integer column with negative values"
    raise ConfigError(f"column '{info.name}' is {what}; medGAN models binary and count columns only (derive 0/1 "
                      "indicators from it, or drop it)")


def code_columns(columns: list[ColumnInfo]) -> list[CodeColumn]:
    """The code layout of a table's fitted columns (module docstring); `ConfigError` for the first that cannot be
    a code."""
    return [CodeColumn(info.name, code_kind(info), info) for info in columns]


def to_codes(frame, layout: list[CodeColumn]) -> np.ndarray:
    """The ``(rows, columns)`` float32 code matrix of ``frame``."""
    out = np.zeros((len(frame), len(layout)), dtype=np.float32)
    for j, column in enumerate(layout):
        info, series = column.info, frame[column.name]
        if info.discrete:
            values = [v.item() if hasattr(v, "item") else v for v in series]
            index = {c: i for i, c in enumerate(info.categories)}
            positions = np.array([index.get(v, index.get(str(v), 0)) for v in values], dtype=np.float32)
            out[:, j] = np.asarray(info.categories, dtype=np.float32)[positions.astype(int)] \
                if column.kind == "count" else positions
        else:
            out[:, j] = series.to_numpy(dtype=np.float64)
    return out


def from_codes(codes: np.ndarray, layout: list[CodeColumn]):
    """The table (pandas DataFrame, the input's columns and dtypes) of a code matrix (module docstring)."""
    import pandas as pd

    codes = np.asarray(codes, dtype=np.float64)
    columns = {}
    for j, column in enumerate(layout):
        info, values = column.info, codes[:, j]
        if column.kind == "binary":
            index = np.minimum((values >= 0.5).astype(np.int64), len(info.categories) - 1)
            columns[column.name] = restore_categorical(index, info)
        elif info.discrete:
            categories = np.asarray(info.categories, dtype=np.float64)
            index = np.abs(values[:, None] - categories[None, :]).argmin(1)
            columns[column.name] = restore_categorical(index, info)
        else:
            columns[column.name] = restore_numeric(np.round(values), np.zeros(len(values), dtype=bool), info)
    return pd.DataFrame(columns)
