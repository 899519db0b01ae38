"""Latent interpolation: a walk through a generator's latent space between the codes of a few seeds.

A noise-to-image generator draws N(0, I) codes, whose mass lies near the sphere of radius √d; a straight line
between two codes cuts through the low-density centre, so the frames in the middle are atypical. White 2016
("Sampling Generative Networks", arXiv:1609.04468) walks the great circle instead: spherical linear
interpolation (Shoemake 1985, "Animating rotation with quaternion curves"),

    slerp(a, b; t) = sin((1 − t)·Ω) / sin Ω · a + sin(t·Ω) / sin Ω · b,    cos Ω = a·b / (‖a‖ ‖b‖),

which keeps the norm of unit vectors and moves at constant angular speed. Style-based generators (StyleGAN,
Karras et al. 2019, §4) are walked linearly in the intermediate space w = mapping(z), where they are trained to
be disentangled and where the paper measures its perceptual path length: w(t) = (1 − t)·w_a + t·w_b, broadcast to
every layer and rendered by `G.synthesis(ws, noise_mode="const")`, clipped to [-1, 1] as samples are.

The code of seed s is the one ``gankit sample RUN -n 1 --seed s`` draws (`gankit.sampling.draw`; without rejection
sampling, ``--jacobian-rejection 0`` for a run that rejects by default), and the frames at t = 0 and t = 1 are
rendered exactly as that sample is, so a walk's endpoints are those samples; the codes are truncated at the run's
``sample.truncation`` and batch norms use its standing statistics (``sample.standing_stats``) when it sets them,
as ``gankit sample`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from gankit.errors import ConfigError, RunFolderError
from gankit.paths import check_creatable, make_dir, protected_reason
from gankit.sampling.draw import _latent_drawer, run_truncation
from gankit.sampling.loading import LoadedGenerator, load_generator
from gankit.sampling.output import check_sample_output, save_samples
from gankit.sampling.standing import prepare_standing

__all__ = ["Interpolation", "check_interpolation_output", "interpolate", "is_style_generator", "lerp", "parse_seeds",
           "save_interpolation", "slerp", "slerp_rows"]

#: What `gankit interpolate --out` may name: an animated GIF, a PNG grid, a .npy array or a folder of PNG frames.
OUTPUT_SUFFIXES = (".gif", ".png", ".npy", "")
GIF_FRAME_MS = 100  # 10 frames a second


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor | Sequence[float]) -> torch.Tensor:
    """Spherical linear interpolation between two codes of one shape, at each of the fractions `t`.

    Returns a tensor of shape ``(len(t), *a.shape)``: row k is slerp(a, b; t_k) over the flattened codes (formula in
    the module docstring). Nearly parallel codes (sin Ω < 1e-7) fall back to the straight line, the limit as Ω → 0.
    At t = 0 and t = 1 the weights are exactly 1 and 0, so the ends are `a` and `b` bit for bit.
    """
    if a.shape != b.shape:
        raise ValueError(f"slerp needs two codes of one shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    t = torch.as_tensor(t, dtype=torch.float64).reshape(-1, *([1] * a.dim()))
    a64, b64 = a.double().flatten(), b.double().flatten()
    cos = (a64 @ b64 / (a64.norm() * b64.norm()).clamp_min(1e-300)).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    if torch.sin(omega) < 1e-7:
        wa, wb = 1.0 - t, t
    else:
        wa, wb = torch.sin((1.0 - t) * omega) / torch.sin(omega), torch.sin(t * omega) / torch.sin(omega)
    return wa.to(a.dtype) * a + wb.to(a.dtype) * b


def slerp_rows(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Row-wise slerp: row i is slerp(a_i, b_i; t_i) for codes a, b of shape (N, ...) and fractions t of shape (N,)
    (the straight line where a_i and b_i are nearly parallel). Computed in float64, returned in a's type."""
    a64, b64 = a.double().flatten(1), b.double().flatten(1)
    t = torch.as_tensor(t, dtype=torch.float64, device=a.device).reshape(-1, 1)
    cos = ((a64 * b64).sum(1) / (a64.norm(dim=1) * b64.norm(dim=1)).clamp_min(1e-300)).clamp(-1.0, 1.0)
    omega = torch.arccos(cos).reshape(-1, 1)
    sin = torch.sin(omega)
    straight = sin < 1e-7
    safe = torch.where(straight, torch.ones_like(sin), sin)
    wa = torch.where(straight, 1.0 - t, torch.sin((1.0 - t) * omega) / safe)
    wb = torch.where(straight, t, torch.sin(t * omega) / safe)
    return (wa * a64 + wb * b64).to(a.dtype).reshape(a.shape)


