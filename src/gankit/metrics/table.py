"""Fidelity, utility and privacy of a synthetic table (pandas DataFrames with the same columns).

Fidelity, per column (lower is closer; 0 for identical distributions):

- numeric columns: the two-sample Kolmogorov-Smirnov statistic  KS = sup_x |F_real(x) - F_fake(x)|;
- categorical columns (missing values a category of their own): the total variation distance
  TV = ½ Σ_k |p_real(k) - p_fake(k)|.

``shape_score`` = 1 - mean distance over the columns (the "column shapes" score of SDMetrics' quality
report, computed here).

Utility (Esteban et al. 2017's "train on synthetic, test on real"): a gradient-boosted model and a logistic
regression (linear regression for a numeric target) fitted on the synthetic rows, scored on held-out real rows
by macro-F1 (R²), beside the same models fitted on the real training rows ("train on real").

Privacy: the distance to the closest record (DCR, Park et al. 2018) of each synthetic row among the real
training rows, in the encoded space (numeric columns scaled by the training range, categories one-hot), beside
the DCR of held-out real rows: synthetic rows much closer than held-out ones were memorised. ``exact_copies``
is the share of synthetic rows equal to a training row in every column.
"""

from __future__ import annotations

import numpy as np


def ks_distance(real: np.ndarray, fake: np.ndarray) -> float:
    """sup_x |F_real(x) - F_fake(x)| of two samples (NaNs dropped); 1 when one sample is empty.

    >>> ks_distance(np.array([1., 2., 3., 4.]), np.array([3., 4., 5., 6.]))
    0.5
    """
    real, fake = np.sort(real[~np.isnan(real)]), np.sort(fake[~np.isnan(fake)])
    if len(real) == 0 or len(fake) == 0:
        return 1.0
    grid = np.concatenate([real, fake])
    cdf_real = np.searchsorted(real, grid, side="right") / len(real)
    cdf_fake = np.searchsorted(fake, grid, side="right") / len(fake)
    return float(np.abs(cdf_real - cdf_fake).max())


def tv_distance(real, fake) -> float:
    """½ Σ_k |p_real(k) - p_fake(k)| over the categories of either sample (missing values one category).

    >>> tv_distance(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    0.25
    """
    import pandas as pd

    def shares(values) -> "pd.Series":
        s = pd.Series(list(values), dtype=object)
        return s.astype(str).where(s.notna(), "<missing>").value_counts(normalize=True)

    p, q = shares(real), shares(fake)
    keys = p.index.union(q.index)
    return float(0.5 * np.abs(p.reindex(keys, fill_value=0).to_numpy() - q.reindex(keys, fill_value=0).to_numpy()).sum())


