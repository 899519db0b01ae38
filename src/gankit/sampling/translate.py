"""Translating images with a trained image-to-image run (`gankit translate`, `gankit.api.translate`).

Inputs are image files (PNG, JPEG) or a folder of them, read at the run's channel count -- an image of another
channel count is refused rather than silently converted -- and resized to the run's size (bilinear). Outputs
are PNG files: one file for one input, or a folder of ``<input stem>.png`` for a folder. A run with style codes
(pix2pixhd) takes a style: a seed that draws a code per region, or a code given (``--style``). Nothing is written
until every input has been read and translated, and an existing output is replaced only with ``force``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from gankit.data.folder import IMAGE_SUFFIXES, decode_image, image_header
from gankit.errors import CheckpointError, ConfigError, DataError, RunFolderError
from gankit.paths import check_creatable, make_dir, protected_reason
from gankit.previews import save_png, to_uint8
from gankit.sampling.loading import LoadedGenerator, load_generator
from gankit.training import checkpoint as ckpt

_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


@dataclass
class Translations:
    """Translated images (N, C, H, W) in [-1, 1], the names of their inputs, and the run they came from."""

    images: torch.Tensor
    names: list[str]
    loaded: LoadedGenerator


DIRECTION_NAMES = ("a2b", "b2a")


def directions(game) -> dict[str, tuple[str, str]]:
    """Direction -> (the generator it uses, the data field its inputs come from): a game's own ``directions``
    (CycleGAN: a2b and b2a), else one direction a2b through the sampling network from ``source`` (Pix2Pix)."""
    return dict(getattr(game, "directions", {"a2b": (game.sampler_name, "source")}))


def input_shape(loaded: LoadedGenerator, direction: str = "a2b") -> tuple[int, ...]:
    """The shape (C, H, W) of one input image of `loaded` in `direction`."""
    return tuple(loaded.data.field_shape(directions(loaded.game)[direction][1]))


def load_translator(run: str | Path, device: str | torch.device = "cpu", direction: str = "a2b") -> LoadedGenerator:
    """A trained translation run's generator for `direction` ("a2b", or "b2a" for a CycleGAN run: G_ba), the
    EMA when kept; a noise-to-image run, or a direction its game lacks, is a `ConfigError`."""
    if direction not in DIRECTION_NAMES:
        raise ConfigError(f"unknown direction {direction!r}; choose a2b or b2a")
    loaded = load_generator(run, device)
    if loaded.game.takes_noise or not hasattr(loaded.game, "translate"):
        raise ConfigError(f"{run} was trained with game '{loaded.config.game}', which maps noise to images; "
                          "translate needs an image-to-image run (game pix2pix, pix2pixhd or cyclegan); use `gankit sample` for it")
    available = directions(loaded.game)
    if direction not in available:
        raise ConfigError(f"{run} was trained with game '{loaded.config.game}', which translates "
                          f"{' and '.join(available)} only; --direction {direction} needs a cyclegan run")
    name = available[direction][0]
    if name == loaded.game.sampler_name:
        return loaded
    _, state = ckpt.load_checkpoint(loaded.checkpoint)
    if name not in state["networks"]:
        raise CheckpointError(f"checkpoint {loaded.checkpoint} holds no generator '{name}'")
    module = loaded.game.module(name)
    ckpt.load_module_state(module, state["ema"].get(name, state["networks"][name]), f"generator '{name}' of "
                           f"{loaded.checkpoint}")
    module.to(loaded.device).eval().requires_grad_(False)
    return replace(loaded, module=module)


def _input_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"no such input image or folder: {path}")
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                   and not p.name.startswith("."))
    if not files:
        raise DataError(f"input folder {path} holds no PNG or JPEG images")
    return files


def read_inputs(path: str | Path, channels: int, size: int) -> tuple[torch.Tensor, list[str]]:
    """The images at `path` (a file or a folder) as (N, channels, size, size) in [-1, 1], and their names."""
    files = _input_files(Path(path))
    arrays = []
    for file in files:
        mode, _ = image_header(file)
        found = 1 if mode in _GREY_MODES else 3
        if found != channels:
            raise DataError(f"input image {file} has {found} channel{'s' * (found > 1)}; this run translates "
                            f"{channels}-channel images")
        arrays.append(decode_image(file, channels, size))
    pixels = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float()
    return pixels / 127.5 - 1.0, [f.stem for f in files]


Style = int | Sequence[float] | torch.Tensor | None


def parse_style(text: str) -> int | list[float]:
    """``--style``: an integer seed, or a style code written as comma-separated numbers."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise ConfigError(f"--style {text}: give an integer seed or a code of comma-separated numbers") from None


