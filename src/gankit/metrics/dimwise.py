"""medGAN's two measures of a synthetic binary matrix (Choi et al. 2017, §4.2 "Dimension-wise probability" and
"Dimension-wise prediction"), as pure functions of NumPy arrays (rows × columns of 0/1).

Dimension-wise probability: each column's Bernoulli success rate p_k = (1/n) Σ_i x_ik in the real and in the
synthetic matrix; a good model puts the points (p_k^real, p_k^syn) on the diagonal. Summaries: the Pearson
correlation of the two vectors and the mean absolute difference.

Dimension-wise prediction: for each column k, a logistic regression fitted on the other columns of the
synthetic matrix predicts column k of held-out real rows; its F1 score beside the F1 of the same model fitted
on the real training rows. A good model's points (F1_k^real, F1_k^syn) lie near the diagonal. Columns whose
held-out real rows have no positive are left out (F1 is undefined there); a column that is constant in the
rows a model is fitted on is predicted as that constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DimensionWiseProbability:
    """Per-column success rates (real, synthetic) and their summaries."""

    real: np.ndarray
    synthetic: np.ndarray
    correlation: float
    mean_abs_diff: float


@dataclass(frozen=True)
class DimensionWisePrediction:
    """Per-column F1 of models fitted on real and on synthetic rows (``columns`` are the indices scored)."""

    columns: np.ndarray
    f1_real: np.ndarray
    f1_synthetic: np.ndarray

    @property
    def mean_real(self) -> float:
        return float(self.f1_real.mean()) if len(self.columns) else float("nan")

    @property
    def mean_synthetic(self) -> float:
        return float(self.f1_synthetic.mean()) if len(self.columns) else float("nan")

    @property
    def mean_abs_gap(self) -> float:
        """Mean over columns of |F1_real - F1_synthetic|."""
        return float(np.abs(self.f1_real - self.f1_synthetic).mean()) if len(self.columns) else float("nan")


def _binary(matrix, name: str) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"{name} must be a (rows, columns) matrix, got shape {m.shape}")
    if not np.isin(m, (0.0, 1.0)).all():
        raise ValueError(f"{name} must hold 0 and 1 only")
    return m


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """The Pearson correlation of two vectors; 1.0 when both are constant and equal, 0.0 when one is constant."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    da, db = a - a.mean(), b - b.mean()
    norm = np.sqrt((da ** 2).sum() * (db ** 2).sum())
    if norm == 0:
        return 1.0 if np.allclose(a, b) else 0.0
    return float((da * db).sum() / norm)


def dimension_wise_probability(real, synthetic) -> DimensionWiseProbability:
    """Each column's rate of ones in ``real`` and ``synthetic`` (same columns), their correlation and mean
    absolute difference."""
    r, s = _binary(real, "real"), _binary(synthetic, "synthetic")
    if r.shape[1] != s.shape[1]:
        raise ValueError(f"real has {r.shape[1]} columns, synthetic {s.shape[1]}")
    pr, ps = r.mean(0), s.mean(0)
    return DimensionWiseProbability(pr, ps, pearson(pr, ps), float(np.abs(pr - ps).mean()))


def _column_f1(train: np.ndarray, test: np.ndarray, k: int, seed: int) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    others = [j for j in range(train.shape[1]) if j != k]
    y = train[:, k]
    if len(np.unique(y)) < 2:
        predicted = np.full(len(test), y[0] if len(y) else 0.0)
    else:
        model = LogisticRegression(max_iter=1000, random_state=seed)
        model.fit(train[:, others], y)
        predicted = model.predict(test[:, others])
    return float(f1_score(test[:, k], predicted, zero_division=0))


def dimension_wise_prediction(synthetic, real_train, real_test, seed: int = 0) -> DimensionWisePrediction:
    """Per column k with a positive in ``real_test``: F1 on ``real_test`` of a logistic regression predicting
    column k from the others, fitted on ``real_train`` and on ``synthetic``."""
    s, r, t = _binary(synthetic, "synthetic"), _binary(real_train, "real_train"), _binary(real_test, "real_test")
    if not s.shape[1] == r.shape[1] == t.shape[1]:
        raise ValueError("synthetic, real_train and real_test must have the same columns")
    columns = np.flatnonzero(t.sum(0) > 0)
    f1_real = np.array([_column_f1(r, t, int(k), seed) for k in columns])
    f1_syn = np.array([_column_f1(s, t, int(k), seed) for k in columns])
    return DimensionWisePrediction(columns, f1_real, f1_syn)
