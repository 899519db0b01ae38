"""The invertible map between a table and the rows a network sees (Xu et al. 2019, §4.2).

Each column becomes one or more *spans* of the row, in column order:

- continuous, integer, datetime: α (1 value, ``tanh`` in a generator) and the one-hot β of its mode (``softmax``)
  by mode-specific normalization (:mod:`gankit.data.table_modes`); then, if the column has gaps, a missing
  indicator (2 values: present, missing; ``softmax``). A missing value gets α = 0 in the column's first mode;
- categorical, boolean: the one-hot of its category (``softmax``), one more slot when the column has gaps.

``inverse_transform(transform(df))`` returns ``df``: the dtypes, categories, missing values and integer
columns exactly; a continuous column exactly when its values have at most 8 decimals (a table read from text),
else within float64 rounding (about 1e-15 relative). Rows from a generator go back the same way, each value
clipped to its column's range.

The *conditional vector* (§4.3) covers the categorical columns (not the missing indicators): ``cond_spans``
gives each one's offset in the vector and width, ``discrete_spans`` its offset in the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gankit.data.table_columns import (ColumnInfo, describe_column, numeric_values, restore_categorical,
                                       restore_numeric)
from gankit.data.table_modes import ModeNormalizer


@dataclass
class TableTransformer:
    """Fitted column descriptions and mixtures (`fit`); `transform` and `inverse_transform` (module docstring)."""

    columns: list[ColumnInfo]
    modes: dict[str, ModeNormalizer] = field(default_factory=dict)

    @classmethod
    def fit(cls, df, kinds: dict[str, str] | None = None, seed: int = 0) -> TableTransformer:
        """Describe every column of ``df`` (kinds inferred unless given in ``kinds``) and fit the mixtures."""
        kinds = kinds or {}
        columns = [describe_column(df[name], kinds.get(str(name))) for name in df.columns]
        out = cls(columns)
        for info in columns:
            if not info.discrete:
                values = numeric_values(df[info.name], info)
                out.modes[info.name] = ModeNormalizer.fit(values[~np.isnan(values)], seed=seed)
        out.count_categories(df)
        return out

    def count_categories(self, df) -> None:
        """Training rows per category of each discrete column (the sampling weights of §4.3)."""
        for info in self.columns:
            if info.discrete:
                index = self._category_index(df[info.name], info)
                info.counts = np.bincount(index, minlength=self.width_of(info)).tolist()

    # ------------------------------------------------------------------------------------------ layout
    def width_of(self, info: ColumnInfo) -> int:
        if info.discrete:
            return len(info.categories) + int(info.has_missing)
        return 1 + self.modes[info.name].n_modes + 2 * int(info.has_missing)

    def spans(self) -> list[tuple[int, str]]:
        """(width, activation) of each span of a row, in order: ``tanh`` for α, ``softmax`` for one-hots."""
        out: list[tuple[int, str]] = []
        for info in self.columns:
            if info.discrete:
                out.append((self.width_of(info), "softmax"))
            else:
                out += [(1, "tanh"), (self.modes[info.name].n_modes, "softmax")]
                if info.has_missing:
                    out.append((2, "softmax"))
        return out

    @property
    def width(self) -> int:
        return sum(w for w, _ in self.spans())

    def discrete_spans(self) -> list[tuple[int, int]]:
        """(offset in the row, width) of each categorical column's one-hot."""
        out, offset = [], 0
        for info in self.columns:
            if info.discrete:
                out.append((offset, self.width_of(info)))
            offset += self.width_of(info)
        return out

    def cond_spans(self) -> list[tuple[int, int]]:
        """(offset in the conditional vector, width) of each categorical column."""
        out, offset = [], 0
        for _, width in self.discrete_spans():
            out.append((offset, width))
            offset += width
        return out

    @property
    def cond_width(self) -> int:
        return sum(w for _, w in self.discrete_spans())

    def discrete_counts(self) -> list[np.ndarray]:
        return [np.asarray(info.counts, dtype=np.float64) for info in self.columns if info.discrete]

    # ------------------------------------------------------------------------------------------ maps
    @staticmethod
    def _category_index(series, info: ColumnInfo) -> np.ndarray:
        import pandas as pd

        lookup = {c: i for i, c in enumerate(info.categories)}
        missing = len(info.categories)

        def index(v: Any) -> int:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                return missing
            key = v.item() if hasattr(v, "item") else v
            if key not in lookup and str(key) in lookup:
                key = str(key)
            return lookup[key]

        try:
            return np.fromiter((index(v) for v in series.astype(object)), dtype=np.int64, count=len(series))
        except KeyError as exc:
            from gankit.errors import DataError

            raise DataError(f"column '{info.name}' has category {exc.args[0]!r} it was not fitted with") from None

    def transform(self, df, seed: int = 0) -> np.ndarray:
        """The rows ``(N, width)`` float64 of ``df`` (modes drawn from each value's posterior with ``seed``)."""
        rng = np.random.default_rng(seed)
        parts = []
        n = len(df)
        for info in self.columns:
            if info.discrete:
                block = np.zeros((n, self.width_of(info)))
                block[np.arange(n), self._category_index(df[info.name], info)] = 1.0
                parts.append(block)
                continue
            modes = self.modes[info.name]
            values = numeric_values(df[info.name], info)
            missing = np.isnan(values)
            alpha, k = modes.transform(np.where(missing, modes.means[0], values), rng)
            alpha[missing], k[missing] = 0.0, 0
            beta = np.zeros((n, modes.n_modes))
            beta[np.arange(n), k] = 1.0
            parts += [alpha[:, None], beta]
            if info.has_missing:
                parts.append(np.stack([~missing, missing], axis=1).astype(np.float64))
        return np.concatenate(parts, axis=1)

    def inverse_transform(self, rows: np.ndarray):
        """The table (a pandas DataFrame with the fitted columns and dtypes) of ``rows`` ``(N, width)``: each
        one-hot read by its argmax, every value clipped to its column's range (a generator's
        ``tanh`` keeps α in [-1, 1])."""
        import pandas as pd

        rows = np.asarray(rows, dtype=np.float64)
        out, offset = {}, 0
        for info in self.columns:
            width = self.width_of(info)
            block = rows[:, offset : offset + width]
            offset += width
            if info.discrete:
                out[info.name] = restore_categorical(block.argmax(axis=1), info)
                continue
            modes = self.modes[info.name]
            alpha, k = block[:, 0], block[:, 1 : 1 + modes.n_modes].argmax(axis=1)
            missing = block[:, -2:].argmax(axis=1) == 1 if info.has_missing else np.zeros(len(rows), dtype=bool)
            out[info.name] = restore_numeric(modes.inverse(alpha, k), missing, info)
        return pd.DataFrame(out)

    # ------------------------------------------------------------------------------------------ JSON
    def to_json(self) -> dict:
        return {"columns": [c.to_json() for c in self.columns],
                "modes": {name: m.to_json() for name, m in self.modes.items()}}

    @classmethod
    def from_json(cls, d: dict) -> TableTransformer:
        return cls([ColumnInfo.from_json(c) for c in d["columns"]],
                   {name: ModeNormalizer.from_json(m) for name, m in d["modes"].items()})
