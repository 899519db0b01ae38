"""The configuration schema: dataclasses, YAML loading, ``--set`` overrides and validation.

A run is described by one `Config`. Built-in recipes (``src/gankit/recipes/*.yaml``) and user YAML files
only give the keys that differ from the defaults below. Every problem raises `ConfigError` with one line that
names the key and the bad value; unknown keys get a "did you mean" hint.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, get_type_hints

import yaml

from gankit.errors import ConfigError

DECAY_CHOICES = ("none", "linear")
LOSS_CHOICES = ("minimax", "nonsaturating", "wasserstein", "wgan-gp", "hinge", "least-squares")


@dataclass
class DataConfig:
    name: str = "fashion-mnist"
    path: str | None = None
    img_size: int | None = None
    channels: int | None = None
    split: str = "train"
    n_points: int = 50_000
    limit: int | None = None


@dataclass
class ModelConfig:
    arch: str = "dcgan"
    z_dim: int = 100
    g_width: int = 64
    d_width: int = 64
    g_hidden: list[int] = field(default_factory=lambda: [256, 512, 1024])
    d_hidden: list[int] = field(default_factory=lambda: [1024, 512, 256])
    spectral_norm: bool = False
    d_norm: str = "batch"  # the DCGAN discriminator's hidden-layer normalization: batch | none (SN-DCGAN)


@dataclass
class RegConfig:
    gp_weight: float = 10.0
    clip: float = 0.01
    r1_gamma: float = 0.0
    r1_every: int = 1


@dataclass
class StabilityConfig:
    """Remedies for the classic failure modes; each off by default (see docs/stability.md)."""

    real_label: float = 1.0  # one-sided label smoothing (Salimans et al. 2016): e.g. 0.9
    instance_noise: float = 0.0  # std of Gaussian noise on D's inputs, annealed to 0 (Sønderby et al. 2017)
    diffaugment: str = ""  # DiffAugment policy on D's inputs, e.g. "color,translation,cutout" (Zhao et al. 2020)
    pack: int = 1  # PacGAN: D judges `pack` samples at once (Lin et al. 2018)
    top_k: float = 1.0  # top-k training: G learns from this share of its samples D rates best (Sinha et al. 2020)
    unrolled_steps: int = 0  # unrolled GAN: G looks through k D updates (Metz et al. 2017)
    unrolled_lr: float = 1e-3  # step size of the unrolled (plain gradient) D updates; 1e-2 diverged on the ring
    minibatch_discrimination: int = 0  # number of minibatch-discrimination kernels (Salimans et al. 2016)
    minibatch_stddev: bool = False  # minibatch standard-deviation feature (Karras et al. 2018)


@dataclass
class TrainConfig:
    steps: int = 2000
    batch_size: int = 64
    d_steps: int = 1
    ema: float = 0.0
    ema_start: int = 0
    amp: bool = False
    channels_last: bool = True
    sync_bn: bool = True
    log_every: int = 10
    sample_every: int = 500
    ckpt_every: int = 500
    keep: int = 3
    num_samples: int = 64
    progress: bool = True
    doctor: bool = True  # watch for failure modes while training (gankit.doctor)
    max_minutes: float = 0.0  # wall-clock budget of one `gankit train` call (0: none); stops early with a checkpoint


@dataclass
class EvalConfig:
    """Evaluation during training (off when every = 0): metrics logged beside the losses, best checkpoint kept."""

    every: int = 0  # generator steps between evaluations
    metrics: str = "fid"  # comma-separated: fid, kid, is, pr, dc, modes, classes
    n: int = 2000  # generated samples per evaluation
    extractor: str = "classifier"  # classifier (fast, trained once on the data) or inception
    best: str = "fid"  # keep checkpoints/best/ by this metric (lower is better for fid, kid, reverse_kl)


@dataclass
class SampleConfig:
    """How `gankit sample`, `gankit eval` and `api.sample` draw from a finished run unless told otherwise.

    The sample grids and the doctor's probes during training show the raw generator; `eval.every` samples as
    `gankit eval` does.
    """

    jacobian_rejection: float = 0.0  # reject this share of latent codes with the steepest G (Tanielian et al. 2020)


@dataclass
class OptimConfig:
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    decay: str = "none"  # "linear": both learning rates fall linearly to 0 at train.steps (gankit.training.schedule)
    decay_start: float = 0.5  # fraction of train.steps after which the linear decay begins


@dataclass
class Config:
    name: str = "custom"
    description: str = ""
    seed: int = 0
    device: str = "auto"
    game: str = "unconditional"
    loss: str = "nonsaturating"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    reg: RegConfig = field(default_factory=RegConfig)
    stab: StabilityConfig = field(default_factory=StabilityConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    sample: SampleConfig = field(default_factory=SampleConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ----------------------------------------------------------------------------------------------- building
def _coerce(value: Any, hint: Any, key: str) -> Any:
    """Check `value` against the type hint of `key`, converting ints to floats where a float is wanted."""
    text = str(hint)
    optional = "None" in text
    if value is None:
        if optional:
            return None
        raise ConfigError(f"config key '{key}' may not be empty")
    if "list[int]" in text:
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"config key '{key}' must be a list of integers, got {value!r}")
        return list(value)
    if "bool" in text:
        if not isinstance(value, bool):
            raise ConfigError(f"config key '{key}' must be true or false, got {value!r}")
        return value
    if "int" in text:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config key '{key}' must be an integer, got {value!r}")
        return value
    if "float" in text:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config key '{key}' must be a number, got {value!r}")
        return float(value)
    if "str" in text:
        if not isinstance(value, str):
            raise ConfigError(f"config key '{key}' must be a string, got {value!r}")
        return value
    raise AssertionError(f"unhandled type {hint} for {key}")


def _apply(obj: Any, values: dict[str, Any], prefix: str = "") -> None:
    """Set the fields of dataclass `obj` from nested dict `values`, rejecting unknown keys."""
    hints = get_type_hints(type(obj))
    names = [f.name for f in dataclasses.fields(obj)]
    if not isinstance(values, dict):
        raise ConfigError(f"config key '{prefix.rstrip('.') or '<root>'}' must be a mapping, got {values!r}")
    for key, value in values.items():
        full = f"{prefix}{key}"
        if key not in names:
            raise ConfigError(f"unknown config key '{full}'{_did_you_mean(full)}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            _apply(current, value, prefix=f"{full}.")
        else:
            setattr(obj, key, _coerce(value, hints[key], full))


def all_keys(obj: Any = None, prefix: str = "") -> list[str]:
    """Every dotted key of the schema, e.g. ``train.steps``."""
    obj = Config() if obj is None else obj
    keys = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            keys += all_keys(value, prefix=f"{prefix}{f.name}.")
        else:
            keys.append(f"{prefix}{f.name}")
    return keys


def _did_you_mean(key: str) -> str:
    keys = all_keys()
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    if not close:  # `amp` for `train.amp`: match on the last part of the key too
        last = key.split(".")[-1]
        close = [k for k in keys if k.split(".")[-1] == last] or [
            k for k in keys if difflib.get_close_matches(last, [k.split(".")[-1]], n=1, cutoff=0.8)]
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``key=value`` (value read as YAML, so ``1e-4``, ``true`` and ``[1, 2]`` work)."""
    if "=" not in text:
        raise ConfigError(f"--set expects key=value, got '{text}'")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key:
        raise ConfigError(f"--set expects key=value, got '{text}'")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    # YAML reads 2e-4 (no dot) as a string; accept it as the number the user meant.
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value.lower() for c in ".e") else value
        except ValueError:
            pass
    return key.split("."), value


