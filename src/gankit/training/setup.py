"""What a run is built from: the device and the data a config names."""

from __future__ import annotations

import json
from typing import Any

import torch

from gankit.config import Config
from gankit.errors import ConfigError


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


def load_data(config: Config):
    """The dataset a config names, loaded and transformed by the data layer: `data.limit` a subset stratified by
    class and seeded by `seed`; 8-bit images (folders) kept as uint8 (`gankit.data.to_signed` maps them);
    synthetic data drawn from `data.seed` (the run's seed when unset); series cut into windows by `data.history`,
    `data.future`, `data.stride` and `data.holdout`; real series by `data.start`, `data.end`, `data.column`,
    `data.returns`, `data.transform`; tables split by `data.holdout`, with `data.target` and `data.column_kinds`."""
    from gankit.data import SeriesSource, TableOptions, Windowing, load_dataset

    d = config.data
    windowing = Windowing(d.history, d.future, d.stride, d.holdout)
    series = SeriesSource(d.start, d.end, d.column, d.returns, d.transform)
    return load_dataset(d.name, d.path, img_size=d.img_size, channels=d.channels, split=d.split,
                        n_points=d.n_points, seed=config.seed if d.seed is None else d.seed, limit=d.limit,
                        subset_seed=config.seed, keep_uint8=True, windowing=windowing,
                        series=series, table=TableOptions(d.target, d.column_kinds, d.holdout))


def data_spec_dict(spec) -> dict[str, Any]:
    """A `gankit.games.DataSpec` as the JSON a run folder keeps (data.json, the checkpoint's metadata)."""
    out = {"name": spec.name, "kind": spec.kind, "sample_shape": list(spec.sample_shape),
           "num_classes": spec.num_classes}
    if spec.class_names:
        out["class_names"] = list(spec.class_names)
    if getattr(spec, "extra", ""):
        out["extra"] = json.loads(spec.extra)
    if spec.fields:
        out["fields"] = {name: list(shape) for name, shape in spec.fields}
    return out
