"""CTGAN's generator-side decoding, checked without training: a row the generator could emit (tanh on each α,
hard Gumbel-argmax on each one-hot) goes back to the table exactly as the data's own rows do, and the mode
mapping c = 4 σ_k α + μ_k picks the mode of the one-hot, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from gankit.data.table import TableDataset, TableOptions
from gankit.data.table_modes import ModeNormalizer
from gankit.games.ctgan import TableSpans


def two_cluster_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """x in two well-separated clusters (means 0 and 100, sd 1 and 5) whose share depends on the class."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, size=n)
    far = rng.random(n) < np.where(label == 1, 0.8, 0.2)
    x = np.where(far, 100 + 5 * rng.normal(size=n), rng.normal(size=n))
    return pd.DataFrame({"x": np.round(x, 3), "y": np.round(rng.exponential(size=n) * 10, 3), "label": label})


def test_mode_inverse_by_hand():
    modes = ModeNormalizer(np.array([0.5, 0.5]), np.array([0.0, 10.0]), np.array([1.0, 2.0]))
    # α = 0.5 in mode 1: 4 · 2 · 0.5 + 10 = 14; α = -0.25 in mode 0: 4 · 1 · (-0.25) + 0 = -1
    assert np.allclose(modes.inverse(np.array([0.5, -0.25]), np.array([1, 0])), [14.0, -1.0])
    alpha, k = modes.transform(np.array([14.0]), np.random.default_rng(0))
    assert k[0] == 1 and np.isclose(alpha[0], 0.5)  # 14 is 7 σ from mode 0: its posterior there is ~0


def test_generator_side_decoding_of_real_rows_is_exact():
    """Logits that the activations map onto the real rows (atanh of α, one-hot × 30 so that the Gumbel noise
    cannot move the argmax) decode, through `TableSpans.activate(hard=True)` and `to_frame`, to the training
    table: the modes, α and the scale 4σ_k line up between the data side and the generator side."""
    df = two_cluster_table()
    data = TableDataset(df, "two", TableOptions("label", "", 0.0), seed=0)
    spans = TableSpans(data.spec_extra())
    rows = data.rows.double()
    assert rows[:, spans.tanh].abs().max() < 1  # no α clipped by tanh here, so the round trip can be exact
    logits = rows.clone()
    logits[:, spans.tanh] = torch.atanh(rows[:, spans.tanh])
    for offset, width in spans.softmax:
        logits[:, offset : offset + width] = 30 * rows[:, offset : offset + width]
    uniform = torch.rand(rows.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    activated = spans.activate(logits, 0.2, uniform, hard=True)
    back = spans.to_frame(activated)
    assert back.dtypes.equals(data.frame.dtypes)
    assert (back["label"] == data.frame["label"]).all()
    # float32 rows, float64 decoding: within 1e-3 of the column's values (x reaches 115)
    np.testing.assert_allclose(back[["x", "y"]].to_numpy(), data.frame[["x", "y"]].to_numpy(), rtol=0, atol=1e-3)
    assert abs(back["x"].median() - data.frame["x"].median()) < 1e-3


def test_soft_activation_keeps_the_mode_the_hard_draw_picks():
    """With the same Gumbel draws, the argmax of the soft (τ = 0.2) span the critic sees is the hard one-hot
    sampling returns, and tanh maps α logits to [-1, 1]."""
    df = two_cluster_table()
    spans = TableSpans(TableDataset(df, "two", TableOptions("label", "", 0.0), seed=0).spec_extra())
    logits = torch.randn(64, spans.width, generator=torch.Generator().manual_seed(1)) * 3
    uniform = torch.rand(64, spans.width, generator=torch.Generator().manual_seed(2))
    soft, hard = spans.activate(logits, 0.2, uniform), spans.activate(logits, 0.2, uniform, hard=True)
    for offset, width in spans.softmax:
        assert torch.allclose(soft[:, offset : offset + width].sum(1), torch.ones(64), atol=1e-5)
        assert torch.equal(soft[:, offset : offset + width].argmax(1), hard[:, offset : offset + width].argmax(1))
    assert soft[:, spans.tanh].abs().max() <= 1 and torch.equal(soft[:, spans.tanh], hard[:, spans.tanh])


def test_all_spans_at_once_equal_the_formulas_span_by_span():
    """The Gumbel softmax of every span at once is softmax((logits - log(-log u)) / τ) of each span, and the
    condition cross-entropy is each conditioned row's cross-entropy on its column, over all rows."""
    df = two_cluster_table()
    df["colour"] = np.random.default_rng(3).choice(["red", "green", "blue"], size=len(df))
    data = TableDataset(df, "two", TableOptions("label", "", 0.0), seed=0)
    spans = TableSpans(data.spec_extra())
    assert len(spans.discrete) == 2
    logits = torch.randn(50, spans.width, generator=torch.Generator().manual_seed(1)) * 3
    uniform = torch.rand(50, spans.width, generator=torch.Generator().manual_seed(2))
    soft = spans.activate(logits, 0.2, uniform)
    for offset, width in spans.softmax:
        part = logits[:, offset : offset + width] - torch.log(-torch.log(uniform[:, offset : offset + width]))
        assert torch.allclose(soft[:, offset : offset + width], torch.softmax(part / 0.2, dim=1), atol=1e-6)
    assert torch.allclose(soft[:, spans.tanh], torch.tanh(logits[:, spans.tanh]))
    cond = data.cond[:50]
    expected = 0.0
    for row in range(50):
        j = next(j for j, (o, w) in enumerate(spans.cond) if cond[row, o : o + w].sum() > 0)
        (offset, width), (cond_offset, _) = spans.discrete[j], spans.cond[j]
        target = cond[row, cond_offset : cond_offset + width].argmax()
        expected += torch.nn.functional.cross_entropy(logits[row : row + 1, offset : offset + width], target[None])
    assert torch.allclose(spans.cond_cross_entropy(logits, cond), expected / 50, atol=1e-5)
