"""What ``gankit eval`` compares: the samples of a SOURCE and the reference set they are measured against.

A source is a run folder or a checkpoint folder (its generator is sampled), a folder of PNG/JPEG images, or a
``.npy`` array as ``gankit sample --out FILE.npy`` writes it. A reference is a registered dataset (loaded at
the generator's image size and channels) or a folder of images; without one, a run is compared with its own
training data, on the test split when the dataset has one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.data import ArrayDataset, dataset_names, load_dataset
from gankit.errors import ConfigError, DataError
from gankit.evaluation.defaults import EVAL_DEFAULTS
from gankit.sampling import LoadedGenerator, draw_samples, load_generator

# Datasets with a held-out test split; the reference of a run on these is their test split, else "train".
DATASETS_WITH_TEST_SPLIT = ("fashion-mnist", "mnist", "idx")
# Synthetic mixtures: a reference is a fresh draw of n points, not a slice of a stored split.
_RUN_MARKERS = ("state.json", "checkpoints", "config.yaml")


@dataclass
class EvalSource:
    """Samples to evaluate (images (N, C, H, W) in [-1, 1] or points (N, D)) and where they came from."""

    samples: torch.Tensor
    kind: str  # "image" or "points"
    settings: dict[str, Any]
    data_config: DataConfig | None = None  # the training data of a run (for the default reference)
    generator: LoadedGenerator | None = None  # the loaded generator that drew the samples (None: not a generator)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.samples.shape[1:])


@dataclass
class Reference:
    """The first ``n`` samples of a reference split, and how to load its labelled training split."""

    data: ArrayDataset
    name: str  # the registered dataset name ("folder" for a folder)
    path: str | None
    split: str
    identity: str  # names the data in cache keys and classifier file names
    load_train: Callable[[], ArrayDataset] = field(repr=False)
    load_test: Callable[[], ArrayDataset] | None = field(default=None, repr=False)
    label: int | None = None  # only this class's samples were kept

    @property
    def kind(self) -> str:
        return self.data.kind

    @property
    def display(self) -> str:
        """How messages name the reference: a folder by its path, a dataset by its name."""
        return self.path if self.name == "folder" and self.path else self.name

    @property
    def labelled(self) -> bool:
        """Whether it has class labels to train the domain classifier on (two classes or more)."""
        return self.data.y is not None and self.data.num_classes >= 2

    def settings(self) -> dict[str, Any]:
        return {"dataset": self.name, "path": self.path, "split": self.split, "n": len(self.data),
                "shape": list(self.data.sample_shape), "identity": self.identity, "label": self.label}


def default_n(kind: str) -> int:
    """10,000 images, or 2,500 points (the VEEGAN/PacGAN protocol) when no ``n`` is given."""
    return int(EVAL_DEFAULTS["n_points" if kind == "points" else "n_images"])  # type: ignore[call-overload]


def _check_n(n: int | None) -> None:
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n <= 0):
        raise ConfigError(f"--n must be a positive integer, got {n!r}")


def is_run_or_checkpoint(path: Path) -> bool:
    """A folder holding a checkpoint's state.json, a checkpoints/ folder or a run's config.yaml."""
    return path.is_dir() and any((path / marker).exists() for marker in _RUN_MARKERS)


def load_source(source: str | Path, n: int | None, *, seed: int, label: int | None,
                device: torch.device, jacobian_rejection: float | None = None,
                truncation: float | None = None) -> EvalSource:
    """The samples of ``source``: ``n`` generated ones (default :func:`default_n`), or the first ``n`` of a
    folder or array. ``label`` picks one class of a conditional generator; otherwise labels are uniform.
    ``jacobian_rejection``: the generator's rejected share (`gankit.sampling.sample`; None: the run's own);
    ``truncation`` T: latent codes from N(0, I) truncated to [-T, T] (None: as trained)."""
    _check_n(n)
    path = Path(source)
    if not path.exists():
        raise DataError(f"no such run, checkpoint, image folder or .npy file: {path}")
    if path.is_dir() and is_run_or_checkpoint(path):
        return _sample_generator(path, n, seed=seed, label=label, device=device, jacobian_rejection=jacobian_rejection,
                                 truncation=truncation)
    if truncation is not None:
        raise ConfigError(f"--truncation applies to a generator, but {path} is not a run or checkpoint")
    if label is not None:
        raise ConfigError(f"--label applies to a conditional generator, but {path} is not a run or checkpoint")
    if jacobian_rejection is not None:
        raise ConfigError(f"--jacobian-rejection applies to a generator, but {path} is not a run or checkpoint")
    if path.is_file():
        return _load_array(path, n)
    data = load_dataset("folder", str(path), limit=n or default_n("image"))
    return EvalSource(data.x, "image", {"source": str(path), "source_kind": "folder", "n_samples": len(data)})


def _sample_generator(path: Path, n: int | None, *, seed: int, label: int | None, device: torch.device,
                      jacobian_rejection: float | None = None, truncation: float | None = None) -> EvalSource:
    loaded = load_generator(path, device=device)
    count = n or default_n(loaded.data.kind)
    drawn = draw_samples(loaded, count, label=label, seed=seed, jacobian_rejection=jacobian_rejection,
                         truncation=truncation)
    samples = drawn.samples
    settings = {"source": str(path), "source_kind": "generator", "checkpoint": str(loaded.checkpoint),
                "step": loaded.step, "label": label, "n_samples": count, "truncation": drawn.truncation,
                "generator_classes": loaded.game.num_classes,  # 0: an unconditional generator
                "jacobian_rejection": drawn.jacobian_rejection,
                "run_data": {"name": loaded.data.name, "shape": list(loaded.data.sample_shape),
                             "num_classes": loaded.data.num_classes}}
    return EvalSource(samples, loaded.data.kind, settings, loaded.config.data, generator=loaded)


def _load_array(path: Path, n: int | None) -> EvalSource:
    if path.suffix.lower() != ".npy":
        raise DataError(f"cannot evaluate {path}: give a run, a checkpoint, a folder of images or a .npy array")
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read {path}: {str(error).splitlines()[0]}") from None
    if array.ndim not in (2, 4) or not np.issubdtype(array.dtype, np.floating) or len(array) == 0:
        raise DataError(f"{path} must hold floats of shape (N, D) points or (N, C, H, W) images, "
                        f"got {array.dtype} {tuple(array.shape)}")
    array = array[: n or default_n("points" if array.ndim == 2 else "image")]
    kind = "points" if array.ndim == 2 else "image"
    samples = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    return EvalSource(samples, kind, {"source": str(path), "source_kind": "array", "n_samples": len(samples)})


# ------------------------------------------------------------------------------------------------ references
def _content_hash(data: ArrayDataset) -> str:
    digest = hashlib.sha256(data.x.numpy().tobytes())
    if data.y is not None:
        digest.update(data.y.numpy().tobytes())
    return digest.hexdigest()[:12]


def _pick_reference(ref: str | Path | None, source: EvalSource | None) -> tuple[str, str | None]:
    """(dataset name, path) of the reference: ``ref`` (a folder or a dataset name) or the run's own data."""
    run_data = source.data_config if source is not None else None
    if ref is None:
        if run_data is None:
            what = source.settings["source"] if source is not None else "no source"
            raise ConfigError(f"{what} is not a run, so it has no training data to compare with: "
                              "give --ref DATASET_OR_FOLDER")
        return run_data.name, run_data.path
    if Path(ref).is_dir():
        return "folder", str(ref)
    ref = str(ref)
    if ref in dataset_names():
        same_as_run = run_data is not None and run_data.name == ref
        return ref, run_data.path if same_as_run else None
    raise ConfigError(f"--ref {ref!r} is neither a folder nor a known dataset "
                      f"(known: {', '.join(dataset_names())})")


