"""Quality against training time: the FID of `dcgan-fashion` after 10, 30 and 60 minutes of training.

    .venv/bin/python benchmarks/bench_fid_vs_time.py --out /tmp/fid-vs-time            # train, then evaluate
    .venv/bin/python benchmarks/bench_fid_vs_time.py --out /tmp/fid-vs-time --skip-train  # evaluate again

Training: `gankit train dcgan-fashion` (the recipe unchanged, except no step limit) in segments that end at
the marks (default 10, 30, 60 minutes of cumulative training wall time, `train.max_minutes`), each segment
resuming the last -- bit-exact, so the segments are the same run as one uninterrupted training. The checkpoint
at each mark is copied to OUT/marks/<m>min. Start-up (data loading) is not counted as training time.

Evaluation, the protocol of Lucic et al. 2018 ("Are GANs created equal?"): 10,000 Fashion-MNIST test images
against 10,000 samples, grey tiled to 3 channels, bilinear resize to 299, Inception-v3 pool3 with the TF FID
weights (`--extractor inception` of gankit eval), at the last mark. The cheaper curve at every mark: the
classifier FID (gankit's domain classifier, 10,000 against 10,000) and the Inception FID on 2,000 samples
against the first 2,000 test images. Features are saved under OUT/features so an interrupted evaluation
resumes. With --floor-n N (default 2,000) also the floor: the first training images through the same
pipeline against the test images (classifier FID 10,000 per side, Inception FID N per side). Writes
OUT/results.json, OUT/results.md and OUT/fid_vs_time.png.

Deviation from Lucic et al.: the recipe trains at 32 px (Fashion-MNIST resized by the data layer), and the
test images are resized to 32 px too before the resize to 299, so both sides go through the same pipeline.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from gankit import api
from gankit.atomic import atomic_write_text
from gankit.evaluation import build_extractor, default_cache_dir
from gankit.evaluation.sources import load_reference, load_source
from gankit.experiments.common import atomic_save_figure, pyplot
from gankit.metrics import fid_from_features, kid
from gankit.metrics.extractors.base import extract
from gankit.training import checkpoint as ckpt

PUBLISHED = [  # best FID on Fashion-MNIST of a large hyper-parameter search, 10k vs 10k test (Lucic et al. 2018)
    ("NS GAN (Lucic et al. 2018)", 26.5),
    ("WGAN (Lucic et al. 2018)", 21.5),
    ("PA-GAN (Zhang et al. 2019)", 15.8),
]


def train_to_marks(out: Path, marks: list[float], recipe: str, steps: int = 100_000_000) -> list[dict]:
    """Train `recipe` to each cumulative wall-time mark; returns [{minutes, step, train_seconds}].

    `steps` is the run's train.steps: the time marks stop it first unless it is reached earlier; a recipe
    with a learning-rate decay needs the steps its schedule is laid out over.
    """
    run = out / "run"
    done = 0.0
    rows = []
    for i, mark in enumerate(marks):
        overrides = [f"train.steps={steps}", f"train.max_minutes={(mark * 60 - done) / 60:.4f}",
                     "train.ckpt_every=100000000", "train.keep=2", "train.progress=false"]
        result = api.train(recipe, run, overrides=overrides, resume=i > 0)
        done += result.seconds
        checkpoint = ckpt.latest_checkpoint(run / "checkpoints")
        target = out / "marks" / f"{mark:g}min"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(checkpoint, target)
        rows.append({"minutes": mark, "step": result.step, "train_seconds": round(done, 1),
                     "images_per_second": round(result.images_per_second, 1)})
        print(f"mark {mark:g} min: step {result.step}, {done:.0f} s of training", flush=True)
        atomic_write_text(out / "marks.json", json.dumps(rows, indent=1))
    return rows


def cached_features(path: Path, compute) -> tuple[np.ndarray, float]:
    """Features from `path` (.npy) or computed (and saved); returns (features, images per second or nan)."""
    if path.exists():
        return np.load(path), float("nan")
    start = time.perf_counter()
    features, count = compute()
    speed = count / (time.perf_counter() - start)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path.with_suffix(".tmp.npy"), features)
    path.with_suffix(".tmp.npy").replace(path)
    return features, speed


def evaluate_marks(out: Path, rows: list[dict], n_final: int, n_curve: int, seed: int) -> dict:
    device = torch.device("cpu")
    cache = default_cache_dir()
    results = {"machine": f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}",
               "date": time.strftime("%Y-%m-%d %H:%M"), "n_final": n_final, "n_curve": n_curve, "seed": seed,
               "marks": []}
    last = rows[-1]["minutes"]
    for row in rows:
        mark_dir = out / "marks" / f"{row['minutes']:g}min"
        n = n_final  # sampling is cheap; the Inception FID of the earlier marks uses the first n_curve
        source = load_source(mark_dir, n, seed=seed, label=None, device=device)
        reference = load_reference(None, source, n_final)
        entry = dict(row)
        for name in ("classifier", "inception"):
            extractor, _ = build_extractor(name, reference, cache, device, print)
            n_fake = n if name == "classifier" or row["minutes"] == last else n_curve
            real, _ = cached_features(out / "features" / f"real-{name}-{n_final}.npy",
                                      lambda: (extract(extractor, reference.data.x, None), len(reference.data.x)))
            fake, speed = cached_features(out / "features" / f"{row['minutes']:g}min-{name}-{n_fake}.npy",
                                          lambda: (extract(extractor, source.samples[:n_fake], None), n_fake))
            if name == "inception" and speed == speed:
                entry["inception_images_per_second"] = round(speed, 2)
            if name == "classifier":
                entry["classifier_fid"] = fid_from_features(fake, real)
            entry[f"{name}_fid_{n_curve}"] = fid_from_features(fake[:n_curve], real[:n_curve])
            if row["minutes"] == last:
                entry[f"{name}_fid_{n_final}"] = fid_from_features(fake[:n_final], real[:n_final])
                entry[f"{name}_kid_{n_final}"], entry[f"{name}_kid_std"] = kid(fake, real, seed=seed)
            print(f"{row['minutes']:g} min, {name}: " + ", ".join(
                f"{k}={v:.4g}" for k, v in entry.items() if name in k and isinstance(v, float)), flush=True)
        results["marks"].append(entry)
    return results


def evaluate_floor(out: Path, last_mark: Path, n_final: int, n_floor: int) -> dict:
    """The floor: the first training images, through the same 32-px pipeline, against the same test images
    (the classifier at n_final per side, Inception at n_floor per side, the first n_floor test images)."""
    device = torch.device("cpu")
    source = load_source(last_mark, 16, seed=0, label=None, device=device)  # only for the image size
    reference = load_reference(None, source, n_final)
    train = reference.load_train().x
    floor = {"n_classifier": n_final, "n_inception": n_floor}
    for name, n in (("classifier", n_final), ("inception", n_floor)):
        extractor, _ = build_extractor(name, reference, default_cache_dir(), device, print)
        real, _ = cached_features(out / "features" / f"real-{name}-{n_final}.npy",
                                  lambda: (extract(extractor, reference.data.x, None), len(reference.data.x)))
        fake, _ = cached_features(out / "features" / f"train-{name}-{n}.npy",
                                  lambda: (extract(extractor, train[:n], None), n))
        floor[f"{name}_fid"] = fid_from_features(fake[:n], real[:n])
        print(f"floor, {name}, {n} vs {n}: FID {floor[f'{name}_fid']:.4g}", flush=True)
    return floor


def write_report(out: Path, results: dict) -> None:
    n_final, n_curve = results["n_final"], results["n_curve"]
    lines = [f"| minutes of training | generator steps | classifier FID ({n_final:,} vs {n_final:,}) | "
             f"Inception FID ({n_curve:,} vs {n_curve:,}) | Inception FID ({n_final:,} vs {n_final:,}, Lucic et al.) |",
             "|---|---|---|---|---|"]
    for e in results["marks"]:
        final = e.get(f"inception_fid_{n_final}")
        lines.append(f"| {e['minutes']:g} | {e['step']:,} | {e['classifier_fid']:.2f} | "
                     f"{e[f'inception_fid_{n_curve}']:.2f} | {'' if final is None else f'{final:.2f}'} |")
    floor = results.get("floor")
    if floor:
        inception = f"{floor['inception_fid']:.2f}"
        n_in = floor["n_inception"]
        lines.append(f"| training set against the test set (the floor) | | {floor['classifier_fid']:.2f} | "
                     + (f"{inception} |  |" if n_in == n_curve else f" | {inception} ({n_in:,} vs {n_in:,}) |"))
    for name, value in PUBLISHED:
        lines.append(f"| {name}, best of the search | | | | {value} |")
    atomic_write_text(out / "results.md", "\n".join(lines) + "\n")
    atomic_write_text(out / "results.json", json.dumps(results, indent=1))
    print("\n".join(lines))

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    minutes = [e["minutes"] for e in results["marks"]]
    axes[0].plot(minutes, [e["classifier_fid"] for e in results["marks"]], "o-")
    axes[0].set(title="classifier FID (10k)", xlabel="minutes of training", ylabel="FID")
    axes[1].plot(minutes, [e[f"inception_fid_{n_curve}"] for e in results["marks"]], "o-",
                 label=f"Inception FID ({n_curve})")
    last = results["marks"][-1]
    if f"inception_fid_{n_final}" in last:
        axes[1].plot([last["minutes"]], [last[f"inception_fid_{n_final}"]], "s", label=f"Inception FID ({n_final})")
    for name, value in PUBLISHED:
        axes[1].axhline(value, ls=":", lw=1, color="grey")
        axes[1].text(minutes[0], value, name, fontsize=7, va="bottom")
    axes[1].set(title="Inception FID", xlabel="minutes of training")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    atomic_save_figure(fig, out / "fid_vs_time.png", dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--recipe", default="dcgan-fashion")
    parser.add_argument("--marks", default="10,30,60", help="cumulative minutes of training, comma-separated")
    parser.add_argument("--n-final", type=int, default=10000)
    parser.add_argument("--n-curve", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=100_000_000,
                        help="train.steps of the run (default: so many that only the time marks stop it)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-train", action="store_true", help="evaluate the marks of an earlier training")
    parser.add_argument("--floor-n", type=int, default=2000,
                        help="Inception images per side for the train-vs-test floor (0: no floor)")
    args = parser.parse_args()
    marks = sorted(float(m) for m in args.marks.split(","))
    if args.skip_train:
        rows = json.loads((args.out / "marks.json").read_text())
    else:
        if args.out.exists():
            raise SystemExit(f"error: {args.out} exists; use --skip-train to evaluate it again, or pick another --out")
        args.out.mkdir(parents=True)
        rows = train_to_marks(args.out, marks, args.recipe, args.steps)
    results = evaluate_marks(args.out, rows, args.n_final, args.n_curve, args.seed)
    if args.floor_n:
        last = args.out / "marks" / f"{rows[-1]['minutes']:g}min"
        results["floor"] = evaluate_floor(args.out, last, args.n_final, args.floor_n)
    write_report(args.out, results)


if __name__ == "__main__":
    main()
