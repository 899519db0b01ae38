"""Evaluate a run, a checkpoint or a folder of images against a reference, offline: ``gankit eval``.

>>> from gankit.evaluation import evaluate_source
>>> evaluate_source("runs/dcgan-fashion")                       # vs Fashion-MNIST test, classifier features
>>> evaluate_source("runs/ring", metrics=["modes"])              # VEEGAN/PacGAN mode coverage, 2,500 points
>>> evaluate_source("my_images/", ref="fashion-mnist", extractor="inception", n=2000)

The pieces: :mod:`gankit.evaluation.sources` loads the source's samples and the reference split,
:mod:`gankit.evaluation.classifier` provides the cached domain classifier, and :func:`gankit.metrics.evaluate`
computes the metrics (reference features cached by :func:`gankit.metrics.reference_stats`). Defaults live in
:data:`gankit.evaluation.defaults.EVAL_DEFAULTS` (read by the CLI too) and :data:`gankit.metrics.DEFAULTS`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from gankit.assets import cache_dir
from gankit.errors import ConfigError
from gankit.evaluation.sources import (
    EvalSource,
    Reference,
    check_compatible,
    default_n,
    is_run_or_checkpoint,
    load_reference,
    load_source,
)
from gankit.evaluation.defaults import EVAL_DEFAULTS, METRIC_OUTPUTS
from gankit.evaluation.labels import choose_label_metric, measure_label_accuracy
from gankit.evaluation.series import evaluate_series, is_series_run
from gankit.evaluation.table import evaluate_table
from gankit.sampling.table import is_table_run
from gankit.metrics import DEFAULTS, FeatureExtractor, evaluate, feature_extractor_names, get_feature_extractor
from gankit.metrics.evaluate import PIXEL_METRICS
from gankit.paths import check_creatable
from gankit.sampling import load_generator
from gankit.training.setup import resolve_device

METRIC_NAMES = tuple(METRIC_OUTPUTS)
_NEEDS_LOGITS = ("is", "classes")
FEATURE_DTYPES = {"fp32": None, "bf16": torch.bfloat16}  # the arithmetic of feature extraction


def default_cache_dir() -> Path:
    """gankit's cache folder (``gankit.assets.cache_dir``): classifiers and reference statistics live here."""
    return cache_dir()