def load_reference(ref: str | Path | None, source: EvalSource | None, n: int, *,
                   label: int | None = None) -> Reference:
    """The reference for ``source``: at most ``n`` samples (the first ``n``) of the chosen split.

    Images are loaded at the generator's size and channels when the source is a generator, at their own
    size otherwise (or when ``source`` is None, which needs ``ref``). Synthetic mixtures (ring, grid) are drawn afresh: ``n`` points with
    ``EVAL_DEFAULTS["reference_points_seed"]``. ``label`` keeps only that class's samples.
    """
    name, path = _pick_reference(ref, source)
    split = "test" if name in DATASETS_WITH_TEST_SPLIT else "train"
    img_size = channels = None
    if source is not None and source.kind == "image" and source.settings["source_kind"] == "generator":
        channels, img_size = source.sample_shape[0], source.sample_shape[1]
    seed = int(EVAL_DEFAULTS["reference_points_seed"])  # type: ignore[call-overload]

    def load(which: str, limit: int | None) -> ArrayDataset:
        try:
            return load_dataset(name, path, img_size=img_size, channels=channels, split=which, n_points=n,
                                seed=seed, limit=limit)
        except ConfigError as error:
            if "holds points" in str(error) and source is not None:
                raise DataError(f"{source.settings['source']} holds images but reference '{name}' holds points") from None
            raise

    whole = load(split, None) if name == "folder" or label is not None else load(split, n)
    identity = name if path is None else f"{name}-{hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:8]}"
    if name == "folder":
        identity = f"folder-{_content_hash(whole)}"
    data = _first_of_class(whole, label, n, name) if label is not None else _first(whole, n)
    return Reference(data, name, path, split, identity,
                     load_train=(lambda: whole) if name == "folder" else (lambda: load("train", None)),
                     load_test=(lambda: load("test", None)) if split == "test" else None, label=label)


