"""One registry of feature extractors: ``register_feature_extractor(name, factory)``; built-ins use it too."""

from __future__ import annotations

from typing import Any, Callable

from gankit.errors import ConfigError
from gankit.metrics.extractors.base import FeatureExtractor

ExtractorFactory = Callable[..., FeatureExtractor]

_FACTORIES: dict[str, ExtractorFactory] = {}


def register_feature_extractor(name: str, factory: ExtractorFactory, *, replace: bool = False) -> None:
    """Register ``factory(**kwargs) -> FeatureExtractor`` under ``name`` (ConfigError if taken, unless replace)."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"feature extractor name must be a non-empty string, got {name!r}")
    if not callable(factory):
        raise ConfigError(f"feature extractor {name!r}: factory must be callable, got {type(factory).__name__}")
    if name in _FACTORIES and not replace:
        raise ConfigError(f"feature extractor {name!r} is already registered")
    _FACTORIES[name] = factory


def feature_extractor_names() -> list[str]:
    """Names of the registered feature extractors, sorted."""
    return sorted(_FACTORIES)


def get_feature_extractor(name: str, **kwargs: Any) -> FeatureExtractor:
    """Build the extractor registered as ``name`` with ``kwargs`` (ConfigError naming the choices if unknown)."""
    if name not in _FACTORIES:
        raise ConfigError(f"unknown feature extractor {name!r}; choose one of {feature_extractor_names()}")
    extractor = _FACTORIES[name](**kwargs)
    if not isinstance(extractor, FeatureExtractor):
        raise TypeError(f"factory for {name!r} returned {type(extractor).__name__}, not a FeatureExtractor")
    return extractor
