"""Tables: a CSV or Parquet file, or a bundled table, as rows a tabular GAN trains on (Xu et al. 2019).

A table is split once into training rows and a held-out share (``data.holdout``, seeded by the data seed) that
evaluation measures utility and privacy against. Its columns are described and fitted by
:class:`gankit.data.table_transform.TableTransformer` on the training rows.

*Training by sampling* (§4.3): each draw picks a categorical column j uniformly, a category k of it with
probability ∝ log(1 + count_k) (rare categories drawn far more often than their share), and a training row
with that category; the conditional vector is the one-hot of (j, k). The draws are made once, from the data
seed: ``max(N, DRAWS)`` of them, the fields ``row`` (the transformed row, float32) and ``cond`` (the conditional
vector) of one group, which the trainer shuffles and shards like any other (a table without categorical
columns draws rows uniformly, with an empty ``cond``). A second group, ``record``, holds the training rows
themselves, drawn uniformly (what TVAE reads). A table whose columns are all binary or counts has a third,
``code``: its training rows as the code matrix medGAN reads (`gankit.data.table_codes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.data.table_codes import code_columns, to_codes
from gankit.data.table_columns import parse_overrides
from gankit.data.table_transform import TableTransformer
from gankit.errors import ConfigError, DataError

DRAWS = 10_000
BUILTIN_TABLES = ("breast-cancer", "wine", "superstore", "flchain", "flchain-binary")
BUILTIN_TARGETS = {"breast-cancer": "target", "wine": "target", "superstore": "Category", "flchain": "death",
                   "flchain-binary": "dead"}
SUPERSTORE = ("bokeh_sampledata", "_data/SampleSuperstore.csv.gz")  # PyPI bokeh-sampledata 2026.1, CC0


@dataclass(frozen=True)
class TableOptions:
    """``data.target`` (the column a utility model predicts), ``data.column_kinds`` (kind overrides,
    ``"a=integer,b=categorical"``) and ``data.holdout`` (the held-out share of rows)."""

    target: str | None = None
    column_kinds: str = ""
    holdout: float = 0.2


def read_table(path: str | Path):
    """A CSV (any suffix but .parquet/.pq) or Parquet file as a pandas DataFrame; `DataError` if it is no table."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such table file: {path}")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise DataError(f"reading {path} needs pyarrow, which this Python lacks: save the table as CSV") from None
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path)
    except DataError:
        raise
    except Exception as exc:  # pandas' parser, decoding and empty-file errors
        raise DataError(f"{path} is not a table pandas can read ({type(exc).__name__})") from None
    if len(df) == 0 or len(df.columns) == 0 or any(str(c).startswith("Unnamed: ") for c in df.columns[:1]) and \
            len(df.columns) == 1:
        raise DataError(f"{path} is not a table: no rows or no named columns")
    return df


