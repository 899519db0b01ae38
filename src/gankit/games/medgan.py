"""medGAN: synthetic binary and count records (Choi et al. 2017, "Generating Multi-label Discrete Patient Records
using Generative Adversarial Networks", MLHC; learned from the paper, no code copied).

Data: the code matrix of a table whose columns are all binary or counts (field ``code``,
`gankit.data.table_codes`). Networks (`gankit.models.medgan`): the encoder E, the generator G (shortcut layers in
the code space, then the decoder Dec, which G holds) and the discriminator D with minibatch averaging.

Two stages of one run (`gankit.games.stages`, DESIGN.md seam 4), the stage saved in every checkpoint:

- ``pretrain`` (generator steps [0, ``medgan.pretrain_steps``)): the autoencoder alone (§3.1),
      L_AE = Σ_binary BCE(x, Dec(E(x))) + Σ_count (x - Dec(E(x)))²        (per record; mean over the batch)
- ``adversarial`` (from then on): D and G, Dec fine-tuned with G (§3.1: "the decoder ... fine-tuned"),
      L_D = -E log σ(D(x)) - E log(1 - σ(D(Dec(G(z)))))       (binary cross-entropy; the shared ``loss``)
      L_G = -E log σ(D(Dec(G(z))))                           (non-saturating)
  with ``train.d_steps`` D updates per G update. On entering it, G's optimizer starts afresh (its decoder's
  Adam moments belonged to the reconstruction).

Sampling: Dec(G(z)) with z ~ N(0, I), BatchNorm in eval mode; a binary column becomes 0/1 by rounding the
sigmoid at 0.5 (``medgan.binarize: round``, the paper's) or by a Bernoulli draw (``sample``), a count is rounded
to the nearest whole number. Options: section ``medgan``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.data.table import table_meta
from gankit.data.table_codes import code_columns, from_codes
from gankit.errors import ConfigError
from gankit.games.base import DataSpec, NetworkSpec, Phase, PhaseContext, Stage
from gankit.games.stages import StagedGame
from gankit.games.table_rejection import draw_rows

if TYPE_CHECKING:
    from gankit.config import Config

NAME = "medgan"
BINARIZE = ("round", "sample")


@dataclass
class MedGANOptions:
    """Config section ``medgan`` (the paper's sizes by default)."""

    code_dim: int = 128  # width of the autoencoder's code, of z and of G's layers
    g_layers: int = 2  # G's shortcut layers
    d_widths: list[int] = field(default_factory=lambda: [256, 128])
    pretrain_steps: int = 1000  # generator steps of the autoencoder's pretraining (stage pretrain)
    binarize: str = "round"  # round | sample: how a generated binary column becomes 0/1


def check_medgan(options: MedGANOptions) -> None:
    for key in ("code_dim", "g_layers"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key '{NAME}.{key}' must be positive, got {getattr(options, key)!r}")
    if options.pretrain_steps < 0:
        raise ConfigError(f"config key '{NAME}.pretrain_steps' must be 0 or more, got {options.pretrain_steps!r}")
    if not options.d_widths or min(options.d_widths) < 1:
        raise ConfigError(f"config key '{NAME}.d_widths' must be a list of positive widths, got {options.d_widths!r}")
    if options.binarize not in BINARIZE:
        raise ConfigError(f"config key '{NAME}.binarize' must be round or sample, got '{options.binarize}'")


class CodeSpans:
    """The code layout of a table run: its columns' kinds, and the way back to the table (``to_frame``)."""

    def __init__(self, extra: str) -> None:
        self.transformer, self.meta = table_meta(extra)
        self.layout = code_columns(self.transformer.columns)
        self.binary = [c.kind == "binary" for c in self.layout]
        self.width = len(self.layout)

    def to_frame(self, codes: torch.Tensor):
        """The table (pandas DataFrame, the input's columns and dtypes) of a code matrix."""
        return from_codes(codes.detach().double().cpu().numpy(), self.layout)

    def resolve_where(self, where: tuple[str, str] | None) -> tuple[int, float] | None:
        """(column number, code value) of ``(column, category)`` for a binary column; `ConfigError` otherwise."""
        if where is None:
            return None
        column, value = where
        names = [c.name for c in self.layout if c.kind == "binary"]
        if column not in names:
            raise ConfigError(f"--where names column '{column}', which is not a binary column of the table "
                              f"(binary columns: {', '.join(names[:20]) or 'none'})")
        j = [c.name for c in self.layout].index(column)
        texts = [str(c) for c in self.layout[j].info.categories]
        if value not in texts:
            raise ConfigError(f"--where {column}={value}: no such category (known: {', '.join(texts)})")
        return j, float(texts.index(value))


class MedGANGame(StagedGame):
    """E: records -> codes; G: z -> records (holds Dec); D: records -> logits. Reads field ``code``."""

    def __init__(self, encoder: nn.Module, generator: nn.Module, discriminator: nn.Module, spans: CodeSpans, *,
                 pretrain_steps: int = 1000, loss: str = "nonsaturating", d_steps: int = 1, binarize: str = "round",
                 ema: bool = False) -> None:
        self.spans, self.pretrain_steps, self.d_steps, self.binarize = spans, pretrain_steps, d_steps, binarize
        self.adversarial = losses.get_loss(loss)
        self.z_dim = generator.z_dim
        super().__init__(networks={"E": NetworkSpec(encoder, "generator"),
                                   "G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(discriminator, "discriminator")})

    # ------------------------------------------------------------------------------------------ schedule
    def stages(self) -> tuple[Stage, ...]:
        adversarial = Stage("adversarial", self.pretrain_steps, "D and G, the decoder fine-tuned with G")
        if self.pretrain_steps == 0:
            return (adversarial,)
        return (Stage("pretrain", 0, "the autoencoder alone"), adversarial)

    def enter_stage(self, name: str) -> set[str]:
        return {"G"} if name == "adversarial" else set()

    def phases(self) -> list[Phase]:
        if self.stage == "pretrain":
            return [Phase("AE", ("E", "G"))]
        return [Phase("D", ("D",), repeats=self.d_steps), Phase("G", ("G",), needs_batch=False)]

    @property
    def needs(self) -> tuple[str, ...]:
        return ("code",)

    def latent_shape(self) -> tuple[int, ...]:
        return (self.z_dim,)

    def summary_lines(self) -> list[str]:
        counts = self.spans.width - sum(self.spans.binary)
        return [f"codes    {self.spans.width} columns ({sum(self.spans.binary)} binary, {counts} counts); "
                f"autoencoder pretrained {self.pretrain_steps:,} steps, then {self.adversarial.name} GAN with "
                f"minibatch averaging, decoder fine-tuned with G"]

    # ------------------------------------------------------------------------------------------ losses
    def reconstruction_loss(self, raw: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Σ over columns of BCE (binary, from logits) or squared error (counts, after ReLU); mean over rows."""
        binary = self.module("G").decoder.binary
        bce = F.binary_cross_entropy_with_logits(raw.float(), x.float(), reduction="none")
        squared = (torch.relu(raw.float()) - x.float()) ** 2
        return torch.where(binary, bce, squared).sum(1).mean()

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        G, D = self.module("G"), self.module("D")
        if phase == "AE":
            x = ctx.batch["code"]
            loss = self.reconstruction_loss(G.decoder.raw(self.module("E")(x)), x)
            return loss, {"loss/AE": loss.detach(), "reconstruction": loss.detach()}
        if phase == "D":
            x = ctx.batch["code"]
            with torch.no_grad():
                fake = G(ctx.noise.normal(len(x), self.z_dim))
            real_out, fake_out = D(x), D(fake)
            loss = self.adversarial.d_loss(real_out, fake_out)
            return loss, {"loss/D": loss.detach(), "D(x)": real_out.detach().float().mean(),
                          "D(G(z))": fake_out.detach().float().mean()}
        if phase == "G":
            loss = self.adversarial.g_loss(D(G(ctx.noise.normal(ctx.batch_size, self.z_dim))))
            return loss, {"loss/G": loss.detach()}
        raise KeyError(phase)

    # ------------------------------------------------------------------------------------------ samples
    def _finish(self, values: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        """Generated values -> codes: binary columns 0/1 (rounded, or drawn), counts rounded."""
        binary = self.module("G").decoder.binary.to(values.device)
        if self.binarize == "sample":
            bits = (torch.rand(values.shape, generator=rng, device=values.device) < values).to(values.dtype)
        else:
            bits = (values >= 0.5).to(values.dtype)
        return torch.where(binary, bits, values.round())

    def sample_rows(self, generator: nn.Module, n: int, seed: int, batch_size: int = 1000,
                    where: tuple[str, str] | None = None) -> torch.Tensor:
        """``n`` generated records (codes) from ``generator`` in eval mode, all draws from ``seed``. ``where`` =
        (binary column, category) keeps the records that have it (rejection, up to ``MAX_REJECTION`` × n draws: `gankit.games.table_rejection`)."""
        target = self.spans.resolve_where(where)
        device = next(generator.parameters()).device
        rng = torch.Generator(device=device).manual_seed(seed)
        keep = None if target is None else (lambda codes: codes[:, target[0]] == target[1])
        return draw_rows(lambda m: self._finish(generator(torch.randn(m, self.z_dim, generator=rng, device=device))
                                                .float(), rng), n, batch_size, keep, where, noun="generated records")

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self._finish(generator(noise).float(), torch.Generator(device=noise.device).manual_seed(0))

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        return {"n": max(n, 1000), "seed": seed, "reference": examples.get("codes")}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """medGAN's dimension-wise probability plot: each column's mean, real (training rows) against generated."""
        from gankit.previews import save_dimension_scatter

        fake = self.sample_rows(sampler, probe["n"], probe["seed"]).mean(0).numpy()
        reference = probe.get("reference")
        real = reference.float().mean(0).numpy() if reference is not None else fake
        limits = (0.0, 1.0) if all(self.spans.binary) else None
        save_dimension_scatter(real, fake, path, title=f"column means {title}".strip(), xlabel="real",
                               ylabel="generated", limits=limits)


def build_medgan(config: Config, data: DataSpec) -> MedGANGame:
    """The medGAN game of a config for a table of binary and count columns (field code)."""
    from gankit.models.medgan import MedGANDecoder, MedGANEncoder, MedGANGenerator, MinibatchAveragingDiscriminator

    if data.kind != "table" or not data.extra:
        raise ConfigError(f"game '{NAME}' needs a table of binary or count columns (data.name: flchain-binary, or "
                          f"table with data.path); dataset '{data.name}' is {data.kind} data")
    try:
        spans = CodeSpans(data.extra)
    except ConfigError as exc:
        raise ConfigError(f"game '{NAME}' on table '{data.name}': {exc}") from None
    o = config.section(NAME)
    decoder = MedGANDecoder(o.code_dim, spans.binary)
    return MedGANGame(MedGANEncoder(spans.width, o.code_dim), MedGANGenerator(decoder, o.code_dim, o.g_layers),
                      MinibatchAveragingDiscriminator(spans.width, tuple(o.d_widths)), spans,
                      pretrain_steps=o.pretrain_steps, loss=config.loss, d_steps=config.train.d_steps,
                      binarize=o.binarize, ema=config.train.ema > 0)
