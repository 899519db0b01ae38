"""Sampling a table run: ``n`` rows with the input's columns, dtypes and categories (`gankit.games.ctgan`),
written as CSV (or Parquet, when pyarrow is installed) in one atomic step."""

from __future__ import annotations

from pathlib import Path

from gankit.atomic import atomic_write, atomic_write_text
from gankit.errors import ConfigError, RunFolderError
from gankit.paths import check_creatable, protected_reason
from gankit.sampling.loading import LoadedGenerator, load_generator, run_data_kind

TABLE_SUFFIXES = (".csv", ".parquet")


def is_table_run(source: str | Path) -> bool:
    """Whether `source` is a run or checkpoint folder trained on a table (read from its data spec)."""
    return run_data_kind(source) == "table"


def parse_where(text: str | None) -> tuple[str, str] | None:
    """``"column=value"`` -> (column, value); None stays None."""
    if text is None:
        return None
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise ConfigError(f"--where expects COLUMN=CATEGORY, got '{text}'")
    return column.strip(), value.strip()


def sample_table(source: str | Path | LoadedGenerator, n: int, *, seed: int = 0, batch_size: int = 1000,
                 where: str | tuple[str, str] | None = None):
    """``n`` synthetic rows (a pandas DataFrame) from a table run: the same ``seed`` gives the same rows.
    ``where`` ("column=category" or a pair) draws rows of that category only."""
    if isinstance(where, str):
        where = parse_where(where)
    if n <= 0:
        raise ConfigError(f"-n must be positive, got {n}")
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    if not hasattr(loaded.game, "sample_rows"):
        raise ConfigError(f"{loaded.checkpoint.parent.parent} is not a table run")
    rows = loaded.game.sample_rows(loaded.module, n, seed, batch_size, where=where)
    return loaded.game.spans.to_frame(rows)


def check_table_output(out: str | Path, *, force: bool = False) -> Path:
    """Check a table may be written to `out` (.csv, or .parquet with pyarrow) before sampling."""
    out = Path(out)
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise ConfigError(f"cannot write a table to '{out}': use .csv or .parquet")
    if out.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigError(f"writing {out} needs pyarrow, which this Python lacks: use .csv") from None
    reason = protected_reason(out)
    if reason:
        raise RunFolderError(f"refusing to write samples to {out}: it {reason}; choose another --out")
    check_creatable(out.parent, "output folder")
    if out.is_dir():
        raise RunFolderError(f"{out} is a folder; choose a file name ending in .csv or .parquet")
    if out.exists() and not force:
        raise RunFolderError(f"{out} already exists; use --force to replace it")
    return out


def save_table(df, out: str | Path, *, force: bool = False) -> Path:
    """Write ``df`` to ``out`` (.csv without the index, or .parquet) atomically; returns the path."""
    out = check_table_output(out, force=force)
    if out.suffix.lower() == ".parquet":
        return atomic_write(out, lambda tmp: df.to_parquet(tmp, index=False))
    return atomic_write_text(out, df.to_csv(index=False))
