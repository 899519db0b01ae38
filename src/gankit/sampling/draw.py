"""Drawing samples from a loaded generator: plainly, with truncated latents, by Jacobian rejection or by
discriminator rejection sampling (DRS); `draw_samples` is the one dispatch between them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from gankit.data import to_signed
from gankit.data.labels import resolve_label
from gankit.errors import ConfigError
from gankit.sampling.jacobian_rejection import BURN_IN as JACOBIAN_BURN_IN
from gankit.sampling.jacobian_rejection import JacobianRejectionSampler, JacobianRejectionSettings, check_share
from gankit.sampling.loading import LoadedGenerator, load_discriminator, load_generator
from gankit.sampling.rejection import (DRSResult, DRSSettings, calibrate_discriminator, calibration_pool_size,
                                      rejection_sample)
from gankit.sampling.standing import prepare_standing
from gankit.sampling.styles import check_psi, styled_module, synthesize, truncated_ws
from gankit.sampling.truncation import check_truncation, truncated_normal
from gankit.training.setup import load_data


def sample(source: str | Path | LoadedGenerator, n: int, *, label: int | str | None = None, seed: int = 0,
           batch_size: int = 500, drs: bool | DRSSettings = False, truncation: float | None = None,
           jacobian_rejection: float | None = None, truncation_psi: float | None = None) -> torch.Tensor:
    """`n` samples (images in [-1, 1] or points) from a run, a checkpoint or a loaded generator.

    `label` picks one class of a conditional generator: a class name of its data (a class folder's name,
    "Sneaker") or an index 0..K-1; None draws labels uniformly.

    `drs` (True or a `gankit.sampling.rejection.DRSSettings`) draws them by discriminator rejection sampling
    (Azadi et al. 2019) with the run's own discriminator, calibrated first against this generator.
    `truncation` t draws the latent codes from N(0, I) truncated to [-t, t] (the truncation trick,
    `gankit.sampling.truncation`); None takes the run's `sample.truncation`, 0 samples the generator as trained.
    `jacobian_rejection` q rejects the share q of latent codes where the generator is steepest
    (`gankit.sampling.jacobian_rejection`, Tanielian et al. 2020); None takes the run's `sample.jacobian_rejection`,
    0 turns it off. With `drs` too, DRS screens the samples that pass the Jacobian rejection.
    `truncation_psi` ψ in [0, 1] (style-based runs only, `gankit.sampling.styles`): the truncation trick in w,
    w_avg + ψ·(w − w_avg); None or 1 samples as trained. It combines with `truncation` (in z) but not with DRS or
    Jacobian rejection.
    `draw_samples` takes the same arguments and also says how the samples were drawn.
    """
    return draw_samples(source, n, label=label, seed=seed, batch_size=batch_size, drs=drs, truncation=truncation,
                        jacobian_rejection=jacobian_rejection, truncation_psi=truncation_psi).samples


@dataclass
class DrawnSamples:
    """Samples and how they were drawn: the Jacobian rejection share used (0: none), the truncation threshold of
    the latent codes (None: untruncated), and the DRS result or the Jacobian rejection sampler (threshold,
    proposals) when either screened them."""

    samples: torch.Tensor
    loaded: LoadedGenerator
    jacobian_rejection: float
    truncation: float | None = None
    drs: DRSResult | None = None
    jacobian: JacobianRejectionSampler | None = None


def draw_samples(source: str | Path | LoadedGenerator, n: int, *, label: int | str | None = None, seed: int = 0,
                 batch_size: int = 500, drs: bool | DRSSettings = False, truncation: float | None = None,
                 jacobian_rejection: float | None = None, truncation_psi: float | None = None) -> DrawnSamples:
    """`sample`, keeping what the sampling did (see `DrawnSamples`): what `gankit sample` reports."""
    if truncation is not None and truncation != 0:
        check_truncation(truncation)
    check_psi(truncation_psi)
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    truncation = run_truncation(loaded, truncation)
    prepare_standing(loaded, truncation)
    if not loaded.game.takes_noise and loaded.data.kind == "series":
        raise ConfigError(f"{loaded.checkpoint.parent.parent} continues series from their histories (game "
                          f"'{loaded.config.game}'): draw paths with gankit.api.sample_paths")
    if not loaded.game.takes_noise:
        raise ConfigError(f"{loaded.checkpoint.parent.parent} maps images to images (game '{loaded.config.game}'), "
                          "so it has no noise to sample from: use `gankit translate`")
    if n <= 0:
        raise ConfigError(f"-n must be positive, got {n}")
    share = _jacobian_share(loaded, jacobian_rejection)
    if truncation_psi is not None:
        styled_module(loaded, "--truncation-psi")
        if drs or share > 0:
            raise ConfigError("--truncation-psi cannot be combined with --drs or --jacobian-rejection (set "
                              "--jacobian-rejection 0)")
    if drs:
        result = sample_drs(loaded, n, seed=seed, settings=drs if isinstance(drs, DRSSettings) else DRSSettings(),
                            label=label, truncation=truncation, jacobian_rejection=share)
        return DrawnSamples(result.samples, loaded, share, truncation, drs=result)
    if share > 0:
        sampler = jacobian_rejection_sampler(loaded, share, label=label, seed=seed, truncation=truncation,
                                             batch_size=batch_size)
        return DrawnSamples(sampler(n), loaded, share, truncation, jacobian=sampler)
    samples = _sample_plain(loaded, n, label=label, seed=seed, batch_size=batch_size, truncation=truncation,
                            psi=truncation_psi)
    return DrawnSamples(samples, loaded, share, truncation)


def run_truncation(loaded: LoadedGenerator, truncation: float | None) -> float | None:
    """The truncation threshold to draw latent codes with: `truncation` (the caller checks a given one with
    `check_truncation`, as `draw_samples` does before loading), or the run's `sample.truncation` (checked with the
    config) if None; 0 (given or configured) means untruncated, returned as None."""
    chosen = loaded.config.sample.truncation if truncation is None else truncation
    return None if chosen == 0 else chosen


def _jacobian_share(loaded: LoadedGenerator, share: float | None) -> float:
    """The Jacobian rejection share to sample with: `share`, or the run's `sample.jacobian_rejection` if None."""
    share = loaded.config.sample.jacobian_rejection if share is None else share
    check_share(share)
    return share


