"""Writing samples to disk: a PNG grid, a .npy or .csv array, or a folder of PNGs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import torch

from gankit.errors import ConfigError, RunFolderError
from gankit.paths import check_creatable, make_dir, protected_reason
from gankit.previews import save_image_grid, save_png, to_uint8

SAMPLE_NAME = re.compile(r"\d{6}\.png")  # the files of a folder output, numbered from 000000.png


def is_sample_folder(folder: Path) -> bool:
    """True for a folder that holds only what `save_samples` writes there (000000.png, 000001.png, ...)."""
    return folder.is_dir() and all(SAMPLE_NAME.fullmatch(p.name) for p in folder.iterdir())


def check_sample_output(out: str | Path, *, force: bool = False) -> Path:
    """Check samples may be written to `out` (see `save_samples`) before any are drawn; returns it as a Path."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in ("", ".png", ".npy", ".csv"):
        raise ConfigError(f"cannot write samples to '{out}': use .png, .npy, .csv or a folder")
    reason = protected_reason(out)
    if reason:
        raise RunFolderError(f"refusing to write samples to {out}: it {reason}; choose another --out")
    check_creatable(out.parent if suffix else out, "output folder")
    if out.is_dir() and (suffix or any(out.iterdir())):
        if suffix or not is_sample_folder(out):
            raise RunFolderError(f"{out} already exists and holds files gankit did not write; choose another --out")
        if not force:
            raise RunFolderError(f"{out} already holds samples; use --force to replace them")
    elif out.exists() and not out.is_dir():
        if not suffix:
            raise RunFolderError(f"{out} exists and is not a folder; choose another --out")
        if not force:
            raise RunFolderError(f"{out} already exists; use --force to replace it")
    return out


def save_samples(samples: torch.Tensor, out: str | Path, *, force: bool = False) -> Path:
    """Write samples by the name given: ``.png`` a grid, ``.npy``/``.csv`` an array, else a folder of PNGs.

    `force` replaces an earlier output of the same kind: a file, or a folder of gankit's numbered PNGs; a
    folder holding anything else, the working directory or the home directory is never replaced.
    """
    out = check_sample_output(out, force=force)
    suffix = out.suffix.lower()
    if samples.dim() != 4 and suffix not in (".npy", ".csv"):
        raise ConfigError(f"samples of shape {tuple(samples.shape[1:])} are not images: write .npy or .csv")
    make_dir(out.parent, "output folder")
    if suffix in (".npy", ".csv"):
        array = samples.numpy()
        tmp = out.with_name(f".{out.name}.tmp")
        if suffix == ".npy":
            with open(tmp, "wb") as handle:
                np.save(handle, array)
        else:
            np.savetxt(tmp, array.reshape(len(array), -1), delimiter=",", fmt="%.6g")
        tmp.replace(out)
        return out
    if suffix == ".png":
        tmp = out.with_name(f".{out.name}.tmp.png")
        save_image_grid(samples, tmp)
        tmp.replace(out)
        return out
    tmp = out.with_name(f".{out.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for i, pixels in enumerate(to_uint8(samples)):
        save_png(pixels, tmp / f"{i:06d}.png")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out