def is_numeric_column(series, max_categories: int = 10) -> bool:
    """Numbers (or datetimes) with more than ``max_categories`` distinct values; booleans are categorical."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype) or isinstance(series.dtype, pd.CategoricalDtype):
        return False
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    return pd.api.types.is_numeric_dtype(series.dtype) and series.nunique() > max_categories


def _numbers(series) -> np.ndarray:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = series.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        out[series.isna().to_numpy()] = np.nan
        return out
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def column_distances(real, fake) -> dict[str, tuple[str, float]]:
    """{column: ("ks" or "tv", distance)} over the columns of ``real`` (module docstring)."""
    out = {}
    for name in real.columns:
        if is_numeric_column(real[name]):
            out[str(name)] = ("ks", ks_distance(_numbers(real[name]), _numbers(fake[name])))
        else:
            out[str(name)] = ("tv", tv_distance(real[name], fake[name]))
    return out


def fidelity(real, fake) -> dict[str, float]:
    """``ks_mean`` (numeric columns), ``tv_mean`` (categorical ones), ``shape_score`` = 1 - mean distance."""
    d = column_distances(real, fake)
    ks = [v for kind, v in d.values() if kind == "ks"]
    tv = [v for kind, v in d.values() if kind == "tv"]
    out = {"shape_score": 1.0 - float(np.mean([v for _, v in d.values()]))}
    if ks:
        out["ks_mean"] = float(np.mean(ks))
    if tv:
        out["tv_mean"] = float(np.mean(tv))
    return out


class Encoder:
    """Rows as numbers: numeric columns scaled to [0, 1] by the training range (missing: the training median),
    other columns one-hot over the training categories (missing and unseen: all zeros)."""

    def __init__(self, train, exclude: tuple[str, ...] = ()) -> None:
        self.numeric, self.categories = {}, {}
        for name in train.columns:
            if name in exclude:
                continue
            if is_numeric_column(train[name]):
                v = _numbers(train[name])
                lo, hi = np.nanmin(v), np.nanmax(v)
                self.numeric[name] = (lo, (hi - lo) or 1.0, np.nanmedian(v))
            else:
                self.categories[name] = sorted(set(train[name].dropna().astype(str)))

    def __call__(self, df) -> np.ndarray:
        parts = []
        for name, (lo, span, median) in self.numeric.items():
            v = _numbers(df[name])
            parts.append(((np.where(np.isnan(v), median, v) - lo) / span)[:, None])
        for name, cats in self.categories.items():
            values = df[name].astype(str).to_numpy()
            parts.append((values[:, None] == np.array(cats, dtype=object)[None]).astype(np.float64))
        return np.concatenate(parts, axis=1) if parts else np.zeros((len(df), 0))


def utility(synthetic, train, test, target: str, seed: int = 0) -> dict[str, float]:
    """Train on synthetic / train on real, scored on ``test``: macro-F1 of a gradient-boosted classifier
    (``*_gb``) and a logistic regression (``*_lr``) for a categorical target, R² of the regressors for a
    numeric one (module docstring)."""
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import f1_score, r2_score

    encode = Encoder(train, exclude=(target,))
    classify = not is_numeric_column(train[target])
    if classify:
        models = {"gb": lambda: GradientBoostingClassifier(random_state=seed),
                  "lr": lambda: LogisticRegression(max_iter=2000)}
        label = lambda df: df[target].astype(str).to_numpy()  # noqa: E731
        score, metric = (lambda y, p: f1_score(y, p, average="macro")), "f1"
    else:
        models = {"gb": lambda: GradientBoostingRegressor(random_state=seed), "lr": LinearRegression}
        label = lambda df: _numbers(df[target])  # noqa: E731
        score, metric = r2_score, "r2"
    x_test, y_test = encode(test), label(test)
    out = {}
    for source, frame in (("tstr", synthetic), ("trtr", train)):
        frame = frame[~frame[target].isna()]
        y = label(frame)
        for key, make in models.items():
            if classify and len(set(y)) < 2:
                out[f"{source}_{metric}_{key}"] = 0.0  # one class only: nothing to learn
                continue
            model = make().fit(encode(frame), y)
            out[f"{source}_{metric}_{key}"] = float(score(y_test, model.predict(x_test)))
    return out


def closest_distances(rows: np.ndarray, reference: np.ndarray, chunk: int = 512) -> np.ndarray:
    """Euclidean distance of each of ``rows`` to its nearest row of ``reference``."""
    out = np.empty(len(rows))
    ref2 = (reference ** 2).sum(1)
    for start in range(0, len(rows), chunk):
        r = rows[start : start + chunk]
        d2 = (r ** 2).sum(1)[:, None] - 2 * r @ reference.T + ref2[None]
        out[start : start + chunk] = np.sqrt(np.maximum(d2.min(1), 0))
    return out


def privacy(synthetic, train, holdout) -> dict[str, float]:
    """``dcr_synthetic`` and ``dcr_holdout`` (median distance to the closest training row), their ratio
    ``dcr_ratio`` (≥ 1: synthetic rows no closer to the training rows than unseen real rows) and
    ``exact_copies`` (share of synthetic rows equal to some training row in every column)."""
    import pandas as pd

    encode = Encoder(train)
    x_train = encode(train)
    synth = float(np.median(closest_distances(encode(synthetic), x_train)))
    out = {"dcr_synthetic": synth}
    if len(holdout):
        held = float(np.median(closest_distances(encode(holdout), x_train)))
        out.update(dcr_holdout=held, dcr_ratio=synth / held if held > 0 else float("inf"))
    keys = set(pd.util.hash_pandas_object(train.astype(str), index=False).tolist())
    hashes = pd.util.hash_pandas_object(synthetic[train.columns].astype(str), index=False).to_numpy()
    out["exact_copies"] = float(np.mean([h in keys for h in hashes]))
    return out