def _first(data: ArrayDataset, n: int) -> ArrayDataset:
    if len(data) <= n:
        return data
    return ArrayDataset(data.x[:n], None if data.y is None else data.y[:n], data.num_classes, data.name,
                        data.kind, data.modes, data.mode_std)


def _first_of_class(data: ArrayDataset, label: int, n: int, name: str) -> ArrayDataset:
    if data.y is None:
        raise DataError(f"--label {label} needs a labelled reference, but '{name}' has no labels")
    keep = (data.y == label).nonzero().flatten()[:n]
    if len(keep) == 0:
        raise DataError(f"reference '{name}' holds no sample of class {label}")
    return ArrayDataset(data.x[keep], data.y[keep], data.num_classes, data.name, data.kind, data.modes,
                        data.mode_std)


def check_compatible(source: EvalSource, reference: Reference, extractor: str) -> None:
    """DataError when the source and reference cannot be compared (kind, point dimension, image shape).

    The classifier extractor compares images of one shape (it was trained at the reference's shape); the
    Inception extractor resizes everything to 299x299 and tiles grey images, so only kinds must agree there.
    """
    what = source.settings["source"]
    if source.kind != reference.kind:
        raise DataError(f"{what} holds {'points' if source.kind == 'points' else 'images'} but reference "
                        f"'{reference.display}' holds {'points' if reference.kind == 'points' else 'images'}")
    src_shape, ref_shape = source.sample_shape, reference.data.sample_shape
    if source.kind == "points" and src_shape != ref_shape:
        raise DataError(f"{what} holds {src_shape[0]}-D points but reference '{reference.display}' is "
                        f"{ref_shape[0]}-D")
    if source.kind == "image" and extractor == "classifier" and src_shape != ref_shape:
        raise DataError(f"images of {what} are {_shape(src_shape)} but reference '{reference.display}' is "
                        f"{_shape(ref_shape)}: the classifier extractor needs one shape (or use --extractor inception)")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)
