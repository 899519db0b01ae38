"""Building a `Config`: YAML recipes and files, ``--set key=value`` overrides, type checks, and the YAML a run
folder keeps. Every problem raises `ConfigError` with one line that names the key and the bad value; unknown
keys get a "did you mean" hint.
"""

from __future__ import annotations

import datetime

import dataclasses
import difflib
import os
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_type_hints

import yaml

from gankit.config.schema import Config
from gankit.config.sections import get_section, section_names, sections_of_game
from gankit.config.validation import validate
from gankit.errors import ConfigError


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
    if "Literal" in text:  # a switch with named settings, e.g. train.amp: true | false | auto
        allowed = [a for arg in get_args(hint) for a in (get_args(arg) or [arg])]
        if (isinstance(value, bool) and bool in allowed) or (isinstance(value, str) and value in allowed):
            return value
        names = ["true", "false"] * (bool in allowed) + [str(a) for a in allowed if a is not bool]
        raise ConfigError(f"config key '{key}' must be {', '.join(names[:-1])} or {names[-1]}, got {value!r}")
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
        if isinstance(value, datetime.date):  # YAML reads 2009-05-01 as a date: data.start / data.end
            return value.isoformat()
        if not isinstance(value, str):
            raise ConfigError(f"config key '{key}' must be a string, got {value!r}")
        return value
    raise AssertionError(f"unhandled type {hint} for {key}")


def _apply(obj: Any, values: dict[str, Any], prefix: str = "") -> None:
    """Set the fields of dataclass `obj` from nested dict `values`, rejecting unknown keys."""
    hints = get_type_hints(type(obj))
    names = [f.name for f in dataclasses.fields(obj) if f.name != "sections"]
    if not isinstance(values, dict):
        raise ConfigError(f"config key '{prefix.rstrip('.') or '<root>'}' must be a mapping, got {values!r}")
    for key, value in values.items():
        full = f"{prefix}{key}"
        if isinstance(obj, Config) and key not in names and get_section(key) is not None:
            _apply(obj.section(key), value, prefix=f"{full}.")  # a family section (gankit.config.sections)
            continue
        if key not in names:
            raise ConfigError(f"unknown config key '{full}'{_did_you_mean(full)}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            _apply(current, value, prefix=f"{full}.")
        else:
            setattr(obj, key, _coerce(value, hints[key], full))


def all_keys(obj: Any = None, prefix: str = "") -> list[str]:
    """Every dotted key of the schema, e.g. ``train.steps``."""
    root = obj is None
    obj = Config() if obj is None else obj
    keys = []
    for f in dataclasses.fields(obj):
        if f.name == "sections":
            continue
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            keys += all_keys(value, prefix=f"{prefix}{f.name}.")
        else:
            keys.append(f"{prefix}{f.name}")
    if root:
        for name in section_names():
            keys += all_keys(get_section(name).schema(), prefix=f"{name}.")
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
    except (yaml.YAMLError, ValueError):  # ValueError: a date-like value that is no date (2018-13-01)
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
        data = read_yaml(path.read_text(encoding="utf-8"), str(path))
        section = data.get("data")
        if isinstance(section, dict) and isinstance(section.get("path"), str):
            data_path = Path(section["path"]).expanduser()  # relative to the YAML file, not the shell
            section["path"] = str(data_path if data_path.is_absolute() else path.parent / data_path)
        return data, str(path)
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
    for section in sections_of_game(config.game):
        config.section(section.name)  # the active game's options, at their defaults unless set
    validate(config)
    return config


def load_config(recipe_or_path: str, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Load a built-in recipe by name or a YAML file, apply ``--set`` overrides and validate."""
    values, _ = recipe_source(recipe_or_path)
    return config_from_dict(values, overrides)


def with_absolute_paths(config: Config) -> Config:
    """`config` with `data.path` made absolute (from the working directory), as a run folder keeps it, so that
    `gankit eval RUN` or a resume from another directory finds the same data."""
    if config.data.path:
        config.data.path = os.path.abspath(os.path.expanduser(config.data.path))
    return config


def dump_config(config: Config) -> str:
    """The resolved config as YAML (what a run folder keeps to reproduce the run)."""
    return yaml.safe_dump(config.to_dict(), sort_keys=False)
