import json

import numpy as np
import pytest

from gankit.errors import ConfigError, DataError
from gankit.metrics import mean_and_covariance, reference_stats

KEY = {"dataset": "fashion-mnist", "split": "train", "extractor": "classifier-abc", "n": 50}


class CountingCompute:
    def __init__(self, seed: int = 0) -> None:
        self.calls = 0
        self.features = np.random.default_rng(seed).normal(size=(50, 4)).astype(np.float32)

    def __call__(self) -> np.ndarray:
        self.calls += 1
        return self.features


def test_second_call_is_served_from_the_cache(tmp_path):
    compute = CountingCompute()
    mu, sigma, features = reference_stats(KEY, compute, tmp_path)
    again = reference_stats(KEY, compute, tmp_path)
    assert compute.calls == 1
    expected_mu, expected_sigma = mean_and_covariance(compute.features)
    np.testing.assert_allclose(mu, expected_mu)
    np.testing.assert_allclose(sigma, expected_sigma)
    for first, second in zip((mu, sigma, features), again):
        np.testing.assert_array_equal(first, second)
    assert features.dtype == np.float32 and mu.dtype == np.float64
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".npz"]  # no temporary files left


def test_key_order_does_not_matter_but_values_do(tmp_path):
    compute = CountingCompute()
    reference_stats(KEY, compute, tmp_path)
    reference_stats(dict(reversed(list(KEY.items()))), compute, tmp_path)
    assert compute.calls == 1
    reference_stats({**KEY, "split": "test"}, compute, tmp_path)
    assert compute.calls == 2


def _entry(tmp_path):
    (npz,) = tmp_path.glob("*.npz")
    return npz, npz.with_suffix(".json")


def test_tampered_array_file_is_recomputed(tmp_path):
    compute = CountingCompute()
    reference_stats(KEY, compute, tmp_path)
    npz, _ = _entry(tmp_path)
    with np.load(npz) as stored:
        arrays = dict(stored)
    arrays["mu"] = arrays["mu"] + 1.0  # a plausible, well-formed but wrong file
    with open(npz, "wb") as stream:
        np.savez(stream, **arrays)
    mu, _, _ = reference_stats(KEY, compute, tmp_path)
    assert compute.calls == 2
    np.testing.assert_allclose(mu, compute.features.astype(np.float64).mean(axis=0))
    reference_stats(KEY, compute, tmp_path)
    assert compute.calls == 2  # the rewritten entry is valid again


@pytest.mark.parametrize("damage", ["truncate", "garbage", "wrong_key", "wrong_sha", "no_json"])
def test_damaged_entries_are_recomputed(tmp_path, damage):
    compute = CountingCompute()
    reference_stats(KEY, compute, tmp_path)
    npz, sidecar = _entry(tmp_path)
    record = json.loads(sidecar.read_text())
    if damage == "truncate":
        npz.write_bytes(npz.read_bytes()[:100])
    elif damage == "garbage":
        npz.write_bytes(b"not a zip file")
    elif damage == "wrong_key":
        record["key"]["n"] = 51
        sidecar.write_text(json.dumps(record))
    elif damage == "wrong_sha":
        record["sha256"] = "0" * 64
        sidecar.write_text(json.dumps(record))
    else:
        sidecar.unlink()
    reference_stats(KEY, compute, tmp_path)
    assert compute.calls == 2


def test_non_finite_features_are_refused_and_keys_must_be_json(tmp_path):
    with pytest.raises(DataError, match="NaN"):
        reference_stats(KEY, lambda: np.full((5, 2), np.nan), tmp_path)
    with pytest.raises(ConfigError, match="not plain JSON"):
        reference_stats({"path": object()}, CountingCompute(), tmp_path)
