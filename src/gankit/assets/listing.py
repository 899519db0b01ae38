"""``gankit assets list``: every registered asset, whether it is present and where, and its source."""

from __future__ import annotations

from typing import Any

from gankit.assets.lookup import assets_dir, cache_dir, locate
from gankit.assets.registry import PyPIWheel, asset_names, get_asset


def list_assets() -> list[dict[str, Any]]:
    """One JSON-ready dict per registered asset, sorted by name.

    Keys: ``name``, ``title``, ``description``, ``present``, ``path`` (the file, or the folder of a
    several-file asset; None when absent), ``found_in`` ("cache", "installed wheel", "Debian package" or None),
    ``source`` (``kind``, ``package``, ``version``, ``sha256`` and ``size`` of the wheel or .deb), ``files``
    (``member``, ``sha256``, ``size``), ``install_command``.
    """
    rows = []
    for name in asset_names():
        asset = get_asset(name)
        found = locate(name)
        several = len(asset.files) > 1 or asset.source.kind == "debian-archive"  # a folder of files, not one
        path = None if found is None else (found.folder if several else found.path)
        source = asset.source
        package = source.distribution if isinstance(source, PyPIWheel) else source.package
        rows.append({
            "name": name,
            "title": asset.title,
            "description": asset.description,
            "present": found is not None,
            "path": None if path is None else str(path),
            "found_in": None if found is None else found.where,
            "source": {"kind": source.kind, "package": package, "version": source.version,
                       "sha256": source.sha256, "size": source.size},
            "files": [{"member": f.member, "sha256": f.sha256, "size": f.size} for f in asset.files],
            "install_command": asset.install_command,
        })
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows of :func:`list_assets` as an aligned text table, with the cache folder underneath."""
    header = ("name", "present", "source", "version", "size", "sha256", "path")
    lines = [header]
    for row in rows:
        source = row["source"]
        kind = "PyPI" if source["kind"] == "pypi" else "Debian"
        where = f"{row['path']} ({row['found_in']})" if row["present"] else f"- ({row['install_command']})"
        lines.append((row["name"], "yes" if row["present"] else "no", f"{kind} {source['package']}",
                      source["version"], f"{source['size'] / 1e6:.1f} MB", source["sha256"][:12], where))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1] for line in lines]
    text.append(f"cache folder: {cache_dir()}; assets: {assets_dir()}")
    return "\n".join(text)
