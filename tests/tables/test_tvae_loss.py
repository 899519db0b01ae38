"""TVAE's reconstruction term against the per-column formula, written out span by span."""

from __future__ import annotations

import math

import pandas as pd
import torch
import torch.nn.functional as F

from gankit.config.loading import config_from_dict
from gankit.data.table import TableDataset, TableOptions
from gankit.games import build_game
from gankit.games.base import DataSpec


def _tvae_game():
    rng = torch.Generator().manual_seed(0)
    n = 200
    df = pd.DataFrame({"size": torch.randn(n, generator=rng).numpy() * 3 + 10,
                       "colour": [("red", "green", "blue")[i % 3] for i in range(n)],
                       "weight": torch.rand(n, generator=rng).numpy(),
                       "kind": [("a", "b")[i % 2] for i in range(n)]})
    data = TableDataset(df, "frame", TableOptions("kind", "", 0.0), 0)
    config = config_from_dict({"game": "tvae", "data": {"name": "table"}, "tvae": {"widths": [8], "z_dim": 4}})
    return build_game(config, DataSpec.of(data)), data


def test_tvae_reconstruction_is_the_gaussian_alpha_terms_plus_each_spans_cross_entropy():
    game, data = _tvae_game()
    spans = game.spans
    rows = data.rows[:16]
    torch.manual_seed(1)
    out = torch.randn(16, spans.width) * 3
    log_delta = torch.rand(spans.width) * -2
    expected = torch.zeros(16)
    for col in spans.tanh:  # -log N(r; tanh(out), δ²) up to ½ log 2π
        expected += (rows[:, col] - torch.tanh(out[:, col])) ** 2 / (2 * log_delta[col].exp() ** 2) + log_delta[col]
    for offset, width in spans.softmax:
        target = rows[:, offset : offset + width].argmax(1)
        expected += F.cross_entropy(out[:, offset : offset + width], target, reduction="none")
    got = game._reconstruction(out, rows, log_delta)
    assert spans.tanh and len(spans.softmax) >= 3  # both kinds of term are exercised
    assert math.isclose(got.item(), expected.mean().item(), rel_tol=1e-5)
