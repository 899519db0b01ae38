"""``tuxpaint-stamps``: the 627 captioned colour drawings of Tux Paint's stamp collection, the few-image colour set.

The files come from Debian's ``tuxpaint-stamps-default`` (asset ``tuxpaint-stamps``: `gankit assets install
tuxpaint-stamps` downloads the package with ``apt-get download`` and unpacks the stamps into gankit's cache
without installing the program), or from ``data.path``, a folder laid out as the package's
``/usr/share/tuxpaint/stamps``. A stamp is a ``X.png`` with a ``X.txt`` beside it, whose first line is its English
caption; alphabets and the ``_mirror``/``_flip`` copies are left out (the asset does not keep them; under
``data.path`` they are skipped too). Its class is its top-level category folder (animals, clothes, food, ...:
16 classes, named in sorted order).

Each drawing (RGBA, LA, P or RGB, 12 to 2,348 px a side) is laid on a white canvas (its transparent pixels become
white, the paper it is stamped on), centred in a white square of its longer side, and resized to ``img_size``
(64 px by default) with Pillow's antialiased bicubic filter; pixels stay 8-bit (``(N, 3, S, S)`` uint8) until a
batch is used. There is one split, "train": with 627 images, the small-data regime of ADA (Karras et al. 2020) and
DiffAugment (Zhao et al. 2020), metrics compare samples with the training images themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gankit.assets import find_asset
from gankit.data.base import ArrayDataset
from gankit.data.registry import LoadRequest
from gankit.errors import DataError

DEFAULT_SIZE = 64
SKIPPED = re.compile(r"(^|/)alphabets/|_mirror|_flip")

__all__ = ["DEFAULT_SIZE", "find_stamps_folder", "stamp_files", "stamp_captions", "load_stamp", "load_tuxpaint_stamps"]


def find_stamps_folder(path: str | Path | None = None) -> Path:
    """The folder of stamps: ``path`` (``data.path``), else the installed asset's."""
    if path is None:
        return find_asset("tuxpaint-stamps").folder / "stamps"
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DataError(f"stamps folder not found: {folder} (data.path); leave data.path unset to read the copy "
                        "that `gankit assets install tuxpaint-stamps` unpacks")
    return folder


def stamp_files(folder: Path) -> list[Path]:
    """Every stamp's PNG under ``folder`` (one with a caption file beside it, not skipped), sorted by path."""
    found = []
    for png in sorted(folder.rglob("*.png")):
        relative = png.relative_to(folder).as_posix()
        if "/" in relative and not SKIPPED.search(relative) and png.with_suffix(".txt").is_file():
            found.append(png)
    if not found:
        raise DataError(f"no stamps under {folder}: expected <category>/.../X.png files with an X.txt caption "
                        "beside each")
    return found


def stamp_captions(path: str | Path | None = None) -> list[str]:
    """The English caption of each stamp (the first line of its ``.txt``), in the dataset's order."""
    return [png.with_suffix(".txt").read_text(encoding="utf-8", errors="replace").splitlines()[0].strip()
            for png in stamp_files(find_stamps_folder(path))]


def load_stamp(png: Path, size: int) -> np.ndarray:
    """One drawing as ``(size, size, 3)`` uint8: on white, centred in a white square, resized (bicubic, antialiased)."""
    try:
        with Image.open(png) as image:
            rgba = image.convert("RGBA")
    except OSError as error:
        raise DataError(f"cannot read stamp {png}: {error}") from None
    side = max(rgba.size)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    canvas.alpha_composite(rgba, ((side - rgba.width) // 2, (side - rgba.height) // 2))
    return np.asarray(canvas.convert("RGB").resize((size, size), Image.Resampling.BICUBIC))


def load_tuxpaint_stamps(request: LoadRequest) -> ArrayDataset:
    """The stamps at ``request.img_size`` (default 64), classes from their category folders (see the module)."""
    if request.split != "train":
        raise DataError("tuxpaint-stamps has one split, 'train' (627 drawings): small-data metrics compare with it")
    folder = find_stamps_folder(request.path)
    files = stamp_files(folder)
    categories = [png.relative_to(folder).parts[0] for png in files]
    names = tuple(sorted(set(categories)))
    if request.limit is not None:
        files, categories = files[:request.limit], categories[:request.limit]
    size = request.img_size or DEFAULT_SIZE
    pixels = np.stack([load_stamp(png, size) for png in files])
    x = torch.from_numpy(pixels).permute(0, 3, 1, 2).contiguous()
    y = torch.tensor([names.index(c) for c in categories], dtype=torch.long)
    return ArrayDataset(x=x, y=y, num_classes=len(names), name="tuxpaint-stamps", kind="image", class_names=names)