def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor | Sequence[float]) -> torch.Tensor:
    """(1 − t)·a + t·b at each fraction `t`, shape ``(len(t), *a.shape)``; exactly a at t = 0 and b at t = 1."""
    t = torch.as_tensor(t, dtype=torch.float64).reshape(-1, *([1] * a.dim()))
    return (1.0 - t).to(a.dtype) * a + t.to(a.dtype) * b


def is_style_generator(module: torch.nn.Module) -> bool:
    """Whether `module` is style-based: it maps z to w (`mapping`) and renders per-layer styles (`synthesis`)."""
    return all(hasattr(module, name) for name in ("mapping", "synthesis", "num_ws"))


def parse_seeds(text: str | Sequence[int]) -> tuple[int, ...]:
    """Seeds from "1,2,3" (or a sequence of ints); a walk needs at least two."""
    if isinstance(text, str):
        try:
            seeds = tuple(int(part) for part in text.split(",") if part.strip())
        except ValueError:
            raise ConfigError(f"--seeds takes comma-separated integers such as 1,2,3, got {text!r}") from None
    else:
        seeds = tuple(int(s) for s in text)
    if len(seeds) < 2:
        raise ConfigError(f"--seeds needs at least two seeds to walk between, got {len(seeds)}")
    return seeds


@dataclass
class Interpolation:
    """The frames of a walk (N, C, H, W) in [-1, 1] on the CPU, segment after segment (a segment's last frame is
    the next one's first, kept once), and how they were made."""

    frames: torch.Tensor
    seeds: tuple[int, ...]
    frames_per_segment: int
    space: str  # "z (slerp)" or "w (linear)"
    loaded: LoadedGenerator


def interpolate(source: str | Path | LoadedGenerator, seeds: str | Sequence[int], *, frames: int = 16,
                label: int | str | None = None) -> Interpolation:
    """Walk between the codes of `seeds` in turn, `frames` frames per segment (ends included).

    Slerp in z for every noise-to-image generator; linear in w for a style-based one (`is_style_generator`). A
    conditional generator walks within class `label` when given; otherwise each seed keeps the class
    ``gankit sample --seed`` draws for it, a z-walk switching class half-way along a segment and a w-walk blending
    the two classes' w. The walk has ``(len(seeds) − 1)·(frames − 1) + 1`` frames.
    """
    seeds = parse_seeds(seeds)
    if not isinstance(frames, int) or frames < 2:
        raise ConfigError(f"--frames must be an integer of at least 2 (both ends of a segment), got {frames}")
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source)
    check_image_generator(loaded, "interpolate")
    game, module = loaded.game, loaded.module
    truncation = run_truncation(loaded, None)  # the ends as `gankit sample` draws them: the run's truncation
    prepare_standing(loaded, truncation)
    ends = [_latent_drawer(loaded, label=label, seed=seed, truncation=truncation)(1) for seed in seeds]
    fractions = torch.arange(frames, dtype=torch.float64) / (frames - 1)
    style = is_style_generator(module)
    out = []
    with torch.inference_mode():
        for k, ((za, ya), (zb, yb)) in enumerate(zip(ends[:-1], ends[1:])):
            path = _w_walk(module, za, ya, zb, yb, fractions) if style else slerp(za[0], zb[0], fractions)
            for i, t in enumerate(fractions.tolist()):
                if k and i == 0:
                    continue  # the previous segment ended here
                if t in (0.0, 1.0):  # an end: rendered exactly as `gankit sample -n 1 --seed s` renders it
                    z, y = (za, ya) if t == 0.0 else (zb, yb)
                    image = game.generate(module, z, y)
                elif style:
                    image = module.synthesis(path[i:i + 1], noise_mode="const").clamp(-1, 1)
                else:
                    image = game.generate(module, path[i:i + 1], ya if t < 0.5 else yb)
                out.append(image.float().cpu())
    return Interpolation(torch.cat(out), seeds, frames, "w (linear)" if style else "z (slerp)", loaded)


