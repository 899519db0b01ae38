"""A Debian package unpacked into the cache (`DebianArchive`, the Tux Paint stamps): `apt-get download` of the
pinned version, its SHA-256, `dpkg -x`, the kept files and their manifest, atomically; apt and dpkg are faked."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

import gankit.assets.install as install_module
import gankit.assets.registry as registry_module
from gankit.assets import Asset, AssetFile, install_asset, locate
from gankit.assets.install import manifest_lines
from gankit.assets.registry import DebianArchive
from gankit.errors import GankitError

DEB = b"!<arch>\nnot a real package, only its bytes are checked\n"
FILES = {"animals/cat.png": b"cat", "animals/cat.txt": b"A cat.\n", "symbols/alphabets/a.png": b"a",
         "animals/cat_mirror.png": b"tac", "README": b"read me"}


def _manifest(kept: dict[str, bytes]) -> str:
    return "".join(f"{hashlib.sha256(kept[k]).hexdigest()}  {k}\n" for k in sorted(kept))


def _asset(manifest_sha: str) -> Asset:
    return Asset(name="fake-stamps", title="Fake stamps", description="made up by the tests",
                 source=DebianArchive("fake-stamps-pkg", "1.0-1", hashlib.sha256(DEB).hexdigest(), len(DEB),
                                      folder="usr/share/fake", keep_as="stamps", include=r"\.(png|txt)$",
                                      exclude=r"(^|/)alphabets/|_mirror"),
                 files=(AssetFile("stamps.sha256", manifest_sha, 0),))


class FakeApt:
    """`apt-get download` writes `deb` into the working folder; `dpkg -x DEB DIR` lays FILES out under DIR."""

    def __init__(self, deb: bytes = DEB) -> None:
        self.deb, self.calls = deb, []

    def __call__(self, argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if argv[:2] == ["apt-get", "download"]:
            (Path(cwd) / "fake-stamps-pkg_1.0-1_all.deb").write_bytes(self.deb)
        elif argv[:2] == ["dpkg", "-x"]:
            for name, data in FILES.items():
                path = Path(argv[3]) / "usr/share/fake" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        return subprocess.CompletedProcess(argv, 0, "", "")


@pytest.fixture
def apt(no_assets, monkeypatch) -> FakeApt:
    fake = FakeApt()
    monkeypatch.setattr(install_module, "run_command", fake)
    monkeypatch.setattr(install_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    return fake


def test_the_kept_files_and_their_manifest_land_in_the_cache(apt, monkeypatch):
    kept = {k: v for k, v in FILES.items() if k in ("animals/cat.png", "animals/cat.txt")}
    asset = _asset(hashlib.sha256(_manifest(kept).encode()).hexdigest())
    monkeypatch.setitem(registry_module._ASSETS, asset.name, asset)
    result = install_asset("fake-stamps")
    assert apt.calls[0] == ["apt-get", "download", "-q", "fake-stamps-pkg=1.0-1"]
    folder = result.located.folder
    assert sorted(p.relative_to(folder / "stamps").as_posix() for p in (folder / "stamps").rglob("*")
                  if p.is_file()) == ["animals/cat.png", "animals/cat.txt"]
    assert (folder / "stamps.sha256").read_text() == _manifest(kept)
    assert manifest_lines(folder / "stamps") == _manifest(kept).splitlines()
    assert locate("fake-stamps") is not None and not list(folder.parent.glob(".*"))


def test_a_package_with_the_wrong_sha256_or_other_files_is_refused_and_nothing_is_left(apt, no_assets, monkeypatch):
    asset = _asset("0" * 64)  # the manifest the kept files give is another
    monkeypatch.setitem(registry_module._ASSETS, asset.name, asset)
    with pytest.raises(GankitError, match="manifest SHA-256 .* expected 0{64}; nothing was installed"):
        install_asset("fake-stamps")
    monkeypatch.setattr(install_module, "run_command", FakeApt(deb=DEB + b"tampered"))
    with pytest.raises(GankitError, match="has SHA-256 .*nothing was installed"):
        install_asset("fake-stamps")
    assert locate("fake-stamps") is None
    assert not [p for p in no_assets.rglob("*") if p.is_file()]


def test_without_apt_get_the_error_says_what_to_do(no_assets, monkeypatch):
    monkeypatch.setitem(registry_module._ASSETS, "fake-stamps", _asset("0" * 64))
    monkeypatch.setattr(install_module.shutil, "which", lambda name: None)
    with pytest.raises(GankitError, match="apt-get is not available here"):
        install_asset("fake-stamps")
