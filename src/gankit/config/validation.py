"""Validation of a `Config`: ranges and names of the shared keys, and the checks other layers register for
the names they own (`register_validator`)."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any, Callable

from gankit.config.schema import DECAY_CHOICES, LOSS_CHOICES, Config
from gankit.config.sections import get_section
from gankit.errors import ConfigError


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
    for key in ("steps", "batch_size", "d_steps", "accumulate", "log_every", "sample_every", "ckpt_every", "keep", "num_samples"):
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
    if not config.optim.weight_decay >= 0:
        raise ConfigError(f"config key 'optim.weight_decay' must be 0 or positive, got {config.optim.weight_decay!r}")
    if not 0 <= config.train.ema < 1:
        raise ConfigError(f"config key 'train.ema' must be in [0, 1) (0 turns it off), got {config.train.ema!r}")
    if config.train.ema_rampup < 0:
        raise ConfigError(f"config key 'train.ema_rampup' must be 0 or more (0 turns it off), got {config.train.ema_rampup!r}")
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
    for key in ("history", "future", "stride"):
        _positive(getattr(config.data, key), f"data.{key}")
    if not 0 <= config.data.holdout < 1:
        raise ConfigError(f"config key 'data.holdout' must be in [0, 1), got {config.data.holdout!r}")
    if config.data.returns not in ("log", "none"):
        raise ConfigError(f"config key 'data.returns' must be 'log' or 'none', got {config.data.returns!r}")
    if config.data.transform not in ("lambertw", "standardize"):
        raise ConfigError(f"config key 'data.transform' must be 'lambertw' or 'standardize', got "
                          f"{config.data.transform!r}")
    if config.data.split not in ("train", "test"):
        raise ConfigError(f"config key 'data.split' must be 'train' or 'test', got '{config.data.split}'")
    _positive(config.eval.every, "eval.every", allow_zero=True)
    _positive(config.train.max_minutes, "train.max_minutes", allow_zero=True)
    _positive(config.train.threads, "train.threads", allow_zero=True)
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
    _positive(config.sample.standing_stats, "sample.standing_stats", allow_zero=True)
    if not (math.isfinite(config.sample.truncation) and config.sample.truncation >= 0):
        raise ConfigError("config key 'sample.truncation' must be a positive number or 0 (no truncation), "
                          f"got {config.sample.truncation!r}")
    device = config.device
    if not (device in ("auto", "cpu", "mps") or re.fullmatch(r"cuda(:\d+)?", device)):
        raise ConfigError(f"config key 'device' must be auto, cpu, cuda, cuda:N or mps; got '{device}'")
    _check_sections(config)
    for check in _VALIDATORS:
        check(config)


def _check_sections(config: Config) -> None:
    """A family section is only read by its games: setting it for another game is a mistake worth naming."""
    for name, options in config.sections.items():
        section = get_section(name)
        if config.game not in section.games:
            raise ConfigError(f"config section '{name}' is read by game {' or '.join(section.games)}, "
                              f"not by game '{config.game}'")
        if section.check is not None:
            section.check(options)
