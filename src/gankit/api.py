"""The Python API: everything the CLI does is one call here.

>>> from gankit import api
>>> result = api.train("gan-ring", out="runs/ring", overrides=["train.steps=500"])
>>> images = api.sample("runs/ring", n=2500)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.atomic import atomic_write_text
from gankit.config import Config, config_from_dict, dump_config, load_config
from gankit.errors import CheckpointError, ConfigError, DataError, RunFolderError
from gankit.games import DataSpec, Game, build_game
from gankit.jacobian_rejection import BURN_IN as JACOBIAN_BURN_IN
from gankit.jacobian_rejection import JacobianRejectionSampler, JacobianRejectionSettings, check_share
from gankit.rejection import DRSResult, DRSSettings
from gankit.training import checkpoint as ckpt
from gankit.training.images import save_image_grid, save_png, to_uint8
from gankit.truncation import check_truncation, truncated_normal

# Keys that may change when a run is resumed: they schedule the run, they do not change what is trained.
RESUMABLE_CHANGES = ("train.steps", "train.max_minutes", "train.log_every", "train.sample_every",
                     "train.ckpt_every", "train.keep", "train.progress", "description", "device")


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when present, else the CPU; anything else is taken as written, if available."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"config key 'device' has an unknown value '{name}'") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"config key 'device' is '{name}' but CUDA is not available on this machine")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(f"config key 'device' is '{name}' but MPS is not available on this machine")
    return device


def resolve_config(config: Config | str, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """The config `train` would run: a recipe name or YAML path loaded, or a `Config`, with `overrides` applied."""
    if isinstance(config, Config):
        return config_from_dict(config.to_dict(), overrides) if overrides else config
    return load_config(config, overrides)


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _schedules_over_train_steps(config: Config) -> list[str]:
    """The settings whose schedule is laid out over train.steps (so a resume must keep train.steps)."""
    scheduled = []
    if config.optim.decay != "none":
        scheduled.append(f"optim.decay={config.optim.decay} (the learning rate)")
    if config.stab.top_k < 1:
        scheduled.append(f"stab.top_k={config.stab.top_k:g} (its annealing)")
    if config.stab.instance_noise > 0:
        scheduled.append(f"stab.instance_noise={config.stab.instance_noise:g} (its annealing)")
    return scheduled


def _check_resumable(saved: dict[str, Any], config: Config, run_dir: Path) -> None:
    old, new = _flat(saved), _flat(config.to_dict())
    if old.get("train.steps") != new["train.steps"]:
        scheduled = _schedules_over_train_steps(config)
        if scheduled:
            raise RunFolderError(
                f"cannot resume {run_dir}: train.steps was {old.get('train.steps')!r}, now {new['train.steps']!r}, "
                f"and {scheduled[0]} is laid out over train.steps")
    for key in new:
        if key not in RESUMABLE_CHANGES and key != "name" and old.get(key) != new[key]:
            raise RunFolderError(
                f"cannot resume {run_dir}: config key '{key}' was {old.get(key)!r}, now {new[key]!r}")


def check_run_dir(run_dir: Path, *, resume: bool, force: bool) -> Path | None:
    """Check the run folder may be used; returns the checkpoint to resume from (or None).

    A folder that holds anything is never touched unless `resume` (continue it) or `force` (replace it, which
    `train` does only once everything else has been built, so a failing start loses nothing).
    """
    run_dir = Path(run_dir)
    if resume and force:
        raise RunFolderError("--resume and --force contradict each other: choose one")
    if resume:
        latest = ckpt.latest_checkpoint(run_dir / "checkpoints")
        if latest is None:
            raise RunFolderError(f"nothing to resume: {run_dir} holds no checkpoint")
        return latest
    if run_dir.exists() and not run_dir.is_dir():
        raise RunFolderError(f"run folder {run_dir} exists and is not a folder")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        if not force:
            raise RunFolderError(f"run folder {run_dir} already exists; use --resume to continue it or --force to replace it")
    return None


def load_data(config: Config):
    """The dataset a config names, loaded and transformed by the data layer: `data.limit` a subset stratified by
    class and seeded by `seed`; 8-bit images (folders) kept as uint8 (`gankit.data.to_signed` maps them)."""
    from gankit.data import load_dataset

    d = config.data
    return load_dataset(d.name, d.path, img_size=d.img_size, channels=d.channels, split=d.split,
                        n_points=d.n_points, seed=config.seed, limit=d.limit, subset_seed=config.seed,
                        keep_uint8=True)


def train(config: Config | str, out: str | Path | None = None, *, overrides: list[str] | tuple[str, ...] = (),
          resume: bool = False, force: bool = False):
    """Train a recipe name, a YAML path or a `Config`; returns a `TrainResult`.

    Under `torchrun`, every process calls this; rank 0 alone writes the run folder.
    """
    from gankit.training.data_stream import DataStream
    from gankit.training.distributed import init_distributed, shutdown_distributed
    from gankit.training.trainer import Trainer

    config = resolve_config(config, overrides)
    run_dir = Path(out) if out is not None else Path("runs") / config.name
    device = resolve_device(config.device)
    dist = init_distributed(device)
    if dist.enabled and device.type == "cuda":
        device = torch.device("cuda", dist.local_rank)
        torch.cuda.set_device(device)
    try:
        if dist.is_main:
            check_run_dir(run_dir, resume=resume, force=force)
        resume_from = ckpt.latest_checkpoint(run_dir / "checkpoints") if resume else None
        resume_state = None
        if resume_from is not None:
            resume_step, resume_state = ckpt.load_checkpoint(resume_from)
            _check_resumable(resume_state["config"], config, run_dir)
            if resume_step >= config.train.steps:
                raise RunFolderError(f"cannot resume {run_dir}: it is already at step {resume_step}; "
                                     f"raise train.steps above {resume_step} to train on")
        dataset = load_data(config)
        spec = DataSpec.of(dataset)
        if len(dataset) < config.train.batch_size * dist.world_size:
            raise DataError(f"dataset '{dataset.name}' has {len(dataset)} samples, fewer than one batch of "
                            f"{config.train.batch_size * dist.world_size}")
        torch.manual_seed(config.seed)
        game = build_game(config, spec)
        torch.manual_seed(config.seed + 1000 * dist.rank)
        stream = DataStream(dataset.x, dataset.y, config.train.batch_size, seed=config.seed, device=device,
                            rank=dist.rank, world_size=dist.world_size, channels_last=config.train.channels_last)
        reference = dataset.x[:2500] if dataset.kind == "points" else None
        trainer = Trainer(game, stream, config, run_dir, device, dist, reference=reference,
                          metadata={"data_spec": _spec_dict(spec)}, hooks=training_hooks(config, dataset))
        if resume_state is not None:
            trainer.load_state_dict(resume_state, resume_from)
        if dist.is_main:
            if force and run_dir.exists():
                shutil.rmtree(run_dir)
            run_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(run_dir / "config.yaml", dump_config(config))
            atomic_write_text(run_dir / "data.json", json.dumps(_spec_dict(spec)))
        return trainer.run()
    finally:
        shutdown_distributed(dist)


def training_hooks(config: Config, dataset=None) -> list:
    """The watchers a config asks for: the doctor (`train.doctor`) and periodic evaluation (`eval.every`)."""
    hooks = []
    if config.train.doctor:
        from gankit.doctor import DoctorHook

        options = {"loss": config.loss, "seed": config.seed, "console": config.train.progress}
        hooks.append(DoctorHook.for_dataset(dataset, **options) if dataset is not None else DoctorHook(**options))
    if config.eval.every:
        from gankit.training_eval import EvalHook

        hooks.append(EvalHook(config.eval))
    return hooks


def _spec_dict(spec: DataSpec) -> dict[str, Any]:
    out = {"name": spec.name, "kind": spec.kind, "sample_shape": list(spec.sample_shape),
           "num_classes": spec.num_classes}
    return {**out, "class_names": list(spec.class_names)} if spec.class_names else out


# ----------------------------------------------------------------------------------------------- loading runs
@dataclass
class LoadedGenerator:
    """A trained generator ready to sample: the game (for `generate`), the module (EMA if kept) and where from."""

    game: Game
    module: torch.nn.Module
    config: Config
    data: DataSpec
    step: int
    checkpoint: Path

    @property
    def device(self) -> torch.device:
        return next(self.module.parameters()).device


def find_checkpoint(source: str | Path) -> tuple[Path, Path]:
    """(checkpoint folder, run folder) for a run folder or a checkpoint folder."""
    source = Path(source)
    if not source.exists():
        raise CheckpointError(f"no such run or checkpoint: {source}")
    if (source / ckpt.STATE_FILE).is_file():
        return source, source.parent.parent
    latest = ckpt.latest_checkpoint(source / "checkpoints")
    if latest is None:
        raise CheckpointError(f"{source} is neither a run folder with checkpoints nor a checkpoint folder")
    return latest, source


def load_generator(source: str | Path, device: str | torch.device = "cpu") -> LoadedGenerator:
    """Load the sampling network (its EMA when the run kept one) from a run or checkpoint folder."""
    path, run_dir = find_checkpoint(source)
    step, state = ckpt.load_checkpoint(path)
    try:
        config = config_from_dict(state["config"])
    except ConfigError as exc:
        raise CheckpointError(f"checkpoint {path} holds a config this version cannot read ({exc})") from None
    data_file = run_dir / "data.json"
    meta = state.get("data_spec")
    if meta is None and data_file.is_file():
        meta = json.loads(data_file.read_text(encoding="utf-8"))
    if meta is None:
        raise CheckpointError(f"checkpoint {path} does not say what data it was trained on")
    spec = DataSpec(meta["name"], meta["kind"], tuple(meta["sample_shape"]), int(meta["num_classes"]),
                    tuple(meta.get("class_names", ())))
    game = build_game(config, spec)
    name = game.sampler_name
    if name not in state["networks"]:
        raise CheckpointError(f"checkpoint {path} holds no generator '{name}'")
    module = game.module(name)
    weights = state["ema"].get(name, state["networks"][name])
    ckpt.load_module_state(module, weights, f"generator '{name}' of {path}")
    module.to(torch.device(device)).eval().requires_grad_(False)
    return LoadedGenerator(game, module, config, spec, step, path)


def load_discriminator(loaded: LoadedGenerator) -> torch.nn.Module:
    """The discriminator saved beside a loaded generator (same checkpoint, same device), in eval mode."""
    name = "D"
    step, state = ckpt.load_checkpoint(loaded.checkpoint)
    if name not in state["networks"]:
        raise CheckpointError(f"checkpoint {loaded.checkpoint} holds no discriminator '{name}'")
    module = loaded.game.module(name)
    ckpt.load_module_state(module, state["networks"][name], f"discriminator '{name}' of {loaded.checkpoint}")
    return module.to(loaded.device).eval().requires_grad_(False)


def sample(source: str | Path | LoadedGenerator, n: int, *, label: int | str | None = None, seed: int = 0,
           batch_size: int = 500, drs: bool | DRSSettings = False, truncation: float | None = None,
           jacobian_rejection: float | None = None) -> torch.Tensor:
    """`n` samples (images in [-1, 1] or points) from a run, a checkpoint or a loaded generator.

    `label` picks one class of a conditional generator: a class name of its data (a class folder's name,
    "Sneaker") or an index 0..K-1; None draws labels uniformly.

    `drs` (True or a `gankit.rejection.DRSSettings`) draws them by discriminator rejection sampling
    (Azadi et al. 2019) with the run's own discriminator, calibrated first against this generator.
    `truncation` t draws the latent codes from N(0, I) truncated to [-t, t] (the truncation trick,
    `gankit.truncation`); None samples the generator as trained.
    `jacobian_rejection` q rejects the share q of latent codes where the generator is steepest
    (`gankit.jacobian_rejection`, Tanielian et al. 2020); None takes the run's `sample.jacobian_rejection`,
    0 turns it off. With `drs` too, DRS screens the samples that pass the Jacobian rejection.
    `draw_samples` takes the same arguments and also says how the samples were drawn.
    """
    return draw_samples(source, n, label=label, seed=seed, batch_size=batch_size, drs=drs, truncation=truncation,
                        jacobian_rejection=jacobian_rejection).samples


@dataclass
class DrawnSamples:
    """Samples and how they were drawn: the Jacobian rejection share used (0: none), and the DRS result or the
    Jacobian rejection sampler (threshold, proposals) when either screened them."""

    samples: torch.Tensor
    loaded: LoadedGenerator
    jacobian_rejection: float
    drs: DRSResult | None = None
    jacobian: JacobianRejectionSampler | None = None


def draw_samples(source: str | Path | LoadedGenerator, n: int, *, label: int | str | None = None, seed: int = 0,
                 batch_size: int = 500, drs: bool | DRSSettings = False, truncation: float | None = None,
                 jacobian_rejection: float | None = None) -> DrawnSamples:
    """`sample`, keeping what the sampling did (see `DrawnSamples`): what `gankit sample` reports."""
    check_truncation(truncation)
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    if n <= 0:
        raise ConfigError(f"-n must be positive, got {n}")
    share = _jacobian_share(loaded, jacobian_rejection)
    if drs:
        result = sample_drs(loaded, n, seed=seed, settings=drs if isinstance(drs, DRSSettings) else DRSSettings(),
                            label=label, truncation=truncation, jacobian_rejection=share)
        return DrawnSamples(result.samples, loaded, share, drs=result)
    if share > 0:
        sampler = jacobian_rejection_sampler(loaded, share, label=label, seed=seed, truncation=truncation,
                                             batch_size=batch_size)
        return DrawnSamples(sampler(n), loaded, share, jacobian=sampler)
    samples = _sample_plain(loaded, n, label=label, seed=seed, batch_size=batch_size, truncation=truncation)
    return DrawnSamples(samples, loaded, share)


def _jacobian_share(loaded: LoadedGenerator, share: float | None) -> float:
    """The Jacobian rejection share to sample with: `share`, or the run's `sample.jacobian_rejection` if None."""
    share = loaded.config.sample.jacobian_rejection if share is None else share
    check_share(share)
    return share


