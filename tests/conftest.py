"""Shared test set-up: one torch thread (small tensors run faster and steadier that way on 2 cores)."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)


import pytest  # noqa: E402


@pytest.fixture
def no_assets(tmp_path, monkeypatch):
    """An empty gankit cache (GANKIT_CACHE under tmp_path) and no asset installed by pip or apt: every
    `gankit.assets.lookup` finds nothing until a test installs something into the cache. Returns the cache."""
    import gankit.assets.lookup as lookup_module

    cache = tmp_path / "gankit-cache"
    monkeypatch.setenv("GANKIT_CACHE", str(cache))
    monkeypatch.setattr(lookup_module, "find_installed", lambda asset: None)
    return cache