def _latent_drawer(loaded: LoadedGenerator, *, label: int | str | None, seed: int,
                   truncation: float | None) -> Callable[[int], tuple[torch.Tensor, torch.Tensor | None]]:
    """draw(m) -> (m latent codes, their labels or None), from one seeded stream (codes, then labels).
    `label`: a class name of the run's data or an index (`gankit.data.labels.resolve_label`)."""
    game, classes = loaded.game, loaded.game.num_classes
    if label is not None and not classes:
        raise ConfigError("--label given, but this generator is not conditional")
    if label is not None:
        label = resolve_label(label, classes, loaded.data.class_names)
    generator = torch.Generator(device=loaded.device).manual_seed(seed)

    def draw(m: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        z = truncated_normal((m, *game.latent_shape()), truncation, generator=generator, device=loaded.device)
        labels = None
        if classes:
            labels = (torch.full((m,), label, device=loaded.device) if label is not None
                      else torch.randint(classes, (m,), generator=generator, device=loaded.device))
        return z, labels

    return draw


@torch.inference_mode()
def _sample_plain(loaded: LoadedGenerator, n: int, *, label: int | str | None, seed: int, batch_size: int,
                  truncation: float | None = None, psi: float | None = None) -> torch.Tensor:
    """Samples of latents drawn by `_latent_drawer`; with `psi`, through the truncation in w of a styled generator."""
    draw = _latent_drawer(loaded, label=label, seed=seed, truncation=truncation)
    chunks = []
    for start in range(0, n, batch_size):
        z, labels = draw(min(batch_size, n - start))
        if psi is None:
            chunks.append(loaded.game.generate(loaded.module, z, labels).float().cpu())
        else:
            chunks.append(synthesize(loaded.module, truncated_ws(loaded.module, z, psi, labels)).cpu())
    return torch.cat(chunks)


def jacobian_rejection_sampler(loaded: LoadedGenerator, share: float, *, label: int | str | None = None, seed: int = 0,
                               truncation: float | None = None, batch_size: int = 500,
                               burn_in: int = JACOBIAN_BURN_IN) -> JacobianRejectionSampler:
    """A sampler of the loaded generator that rejects the share `share` of latent codes where G is steepest.

    Building it scores `burn_in` codes to fix the threshold on ‖J_G(z)‖_F (`gankit.sampling.jacobian_rejection`);
    calling it with n returns n samples on the CPU; its `proposed`/`accepted` count what they took.
    """
    draw = _latent_drawer(loaded, label=label, seed=seed, truncation=truncation)
    game, module = loaded.game, loaded.module
    settings = JacobianRejectionSettings(share, burn_in=burn_in, batch_size=batch_size)
    directions = torch.Generator(device=loaded.device).manual_seed(seed + 2)
    return JacobianRejectionSampler(lambda z, labels: game.generate(module, z, labels).float(), draw, settings,
                                    directions)


def sample_drs(loaded: LoadedGenerator, n: int, *, seed: int = 0, settings: DRSSettings | None = None,
               label: int | str | None = None, truncation: float | None = None,
               jacobian_rejection: float | None = None) -> DRSResult:
    """Discriminator rejection sampling from a loaded run; the result says how many proposals it took.

    Calibrates a copy of the run's D on its training data against this generator (the EMA when kept), then
    accepts proposals by `gankit.sampling.rejection.acceptance_probability`. Needs an unconditional game whose D scores
    one sample at a time (no packing, minibatch discrimination or minibatch stddev). With `truncation` the
    proposals come from truncated latent codes (`gankit.sampling.truncation`); with a Jacobian rejection share (None:
    the run's `sample.jacobian_rejection`) the proposals are the samples that pass it.
    """
    check_truncation(truncation)
    share = _jacobian_share(loaded, jacobian_rejection)
    settings = settings or DRSSettings()
    config, stab = loaded.config, loaded.config.stab
    if loaded.game.num_classes or label is not None:
        raise ConfigError("discriminator rejection sampling needs an unconditional generator")
    if stab.pack > 1 or stab.minibatch_discrimination or stab.minibatch_stddev:
        raise ConfigError("discriminator rejection sampling needs a D that scores one sample at a time "
                          "(stab.pack=1, no minibatch discrimination or minibatch stddev)")
    discriminator = load_discriminator(loaded)
    device = loaded.device
    coins = torch.Generator().manual_seed(seed + 1)
    if share > 0:
        jacobian = jacobian_rejection_sampler(loaded, share, seed=seed, truncation=truncation)

        def propose(m: int) -> torch.Tensor:
            return jacobian(m).to(device)
    else:
        draw = _latent_drawer(loaded, label=None, seed=seed, truncation=truncation)

        def propose(m: int) -> torch.Tensor:
            with torch.no_grad():
                return loaded.game.generate(loaded.module, draw(m)[0])

    real = to_signed(load_data(config).x)
    pool = calibration_pool_size(settings, len(real))
    chunk = settings.batch_size * 8  # the batch rejection sampling proposes in
    fake = torch.cat([propose(min(chunk, pool - start)).cpu() for start in range(0, pool, chunk)])
    with _bar(settings.calibration_steps, "calibrating D", "step") as bar:
        calibrated = calibrate_discriminator(discriminator, fake, real, settings, coins, progress=bar.update)
    with _bar(n, "rejection sampling", "sample") as bar:
        return rejection_sample(propose, lambda x: calibrated(x.to(device)), n, settings, coins, progress=bar.update)


def _bar(total: int, desc: str, unit: str):
    """A progress bar on stderr, drawn on a terminal only (tqdm's `disable=None`)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=None, leave=False)
