"""The floor of each metric on Fashion-MNIST: its training set scored against its test set, per extractor.

Two samples of one distribution are as good as a generator can get, so these are the numbers a perfect
generator would score (FID and KID do not reach 0 at finite n: FID is biased upwards, roughly by a term in
1/n; KID is unbiased and scatters around 0). Also the extraction speed on this machine.

    PYTHONPATH=src python benchmarks/bench_metrics_floors.py                            # both extractors
    PYTHONPATH=src python benchmarks/bench_metrics_floors.py --extractors classifier --n-classifier 10000
    PYTHONPATH=src python benchmarks/bench_metrics_floors.py --extractors inception --n-inception 2000

The first n training images are compared with the first n test images (at most 10,000). The classifier is
the one ``gankit eval`` uses (trained on the training split and cached on first use; its training time is
reported). Inception-v3 extracts about 5-10 images/s on a CPU core, so 2,000 vs 2,000 takes ~8 minutes.
Prints one markdown table; nothing is written except the cache.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import torch

from gankit.evaluation import build_extractor, default_cache_dir
from gankit.evaluation.sources import load_reference
from gankit.metrics import DEFAULTS, extract, fid_from_features, kid, precision_recall


def measure(extractor_name: str, n: int, cache_dir: Path, device: torch.device) -> dict[str, object]:
    """FID/KID/precision/recall of the first ``n`` train vs the first ``n`` test images, and images/s."""
    reference = load_reference("fashion-mnist", None, n)  # the test split, first n
    train = reference.load_train()
    train_x, test_x = train.x[:n], reference.data.x
    started = time.perf_counter()
    extractor, info = build_extractor(extractor_name, reference, cache_dir, device, log=print)
    setup_seconds = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    train_features = extract(extractor, train_x)
    test_features = extract(extractor, test_x)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    images = len(train_x) + len(test_x)
    kid_mean, kid_std = kid(train_features, test_features, int(DEFAULTS["kid_subsets"]),  # type: ignore[call-overload]
                            int(DEFAULTS["kid_subset_size"]), seed=0)  # type: ignore[call-overload]
    precision, recall = precision_recall(test_features, train_features, int(DEFAULTS["pr_k"]))  # type: ignore[call-overload]
    return {
        "extractor": extractor.cache_id(), "n": f"{len(train_x)} vs {len(test_x)}",
        "fid": fid_from_features(train_features, test_features), "kid": kid_mean, "kid_std": kid_std,
        "precision": precision, "recall": recall, "images_per_s": images / wall, "images_per_cpu_s": images / cpu,
        "setup_s": setup_seconds, "test_accuracy": (info or {}).get("test_accuracy"),
    }


def _rate(value: object) -> str:
    return f"{value:.0f}" if float(value) >= 100 else f"{value:.3g}"  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extractors", default="classifier,inception", help="comma-separated (default both)")
    parser.add_argument("--n-classifier", type=int, default=10_000, help="images per side for the classifier")
    parser.add_argument("--n-inception", type=int, default=2_000, help="images per side for Inception (slow)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: $GANKIT_CACHE or ~/.cache/gankit")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    cache_dir = args.cache_dir or default_cache_dir()
    rows = []
    for name in [e.strip() for e in args.extractors.split(",") if e.strip()]:
        n = args.n_classifier if name == "classifier" else args.n_inception
        rows.append(measure(name, n, cache_dir, torch.device(args.device)))
    print(f"\nFashion-MNIST train vs test (first n of each), {torch.get_num_threads()} torch threads, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| extractor | n | FID | KID (± std) | precision | recall | images/s | images/CPU-s | set-up s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        accuracy = f" (test acc. {r['test_accuracy']:.3f})" if r["test_accuracy"] is not None else ""
        print(f"| {r['extractor']}{accuracy} | {r['n']} | {r['fid']:.4g} | {r['kid']:.3g} ± {r['kid_std']:.2g} "
              f"| {r['precision']:.3f} | {r['recall']:.3f} | {_rate(r['images_per_s'])} | {_rate(r['images_per_cpu_s'])} "
              f"| {r['setup_s']:.1f} |")


if __name__ == "__main__":
    main()
