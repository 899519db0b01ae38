"""CTGAN: a conditional WGAN-GP for tables (Xu et al. 2019, "Modeling Tabular Data using Conditional GAN",
NeurIPS; learned from the paper, no code of the ``ctgan`` package read).

Rows are in the transformer's units (`gankit.data.table_transform`: α and mode one-hots per continuous column,
one-hots per category). The batch carries training-by-sampling draws (`gankit.data.table`): a real ``row`` and
its conditional vector ``cond`` (the one-hot of one category of one categorical column, which the row has).

    r̂ = act(G(z, cond)),  z ~ N(0, I);  act: tanh on each α, Gumbel-softmax (τ = 0.2) on each one-hot span
    L_D = E D(pack(r̂ ⊕ cond)) - E D(pack(row ⊕ cond)) + λ E(‖∇D(x̂)‖ - 1)²        (WGAN-GP, λ = reg.gp_weight)
    L_G = -E D(pack(r̂ ⊕ cond)) + E CE(G's logits on the conditioned column, the conditioned category)

``pack`` sets ``pac`` consecutive rows side by side (PacGAN, Lin et al. 2018), so ``train.batch_size`` must be a
multiple of ``ctgan.pac``. Sampling draws the condition from the categories' training frequencies (a column
uniformly, then a category by its frequency), so the sampled table keeps every column's marginal; each one-hot
is then the argmax of the Gumbel-perturbed logits, a draw from their softmax. Options: section ``ctgan``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.data.table import table_meta
from gankit.errors import ConfigError
from gankit.games.base import DataSpec, Game, NetworkSpec, Phase, PhaseContext
from gankit.nn.segments import membership_matrix, segment_logsumexp, segment_softmax

if TYPE_CHECKING:
    from gankit.config import Config

NAME = "ctgan"


@dataclass
class CTGANOptions:
    """Config section ``ctgan`` (the paper's sizes by default)."""

    z_dim: int = 128
    g_widths: list[int] = field(default_factory=lambda: [256, 256])
    d_widths: list[int] = field(default_factory=lambda: [256, 256])
    pac: int = 10
    tau: float = 0.2  # Gumbel-softmax temperature
    lambda_cond: float = 1.0  # weight of the generator's cross-entropy on the conditioned column


def check_ctgan(options: CTGANOptions) -> None:
    for key in ("z_dim", "pac"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key '{NAME}.{key}' must be positive, got {getattr(options, key)!r}")
    for key in ("g_widths", "d_widths"):
        if not getattr(options, key) or min(getattr(options, key)) < 1:
            raise ConfigError(f"config key '{NAME}.{key}' must be a list of positive widths, got {getattr(options, key)!r}")
    if options.tau <= 0:
        raise ConfigError(f"config key '{NAME}.tau' must be positive, got {options.tau!r}")


class TableSpans:
    """The layout of a row: where the α values and the one-hot spans are, and the conditional columns."""

    def __init__(self, extra: str) -> None:
        self.transformer, self.meta = table_meta(extra)
        spans = self.transformer.spans()
        self.width = sum(w for w, _ in spans)
        offsets = np.cumsum([0] + [w for w, _ in spans])[:-1]
        self.tanh = [int(o) for o, (w, a) in zip(offsets, spans) if a == "tanh"]
        self.softmax = [(int(o), int(w)) for o, (w, a) in zip(offsets, spans) if a == "softmax"]
        self.discrete = self.transformer.discrete_spans()
        self.cond = self.transformer.cond_spans()
        self.cond_width = self.transformer.cond_width
        self.frequencies = [c / c.sum() for c in self.transformer.discrete_counts()]
        soft = [o + j for o, w in self.softmax for j in range(w)]
        order = np.empty(self.width, dtype=np.int64)  # a row's columns from (tanh values ⊕ one-hot spans)
        order[self.tanh] = np.arange(len(self.tanh))
        order[soft] = len(self.tanh) + np.arange(len(soft))
        self._layout = {"tanh": self.tanh, "soft": soft, "order": order.tolist(),
                        "segment": [s for s, (_, w) in enumerate(self.softmax) for _ in range(w)],
                        "row_segment": self._row_segments(),
                        "discrete": [o + j for o, w in self.discrete for j in range(w)],
                        "discrete_segment": [s for s, (_, w) in enumerate(self.discrete) for _ in range(w)]}
        self._indices: dict[torch.device, dict[str, torch.Tensor]] = {}
        self._memberships: dict[tuple[str, torch.device], torch.Tensor | None] = {}

    def _row_segments(self) -> list[int]:
        """Each column of a row (in the row's order): its one-hot span's number, or ``len(self.softmax)`` (one
        extra segment) for an α value."""
        segments = [len(self.softmax)] * self.width
        for number, (offset, width) in enumerate(self.softmax):
            segments[offset : offset + width] = [number] * width
        return segments

    def indices(self, device: torch.device) -> dict[str, torch.Tensor]:
        """The layout's column indices (int64 on ``device``, made once): ``tanh`` (the α values), ``soft`` (every
        one-hot column) with ``segment`` (its span's number), ``row_segment`` (every column's span number in the
        row's own order, α values in the extra segment ``len(softmax)``), ``discrete`` (the categorical columns'
        one-hots, in the conditional vector's order) with ``discrete_segment``, and ``order`` (the row from tanh ⊕
        soft)."""
        device = torch.device(device)
        if device not in self._indices:
            self._indices[device] = {k: torch.tensor(v, dtype=torch.int64, device=device)
                                     for k, v in self._layout.items()}
        return self._indices[device]

    def membership(self, key: str, device: torch.device) -> torch.Tensor | None:
        """The dense membership matrix (`gankit.nn.segments.membership_matrix`) of the segments ``key``
        (``segment``, ``row_segment`` or ``discrete_segment``) on ``device``, made once; None for a table too wide."""
        device = torch.device(device)
        if (key, device) not in self._memberships:
            count = {"segment": len(self.softmax), "row_segment": len(self.softmax) + 1,
                     "discrete_segment": len(self.discrete)}[key]
            self._memberships[key, device] = membership_matrix(self.indices(device)[key], count)
        return self._memberships[key, device]

    def activate(self, logits: torch.Tensor, tau: float, uniform: torch.Tensor | None, hard: bool = False
                 ) -> torch.Tensor:
        """tanh on α; softmax((logits + g) / τ) on each one-hot (g Gumbel noise from ``uniform`` of the logits'
        shape, none when ``uniform`` is None), every span at once (`gankit.nn.segments`); one-hot of the argmax
        when ``hard``."""
        if hard:
            return self._activate_hard(logits, uniform)
        index = self.indices(logits.device)
        soft = logits[:, index["soft"]]
        if uniform is not None:
            soft = soft - torch.log(-torch.log(uniform[:, index["soft"]].clamp(1e-10, 1 - 1e-7)))
        parts = [torch.tanh(logits[:, index["tanh"]]), segment_softmax(soft / tau, index["segment"], len(self.softmax),
                                                                      self.membership("segment", logits.device))]
        return torch.cat(parts, 1)[:, index["order"]]

    def _activate_hard(self, logits: torch.Tensor, uniform: torch.Tensor | None) -> torch.Tensor:
        """tanh on α; the one-hot of argmax(logits + g) on each span (sampling: no gradient)."""
        out = torch.empty_like(logits)
        if self.tanh:
            index = self.indices(logits.device)["tanh"]
            out[:, index] = torch.tanh(logits[:, index])
        for offset, width in self.softmax:
            part = logits[:, offset : offset + width]
            if uniform is not None:
                u = uniform[:, offset : offset + width].clamp(1e-10, 1 - 1e-7)
                part = part - torch.log(-torch.log(u))
            out[:, offset : offset + width] = F.one_hot(part.argmax(1), width).to(logits.dtype)
        return out

    def sample_cond(self, n: int, rng: np.random.Generator) -> torch.Tensor:
        """Conditional vectors for sampling: a categorical column uniformly, a category by its frequency."""
        cond = np.zeros((n, self.cond_width), dtype=np.float32)
        if not self.cond:
            return torch.from_numpy(cond)
        columns = rng.integers(0, len(self.cond), n)
        for j, (offset, width) in enumerate(self.cond):
            rows = np.flatnonzero(columns == j)
            cond[rows, offset + rng.choice(width, size=len(rows), p=self.frequencies[j])] = 1.0
        return torch.from_numpy(cond)

    def resolve_where(self, where: tuple[str, str] | None) -> tuple[int, int] | None:
        """(categorical column number, category index) of ``(column, value)`` (the value as text, matched to a
        category's text); `ConfigError` naming the known columns or categories otherwise."""
        if where is None:
            return None
        column, value = where
        discrete = [c for c in self.transformer.columns if c.discrete]
        names = [c.name for c in discrete]
        if column not in names:
            known = [c.name for c in self.transformer.columns]
            if column in known:
                raise ConfigError(f"--where column '{column}' is not categorical; condition on one of: {', '.join(names)}")
            raise ConfigError(f"--where names column '{column}', which the table does not have (categorical "
                              f"columns: {', '.join(names) or 'none'})")
        info = discrete[names.index(column)]
        texts = [str(c) for c in info.categories]
        if value not in texts:
            raise ConfigError(f"--where {column}={value}: no such category (known: {', '.join(texts[:20])})")
        k = texts.index(value)
        if not info.counts[k]:
            raise ConfigError(f"--where {column}={value}: the category never occurs in the training rows")
        return names.index(column), k

    def fix_where(self, rows: torch.Tensor, target: tuple[int, int]) -> torch.Tensor:
        """``rows`` with the conditioned column's one-hot set to the condition."""
        j, k = target
        offset, width = self.discrete[j]
        rows[:, offset : offset + width] = 0.0
        rows[:, offset + k] = 1.0
        return rows

    def cond_cross_entropy(self, logits: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """Mean over rows of the cross-entropy between the logits of each row's conditioned column and its
        conditioned category (0 for rows without a condition): with ``cond`` one-hot on one column per row,
        Σ_rows [logsumexp(logits of that column) - logit of the category] / N, every column at once."""
        if not self.discrete:
            return logits.new_zeros(())
        index = self.indices(logits.device)
        chosen = logits[:, index["discrete"]]
        lse = segment_logsumexp(chosen, index["discrete_segment"], len(self.discrete),
                                self.membership("discrete_segment", logits.device))
        conditioned = cond.new_zeros(len(cond), len(self.discrete)).index_add(1, index["discrete_segment"], cond)
        return ((lse * conditioned).sum() - (chosen * cond).sum()) / len(logits)

    def to_frame(self, rows: torch.Tensor):
        """The table (pandas DataFrame, the input's columns and dtypes) of rows in model units."""
        return self.transformer.inverse_transform(rows.detach().double().cpu().numpy())


class CTGANGame(Game):
    """G: (noise, cond) -> row logits; D: packs of (row ⊕ cond). Reads fields ``row`` and ``cond``."""

    def __init__(self, generator: nn.Module, critic: nn.Module, spans: TableSpans, *, z_dim: int, tau: float,
                 lambda_cond: float, gp_weight: float, d_steps: int = 1, ema: bool = False) -> None:
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(critic, "discriminator")})
        self.spans, self.z_dim, self.tau = spans, z_dim, tau
        self.lambda_cond, self.gp_weight, self.d_steps = lambda_cond, gp_weight, d_steps

    def phases(self) -> list[Phase]:
        return [Phase("D", ("D",), repeats=self.d_steps), Phase("G", ("G",))]

    @property
    def needs(self) -> tuple[str, ...]:
        return ("row", "cond")

    def latent_shape(self) -> tuple[int, ...]:
        return (self.z_dim,)

    def summary_lines(self) -> list[str]:
        t = self.spans.transformer
        kinds = [c.kind for c in t.columns]
        counts = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
        return [f"table    {len(kinds)} columns ({counts}) -> rows of {self.spans.width} values, conditional vector "
                f"of {self.spans.cond_width}; WGAN-GP λ={self.gp_weight:g}, pac {self.module('D').pac}, "
                f"cond CE ×{self.lambda_cond:g}"]

    # ------------------------------------------------------------------------------------------ losses
    def _fake(self, ctx: PhaseContext, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = len(cond)
        logits = self.module("G")(ctx.noise.normal(n, self.z_dim), cond)
        return logits, self.spans.activate(logits, self.tau, ctx.noise.uniform(n, self.spans.width))

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        row, cond = ctx.batch["row"], ctx.batch["cond"]
        D = self.module("D")
        if phase == "D":
            with torch.no_grad():
                _, fake = self._fake(ctx, cond)
            real_p, fake_p = D.pack(torch.cat([row, cond], 1)), D.pack(torch.cat([fake, cond], 1))
            real_s, fake_s = D(real_p), D(fake_p)
            wasserstein = real_s.mean() - fake_s.mean()
            penalty = losses.gradient_penalty(D, real_p, fake_p, generator=ctx.noise.generator)
            loss = -wasserstein + self.gp_weight * penalty
            return loss, {"loss/D": loss.detach(), "wasserstein": wasserstein.detach(), "gp": penalty.detach()}
        if phase == "G":
            logits, fake = self._fake(ctx, cond)
            adversarial = -D(D.pack(torch.cat([fake, cond], 1))).mean()
            ce = self.spans.cond_cross_entropy(logits, cond)
            loss = adversarial + self.lambda_cond * ce
            return loss, {"loss/G": loss.detach(), "loss/G_gan": adversarial.detach(), "cond_ce": ce.detach()}
        raise KeyError(phase)

    # ------------------------------------------------------------------------------------------ samples
    def sample_rows(self, generator: nn.Module, n: int, seed: int, batch_size: int = 1000,
                    where: tuple[str, str] | None = None) -> torch.Tensor:
        """``n`` rows in model units (hard one-hots) from ``generator`` in eval mode: conditions, noise and the
        Gumbel draws all from ``seed``, so the same seed gives the same rows. ``where`` = (column, category)
        conditions every row on that category (the conditional vector of §4.3, and the column set to it)."""
        target = self.spans.resolve_where(where)
        device = next(generator.parameters()).device
        rng = np.random.default_rng(seed)
        torch_rng = torch.Generator(device=device).manual_seed(seed)
        out = []
        with torch.no_grad():
            for start in range(0, n, batch_size):
                m = min(batch_size, n - start)
                cond = self.spans.sample_cond(m, rng)
                if target is not None:
                    cond.zero_()[:, self.spans.cond[target[0]][0] + target[1]] = 1.0
                cond = cond.to(device)
                z = torch.randn(m, self.z_dim, generator=torch_rng, device=device)
                u = torch.rand(m, self.spans.width, generator=torch_rng, device=device)
                rows = self.spans.activate(generator(z, cond).float(), self.tau, u, hard=True)
                out.append(rows if target is None else self.spans.fix_where(rows, target))
        return torch.cat(out).cpu()

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Rows for latent ``noise`` ``(N, z_dim)``, conditions and Gumbel draws from a fixed seed."""
        rng = np.random.default_rng(0)
        cond = self.spans.sample_cond(len(noise), rng).to(noise.device)
        u = torch.rand(len(noise), self.spans.width, generator=torch.Generator(device=noise.device).manual_seed(0),
                       device=noise.device)
        return self.spans.activate(generator(noise, cond).float(), self.tau, u, hard=True)

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        return {"n": max(n, 500), "seed": seed, "reference": examples.get("reference")}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """Histograms of a few columns, generated beside real (`gankit.previews.save_table_preview`)."""
        from gankit.previews import save_table_preview

        fake = self.spans.to_frame(self.sample_rows(sampler, probe["n"], probe["seed"]))
        reference = probe.get("reference")
        real = self.spans.to_frame(reference) if reference is not None else None
        save_table_preview(fake, real, path, title=title)


def build_ctgan(config: Config, data: DataSpec) -> CTGANGame:
    """The CTGAN game of a config for table data (fields row and cond, the transformer in the spec)."""
    from gankit.models.tabular import PacCritic, ResidualConcatGenerator

    if data.kind != "table" or not data.extra:
        raise ConfigError(f"game '{NAME}' needs a table (data.name: table, breast-cancer, wine); dataset "
                          f"'{data.name}' is {data.kind} data")
    options = config.section(NAME)
    if config.train.batch_size % options.pac:
        raise ConfigError(f"train.batch_size={config.train.batch_size} must be a multiple of {NAME}.pac="
                          f"{options.pac} (the critic judges packs of {options.pac} rows)")
    spans = TableSpans(data.extra)
    generator = ResidualConcatGenerator(options.z_dim, spans.cond_width, spans.width, tuple(options.g_widths))
    critic = PacCritic(spans.width + spans.cond_width, options.pac, tuple(options.d_widths))
    return CTGANGame(generator, critic, spans, z_dim=options.z_dim, tau=options.tau, lambda_cond=options.lambda_cond,
                     gp_weight=config.reg.gp_weight, d_steps=config.train.d_steps, ema=config.train.ema > 0)
