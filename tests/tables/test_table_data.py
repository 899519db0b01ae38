"""Table data: column kinds, the exact round trip, training by sampling, the metrics checked by hand, and the
one-line errors for a bad table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gankit.data import TableOptions, load_dataset
from gankit.data.table import TableDataset, read_table, training_draws
from gankit.data.table_columns import parse_overrides
from gankit.data.table_transform import TableTransformer
from gankit.errors import ConfigError, DataError
from gankit.metrics.table import fidelity, ks_distance, privacy, tv_distance


def mixed_frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "bimodal": np.round(rng.normal(size=n) + np.where(rng.random(n) < 0.5, 10, -5), 4),
        "gappy": np.where(rng.random(n) < 0.2, np.nan, np.round(rng.exponential(size=n), 3)),
        "count": rng.poisson(30, size=n).astype("int64"),
        "count_gaps": np.where(rng.random(n) < 0.1, np.nan, rng.poisson(5, size=n)).astype(float),
        "city": pd.Series(rng.choice(["Oslo", "Lima", "Pune", None], size=n)).astype("str"),
        "size": pd.Categorical(rng.choice(["S", "L"], size=n), categories=["S", "M", "L"], ordered=True),
        "flag": rng.random(n) < 0.3,
        "label": rng.integers(0, 3, size=n),
        "when": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, size=n), unit="D"),
    })
    df.loc[3, "when"] = pd.NaT
    return df


@pytest.fixture(scope="module")
def fitted() -> TableTransformer:
    return TableTransformer.fit(mixed_frame())


def test_kinds_are_inferred_and_overridable(fitted):
    t = fitted
    kinds = {c.name: c.kind for c in t.columns}
    assert kinds == {"bimodal": "continuous", "gappy": "continuous", "count": "integer", "count_gaps": "integer",
                     "city": "categorical", "size": "categorical", "flag": "boolean", "label": "categorical",
                     "when": "datetime"}
    info = {c.name: c for c in t.columns}
    assert info["bimodal"].decimals == 4 and info["when"].unit_ns == 86_400 * 10**9
    assert info["size"].categories == ["S", "M", "L"]  # the dtype's categories, the unused M too
    assert t.modes["bimodal"].n_modes >= 2  # two clear modes found
    small = mixed_frame(40)[["count", "label"]]
    assert [c.kind for c in TableTransformer.fit(small, {"count": "categorical", "label": "integer"}).columns] == \
        ["categorical", "integer"]
    assert parse_overrides("a=integer, b = categorical") == {"a": "integer", "b": "categorical"}
    with pytest.raises(ConfigError, match="unknown kind 'float' for column 'a'"):
        parse_overrides("a=float")


def test_round_trip_is_exact_with_gaps_categories_integers_booleans_and_dates(fitted):
    df, t = mixed_frame(), fitted
    rows = t.transform(df, seed=3)
    assert rows.shape == (len(df), t.width)
    back = t.inverse_transform(rows)
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert back["size"].cat.categories.tolist() == ["S", "M", "L"] and back["size"].cat.ordered
    # a column of full-precision floats returns within float64 rounding (see gankit.data.table_transform)
    raw = pd.DataFrame({"x": np.random.default_rng(1).normal(size=300) * 7 + 3})
    t = TableTransformer.fit(raw)
    assert np.allclose(t.inverse_transform(t.transform(raw))["x"], raw["x"], rtol=1e-13, atol=1e-13)


def test_generated_rows_respect_ranges_and_category_sets(fitted):
    df, t = mixed_frame(), fitted
    noise = np.random.default_rng(0).normal(size=(500, t.width)) * 3  # far outside the data
    out = t.inverse_transform(noise)
    assert out.dtypes.equals(df.dtypes)
    assert out["bimodal"].between(df["bimodal"].min(), df["bimodal"].max()).all()
    assert out["count"].between(df["count"].min(), df["count"].max()).all()
    assert set(out["city"].dropna()) <= set(df["city"].dropna())


def test_training_by_sampling_draws_rare_categories_by_log_frequency():
    df = pd.DataFrame({"kind": ["common"] * 190 + ["rare"] * 10, "v": np.arange(200) / 7})
    data = TableDataset(df, "t", TableOptions(holdout=0.0), seed=0)
    t = data.transformer
    rows = t.transform(data.frame)
    index, cond = training_draws(t, rows, 20_000, seed=0)
    rare = cond[:, t.columns[0].categories.index("rare")] == 1
    expected = math.log(11) / (math.log(11) + math.log(191))  # ≈ 0.31, against a 5% share of the rows
    assert abs(rare.mean() - expected) < 0.02
    assert (data.frame["kind"].to_numpy()[index[rare]] == "rare").all()  # each draw's row has its category
    assert data.field_groups()["draws"]["row"].shape == (10_000, t.width)  # max(rows, DRAWS) draws made at load


def test_metrics_by_hand():
    assert ks_distance(np.array([1.0, 2, 3, 4]), np.array([3.0, 4, 5, 6])) == 0.5
    assert ks_distance(np.array([1.0, np.nan]), np.array([1.0])) == 0.0
    assert tv_distance(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == 0.25
    assert tv_distance(["a", None], ["a", None]) == 0.0
    df = mixed_frame(120)
    same = fidelity(df, df)
    assert same["shape_score"] == 1.0 and same["ks_mean"] == 0.0 and same["tv_mean"] == 0.0
    copied = privacy(df, df, df.iloc[:0])
    assert copied["exact_copies"] == 1.0 and copied["dcr_synthetic"] == 0.0
    shifted = df.assign(bimodal=df["bimodal"] + 0.5)
    assert privacy(shifted, df, df.iloc[:0])["exact_copies"] == 0.0


def test_bundled_tables_load_with_their_target():
    data = load_dataset("wine", table=TableOptions("target", holdout=0.2), seed=0)
    assert len(data) == 142 and len(data.test) == 36 and data.kind == "table"
    assert {c.name: c.kind for c in data.transformer.columns}["target"] == "categorical"
    assert set(data.field_groups()["draws"]) == {"row", "cond"}


def test_bad_tables_are_one_line_errors(tmp_path):
    png = tmp_path / "picture.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(DataError, match="is not a table"):
        read_table(png)
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan] * 3})
    with pytest.raises(DataError, match="column 'b' has no value"):
        TableDataset(df, "t", TableOptions(holdout=0.0))
    with pytest.raises(ConfigError, match="'data.target' names column 'c', which table 't' does not have"):
        TableDataset(df, "t", TableOptions(target="c"))


def test_superstore_orders_are_read_from_the_package_csv():
    import importlib.util

    if importlib.util.find_spec("bokeh_sampledata") is None:
        pytest.skip("bokeh-sampledata is not installed (scripts/setup.sh installs it)")
    from gankit.data.table import builtin_table

    df = builtin_table("superstore")
    assert df.shape == (9994, 13) and df["Category"].nunique() == 3
    kinds = {c: TableTransformer.fit(df[[c]].head(300)).columns[0].kind for c in ("Segment", "Quantity", "Profit")}
    assert kinds == {"Segment": "categorical", "Quantity": "integer", "Profit": "continuous"}


def test_a_parquet_table_reads_back_with_its_dtypes_categories_gaps_and_dates(tmp_path):
    df = mixed_frame(60)
    df.to_parquet(tmp_path / "t.parquet", index=False)
    assert read_table(tmp_path / "t.parquet").equals(df)
    (tmp_path / "bad.parquet").write_text("a,b\n1,2\n")  # a CSV under a Parquet name
    with pytest.raises(DataError, match="is not a table pandas can read"):
        read_table(tmp_path / "bad.parquet")