def _latent_drawer(loaded: LoadedGenerator, *, label: int | str | None, seed: int,
                   truncation: float | None) -> Callable[[int], tuple[torch.Tensor, torch.Tensor | None]]:
    """draw(m) -> (m latent codes, their labels or None), from one seeded stream (codes, then labels).
    `label`: a class name of the run's data or an index (`gankit.data.labels.resolve_label`)."""
    from gankit.data.labels import resolve_label

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
                  truncation: float | None = None) -> torch.Tensor:
    draw = _latent_drawer(loaded, label=label, seed=seed, truncation=truncation)
    chunks = []
    for start in range(0, n, batch_size):
        z, labels = draw(min(batch_size, n - start))
        chunks.append(loaded.game.generate(loaded.module, z, labels).float().cpu())
    return torch.cat(chunks)


def jacobian_rejection_sampler(loaded: LoadedGenerator, share: float, *, label: int | str | None = None, seed: int = 0,
                               truncation: float | None = None, batch_size: int = 500,
                               burn_in: int = JACOBIAN_BURN_IN) -> JacobianRejectionSampler:
    """A sampler of the loaded generator that rejects the share `share` of latent codes where G is steepest.

    Building it scores `burn_in` codes to fix the threshold on ‖J_G(z)‖_F (`gankit.jacobian_rejection`);
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
    accepts proposals by `gankit.rejection.acceptance_probability`. Needs an unconditional game whose D scores
    one sample at a time (no packing, minibatch discrimination or minibatch stddev). With `truncation` the
    proposals come from truncated latent codes (`gankit.truncation`); with a Jacobian rejection share (None:
    the run's `sample.jacobian_rejection`) the proposals are the samples that pass it.
    """
    from gankit.rejection import calibrate_discriminator, rejection_sample

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

    from gankit.data import to_signed

    real = to_signed(load_data(config).x)
    calibrated = calibrate_discriminator(discriminator, propose, real, settings, coins)
    return rejection_sample(propose, lambda x: calibrated(x.to(device)), n, settings, coins)


