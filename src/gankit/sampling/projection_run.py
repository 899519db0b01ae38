"""`gankit project RUN IMAGE --out DIR`: project a real image into a trained run's latent space and write it.

The image must have the run's size and channel count (a grey image for a grey run, colour for colour): it is not
resized or converted, since a projection of a changed image is not one of the image given. The search itself is
`gankit.sampling.project.project` (z for noise-to-image generators, w for style-based ones). The folder gets
``latent.npy`` (the latent, shape (1, ...)), ``reconstruction.png``, ``target.png`` and ``projection.json`` (the
space, the settings, the final loss and the loss of every step); nothing is written before the search is done.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gankit.data.folder import decode_image, image_header
from gankit.data.labels import resolve_label
from gankit.errors import ConfigError, DataError, RunFolderError
from gankit.paths import check_creatable, make_dir, protected_reason
from gankit.previews import save_png, to_uint8
from gankit.sampling.interpolate import check_image_generator, is_style_generator
from gankit.sampling.loading import LoadedGenerator, load_generator
from gankit.sampling.standing import prepare_standing
from gankit.sampling.project import Projection, perceptual_loss, pixel_mse, project

__all__ = ["ProjectedImage", "check_projection_output", "project_image", "read_target", "save_projection"]

OUTPUT_FILES = ("latent.npy", "reconstruction.png", "target.png", "projection.json")
_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


@dataclass
class ProjectedImage:
    """A projection of one image file by a run: the search's result, the target and the settings used."""

    projection: Projection
    target: torch.Tensor  # (1, C, H, W) in [-1, 1]
    loaded: LoadedGenerator
    settings: dict


def read_target(path: str | Path, shape: tuple[int, int, int]) -> torch.Tensor:
    """The image at `path` as (1, C, H, W) in [-1, 1]; a `DataError` unless it is C-channel and H x W."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such image file: {path}")
    mode, (width, height) = image_header(path)
    channels = 1 if mode in _GREY_MODES else 3
    c, h, w = shape
    if (channels, height, width) != (c, h, w):
        raise DataError(f"{path} is {width}x{height} with {channels} channel{'s' * (channels > 1)}, but this run "
                        f"makes {w}x{h} images with {c} channel{'s' * (c > 1)}")
    pixels = torch.from_numpy(decode_image(path, c)).permute(2, 0, 1).float()
    return (pixels / 127.5 - 1.0).unsqueeze(0)


def project_image(source: str | Path | LoadedGenerator, image: str | Path | torch.Tensor, *, steps: int = 300,
                  lr: float = 0.05, perceptual: float = 0.0, label: int | str | None = None, starts: int = 64,
                  seed: int = 0) -> ProjectedImage:
    """Project `image` (a file of the run's size and channels, or a tensor (1, C, H, W) in [-1, 1]) into the
    latent space of `source`'s generator (its EMA when kept): `steps` Adam steps at `lr`, loss pixel MSE plus
    `perceptual` × the VGG16 feature distance (`gankit.sampling.project.perceptual_loss`; needs asset vgg16).
    A conditional generator needs `label` (the image's class: a name or an index). A run with
    ``sample.standing_stats`` projects with batch-norm statistics re-estimated for untruncated codes."""
    if steps < 1:
        raise ConfigError(f"--steps must be at least 1, got {steps}")
    if not lr > 0:
        raise ConfigError(f"--lr must be positive, got {lr}")
    if perceptual < 0:
        raise ConfigError(f"--perceptual must be 0 (off) or a positive weight, got {perceptual}")
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    check_image_generator(loaded, "project")
    prepare_standing(loaded, None)  # batch norms for untruncated codes, the space the search ranges over
    shape = tuple(loaded.data.sample_shape)
    if isinstance(image, torch.Tensor):
        target = image.float().reshape(1, *image.shape[-3:])
        if tuple(target.shape[1:]) != shape:
            raise DataError(f"an image of shape {tuple(target.shape[1:])} does not fit this run's {shape}")
    else:
        target = read_target(image, shape)  # type: ignore[arg-type]
    game, module, device = loaded.game, loaded.module, loaded.device
    labels = None
    if game.num_classes:
        if label is None:
            raise ConfigError("this generator is conditional: give the image's class with --label")
        labels = torch.tensor([resolve_label(label, game.num_classes, loaded.data.class_names)], device=device)
    elif label is not None:
        raise ConfigError("--label given, but this generator is not conditional")
    loss = perceptual_loss(perceptual) if perceptual > 0 else pixel_mse
    if is_style_generator(module):
        generator = module
    else:
        def generator(z: torch.Tensor) -> torch.Tensor:
            return game.generate(module, z, None if labels is None else labels.expand(len(z)))
    result = project(generator, target.to(device), steps=steps, lr=lr, loss=loss, latent_shape=game.latent_shape(),
                     labels=labels, starts=starts, seed=seed)
    settings = {"steps": steps, "lr": lr, "perceptual": perceptual, "starts": starts, "seed": seed,
                "label": None if labels is None else int(labels[0]), "space": result.space, "step": loaded.step,
                "checkpoint": str(loaded.checkpoint)}
    return ProjectedImage(result, target, loaded, settings)


def check_projection_output(out: str | Path, *, force: bool = False) -> Path:
    """Check a projection may be written to the folder `out`: new, empty, or (with `force`) an earlier one."""
    out = Path(out)
    if out.suffix:
        raise ConfigError(f"--out {out}: a projection writes a folder (latent.npy, reconstruction.png, ...), "
                          "name one without a suffix")
    reason = protected_reason(out)
    if reason:
        raise RunFolderError(f"refusing to write a projection to {out}: it {reason}; choose another --out")
    check_creatable(out, "output folder")
    if out.exists():
        if not out.is_dir():
            raise RunFolderError(f"{out} exists and is not a folder; choose another --out")
        found = [p.name for p in out.iterdir()]
        if found and any(name not in OUTPUT_FILES for name in found):
            raise RunFolderError(f"{out} already exists and holds files gankit did not write; choose another --out")
        if found and not force:
            raise RunFolderError(f"{out} already holds a projection; use --force to replace it")
    return out


def save_projection(result: ProjectedImage, out: str | Path, *, force: bool = False) -> Path:
    """Write the latent, the reconstruction, the target and the settings into the folder `out` (see the module
    docstring), built beside it and moved into place."""
    out = check_projection_output(out, force=force)
    projection = result.projection
    make_dir(out.parent, "output folder")
    tmp = out.with_name(f".{out.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    with open(tmp / "latent.npy", "wb") as handle:
        np.save(handle, projection.latent.detach().float().cpu().numpy())
    save_png(to_uint8(projection.reconstruction)[0], tmp / "reconstruction.png")
    save_png(to_uint8(result.target)[0], tmp / "target.png")
    final = float(projection.final[0]) if projection.final is not None else None
    record = {**result.settings, "loss": final, "losses": projection.losses}
    (tmp / "projection.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    return out