def parse_metrics(metrics: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """Metric names from "fid,kid" or a sequence; None stays None (the defaults). ConfigError on unknown ones."""
    if metrics is None:
        return None
    names = [m.strip() for m in metrics.split(",")] if isinstance(metrics, str) else [str(m).strip() for m in metrics]
    names = [m for m in names if m]
    if not names:
        raise ConfigError(f"--metrics names no metric; choose from {','.join(METRIC_NAMES)}")
    for name in names:
        if name not in METRIC_NAMES:
            raise ConfigError(f"unknown metric {name!r} in --metrics; choose from {','.join(METRIC_NAMES)}")
    return tuple(dict.fromkeys(names))


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _refuse(options: dict[str, Any], why: str) -> None:
    """Raise a ConfigError naming the first of ``options`` (name -> value) that was given: it does not apply to
    ``why``."""
    for option, given in options.items():
        if given is not None:
            raise ConfigError(f"{option} does not apply to {why}")


def evaluate_source(
    source: str | Path,
    *,
    ref: str | Path | None = None,
    metrics: str | Sequence[str] | None = None,
    n: int | None = None,
    extractor: str | None = None,
    seed: int | None = None,
    batch_size: int | None = DEFAULTS["batch_size"],  # type: ignore[assignment]
    cache_dir: str | Path | None = None,
    label: int | None = None,
    jacobian_rejection: float | None = None,
    device: str | torch.device = "auto",
    log: Callable[[str], None] | None = _stderr,
    precision: str | None = None,
    plot: str | Path | None = None,
    truncation: float | None = None,
) -> dict[str, Any]:
    """Measure the samples of ``source`` against a reference; one flat dict of metrics plus ``settings``.

    ``source``: a run folder or checkpoint folder (``n`` samples of its generator, the EMA copy when kept,
    latent vectors from ``seed``; conditional generators get uniform labels, or class ``label``), a folder of
    PNG/JPEG images, or a ``.npy`` array (N, C, H, W) in [-1, 1] or (N, D) points (the first ``n`` are used).
    A generator is sampled as ``gankit.sampling.sample`` does: ``jacobian_rejection`` None takes the run's
    ``sample.jacobian_rejection``, 0 turns the rejection off; ``truncation`` T draws latent codes truncated to
    [-T, T] (the truncation trick of BigGAN, Brock et al. 2019: fidelity traded for variety).

    ``ref``: a registered dataset name or a folder of images; default: the run's training data, on the test
    split for fashion-mnist, mnist and idx, on "train" otherwise. At most ``n`` reference samples, the first
    ``n``; synthetic mixtures (ring, grid) are drawn afresh. ``n`` defaults to 10,000 images or 2,500 points.

    ``metrics`` (names or "fid,kid"): fid (Heusel et al. 2017), kid (Binkowski et al. 2018), is (Salimans et
    al. 2016), pr (precision/recall, Kynkaanniemi et al. 2019), dc (density/coverage, Naeem et al. 2020),
    modes (VEEGAN/PacGAN mode coverage of a 2-D mixture, with the dataset's ``modes`` and ``mode_std``),
    classes (classes the domain classifier predicts), labels (the share of samples drawn for class k that the domain
    classifier puts in class k, `gankit.evaluation.labels`; by default for conditional runs against their own data). Default: fid, kid, is, pr for images (is only when the
    extractor has logits), fid, kid, pr, modes for points. A series run is scored by
    :mod:`gankit.evaluation.series` (marginal, acf, r2: the SigCWGAN benchmark's metrics) on its evaluation
    windows, all of them unless ``n`` says fewer.

    ``extractor``: "classifier" (default, :data:`EVAL_DEFAULTS`: a small CNN trained on the reference's
    labelled train split, cached under ``cache_dir/classifiers``) or "inception" (Inception-v3 pool3, no
    logits), or any registered extractor that needs no arguments. Points are compared as they are.

    ``batch_size`` (images per forward pass) defaults to the extractor's preferred size; results do not
    depend on it. ``plot`` (a new .png) draws a real series run's generated paths against the series
    (`gankit.evaluation.series_plot`), or a binary table run's dimension-wise plots (`gankit.evaluation.dimwise`);
    other runs refuse it. ``precision`` ("fp32" or "bf16", default
    :data:`EVAL_DEFAULTS`) is the arithmetic of the feature extraction (bf16: autocast; the result's settings and table name it). Reference features are cached under ``cache_dir/reference_stats`` keyed by dataset, split,
    shape, class, extractor id and n. ``log`` receives progress lines (default: stderr; None: silent). Returns e.g.
    ``{"fid": ..., "kid": ..., "kid_std": ..., "precision": ..., "recall": ..., "settings": {...}}``.
    """
    say = log or (lambda message: None)
    chosen = parse_metrics(metrics)
    extractor_name = str(EVAL_DEFAULTS["extractor"] if extractor is None else extractor)
    if extractor_name not in feature_extractor_names():
        raise ConfigError(f"unknown --extractor {extractor_name!r}; choose one of {feature_extractor_names()}")
    seed = int(EVAL_DEFAULTS["seed"] if seed is None else seed)  # type: ignore[call-overload]
    precision = str(EVAL_DEFAULTS["precision"] if precision is None else precision)
    if precision not in FEATURE_DTYPES:
        raise ConfigError(f"unknown --precision {precision!r}; choose {' or '.join(FEATURE_DTYPES)}")
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    check_creatable(cache, "--cache-dir" if cache_dir is not None else "cache folder")
    torch_device = device if isinstance(device, torch.device) else resolve_device(device)

    image_options = {"--ref": ref, "--label": label, "--jacobian-rejection": jacobian_rejection,
                     "--truncation": truncation, "--extractor": extractor}
    if is_series_run(source):
        _refuse(image_options, "a series run: its continuations are measured against the real windows of its data")
        return evaluate_series(source, metrics=chosen, n=n, seed=seed, device=torch_device, cache=cache, say=say,
                               plot=plot)
    if is_table_run(source):
        _refuse(image_options, "a table run: its rows are measured against the real rows of its data")
        return evaluate_table(source, metrics=chosen, n=n, seed=seed, device=torch_device, cache=cache, say=say,
                              plot=plot)
    _refuse({"--plot": plot}, "this run: it draws the generated paths of a real series run, or the dimension-wise "
                              "plots of a binary table run")
    if _is_translation_run(source, torch_device):
        _refuse({k: v for k, v in image_options.items() if k != "--extractor"},
                "a translation run: its outputs are measured against the held-out targets of its data")
        from gankit.evaluation.translation import evaluate_translation

        return evaluate_translation(source, metrics=chosen, n=n, extractor=extractor, seed=seed,
                                    batch_size=batch_size, cache=cache, device=torch_device,
                                    feature_dtype=FEATURE_DTYPES[precision], precision=precision,
                                    build_extractor=build_extractor, say=say)
    ppl = None
    if chosen is not None and "ppl" in chosen:  # a property of the generator, measured before its samples
        _refuse({"--truncation": truncation}, "metric 'ppl': it measures the generator around untruncated codes")
        ppl = _path_length(source, n, seed, label, torch_device, say)
        chosen = tuple(name for name in chosen if name != "ppl")
        if not chosen:
            return {"ppl": ppl[0], "settings": {"source": str(source), "seed": seed, "extractor": "none",
                                                "extractor_id": "none", "skipped": [], **ppl[1]}}
    src = load_source(source, n, seed=seed, label=label, device=torch_device, jacobian_rejection=jacobian_rejection,
                      truncation=truncation)
    count = n or default_n(src.kind)
    reference = load_reference(ref, src, count, label=label)
    chosen, wants_labels = choose_label_metric(chosen, src, ref=ref, extractor=extractor_name)

    def with_labels(result: dict[str, Any], classifier: FeatureExtractor) -> dict[str, Any]:
        if wants_labels:
            found, result["settings"]["labels"] = measure_label_accuracy(
                src.generator or source, classifier, n=count, seed=seed, label=label, device=torch_device,
                batch_size=batch_size, jacobian_rejection=jacobian_rejection, truncation=truncation,
                dtype=FEATURE_DTYPES[precision])
            result = {**{k: v for k, v in result.items() if k != "settings"}, **found, "settings": result["settings"]}
        return result

    if chosen == ():  # the label accuracy alone: the classifier, no other metric
        classifier, info = build_extractor("classifier", reference, cache, torch_device, say)
        return with_labels({"settings": {**src.settings, "ref": reference.settings(), "n": count, "seed": seed,
                                         "extractor": "classifier", "extractor_id": classifier.cache_id(),
                                         "classifier": info, "precision": precision, "skipped": [],
                                         "n_fake": count, "metrics": ["labels"]}}, classifier)
    pixels_only = chosen is not None and all(name in PIXEL_METRICS for name in chosen)
    if pixels_only:  # swd and msssim read the images themselves: no extractor to build (or train)
        _metrics_for(chosen, src, reference, False, "none")
        return _with_ppl(_evaluate_pixels(src, reference, chosen, count, seed), ppl)
    if extractor is None and src.kind == "image" and extractor_name == "classifier" and not reference.labelled:
        extractor_name = "inception"
        say(f"note: reference '{reference.display}' has no class labels to train the domain classifier on; "
            "using Inception features (--extractor inception)")
    check_compatible(src, reference, extractor_name)

    # Check the metrics before the slow part (training a classifier): its logits are known in advance.
    classifier_info = None
    feature_extractor: FeatureExtractor | None = None
    if src.kind == "image" and extractor_name != "classifier":
        feature_extractor, _ = build_extractor(extractor_name, reference, cache, torch_device, say)
    has_logits = src.kind == "image" and (
        extractor_name == "classifier" or (feature_extractor is not None and feature_extractor.has_logits))
    chosen, skipped = _metrics_for(chosen, src, reference, has_logits, extractor_name)
    if src.kind == "image" and feature_extractor is None:
        feature_extractor, classifier_info = build_extractor(extractor_name, reference, cache, torch_device, say)
    has_modes = reference.data.modes is not None
    bar = _feature_bar(log is not None and feature_extractor is not None, extractor_name)
    result = evaluate(
        src.samples, reference.data.x, chosen, feature_extractor if feature_extractor is not None else "identity",
        modes=reference.data.modes if has_modes else None,
        mode_std=reference.data.mode_std if has_modes else None,
        batch_size=batch_size, seed=seed,
        reference_key=_reference_key(reference) if feature_extractor is not None else None,
        cache_dir=cache / "reference_stats" if feature_extractor is not None else None,
        progress=bar.update if bar is not None else None,
        feature_dtype=FEATURE_DTYPES[precision] if feature_extractor is not None else None,
    )
    if bar is not None:
        bar.close()
    metric_settings = result.pop("settings")
    result["settings"] = {
        **src.settings,
        "ref": reference.settings(),
        "n": count,
        "seed": seed,
        "extractor": extractor_name if feature_extractor is not None else "identity (points)",
        "classifier": classifier_info,
        "precision": precision if feature_extractor is not None else "fp32",
        "skipped": skipped,
        **{k: v for k, v in metric_settings.items() if k not in ("extractor", "seed")},
        "cache_dir": str(cache),
    }
    return _with_ppl(with_labels(result, feature_extractor) if feature_extractor is not None else result, ppl)


def _path_length(source: str | Path, n: int | None, seed: int, label: int | None, device: torch.device,
                 say: Callable[[str], None]) -> tuple[float, dict[str, Any]]:
    """(PPL, settings) of a run's generator over --n pairs (default EVAL_DEFAULTS["ppl_pairs"])."""
    from gankit.evaluation.ppl import perceptual_path_length

    if not (Path(source).is_dir() and is_run_or_checkpoint(Path(source))):
        raise ConfigError(f"metric 'ppl' measures a generator; {source} is not a run or checkpoint")
    pairs = n or int(EVAL_DEFAULTS["ppl_pairs"])  # type: ignore[call-overload]
    say(f"perceptual path length over {pairs} latent pairs (VGG16 features)")
    return perceptual_path_length(source, pairs=pairs, seed=seed, label=label, device=device)


def _with_ppl(result: dict[str, Any], ppl: tuple[float, dict[str, Any]] | None) -> dict[str, Any]:
    """`result` with the perceptual path length (and its settings) added, when it was measured."""
    if ppl is None:
        return result
    settings = result.pop("settings")
    return {**result, "ppl": ppl[0], "settings": {**settings, **ppl[1]}}


def _evaluate_pixels(src: EvalSource, reference: Reference, chosen: tuple[str, ...], count: int,
                     seed: int) -> dict[str, Any]:
    """`evaluate_source` for metrics measured on the pixels alone (swd, msssim): no features are extracted."""
    check_compatible(src, reference, "none")
    result = evaluate(src.samples, reference.data.x, chosen, "none", seed=seed)
    metric_settings = result.pop("settings")
    result["settings"] = {**src.settings, "ref": reference.settings(), "n": count, "seed": seed,
                          "extractor": "none (pixels)", "classifier": None, "precision": "fp32", "skipped": [],
                          **{k: v for k, v in metric_settings.items() if k not in ("extractor", "seed")}}
    return result


def _is_translation_run(source: str | Path, device: torch.device) -> bool:
    """Whether `source` is a run or checkpoint of an image-to-image game (its generator takes no noise)."""
    path = Path(source)
    if not (path.exists() and path.is_dir() and is_run_or_checkpoint(path)):
        return False
    return not load_generator(path, device=device).game.takes_noise


def _feature_bar(wanted: bool, extractor: str):
    """A progress bar on stderr counting the images run through the extractor (a terminal only), or None."""
    if not wanted:
        return None
    from tqdm import tqdm

    return tqdm(unit="img", desc=f"{extractor} features", file=sys.stderr, disable=None, leave=False)


def build_extractor(name: str, reference: Reference, cache_dir: Path, device: torch.device,
                    log: Callable[[str], None] = lambda message: None) -> tuple[FeatureExtractor, dict[str, Any] | None]:
    """The feature extractor ``name`` for images like ``reference``'s, and (classifier only) its settings.

    "classifier": the reference's cached domain classifier, trained first when absent
    (:func:`gankit.evaluation.classifier.domain_classifier`); any other name: the registered extractor.
    """
    if name == "classifier":
        from gankit.evaluation.classifier import domain_classifier

        return domain_classifier(reference, cache_dir, device, log)
    return get_feature_extractor(name).to(device), None


def _metrics_for(chosen: tuple[str, ...] | None, src: EvalSource, reference: Reference, has_logits: bool,
                 extractor: str) -> tuple[tuple[str, ...], list[str]]:
    """The metrics to compute and the defaults skipped (with why); ConfigError for requests that cannot apply."""
    has_modes = reference.data.modes is not None
    skipped: list[str] = []
    if chosen is None:
        defaults = EVAL_DEFAULTS["metrics_points" if src.kind == "points" else "metrics_images"]
        chosen = tuple(defaults)  # type: ignore[arg-type]
        if not has_logits and "is" in chosen:
            skipped.append(f"is: extractor '{extractor}' has no logits")
            chosen = tuple(m for m in chosen if m != "is")
        if not has_modes and "modes" in chosen:
            skipped.append(f"modes: reference '{reference.display}' has no known modes")
            chosen = tuple(m for m in chosen if m != "modes")
        return chosen, skipped
    for name in chosen:
        if name in PIXEL_METRICS and src.kind != "image":
            raise ConfigError(f"metric {name!r} measures images; {src.settings['source']} gives {src.kind}")
        if name in ("paired", "accuracy"):
            raise ConfigError(f"metric {name!r} needs an image-to-image run (outputs with targets); "
                              f"{src.settings['source']} is not one")
        if name == "modes" and (src.kind != "points" or not has_modes):
            raise ConfigError(f"metric 'modes' needs points and a mixture with known modes (ring, grid); "
                              f"reference '{reference.display}' has none")
        if name in _NEEDS_LOGITS and not has_logits:
            what = "points" if src.kind == "points" else f"extractor '{extractor}'"
            raise ConfigError(f"metric {name!r} needs class logits, which {what} cannot give: "
                              "use --extractor classifier on images")
    return chosen, skipped


def _reference_key(reference: Reference) -> dict[str, Any]:
    """What the reference features are, for the cache (``evaluate`` adds the extractor id and n)."""
    return {"dataset": reference.identity, "split": reference.split, "shape": list(reference.data.sample_shape),
            "label": reference.label}