def save_samples(samples: torch.Tensor, out: str | Path, *, force: bool = False) -> Path:
    """Write samples by the name given: ``.png`` a grid, ``.npy``/``.csv`` an array, else a folder of PNGs."""
    out = Path(out)
    suffix = out.suffix.lower()
    if out.exists() and not force and (suffix or any(out.iterdir()) if out.is_dir() else True):
        raise RunFolderError(f"{out} already exists; use --force to replace it")
    if suffix not in ("", ".png", ".npy", ".csv"):
        raise ConfigError(f"cannot write samples to '{out}': use .png, .npy, .csv or a folder")
    if samples.dim() != 4 and suffix not in (".npy", ".csv"):
        raise ConfigError(f"samples of shape {tuple(samples.shape[1:])} are not images: write .npy or .csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".npy", ".csv"):
        array = samples.numpy()
        tmp = out.with_name(f".{out.name}.tmp")
        if suffix == ".npy":
            with open(tmp, "wb") as handle:
                np.save(handle, array)
        else:
            np.savetxt(tmp, array.reshape(len(array), -1), delimiter=",", fmt="%.6g")
        tmp.replace(out)
        return out
    if suffix == ".png":
        tmp = out.with_name(f".{out.name}.tmp.png")
        save_image_grid(samples, tmp)
        tmp.replace(out)
        return out
    tmp = out.with_name(f".{out.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for i, pixels in enumerate(to_uint8(samples)):
        save_png(pixels, tmp / f"{i:06d}.png")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def run_info(run: str | Path) -> dict[str, Any]:
    """A summary of a run folder: config, data, checkpoints, the last logged statistics and the files."""
    from gankit.training.stats import read_metrics

    run = Path(run)
    if not (run / "config.yaml").is_file():
        raise RunFolderError(f"not a run folder: {run} (no config.yaml)")
    from gankit.config import read_yaml

    config = read_yaml((run / "config.yaml").read_text(encoding="utf-8"), str(run / "config.yaml"))
    records = read_metrics(run)
    checkpoints = ckpt.list_checkpoints(run / "checkpoints")
    summary_file = run / "report" / "summary.json"
    data_file = run / "data.json"
    return {
        "run": str(run),
        "name": config.get("name"),
        "description": config.get("description"),
        "game": config.get("game"),
        "loss": config.get("loss"),
        "model": config.get("model", {}).get("arch"),
        "data": json.loads(data_file.read_text()) if data_file.is_file() else config.get("data"),
        "steps_planned": config.get("train", {}).get("steps"),
        "step": int(checkpoints[-1].name.split("-")[1]) if checkpoints else 0,
        "checkpoints": [p.name for p in checkpoints],
        "last_stats": records[-1] if records else None,
        "summary": json.loads(summary_file.read_text()) if summary_file.is_file() else None,
        "samples": sorted(p.name for p in (run / "samples").glob("*.png")) if (run / "samples").is_dir() else [],
    }
