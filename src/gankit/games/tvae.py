"""TVAE: the variational-autoencoder baseline for tables (Xu et al. 2019, "Modeling Tabular Data using
Conditional GAN", §4.5 / appendix; learned from the paper, no code of the ``ctgan`` package read).

Rows are in the transformer's units (`gankit.data.table_transform`); TVAE reads uniformly drawn training rows
(field ``record``), not the conditional draws CTGAN trains on. With encoder q(z | r) = N(μ(r), diag σ²(r)) and
decoder p(r | z):

    α_i ~ N(tanh(out_i), δ_i²)        (a learned δ per α value)
    one-hot spans ~ Categorical(softmax(out_span))
    L = E_q[-log p(r | z)] + KL(q(z | r) ‖ N(0, I))       (one phase, encoder and decoder together)

i.e. per row: Σ_α [(α - tanh(out))² / (2δ²) + log δ] + Σ_spans CE(out_span, one-hot) + ½ Σ_j (μ_j² + σ_j² - 1 -
log σ_j²). Sampling decodes z ~ N(0, I): α = clip(tanh(out) + δ ε, -1, 1), each one-hot drawn from its softmax
(``tvae.one_hots: sample``, the model's law) or its argmax (``argmax``: the most likely mode and category given z,
which keeps more of the columns' joint law than independent draws per column). Options: section ``tvae``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.games.base import DataSpec, Game, NetworkSpec, Phase, PhaseContext
from gankit.games.ctgan import TableSpans
from gankit.games.table_rejection import draw_rows
from gankit.nn.segments import segment_logsumexp

if TYPE_CHECKING:
    from gankit.config import Config

NAME = "tvae"
ONE_HOTS = ("sample", "argmax")


@dataclass
class TVAEOptions:
    """Config section ``tvae`` (the paper's sizes by default)."""

    z_dim: int = 128
    widths: list[int] = field(default_factory=lambda: [128, 128])
    loss_factor: float = 2.0  # weight of the reconstruction term against the KL term
    one_hots: str = "sample"  # sampling: each one-hot drawn from its softmax (the model's law), or its "argmax"


def check_tvae(options: TVAEOptions) -> None:
    if options.z_dim < 1:
        raise ConfigError(f"config key '{NAME}.z_dim' must be positive, got {options.z_dim!r}")
    if not options.widths or min(options.widths) < 1:
        raise ConfigError(f"config key '{NAME}.widths' must be a list of positive widths, got {options.widths!r}")
    if options.loss_factor <= 0:
        raise ConfigError(f"config key '{NAME}.loss_factor' must be positive, got {options.loss_factor!r}")
    if options.one_hots not in ONE_HOTS:
        raise ConfigError(f"config key '{NAME}.one_hots' must be one of {', '.join(ONE_HOTS)}, got {options.one_hots!r}")


class TVAEGame(Game):
    """E: row -> (μ, log σ²); G (the decoder): z -> row logits. Reads field ``record``."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module, spans: TableSpans, *, z_dim: int,
                 loss_factor: float, one_hots: str = "sample") -> None:
        super().__init__(networks={"E": NetworkSpec(encoder, "generator", optimizer="VAE"),  # one Adam: one phase
                                   "G": NetworkSpec(decoder, "generator", optimizer="VAE")})
        self.spans, self.z_dim, self.loss_factor, self.one_hots = spans, z_dim, loss_factor, one_hots

    def phases(self) -> list[Phase]:
        return [Phase("VAE", ("E", "G"))]

    @property
    def needs(self) -> tuple[str, ...]:
        return ("record",)

    def latent_shape(self) -> tuple[int, ...]:
        return (self.z_dim,)

    def summary_lines(self) -> list[str]:
        return [f"table    rows of {self.spans.width} values; ELBO with reconstruction ×{self.loss_factor:g}"]

    def _reconstruction(self, out: torch.Tensor, rows: torch.Tensor, log_delta: torch.Tensor) -> torch.Tensor:
        """-log p(r | z) per row (up to a constant): the α terms, and the cross-entropies of the one-hot spans,
        Σ_spans CE = Σ_spans logsumexp(out_span) - Σ out · r over the one-hot columns (r one-hot in each span,
        as training rows are), every span at once over the whole row (`gankit.nn.segments`): the α columns form
        one extra segment whose log-sum-exp is dropped, and r is masked to the one-hot columns, so no column is
        gathered (a table's one-hots are most of its width)."""
        index = self.spans.indices(out.device)
        count, segment = len(self.spans.softmax), index["row_segment"]
        lse = segment_logsumexp(out, segment, count + 1, self.spans.membership("row_segment", out.device))[:, :count]
        total = lse.sum() - (out * (rows * (segment < count))).sum()
        if self.spans.tanh:
            tanh = index["tanh"]
            err = (rows[:, tanh] - torch.tanh(out[:, tanh])) ** 2 * (-2 * log_delta[tanh]).exp()
            total = total + err.sum() / 2 + len(rows) * log_delta[tanh].sum()
        return total / len(rows)

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        if phase != "VAE":
            raise KeyError(phase)
        rows = ctx.batch["record"]
        mu, logvar = self.module("E")(rows)
        z = mu + ctx.noise.normal(len(rows), self.z_dim) * (0.5 * logvar).exp()
        decoder = self.module("G")
        recon = self._reconstruction(decoder(z), rows, decoder.log_sigma)
        kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1).mean()
        loss = self.loss_factor * recon + kl
        return loss, {"loss/G": loss.detach(), "reconstruction": recon.detach(), "kl": kl.detach()}

    def after_phase(self, phase: str) -> None:
        with torch.no_grad():  # keep δ in [0.01, 1], as a bounded noise scale
            self.module("G").log_sigma.clamp_(float(np.log(0.01)), 0.0)

    # ------------------------------------------------------------------------------------------ samples
    def sample_rows(self, generator: nn.Module, n: int, seed: int, batch_size: int = 1000,
                    where: tuple[str, str] | None = None) -> torch.Tensor:
        """``n`` decoded rows (hard one-hots) for z ~ N(0, I); all draws from ``seed``. ``where`` = (column,
        category) keeps only rows with that category (rejection: TVAE has no conditional input), drawing up to
        ``MAX_REJECTION`` times ``n`` rows (`gankit.games.table_rejection`)."""
        target = self.spans.resolve_where(where)
        device = next(generator.parameters()).device
        rng = torch.Generator(device=device).manual_seed(seed)
        keep = None
        if target is not None:
            offset, width = self.spans.discrete[target[0]]
            keep = lambda rows: rows[:, offset : offset + width].argmax(1) == target[1]  # noqa: E731
        return draw_rows(lambda m: self._decode(generator, torch.randn(m, self.z_dim, generator=rng, device=device),
                                                rng), n, batch_size, keep, where, noun="decoded rows")

    def _decode(self, generator: nn.Module, z: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        logits = generator(z).float()
        u = torch.rand(logits.shape, generator=rng, device=z.device)  # drawn either way: the α noise stays the same
        rows = self.spans.activate(logits, 1.0, u if self.one_hots == "sample" else None, hard=True)
        if self.spans.tanh:
            index = self.spans.indices(z.device)["tanh"]
            noise = torch.randn(len(z), len(index), generator=rng, device=z.device)
            rows[:, index] = (rows[:, index] + noise * generator.log_sigma[index].exp()).clamp(-1, 1)
        return rows

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self._decode(generator, noise, torch.Generator(device=noise.device).manual_seed(0))

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        return {"n": max(n, 500), "seed": seed, "reference": examples.get("reference")}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        from gankit.previews import save_table_preview

        fake = self.spans.to_frame(self.sample_rows(sampler, probe["n"], probe["seed"]))
        reference = probe.get("reference")
        save_table_preview(fake, self.spans.to_frame(reference) if reference is not None else None, path, title=title)


def build_tvae(config: Config, data: DataSpec) -> TVAEGame:
    """The TVAE game of a config for table data (field record, the transformer in the spec)."""
    from gankit.models.tabular import TabularDecoder, TabularEncoder

    if data.kind != "table" or not data.extra:
        raise ConfigError(f"game '{NAME}' needs a table (data.name: table, breast-cancer, wine); dataset "
                          f"'{data.name}' is {data.kind} data")
    options = config.section(NAME)
    spans = TableSpans(data.extra)
    widths = tuple(options.widths)
    return TVAEGame(TabularEncoder(spans.width, options.z_dim, widths),
                    TabularDecoder(options.z_dim, spans.width, tuple(reversed(widths))), spans,
                    z_dim=options.z_dim, loss_factor=options.loss_factor, one_hots=options.one_hots)