def _w_walk(module: torch.nn.Module, za: torch.Tensor, ya: torch.Tensor | None, zb: torch.Tensor,
            yb: torch.Tensor | None, fractions: torch.Tensor) -> torch.Tensor:
    """Per-layer styles (T, num_ws, w_dim) along the straight line from w_a = mapping(z_a) to w_b = mapping(z_b)."""
    wa, wb = module.mapping(za, ya)[0], module.mapping(zb, yb)[0]
    return lerp(wa, wb, fractions).unsqueeze(1).repeat(1, int(module.num_ws), 1)


def check_image_generator(loaded: LoadedGenerator, verb: str) -> None:
    """Refuse a run whose generator does not map noise to images (points, tables, series, translations)."""
    where = loaded.checkpoint.parent.parent
    if loaded.data.kind != "image" or len(loaded.data.sample_shape) != 3:
        raise ConfigError(f"{where} generates {loaded.data.kind} data, not images: `gankit {verb}` needs a "
                          "noise-to-image run")
    if not loaded.game.takes_noise:
        raise ConfigError(f"{where} maps images to images (game '{loaded.config.game}'), so it has no latent "
                          f"space to {verb}")


def check_interpolation_output(out: str | Path, *, force: bool = False) -> Path:
    """Check a walk may be written to `out` (.gif, .png grid, .npy or a folder of PNG frames) before drawing it."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ConfigError(f"cannot write a walk to '{out}': use .gif, .png, .npy or a folder")
    if suffix != ".gif":
        return check_sample_output(out, force=force)
    reason = protected_reason(out)
    if reason:
        raise RunFolderError(f"refusing to write a walk to {out}: it {reason}; choose another --out")
    check_creatable(out.parent, "output folder")
    if out.is_dir():
        raise RunFolderError(f"{out} is a folder; choose another --out")
    if out.exists() and not force:
        raise RunFolderError(f"{out} already exists; use --force to replace it")
    return out


def save_interpolation(walk: Interpolation, out: str | Path, *, force: bool = False) -> Path:
    """Write a walk: ``.gif`` an animation (looping, 10 frames a second), ``.png`` a grid with one segment per
    row, ``.npy`` the frames as an array, a folder one PNG per frame (000000.png, ...)."""
    out = check_interpolation_output(out, force=force)
    suffix = out.suffix.lower()
    if suffix == ".gif":
        make_dir(out.parent, "output folder")
        tmp = out.with_name(f".{out.name}.tmp.gif")
        _save_gif(walk.frames, tmp)
        tmp.replace(out)
        return out
    if suffix == ".png":
        return _save_grid(walk, out)
    return save_samples(walk.frames, out, force=force)


def _save_grid(walk: Interpolation, out: Path) -> Path:
    """One row per segment (its first frame repeated from the row above), written atomically."""
    from gankit.previews import save_image_grid

    per, frames = walk.frames_per_segment, walk.frames
    rows = [frames[k * (per - 1): k * (per - 1) + per] for k in range(len(walk.seeds) - 1)]
    make_dir(out.parent, "output folder")
    tmp = out.with_name(f".{out.name}.tmp.png")
    save_image_grid(torch.cat(rows), tmp, nrow=per)
    tmp.replace(out)
    return out


def _save_gif(frames: torch.Tensor, path: Path) -> None:
    """An animated GIF of (N, C, H, W) frames in [-1, 1], grey or colour, scaled up to at least 128 px."""
    from PIL import Image

    from gankit.previews import to_uint8

    pixels = to_uint8(frames)
    scale = max(1, math.ceil(128 / max(pixels.shape[1:3])))
    images = []
    for array in pixels:
        image = Image.fromarray(array[..., 0], mode="L") if array.shape[-1] == 1 else Image.fromarray(array[..., :3])
        if scale > 1:
            image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
        images.append(image)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=GIF_FRAME_MS, loop=0)
