"""TimeGAN (Yoon, Jarrett & van der Schaar 2019, "Time-series Generative Adversarial Networks", NeurIPS §4; its
three training stages as the authors describe them), as one staged run (`gankit.games.stages`).

Networks (`gankit.models.timegan`): embedder E and recovery R (an autoencoder into a latent space H), generator
G (noise z ~ U[0, 1) per step -> latent), supervisor S (latent -> the next step's latent), discriminator D
(latent -> a logit per step). A window x (N, T, d) is the fields ``history`` and ``future`` joined.

    L_R = √MSE(x, R(E(x)))                         reconstruction
    L_S = MSE(h_{2..T}, S(h)_{1..T-1}),  h = E(x)  one-step-ahead supervision in latent space
    L_V = mean |sd(x̂) - sd(x)| + mean |mean(x̂) - mean(x)|   (moments over the batch, per step and feature)
    ê = G(z), ĥ = S(ê), x̂ = R(ĥ)

Stages (``timegan.embedding_steps``, ``timegan.supervised_steps``, then joint training until ``train.steps``):

1. ``embedding``: E, R on 10 L_R.
2. ``supervised``: S on L_S (E fixed).
3. ``joint``, each step: twice [G, S on BCE(D(ĥ), 1) + γ BCE(D(ê), 1) + 100 √L_S + 100 L_V; then E, R on
   10 L_R + 0.1 L_S]; then D on BCE(D(h), 1) + BCE(D(ĥ), 0) + γ BCE(D(ê), 0), updated only while that loss is
   above ``timegan.d_threshold`` (0.15; `gankit.games.base.Phase.gate`). γ = ``timegan.gamma`` (1).

Every stage starts with fresh Adam moments for every network (the authors use a new optimizer per stage). The
stage is checkpointed state, so resume across a stage boundary is bit-exact. Samples are R(S(G(z))) for noise
of any length (every network is a causal GRU). Options live in config section ``timegan``.

Scaling, ``timegan.scale``: ``none`` (default) feeds gankit's standardized windows and R ends linear; ``minmax``
(the paper's preprocessing) maps each feature to u = (x - low) / (high - low) by the training windows' bounds
(`gankit.games.base.DataSpec.extra`), computes every loss on u, ends R in a sigmoid and maps samples back.
Noise, ``timegan.z_dim``: values of z per step (0: the data's dimension d, as the authors' code; for one series
that is a single uniform per step, which G's three GRU layers attenuate until G ignores it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import ConfigError
from gankit.games.base import DataSpec, NetworkSpec, Phase, PhaseContext, Stage
from gankit.games.stages import StagedGame
from gankit.previews import save_free_paths

if TYPE_CHECKING:
    from gankit.config import Config

NAME = "timegan"
PREVIEW_PATHS = 8


@dataclass
class TimeGANOptions:
    """Config section ``timegan``: the GRUs' sizes, the stages' lengths and the loss weights."""

    hidden: int = 24  # width of every GRU and of the latent space (the paper: 24)
    layers: int = 3  # GRU layers of E, R, G, D (S has one fewer)
    embedding_steps: int = 1000  # steps of stage 1 (autoencoder)
    supervised_steps: int = 1000  # steps of stage 2 (supervisor); joint training until train.steps
    gamma: float = 1.0  # weight of the unsupervised ê terms
    d_threshold: float = 0.15  # D is updated only while its loss is above this
    scale: str = "none"  # minmax (the paper's): windows scaled to [0, 1] by the training bounds, R ends in a sigmoid
    z_dim: int = 0  # noise values per step; 0: the data's dimension d (the authors' code)


SCALES = ("minmax", "none")


def check_timegan(options: TimeGANOptions) -> None:
    if options.scale not in SCALES:
        raise ConfigError(f"config key '{NAME}.scale' must be one of {', '.join(SCALES)}, got {options.scale!r}")
    for key in ("hidden", "layers"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key '{NAME}.{key}' must be positive, got {getattr(options, key)!r}")
    for key in ("embedding_steps", "supervised_steps", "gamma", "d_threshold", "z_dim"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key '{NAME}.{key}' must be 0 or more, got {getattr(options, key)!r}")


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits.float(), torch.full_like(logits.float(), target))


def moment_loss(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """L_V: mean |sd(x̂) - sd(x)| + mean |mean(x̂) - mean(x)|, moments over the batch per step and feature."""
    sd = lambda x: torch.sqrt(x.float().var(dim=0, unbiased=False) + 1e-6)  # noqa: E731
    return (sd(fake) - sd(real)).abs().mean() + (fake.float().mean(0) - real.float().mean(0)).abs().mean()


class TimeGANGame(StagedGame):
    """E, R, G, S, D of `gankit.models.timegan`; reads fields ``history`` and ``future`` (joined)."""

    reads_history = False  # `gankit.sampling.series`: paths start from noise alone
    post_hoc_scores = True  # `gankit eval` reports its discriminative and predictive scores by default

    def __init__(self, networks: dict[str, nn.Module], *, window: int, z_dim: int, embedding_steps: int = 1000,
                 supervised_steps: int = 1000, gamma: float = 1.0, d_threshold: float = 0.15,
                 bounds: tuple[list[float], list[float]] | None = None) -> None:
        self.window, self.z_dim = window, z_dim
        # min-max scaling (the paper's): u = (x - low) / (high - low) in the losses, x = low + u (high - low) out
        self.low, self.span = ((torch.tensor(bounds[0]), torch.tensor(bounds[1]) - torch.tensor(bounds[0]))
                               if bounds is not None else (None, None))
        self.embedding_steps, self.supervised_steps = embedding_steps, supervised_steps
        self.gamma, self.d_threshold = gamma, d_threshold
        roles = {"E": ("generator", "ER"), "R": ("generator", "ER"), "G": ("generator", "GS"),
                 "S": ("generator", "GS"), "D": ("discriminator", None)}
        super().__init__(networks={name: NetworkSpec(networks[name], role, optimizer=group)
                                   for name, (role, group) in roles.items()})

    # ------------------------------------------------------------------------------------------ schedule
    def stages(self) -> tuple[Stage, ...]:
        joint = self.embedding_steps + self.supervised_steps
        stages = [Stage("embedding", 0, "E, R: autoencoder"), Stage("supervised", self.embedding_steps,
                                                                    "S: next latent step"),
                  Stage("joint", joint, "G, S, E, R, D jointly")]
        return tuple(s for i, s in enumerate(stages) if i == 2 or stages[i + 1].start > s.start)

    def enter_stage(self, name: str) -> set[str]:
        return set(self.networks)  # a new optimizer per stage, as the authors

    def phases(self) -> list[Phase]:
        if self.stage == "embedding":
            return [Phase("AE", ("E", "R"))]
        if self.stage == "supervised":
            return [Phase("S", ("S",))]
        g, e = Phase("G", ("G", "S")), Phase("E", ("E", "R"))
        return [g, e, g, e, Phase("D", ("D",), gate=self.d_threshold)]

    @property
    def needs(self) -> tuple[str, ...]:
        return ("history", "future")

    @property
    def takes_noise(self) -> bool:
        return False

    @property
    def sampling_networks(self) -> tuple[str, ...]:
        return ("G", "S", "R")

    def latent_shape(self) -> tuple[int, ...]:
        return (self.window, self.z_dim)

    def summary_lines(self) -> list[str]:
        return [f"windows  {self.window} steps; stages: autoencoder {self.embedding_steps:,} steps, supervisor "
                f"{self.supervised_steps:,}, then joint (D updated while its loss > {self.d_threshold:g})"]

    # ------------------------------------------------------------------------------------------ scaling
    def to_unit(self, x: torch.Tensor) -> torch.Tensor:
        """Windows in data units -> the units the networks see ([0, 1] over the training data under min-max)."""
        return x if self.low is None else (x - self.low.to(x)) / self.span.to(x)

    def from_unit(self, u: torch.Tensor) -> torch.Tensor:
        """R's output -> data units (the inverse of `to_unit`)."""
        return u if self.low is None else u * self.span.to(u) + self.low.to(u)

    # ------------------------------------------------------------------------------------------ samples
    def synthesize(self, noise: torch.Tensor) -> torch.Tensor:
        """x̂ = R(S(G(z))) for noise ``(N, T, z_dim)``, in data units."""
        return self.generate(self.module("G"), noise)

    def rollout(self, generator: nn.Module, history: torch.Tensor, steps: int,
                noise: torch.Tensor | None = None, rng: torch.Generator | None = None) -> torch.Tensor:
        """``steps`` generated values ``(N, steps, d)``, N = ``len(history)`` (its values are not read), from
        ``noise`` or fresh U[0, 1) noise drawn from ``rng``."""
        if noise is None:
            noise = torch.rand(len(history), steps, self.z_dim, generator=rng, device=history.device)
        if steps == 0:
            return history.new_zeros((len(history), 0, history.shape[-1]))
        return self.generate(generator, noise)

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.from_unit(self.module("R")(self.module("S")(generator(noise))))

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        if "stretch" not in examples:
            raise ValueError("a series game needs a held-out stretch to preview")
        stretch = examples["stretch"].to(device)
        rng = torch.Generator(device=device).manual_seed(seed)
        return {"stretch": stretch, "noise": torch.rand(min(n, PREVIEW_PATHS), len(stretch), self.z_dim,
                                                        generator=rng, device=device)}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        with torch.no_grad():
            paths = self.generate(sampler, probe["noise"]).float()
        save_free_paths(probe["stretch"], paths, path, title=f"{title} ({self.stage})".strip())

    # ------------------------------------------------------------------------------------------ losses
    def _supervised(self, h: torch.Tensor) -> torch.Tensor:
        """L_S = MSE(h_{2..T}, S(h)_{1..T-1})."""
        return F.mse_loss(self.module("S")(h)[:, :-1].float(), h[:, 1:].float())

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        x = self.to_unit(torch.cat([ctx.batch["history"], ctx.batch["future"]], dim=1))
        E, R, G, S, D = (self.module(n) for n in ("E", "R", "G", "S", "D"))
        if phase in ("AE", "E"):
            h = E(x)
            recon = torch.sqrt(F.mse_loss(R(h).float(), x.float()))
            loss, stats = 10 * recon, {"recon": recon.detach()}
            if phase == "E":
                supervised = self._supervised(h)
                loss = loss + 0.1 * supervised
                stats["loss/S"] = supervised.detach()
            stats[f"loss/{phase}"] = loss.detach()
            return loss, stats
        if phase == "S":
            with torch.no_grad():
                h = E(x)
            loss = self._supervised(h)
            return loss, {"loss/S": loss.detach()}
        z = ctx.noise.uniform(len(x), x.shape[1], self.z_dim)
        if phase == "G":
            with torch.no_grad():
                h = E(x)
            e_hat = G(z)
            h_hat, h_next = S(torch.cat([e_hat, h])).split(len(x))  # one GRU pass over both batches
            x_hat = R(h_hat)
            fake, fake_e = D(torch.cat([h_hat, e_hat])).split(len(x))
            adversarial = _bce(fake, 1.0) + self.gamma * _bce(fake_e, 1.0)
            supervised = F.mse_loss(h_next[:, :-1].float(), h[:, 1:].float())
            moments = moment_loss(x_hat, x)
            loss = adversarial + 100 * torch.sqrt(supervised) + 100 * moments
            return loss, {"loss/G": loss.detach(), "loss/G_gan": adversarial.detach(), "loss/S": supervised.detach(),
                          "moments": moments.detach()}
        if phase == "D":
            with torch.no_grad():
                h, e_hat = E(x), G(z)
                h_hat = S(e_hat)
            real, fake, fake_e = D(torch.cat([h, h_hat, e_hat])).split(len(x))  # one GRU pass over the three
            loss = _bce(real, 1.0) + _bce(fake, 0.0) + self.gamma * _bce(fake_e, 0.0)
            return loss, {"loss/D": loss.detach(), "D(x)": torch.sigmoid(real.detach().float()).mean(),
                          "D(G(z))": torch.sigmoid(fake.detach().float()).mean()}
        raise KeyError(phase)