def _nest(path: list[str], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {path[-1]: value}
    for part in reversed(path[:-1]):
        out = {part: out}
    return out


def recipe_names() -> list[str]:
    """Names of the built-in recipes."""
    folder = resources.files("gankit") / "recipes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        raise ConfigError(f"{source} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must hold a mapping of config keys, got {type(data).__name__}")
    return data


def recipe_source(recipe_or_path: str) -> tuple[dict[str, Any], str]:
    """The raw mapping of a built-in recipe name or a YAML file, and where it came from."""
    path = Path(recipe_or_path)
    if recipe_or_path.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            raise ConfigError(f"config file not found: {recipe_or_path}")
        return read_yaml(path.read_text(encoding="utf-8"), str(path)), str(path)
    if recipe_or_path not in recipe_names():
        close = difflib.get_close_matches(recipe_or_path, recipe_names(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(f"unknown recipe '{recipe_or_path}'{hint}; `gankit recipes` lists them")
    text = (resources.files("gankit") / "recipes" / f"{recipe_or_path}.yaml").read_text(encoding="utf-8")
    data = read_yaml(text, f"recipe {recipe_or_path}")
    data.setdefault("name", recipe_or_path)
    return data, f"recipe {recipe_or_path}"


def config_from_dict(values: dict[str, Any], overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Build and validate a `Config` from a nested mapping plus ``key=value`` overrides."""
    config = Config()
    _apply(config, values)
    for text in overrides:
        path, value = parse_override(text)
        _apply(config, _nest(path, value))
    validate(config)
    return config


def load_config(recipe_or_path: str, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Load a built-in recipe by name or a YAML file, apply ``--set`` overrides and validate."""
    values, _ = recipe_source(recipe_or_path)
    return config_from_dict(values, overrides)


def _positive(value: float, key: str, allow_zero: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "positive"
        raise ConfigError(f"config key '{key}' must be {bound}, got {value!r}")


def choice_error(key: str, value: Any, choices: list[str] | tuple[str, ...]) -> ConfigError:
    """The one-line error for a value outside its choices, with a did-you-mean hint when one is close."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ConfigError(f"config key '{key}' must be one of {', '.join(choices)}; got '{value}'{hint}")


_VALIDATORS: list[Callable[[Config], None]] = []


def register_validator(check: Callable[[Config], None]) -> None:
    """Add a check that `validate` runs after its own: the layers that own names (the games and their
    networks) register theirs, so that this module never imports them (`gankit.games.check_config`)."""
    if check not in _VALIDATORS:
        _VALIDATORS.append(check)


def validate(config: Config) -> None:
    """Check values that a type alone cannot (names, ranges), then the registered checks. Raises `ConfigError`."""
    if config.loss not in LOSS_CHOICES:
        raise ConfigError(f"config key 'loss' must be one of {', '.join(LOSS_CHOICES)}; got '{config.loss}'")
    for key in ("steps", "batch_size", "d_steps", "log_every", "sample_every", "ckpt_every", "keep", "num_samples"):
        _positive(getattr(config.train, key), f"train.{key}")
    for key in ("lr_g", "lr_d"):
        _positive(getattr(config.optim, key), f"optim.{key}")
    for key in ("beta1", "beta2"):
        value = getattr(config.optim, key)
        if not 0 <= value < 1:
            raise ConfigError(f"config key 'optim.{key}' must be in [0, 1), got {value!r}")
    if config.optim.decay not in DECAY_CHOICES:
        raise ConfigError(f"config key 'optim.decay' must be one of {', '.join(DECAY_CHOICES)}, "
                          f"got '{config.optim.decay}'")
    if not 0 <= config.optim.decay_start < 1:
        raise ConfigError(f"config key 'optim.decay_start' must be in [0, 1), got {config.optim.decay_start!r}")
    if not 0 <= config.train.ema < 1:
        raise ConfigError(f"config key 'train.ema' must be in [0, 1) (0 turns it off), got {config.train.ema!r}")
    _positive(config.model.z_dim, "model.z_dim")
    _positive(config.model.g_width, "model.g_width")
    _positive(config.model.d_width, "model.d_width")
    _positive(config.reg.gp_weight, "reg.gp_weight", allow_zero=True)
    _positive(config.reg.clip, "reg.clip")
    _positive(config.reg.r1_gamma, "reg.r1_gamma", allow_zero=True)
    _positive(config.reg.r1_every, "reg.r1_every")
    _positive(config.data.n_points, "data.n_points")
    if config.data.limit is not None:
        _positive(config.data.limit, "data.limit")
    for key in ("g_hidden", "d_hidden"):
        if any(width < 1 for width in getattr(config.model, key)):
            raise ConfigError(f"config key 'model.{key}' must hold widths of 1 or more, got {getattr(config.model, key)}")
    if config.data.img_size is not None:
        _positive(config.data.img_size, "data.img_size")
    if config.data.channels not in (None, 1, 3):
        raise ConfigError(f"config key 'data.channels' must be 1 or 3, got {config.data.channels!r}")
    if config.data.split not in ("train", "test"):
        raise ConfigError(f"config key 'data.split' must be 'train' or 'test', got '{config.data.split}'")
    _positive(config.eval.every, "eval.every", allow_zero=True)
    _positive(config.train.max_minutes, "train.max_minutes", allow_zero=True)
    _positive(config.eval.n, "eval.n")
    if config.eval.extractor not in ("classifier", "inception"):
        raise ConfigError(f"config key 'eval.extractor' must be classifier or inception, got '{config.eval.extractor}'")
    stab = config.stab
    if not 0 < stab.real_label <= 1:
        raise ConfigError(f"config key 'stab.real_label' must be in (0, 1], got {stab.real_label!r}")
    if stab.real_label < 1 and config.loss not in ("minimax", "nonsaturating"):
        raise ConfigError(f"config key 'stab.real_label' (label smoothing) needs loss minimax or nonsaturating, not '{config.loss}'")
    _positive(stab.instance_noise, "stab.instance_noise", allow_zero=True)
    _positive(stab.pack, "stab.pack")
    if not 0 < stab.top_k <= 1:
        raise ConfigError(f"config key 'stab.top_k' must be in (0, 1] (1 turns it off), got {stab.top_k!r}")
    _positive(stab.unrolled_steps, "stab.unrolled_steps", allow_zero=True)
    _positive(stab.unrolled_lr, "stab.unrolled_lr")
    _positive(stab.minibatch_discrimination, "stab.minibatch_discrimination", allow_zero=True)
    if config.train.batch_size % stab.pack:
        raise ConfigError(f"config key 'train.batch_size' ({config.train.batch_size}) must be a multiple of stab.pack ({stab.pack})")
    if config.game == "conditional" and (stab.pack > 1 or stab.minibatch_discrimination or stab.minibatch_stddev):
        raise ConfigError("stab.pack, stab.minibatch_discrimination and stab.minibatch_stddev need game=unconditional")
    if not 0 <= config.sample.jacobian_rejection < 1:
        raise ConfigError("config key 'sample.jacobian_rejection' must be in [0, 1) (0 turns it off), "
                          f"got {config.sample.jacobian_rejection!r}")
    device = config.device
    if not (device in ("auto", "cpu", "mps") or re.fullmatch(r"cuda(:\d+)?", device)):
        raise ConfigError(f"config key 'device' must be auto, cpu, cuda, cuda:N or mps; got '{device}'")
    for check in _VALIDATORS:
        check(config)


def dump_config(config: Config) -> str:
    """The resolved config as YAML (what a run folder keeps to reproduce the run)."""
    return yaml.safe_dump(config.to_dict(), sort_keys=False)
