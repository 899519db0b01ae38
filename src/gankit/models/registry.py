"""One registry of model families: `register_model` adds one, `build_generator` / `build_discriminator` build it.

The built-in families register themselves in `gankit.models.__init__` exactly the way a user
registers their own (the torch-fidelity pattern), so there is one code path for both.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from torch import nn

from gankit.errors import ConfigError

ModelFactory = Callable[..., nn.Module]

#: Names of the registered families, in registration order (updated by `register_model`).
MODEL_NAMES: list[str] = []
_FACTORIES: dict[str, tuple[ModelFactory, ModelFactory]] = {}


def register_model(
    arch: str, generator_factory: ModelFactory, discriminator_factory: ModelFactory, *, overwrite: bool = False
) -> None:
    """Register a family: `build_generator(arch, **kw)` will call `generator_factory(**kw)`, likewise for D.

    A factory is any callable returning an nn.Module (a class is one). Registering a taken
    name raises ConfigError unless `overwrite=True`.
    """
    if not isinstance(arch, str) or not arch:
        raise ConfigError(f"model name must be a non-empty string, got {arch!r}")
    if arch in _FACTORIES and not overwrite:
        raise ConfigError(f"model {arch!r} is already registered (pass overwrite=True to replace it)")
    if not (callable(generator_factory) and callable(discriminator_factory)):
        raise ConfigError(f"model {arch!r}: both factories must be callables returning an nn.Module")
    _FACTORIES[arch] = (generator_factory, discriminator_factory)
    if arch not in MODEL_NAMES:
        MODEL_NAMES.append(arch)


def _factories(arch: str) -> tuple[ModelFactory, ModelFactory]:
    if arch not in _FACTORIES:
        raise ConfigError(f"model {arch!r} is unknown (choose one of {', '.join(MODEL_NAMES)})")
    return _FACTORIES[arch]


def _build(arch: str, role: str, factory: ModelFactory, kwargs: dict[str, Any]) -> nn.Module:
    """Call factory(**kwargs), turning an argument that does not fit its signature into a ConfigError."""
    try:
        inspect.signature(factory).bind(**kwargs)
    except TypeError as err:
        raise ConfigError(f"model {arch!r} {role}: {err}") from None
    except ValueError:  # no signature available (some builtins): let the call itself speak
        pass
    return factory(**kwargs)


def build_generator(arch: str, **kwargs: Any) -> nn.Module:
    """Build the generator of the registered family `arch` with keyword arguments `kwargs`."""
    return _build(arch, "generator", _factories(arch)[0], kwargs)


def build_discriminator(arch: str, **kwargs: Any) -> nn.Module:
    """Build the discriminator of the registered family `arch` with keyword arguments `kwargs`."""
    return _build(arch, "discriminator", _factories(arch)[1], kwargs)