def build_timegan(config: Config, data: DataSpec) -> TimeGANGame:
    """The TimeGAN game of a config for series windows (fields history (p, d) and future (q, d): T = p + q)."""
    from gankit.models.timegan import timegan_networks

    o = config.section(NAME)
    (p, d), (q, _) = data.series_windows(NAME)
    if config.train.ema > 0:
        raise ConfigError(f"game '{NAME}' keeps no EMA of its networks: set train.ema=0")
    extra = json.loads(data.extra) if data.extra else {}
    # runs saved before the data kept its bounds have none: they load as trained, unscaled with a linear R
    bounds = (extra["low"], extra["high"]) if o.scale == "minmax" and "low" in extra else None
    if bounds is not None and min(h - lo for lo, h in zip(*bounds)) <= 0:
        raise ConfigError(f"{NAME}.scale=minmax needs each feature to vary over the training windows")
    z_dim = o.z_dim or d
    return TimeGANGame(timegan_networks(d, o.hidden, o.layers, z_dim=z_dim, recovery="sigmoid" if bounds else "none"),
                       window=p + q, z_dim=z_dim, embedding_steps=o.embedding_steps, supervised_steps=o.supervised_steps,
                       gamma=o.gamma, d_threshold=o.d_threshold, bounds=bounds)
