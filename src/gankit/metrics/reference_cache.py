"""A validated on-disk cache of reference statistics (real features, their mean and covariance).

Layered on top of the metric functions, never mixed into them (the torch-fidelity design): a cache entry is
``<hash>.npz`` (``features``, ``mu``, ``sigma``; written with allow_pickle=False) plus ``<hash>.json``
(the key, the array shapes and dtypes, and a SHA-256 of the arrays), where ``<hash>`` is the SHA-256 of the
canonical JSON of the key. On load everything is checked -- the key, shapes, finite values and the SHA-256 --
and any mismatch or unreadable file means the statistics are recomputed, never trusted. Files are written
atomically (temporary file, fsync, os.replace), the .npz before the .json that vouches for it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import numpy as np

from gankit.atomic import atomic_write
from gankit.errors import ConfigError, DataError
from gankit.metrics._arrays import to_numpy
from gankit.metrics.frechet import mean_and_covariance

_ARRAYS = ("features", "mu", "sigma")
FORMAT = "gankit.reference_stats/1"


def canonical_key(key: dict[str, Any]) -> str:
    """The key as canonical JSON (sorted keys, no spaces); ConfigError if it is not JSON-serialisable."""
    if not isinstance(key, dict) or not key:
        raise ConfigError(f"reference_stats key must be a non-empty dict, got {key!r}")
    try:
        return json.dumps(key, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"reference_stats key {key!r} is not plain JSON: {error}") from None


def key_hash(key: dict[str, Any]) -> str:
    """First 32 hex digits of the SHA-256 of :func:`canonical_key`; names the cache files."""
    return hashlib.sha256(canonical_key(key).encode("utf-8")).hexdigest()[:32]


def arrays_sha256(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over each array's name, dtype, shape and bytes (C order), in a fixed order."""
    digest = hashlib.sha256()
    for name in _ARRAYS:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """`gankit.atomic.atomic_write` for a writer that takes an open binary stream."""

    def write_file(tmp: str) -> None:
        with open(tmp, "wb") as stream:
            write(stream)

    atomic_write(path, write_file)


def _load_valid(npz_path: Path, json_path: Path, key: dict[str, Any]) -> dict[str, np.ndarray] | None:
    """The cached arrays if every check passes, else None."""
    try:
        record = json.loads(json_path.read_text(encoding="utf-8"))
        with np.load(npz_path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in _ARRAYS}
    except Exception:  # noqa: BLE001 - a missing, truncated or foreign file (any error) means: recompute
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    stored_key = record.get("key")
    if not isinstance(stored_key, dict) or not stored_key or canonical_key(stored_key) != canonical_key(key):
        return None
    features, mu, sigma = arrays["features"], arrays["mu"], arrays["sigma"]
    if features.ndim != 2 or features.shape[0] < 2:
        return None
    width = features.shape[1]
    if mu.shape != (width,) or sigma.shape != (width, width):
        return None
    if record.get("shapes") != {name: list(arrays[name].shape) for name in _ARRAYS}:
        return None
    if not all(np.issubdtype(a.dtype, np.floating) and np.isfinite(a).all() for a in arrays.values()):
        return None
    if record.get("sha256") != arrays_sha256(arrays):
        return None
    return arrays


def reference_stats(
    key: dict[str, Any], compute: Callable[[], Any], cache_dir: str | Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (mu, sigma, features) of the reference set named by ``key``, from cache or by ``compute()``.

    ``key`` is a JSON-serialisable dict naming what the features are, e.g. ``{"dataset": "fashion-mnist",
    "split": "train", "extractor": "inception", "n": 10000}``; ``compute()`` returns the features (N, F).
    A valid cache entry (see the module docstring) is returned as stored; an invalid or missing one is
    recomputed and rewritten. mu and sigma are float64 (:func:`mean_and_covariance`); features keep the
    dtype ``compute`` returned (float32 from :func:`extract`).
    """
    name = key_hash(key)
    folder = Path(cache_dir)
    npz_path, json_path = folder / f"{name}.npz", folder / f"{name}.json"
    cached = _load_valid(npz_path, json_path, key)
    if cached is not None:
        return cached["mu"], cached["sigma"], cached["features"]

    features = to_numpy(compute())
    if not np.issubdtype(features.dtype, np.floating):
        raise DataError(f"reference features must be floats, got {features.dtype}")
    mu, sigma = mean_and_covariance(features)  # validates shape (N >= 2, F) and finiteness
    arrays = {"features": np.ascontiguousarray(features), "mu": mu, "sigma": sigma}
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(npz_path, lambda stream: np.savez(stream, allow_pickle=False, **arrays))
    record = {
        "format": FORMAT,
        "key": json.loads(canonical_key(key)),
        "shapes": {name: list(arrays[name].shape) for name in _ARRAYS},
        "dtypes": {name: arrays[name].dtype.str for name in _ARRAYS},
        "sha256": arrays_sha256(arrays),
    }
    _write_atomically(json_path, lambda stream: stream.write(json.dumps(record, indent=2, sort_keys=True).encode()))
    return mu, sigma, features