@torch.no_grad()
def translate_images(loaded: LoadedGenerator, images: torch.Tensor, batch_size: int = 64,
                     direction: str = "a2b", style: Style = None) -> torch.Tensor:
    """`loaded`'s generator (loaded for `direction`) applied to `images` (N, C, H, W) in [-1, 1], in batches, on
    its device; `style` (a seed or a code, for games with style codes such as pix2pixhd) picks the look of every
    output."""
    source_shape = input_shape(loaded, direction)
    if tuple(images.shape[1:]) != tuple(source_shape):
        raise DataError(f"images of shape {tuple(images.shape[1:])} do not fit this run's inputs {tuple(source_shape)}")
    kwargs = {}
    if style is not None:
        if not getattr(loaded.game, "takes_style", False):
            raise ConfigError(f"--style needs a run whose game has style codes (pix2pixhd); this run's game is "
                              f"'{loaded.config.game}'")
        kwargs["style"] = style if isinstance(style, int) else _style_code(loaded, style)
    chunks = [loaded.game.translate(loaded.module, images[i:i + batch_size].to(loaded.device), **kwargs).float().cpu()
              for i in range(0, len(images), batch_size)]
    return torch.cat(chunks)


def _style_code(loaded: LoadedGenerator, style: Sequence[float] | torch.Tensor) -> torch.Tensor:
    """A given code as (regions, feat_dim): feat_dim numbers mean the same code for every region."""
    shape = tuple(loaded.module.code_mean.shape)
    code = torch.as_tensor(style, dtype=torch.float32).flatten()
    if code.numel() == shape[1]:
        return code.expand(shape).clone()
    if code.numel() == shape[0] * shape[1]:
        return code.view(shape)
    raise ConfigError(f"a style code for this run has {shape[1]} numbers (one code for every region) or "
                      f"{shape[0] * shape[1]} ({shape[0]} regions x {shape[1]}), got {code.numel()}")


def translate(run: str | Path, inputs: str | Path | torch.Tensor, device: str | torch.device = "cpu",
              style: Style = None, direction: str = "a2b") -> Translations:
    """Translate `inputs` (an image file, a folder of images, or a tensor in [-1, 1]) with the run's generator
    for `direction` (a2b; a CycleGAN run also b2a), in the style `style` where the run has style codes
    (pix2pixhd: an integer seed draws a code, a list of numbers is one; None is the mean style of training)."""
    loaded = load_translator(run, device, direction)
    if isinstance(inputs, torch.Tensor):
        images, names = inputs, [f"{i:06d}" for i in range(len(inputs))]
    else:
        shape = input_shape(loaded, direction)
        images, names = read_inputs(inputs, shape[0], shape[1])
    return Translations(translate_images(loaded, images, direction=direction, style=style), names, loaded)


def check_translation_output(out: str | Path, inputs: str | Path, *, force: bool = False) -> Path:
    """Check translations of `inputs` may be written to `out`: a .png file for one input file, a folder for a
    folder; an existing output is replaced only with `force` (and a folder only if it holds nothing but PNGs)."""
    out, many = Path(out), Path(inputs).is_dir()
    if not Path(inputs).exists():
        raise DataError(f"no such input image or folder: {inputs}")
    if many == (out.suffix.lower() == ".png"):
        raise ConfigError(f"--out {out}: translating a {'folder' if many else 'file'} writes "
                          f"{'a folder' if many else 'one .png file'}")
    source = Path(inputs).resolve()
    if out.resolve() == source or out.resolve() in source.parents:
        raise RunFolderError(f"refusing to write translations to {out}: it holds the input {inputs}; choose another --out")
    reason = protected_reason(out)
    if reason:
        raise RunFolderError(f"refusing to write translations to {out}: it {reason}; choose another --out")
    check_creatable(out if many else out.parent, "output folder")
    if out.exists():
        if many and (not out.is_dir() or any(p.suffix.lower() != ".png" for p in out.iterdir())):
            raise RunFolderError(f"{out} already exists and holds files gankit did not write; choose another --out")
        if not force:
            raise RunFolderError(f"{out} already exists; use --force to replace it")
    return out


def save_translations(result: Translations, out: str | Path, inputs: str | Path, *, force: bool = False) -> Path:
    """Write `result` as PNG: one file, or a folder of ``<stem>.png`` (written beside, then moved into place)."""
    out = check_translation_output(out, inputs, force=force)
    pixels = to_uint8(result.images)
    if not Path(inputs).is_dir():
        make_dir(out.parent, "output folder")
        tmp = out.with_name(f".{out.name}.tmp.png")
        save_png(pixels[0], tmp)
        tmp.replace(out)
        return out
    make_dir(out.parent, "output folder")
    tmp = out.with_name(f".{out.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    for name, image in zip(result.names, pixels):
        save_png(image, tmp / f"{name}.png")
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    return out
