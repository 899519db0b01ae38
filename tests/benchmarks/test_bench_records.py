"""benchmarks/bench_mode_collapse.py: which stored runs still count (a new option at its default keeps them)."""

import importlib.util
import json
from pathlib import Path

from gankit.config import Config, load_config

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_mode_collapse.py"
_SPEC = importlib.util.spec_from_file_location("bench_mode_collapse", _PATH)
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)

DEFAULTS = json.loads(json.dumps(Config().to_dict()))


def _settings(*overrides):
    """gan-ring with the schedule at its defaults (the recipe itself decays), then `overrides`."""
    base = ["optim.decay=none", "optim.decay_start=0.5"]
    return json.loads(json.dumps(load_config("gan-ring", base + list(overrides)).to_dict()))


def test_the_same_config_matches_and_a_changed_value_does_not():
    assert bench.settings_match(_settings(), _settings(), DEFAULTS)
    assert not bench.settings_match(_settings(), _settings("optim.lr_g=5e-4"), DEFAULTS)
    assert not bench.settings_match(None, _settings(), DEFAULTS)


def test_a_key_added_since_matches_only_at_its_default():
    old = _settings()
    del old["optim"]["decay"], old["optim"]["decay_start"]  # recorded before the schedule existed
    assert bench.settings_match(old, _settings(), DEFAULTS)
    assert not bench.settings_match(old, _settings("optim.decay=linear"), DEFAULTS)


def test_a_key_removed_since_does_not_match():
    old = _settings()
    old["model"]["retired_option"] = 3
    assert not bench.settings_match(old, _settings(), DEFAULTS)
