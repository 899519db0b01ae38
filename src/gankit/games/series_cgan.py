"""A conditional GAN for series: the next q steps given the last p (the conditional GANs of the SigCWGAN
benchmark, Ni et al. 2020, arXiv:2006.05421: RCGAN and CWGAN with AR-FNN networks; Esteban et al. 2017 for
RCGAN).

G rolls the AR-FNN step out q times from a real history h = x_{1..p} with fresh noise at each step
(`gankit.models.arfnn`); D judges whole windows [h, future]. With the shared ``loss`` key:

    nonsaturating (RCGAN):  L_D = E softplus(-D([h, f])) + E softplus(D([h, G(h, z)])),  L_G = E softplus(-D([h, G(h, z)]))
    wgan-gp (CWGAN):        L_D = E D([h, G]) - E D([h, f]) + λ E(‖∇D(x̂)‖ - 1)²,        L_G = -E D([h, G(h, z)])

D runs ``train.d_steps`` times per G step (the benchmark: 2, Adam betas (0, 0.9), lr G 1e-4 and D 2e-4).
``lambda_mse > 0`` adds λ·E‖G(h, z) - f‖² to L_G, the supervised term of the benchmark's "TimeGAN" baseline.
``lambda_acf > 0`` adds λ·Σ_k (γ_fake(k) - γ_real(k))² to L_G, a moment-matching term on the linear autocorrelation
(gankit's addition): γ(k) = the mean of x_{j-k}·x_j over the batch and over the window's pairs whose later index j
is a generated step (j ≥ p), k = 1..p+q-1, for the windows [h, G(h, z)] and [h, f] (`window_autocov`); its
gradient moves only G's linear dependence on the history and on its own earlier steps.
``lambda_acf_abs > 0`` adds λ·Σ_k (γ⁺_fake(k) - γ⁺_real(k))² for the absolute values, k = 0..p+q-1: γ⁺(k) is the
mean of |x_{j-k}|·|x_j| over the same pairs, not centred, so lag 0 matches the generated steps' second moment and
the other lags the level and persistence of |x| (volatility clustering), the stylized fact a GARCH captures.
Options live in config section ``series-cgan``; the windows' p and q come from the data (``data.history``,
``data.future``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.errors import ConfigError
from gankit.games.base import DataSpec, Game, NetworkSpec, Phase, PhaseContext
from gankit.previews import save_paths

if TYPE_CHECKING:
    from gankit.config import Config

NAME = "series-cgan"
PREVIEW_FANS = 32  # generated futures per held-out history in a preview


@dataclass
class SeriesCGANOptions:
    """Config section ``series-cgan``: the AR-FNN generator and critic sizes, the noise and the supervised term."""

    g_width: int = 50
    g_blocks: int = 3
    d_width: int = 50
    d_blocks: int = 3
    z_dim: int = 0  # noise per step; 0: the series' dimension (the benchmark)
    lambda_mse: float = 0.0  # weight of the supervised E|G(h, z) - f|^2 term (0: off)
    d_abs: bool = False  # the critic also reads |window| (gankit.models.arfnn.WindowCritic)
    g_vol: bool = False  # the generator's step is scaled by a volatility head (gankit.models.arfnn.ARFNNGenerator)
    g_bound: float = 0.0  # each generated step squashed to B tanh(x / B) (0: unbounded)
    lambda_acf: float = 0.0  # weight of the autocovariance-matching term (module docstring; 0: off)
    lambda_acf_abs: float = 0.0  # weight of the same term on |x|, lag 0 included (module docstring; 0: off)


def check_series_cgan(options: SeriesCGANOptions) -> None:
    for key in ("g_width", "g_blocks", "d_width", "d_blocks"):
        if getattr(options, key) < 1:
            raise ConfigError(f"config key '{NAME}.{key}' must be positive, got {getattr(options, key)!r}")
    if options.z_dim < 0:
        raise ConfigError(f"config key '{NAME}.z_dim' must be 0 or more, got {options.z_dim!r}")
    for key in ("lambda_mse", "g_bound", "lambda_acf", "lambda_acf_abs"):
        if getattr(options, key) < 0:
            raise ConfigError(f"config key '{NAME}.{key}' must be 0 or more, got {getattr(options, key)!r}")


def window_autocov(windows: torch.Tensor, start: int, first_lag: int = 1) -> torch.Tensor:
    """γ(k) ``(L - first_lag,)`` for k = first_lag..L-1 of windows ``(N, L, d)``: the mean of x_{j-k}·x_j over the
    batch, the d channels and the indices j ≥ max(start, k) (the pairs whose later value is at or after ``start``)."""
    length = windows.shape[1]
    if not 0 <= start < length:
        raise ValueError(f"start must be in [0, {length}), got {start}")
    return torch.stack([(windows[:, max(start, k) - k : length - k] * windows[:, max(start, k) :]).mean()
                        for k in range(first_lag, length)])


class SeriesCGANGame(Game):
    """G: (history, noise) -> future, autoregressively; D: whole windows. Reads fields ``history``, ``future``."""

    def __init__(self, generator: nn.Module, critic: nn.Module, *, history: int, future: int, z_dim: int,
                 loss: str = "nonsaturating", d_steps: int = 1, gp_weight: float = 0.0, clip: float | None = None,
                 lambda_mse: float = 0.0, lambda_acf: float = 0.0, lambda_acf_abs: float = 0.0,
                 ema: bool = False) -> None:
        super().__init__(networks={"G": NetworkSpec(generator, "generator", ema=ema),
                                   "D": NetworkSpec(critic, "discriminator")})
        self.loss_name, self.adversarial = loss, losses.get_loss(loss)
        self.history, self.future, self.z_dim = history, future, z_dim
        self.d_steps, self.gp_weight, self.clip, self.lambda_mse = d_steps, gp_weight, clip, lambda_mse
        self.lambda_acf, self.lambda_acf_abs = lambda_acf, lambda_acf_abs

    # ------------------------------------------------------------------------------------------ schedule
    def phases(self) -> list[Phase]:
        return [Phase("D", ("D",), repeats=self.d_steps), Phase("G", ("G",))]

    @property
    def needs(self) -> tuple[str, ...]:
        return ("history", "future")

    @property
    def takes_noise(self) -> bool:
        return False  # G needs a history: latent probes alone make no sample

    def latent_shape(self) -> tuple[int, ...]:
        return (self.future, self.z_dim)

    def summary_lines(self) -> list[str]:
        extra = f" + {self.lambda_mse:g}·MSE" if self.lambda_mse else ""
        extra += f" + {self.lambda_acf:g}·autocovariance" if self.lambda_acf else ""
        extra += f" + {self.lambda_acf_abs:g}·autocovariance of |x|" if self.lambda_acf_abs else ""
        return [f"windows  {self.history} past -> {self.future} next steps, G rolled out step by step; "
                f"loss {self.loss_name}{extra}"]

    # ------------------------------------------------------------------------------------------ samples
    def rollout(self, generator: nn.Module, history: torch.Tensor, steps: int,
                noise: torch.Tensor | None = None, rng: torch.Generator | None = None) -> torch.Tensor:
        """``steps`` generated values ``(N, steps, d)`` after each ``history`` ``(N, >= p, d)``, from ``noise``
        ``(N, steps, z_dim)`` or fresh normal noise drawn from ``rng``."""
        if noise is None:
            noise = torch.randn(len(history), steps, self.z_dim, generator=rng, device=history.device)
        return generator(history, noise)

    def generate(self, generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        raise ValueError("a series generator needs histories to continue: use rollout(generator, history, steps)")

    def make_probe(self, n: int, seed: int, device: torch.device, examples: dict[str, torch.Tensor]) -> dict[str, Any]:
        """The held-out histories and futures of the data, a held-out stretch of values, and fixed noise: fans of
        ``min(n, 32)`` futures per history and one path as long as the stretch."""
        if "history" not in examples:
            raise ValueError("a series game needs held-out histories to preview")
        history, stretch = examples["history"].to(device), examples["stretch"].to(device)
        fans = min(n, PREVIEW_FANS)
        rng = torch.Generator(device=device).manual_seed(seed)
        return {"history": history, "future": examples["future"].to(device), "stretch": stretch,
                "fan_noise": torch.randn(len(history) * fans, self.future, self.z_dim, generator=rng, device=device),
                "path_noise": torch.randn(1, max(len(stretch) - self.history, 0), self.z_dim, generator=rng,
                                          device=device)}

    def render_preview(self, sampler: nn.Module, probe: dict[str, Any], path: Path, title: str = "") -> None:
        """Fans of generated futures after each held-out history (real future in black), and below them one
        generated path continued from the stretch's first p values beside the real stretch."""
        history, noise = probe["history"], probe["fan_noise"]
        fans = len(noise) // len(history)
        with torch.no_grad():
            futures = self.rollout(sampler, history.repeat_interleave(fans, 0), self.future, noise).float()
            stretch = probe["stretch"]
            long = self.rollout(sampler, stretch[None, : self.history], probe["path_noise"].shape[1],
                                probe["path_noise"]).float()
        generated = torch.cat([stretch[None, : self.history], long], dim=1)[0]
        save_paths(history, probe["future"], futures.reshape(len(history), fans, self.future, -1), stretch,
                   generated, path, title=title)

    # ------------------------------------------------------------------------------------------ losses
    def _windows(self, history: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
        return torch.cat([history, future], dim=1)

    def phase_loss(self, phase: str, ctx: PhaseContext) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        history, future = ctx.batch["history"], ctx.batch["future"]
        n = len(history)
        z = ctx.noise.normal(n, self.future, self.z_dim)
        D = self.module("D")
        if phase == "D":
            with torch.no_grad():
                fake = self.rollout(self.module("G"), history, self.future, z)
            real_w, fake_w = self._windows(history, future), self._windows(history, fake)
            real_logits, fake_logits = D(real_w), D(fake_w)
            loss = self.adversarial.d_loss(real_logits, fake_logits)
            stats = {"loss/D": loss.detach(), **self._output_stats(real_logits, fake_logits)}
            if self.gp_weight > 0:
                penalty = losses.gradient_penalty(D, real_w, fake_w, generator=ctx.noise.generator)
                loss = loss + self.gp_weight * penalty
                stats["gp"] = penalty.detach()
            return loss, stats
        if phase == "G":
            fake = self.rollout(self.module("G"), history, self.future, z)
            loss = self.adversarial.g_loss(D(self._windows(history, fake)))
            stats = {"loss/G_gan": loss.detach()}
            if self.lambda_mse > 0:
                mse = F.mse_loss(fake.float(), future.float())
                loss = loss + self.lambda_mse * mse
                stats["mse"] = mse.detach()
            for weight, name, transform, first_lag in ((self.lambda_acf, "acf_gap", None, 1),
                                                       (self.lambda_acf_abs, "acf_abs_gap", torch.abs, 0)):
                if weight > 0:
                    gap = self._autocov_gap(history, fake, future, transform, first_lag)
                    loss = loss + weight * gap
                    stats[name] = gap.detach()
            stats["loss/G"] = loss.detach()
            return loss, stats
        raise KeyError(phase)

    def _autocov_gap(self, history: torch.Tensor, fake: torch.Tensor, future: torch.Tensor,
                     transform: Any, first_lag: int) -> torch.Tensor:
        """Σ_k (γ_fake(k) − γ_real(k))² of `window_autocov` for [h, G] against [h, f], of `transform`(x) if given."""
        gammas = []
        for windows in (self._windows(history, fake).float(), self._windows(history, future).float()):
            values = windows if transform is None else transform(windows)
            gammas.append(window_autocov(values, self.history, first_lag))
        return ((gammas[0] - gammas[1]) ** 2).sum()

    def after_phase(self, phase: str) -> None:
        if phase == "D" and self.clip is not None:
            losses.clip_weights_(self.module("D"), self.clip)

    def _output_stats(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> dict[str, torch.Tensor]:
        """Mean D(x) and D(G(z)) (probabilities for the probabilistic losses)."""
        real, fake = real_logits.detach().float(), fake_logits.detach().float()
        if self.adversarial.probabilistic:
            real, fake = torch.sigmoid(real), torch.sigmoid(fake)
        return {"D(x)": real.mean(), "D(G(z))": fake.mean()}


def build_series_cgan(config: Config, data: DataSpec) -> SeriesCGANGame:
    """The game of a config for series data of the given spec (fields history (p, d) and future (q, d))."""
    from gankit.models.arfnn import ARFNNGenerator, WindowCritic

    options = config.section(NAME)
    (p, d), (q, _) = data.series_windows(NAME)
    z_dim = options.z_dim or d
    generator = ARFNNGenerator(d, p, z_dim, options.g_width, options.g_blocks, vol_head=options.g_vol,
                               bound=options.g_bound)
    critic = WindowCritic(d, p + q, options.d_width, options.d_blocks, abs_features=options.d_abs)
    return SeriesCGANGame(generator, critic, history=p, future=q, z_dim=z_dim, loss=config.loss,
                          d_steps=config.train.d_steps,
                          gp_weight=config.reg.gp_weight if config.loss == "wgan-gp" else 0.0,
                          clip=config.reg.clip if config.loss == "wasserstein" else None,
                          lambda_mse=options.lambda_mse, lambda_acf=options.lambda_acf,
                          lambda_acf_abs=options.lambda_acf_abs, ema=config.train.ema > 0)
