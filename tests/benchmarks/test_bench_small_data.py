"""benchmarks/bench_small_data.py: its runs per seed, and every run's overrides are a valid config."""

import sys
from pathlib import Path

from gankit.config import load_config

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_small_data as bench  # noqa: E402  (a broken import fails the tests rather than skipping them)


def test_each_seed_repeats_every_case_and_seed_0_keeps_the_old_names():
    runs = bench.cases([0.01, 1], ["none", "ada"], ["fashion", "stamps"], 32, (0, 3))
    names = [r["name"] for r in runs]
    assert len(names) == len(set(names)) == 2 * 2 * 3
    assert "fashion-0.01-none" in names and "fashion-0.01-none-s3" in names and "stamps-ada-s3" in names
    assert all(("seed=3" in r["extra"]) == (r["seed"] == 3) for r in runs)


def test_every_runs_overrides_load_as_a_config():
    for run in bench.cases([0.01, 0.1, 1], list(bench.AUGMENT), ["fashion", "stamps"], 32, (0, 1)):
        config = load_config(bench.RECIPE, list(run["extra"]))
        assert config.seed == run["seed"]
        if run["name"].startswith("fashion-0.01"):
            assert config.data.limit == 600


def test_a_cell_is_the_mean_and_spread_over_seeds():
    rows = [{"fid": 10.0, "steps": 100}, {"fid": 12.0, "steps": 110}]
    assert bench._cell(rows) == "11.00 ± 1.41 (105)"
    assert bench._cell(rows[:1]) == "10.00 (100)"
