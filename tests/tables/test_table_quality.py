"""SDMetrics' quality report through gankit.metrics.table_quality, on tables whose scores follow by hand."""

import numpy as np
import pandas as pd
import pytest

from gankit.metrics.table import fidelity
from gankit.metrics.table_quality import quality_report, sdv_metadata


def test_opposite_correlation_scores_by_hand():
    x = np.arange(20.0)
    real = pd.DataFrame({"x": x, "y": x})  # ρ = 1
    fake = pd.DataFrame({"x": x, "y": -x})  # ρ = -1
    out = quality_report(real, fake)
    # shapes: x identical (1); y: KS = 19/20 between 0..19 and -19..0, so 1 - 0.95 = 0.05
    assert out["sdv_column_shapes"] == pytest.approx((1 + 0.05) / 2)
    # pair trend: 1 - |1 - (-1)| / 2 = 0
    assert out["sdv_pair_trends"] == pytest.approx(0.0, abs=1e-9)
    assert out["sdv_quality"] == pytest.approx(0.2625)


def test_identical_tables_score_one_and_shapes_agree_with_gankits_own():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"a": rng.normal(size=200), "c": rng.choice(["u", "v", "w"], 200),
                         "b": rng.random(200) < 0.3})
    assert quality_report(real, real.copy())["sdv_quality"] == pytest.approx(1.0)
    fake = pd.DataFrame({"a": rng.normal(0.5, 1, 300), "c": rng.choice(["u", "v", "w"], 300, p=[0.6, 0.2, 0.2]),
                         "b": rng.random(300) < 0.5})
    assert quality_report(real, fake)["sdv_column_shapes"] == pytest.approx(fidelity(real, fake)["shape_score"])


def test_sdtypes_follow_gankits_column_split():
    frame = pd.DataFrame({"n": np.arange(30.0), "k": np.arange(30) % 3, "s": ["a"] * 30, "b": [True, False] * 15,
                          "t": pd.date_range("2020-01-01", periods=30)})
    kinds = {name: c["sdtype"] for name, c in sdv_metadata(frame)["columns"].items()}
    assert kinds == {"n": "numerical", "k": "categorical", "s": "categorical", "b": "boolean", "t": "datetime"}