def builtin_table(name: str):
    """A bundled table: scikit-learn's breast-cancer (569 × 31) or wine (178 × 14) with their class column
    ``target``; superstore (9,994 retail order lines × 13: 8 categorical, 5 numeric; class column ``Category``),
    read from the CSV inside PyPI's ``bokeh-sampledata`` without importing it (install it with ``--no-deps``);
    flchain (7,874 patients × 11, class column ``death``) and flchain-binary (its 26 binary conditions, class
    column ``dead``), from the asset ``flchain`` (`gankit.data.flchain`)."""
    from sklearn import datasets

    if name in ("flchain", "flchain-binary"):
        from gankit.data.flchain import flchain_binary, load_flchain

        frame = load_flchain()
        return flchain_binary(frame) if name == "flchain-binary" else frame

    if name == "superstore":
        import importlib.util
        from pathlib import Path as _Path

        import pandas as pd

        spec = importlib.util.find_spec(SUPERSTORE[0])
        if spec is None or spec.origin is None:
            raise DataError("table 'superstore' reads the Sample Superstore CSV inside the package bokeh-sampledata, "
                            "which this Python cannot import (scripts/setup.sh adds it; see docs/tables.md)")
        return pd.read_csv(_Path(spec.origin).parent / SUPERSTORE[1])
    loader = {"breast-cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}[name]
    return loader(as_frame=True).frame


def training_draws(transformer: TableTransformer, rows: np.ndarray, n: int, seed: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(row indices ``(n,)``, conditional vectors ``(n, C)``) drawn by training by sampling (module docstring)."""
    rng = np.random.default_rng(seed + 17)
    spans, cond_spans = transformer.discrete_spans(), transformer.cond_spans()
    cond = np.zeros((n, transformer.cond_width), dtype=np.float32)
    if not spans:
        return rng.integers(0, len(rows), n), cond
    columns = rng.integers(0, len(spans), n)
    index = np.empty(n, dtype=np.int64)
    for j, ((offset, width), (cond_offset, _)) in enumerate(zip(spans, cond_spans)):
        picked = np.flatnonzero(columns == j)
        category = rows[:, offset : offset + width].argmax(axis=1)
        weights = np.log1p(np.bincount(category, minlength=width).astype(np.float64))
        chosen = rng.choice(width, size=len(picked), p=weights / weights.sum())
        members = [np.flatnonzero(category == k) for k in range(width)]
        for k in np.unique(chosen):
            at = picked[chosen == k]
            index[at] = rng.choice(members[k], size=len(at))
        cond[picked, cond_offset + chosen] = 1.0
    return index, cond


def split_frame(df, holdout: float, seed: int):
    """(training rows, held-out rows): a seeded random share ``holdout`` held out, each in the input's order."""
    order = np.random.default_rng(seed).permutation(len(df))
    held = int(round(holdout * len(df)))
    return (df.iloc[np.sort(order[held:])].reset_index(drop=True),
            df.iloc[np.sort(order[:held])].reset_index(drop=True))


def raw_table(name: str, path: str | None):
    """The whole table a run was trained on: the file at ``path`` when given (a built-in table's recipe trains
    on any file with ``data.path``), else the bundled one."""
    if path:
        return read_table(path)
    if name == "table":
        raise ConfigError("dataset 'table' needs data.path, a CSV or Parquet file")
    if name not in BUILTIN_TABLES:
        raise ConfigError(f"unknown table {name!r} (known: table, {', '.join(BUILTIN_TABLES)})")
    return builtin_table(name)


class TableDataset:
    """A table split into training rows (``frame``) and held-out rows (``test``), its fitted ``transformer``
    and the training draws (module docstring). ``len`` counts the training rows."""

    kind = "table"
    num_classes = 0
    y = None
    class_names: tuple[str, ...] = ()

    def __init__(self, df, name: str, options: TableOptions = TableOptions(), seed: int = 0) -> None:
        if options.target is not None and options.target not in df.columns:
            shown = ", ".join(map(str, list(df.columns)[:12])) + (", ..." if len(df.columns) > 12 else "")
            raise ConfigError(f"config key 'data.target' names column '{options.target}', which table '{name}' "
                              f"does not have (columns: {shown})")
        kinds = parse_overrides(options.column_kinds)
        unknown = [c for c in kinds if c not in df.columns]
        if unknown:
            raise ConfigError(f"config key 'data.column_kinds' names column '{unknown[0]}', which table '{name}' "
                              "does not have")
        if options.target is not None and options.target not in kinds:
            kinds[options.target] = "categorical" if _few_values(df[options.target]) else ""
            kinds = {k: v for k, v in kinds.items() if v}
        self.name, self.target, self.seed = name, options.target, seed
        self.frame, self.test = split_frame(df, options.holdout, seed)
        if len(self.frame) == 0:
            raise DataError(f"table '{name}' keeps no training row after holding out data.holdout={options.holdout:g}")
        self.transformer = TableTransformer.fit(self.frame, kinds, seed=seed)
        rows = self.transformer.transform(self.frame, seed=seed)
        index, cond = training_draws(self.transformer, rows, max(len(rows), DRAWS), seed)
        self.rows = torch.from_numpy(rows.astype(np.float32))  # the training rows, in order
        self.x = self.rows[torch.from_numpy(index)]
        self.cond = torch.from_numpy(cond)
        try:  # binary and count columns only: the code matrix of medGAN
            layout = code_columns(self.transformer.columns)
        except ConfigError:
            self.codes = None
        else:
            self.codes = torch.from_numpy(to_codes(self.frame, layout))

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return (int(self.x.shape[1]),)

    def field_groups(self) -> dict[str, dict[str, torch.Tensor]]:
        groups = {"draws": {"row": self.x, "cond": self.cond}, "records": {"record": self.rows}}
        if self.codes is not None:
            groups["codes"] = {"code": self.codes}
        return groups

    def preview_examples(self) -> dict[str, torch.Tensor]:
        """Up to 1,000 training rows (model units), drawn beside generated ones in previews; and, for a table of
        binary and count columns, every training row as codes (the column means medGAN's preview plots)."""
        examples = {"reference": self.rows[:1000]}
        if self.codes is not None:
            examples["codes"] = self.codes
        return examples

    def spec_extra(self) -> str:
        """What a game and a sampler need without the data (JSON): the transformer, the target, the row counts."""
        return json.dumps({"transformer": self.transformer.to_json(), "target": self.target,
                           "n_train": len(self.frame), "n_test": len(self.test),
                           "columns": [str(c) for c in self.frame.columns]})


def _few_values(series) -> bool:
    import pandas as pd

    return not pd.api.types.is_float_dtype(series.dtype) or series.nunique() <= 20


def table_meta(extra: str | dict[str, Any]) -> tuple[TableTransformer, dict[str, Any]]:
    """The transformer and the rest of a table's `spec_extra` (a JSON text or its dict)."""
    meta = json.loads(extra) if isinstance(extra, str) else extra
    return TableTransformer.from_json(meta["transformer"]), meta


def load_table(request) -> TableDataset:
    """Loader of dataset ``table``: the CSV/Parquet file at ``data.path``."""
    if not request.path:
        raise ConfigError("dataset 'table' needs data.path, a CSV or Parquet file")
    return TableDataset(read_table(request.path), Path(request.path).stem, request.table, request.seed)


def builtin_loader(name: str):
    """The loader of a bundled table (``data.target`` defaults to its class column); with
    ``data.path`` it reads that file instead, so a built-in table's recipe trains on any table."""

    def load(request) -> TableDataset:
        if request.path:
            return load_table(request)
        options = request.table
        if options.target is None:
            options = TableOptions(BUILTIN_TARGETS[name], options.column_kinds, options.holdout)
        return TableDataset(builtin_table(name), name, options, request.seed)

    return load
