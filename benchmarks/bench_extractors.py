"""Images per second of the metric feature extractors on this machine.

    PYTHONPATH=src python benchmarks/bench_extractors.py                 # the shipped Inception path
    PYTHONPATH=src python benchmarks/bench_extractors.py --variants all  # also NCHW / frozen / bf16 trials

Prints one markdown row per setting: | extractor | variant | batch | threads | images/s | images/CPU-s | load avg |.
The "shipped" variant is exactly what ``gankit.metrics.extract`` runs (resize once to 299, channels_last,
inference mode). The machine's 1-minute load average is printed too: other processes skew the numbers.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Callable

import numpy as np
import torch

from gankit.metrics import extract, fid_from_features, get_feature_extractor
from gankit.metrics.extractors.inception import to_inception_input


def _images(n: int, size: int, channels: int = 3, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, channels, size, size, generator=generator) * 2 - 1


def _rate(run: Callable[[], object], n: int, repeats: int) -> tuple[float, float]:
    """(images per wall second, images per CPU second of this process), best of ``repeats`` after warm-up.

    The CPU-second rate is what one dedicated core would do; it is robust to other processes on the machine.
    """
    run()  # warm-up (TorchScript profiles and optimises on its first calls)
    run()
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        best_wall, best_cpu = min(best_wall, time.perf_counter() - wall), min(best_cpu, time.process_time() - cpu)
    return n / best_wall, n / best_cpu


def _row(extractor: str, variant: str, batch: int, rates: tuple[float, float]) -> None:
    print(f"| {extractor} | {variant} | {batch} | {torch.get_num_threads()} | {rates[0]:.2f} | {rates[1]:.2f} "
          f"| {os.getloadavg()[0]:.1f} |", flush=True)


def bench_inception(batch_sizes: list[int], variants: list[str], n_batches: int, repeats: int, size: int) -> None:
    inception = get_feature_extractor("inception")
    network = inception.network
    for batch in batch_sizes:
        images = _images(batch * n_batches, size)
        if "shipped" in variants:
            _row("inception", f"shipped ({size}px in)", batch,
                 _rate(lambda: extract(inception, images, batch), len(images), repeats))
        prepared = [to_inception_input(images[i : i + batch]) for i in range(0, len(images), batch)]

        def run_network(model: torch.nn.Module, inputs: list[torch.Tensor]) -> Callable[[], object]:
            def run() -> object:
                with torch.inference_mode():
                    return [model(x) for x in inputs]

            return run

        if "nchw" in variants:
            nchw_net = torch.jit.load(str(_weights()), map_location="cpu").eval()
            contiguous = [x.contiguous() for x in prepared]
            _row("inception", "network only, NCHW", batch, _rate(run_network(nchw_net, contiguous), len(images), repeats))
        if "channels_last" in variants:
            _row("inception", "network only, channels_last", batch,
                 _rate(run_network(network, prepared), len(images), repeats))
        if "frozen" in variants:
            frozen = torch.jit.freeze(torch.jit.load(str(_weights()), map_location="cpu").eval())
            _row("inception", "network only, jit.freeze + channels_last", batch,
                 _rate(run_network(frozen, prepared), len(images), repeats))
        if "optimized" in variants:
            optimized = torch.jit.optimize_for_inference(torch.jit.load(str(_weights()), map_location="cpu").eval())
            _row("inception", "network only, optimize_for_inference", batch,
                 _rate(run_network(optimized, prepared), len(images), repeats))
        if "bf16" in variants:

            def run_bf16() -> object:
                with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
                    return [network(x) for x in prepared]

            _row("inception", "network only, autocast bf16", batch, _rate(run_bf16, len(images), repeats))


def _weights() -> object:
    from gankit.metrics.extractors.inception import find_inception_weights

    return find_inception_weights()


def bf16_agreement(n: int) -> None:
    """FID between two sets of images computed in float32 and under bf16 autocast: do they agree?"""
    inception = get_feature_extractor("inception")
    a, b = _images(n, 64, seed=1), (_images(n, 64, seed=2) * 0.5).clamp(-1, 1)
    f32 = [extract(inception, x, 16) for x in (a, b)]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        bf16 = [extract(inception, x, 16).astype(np.float64) for x in (a, b)]
    fid32, fid16 = fid_from_features(*f32), fid_from_features(*bf16)
    print(f"bf16 check on {n}+{n} images: FID float32 {fid32:.6g}, bf16 {fid16:.6g}, "
          f"relative difference {abs(fid16 - fid32) / fid32:.2e}; max feature diff {np.abs(f32[0] - bf16[0]).max():.3g}")


def bench_classifier(batch: int, n: int, repeats: int) -> None:
    from gankit.metrics import DomainClassifier
    from gankit.metrics.extractors.classifier import ClassifierFeatureExtractor

    extractor = ClassifierFeatureExtractor(DomainClassifier(in_channels=1, num_classes=10, img_size=28))
    images = _images(n, 28, channels=1)
    _row("classifier (28px, 128-d)", "shipped", batch, _rate(lambda: extract(extractor, images, batch), n, repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", default="8,16,32")
    parser.add_argument("--variants", default="shipped",
                        help="comma list of shipped,nchw,channels_last,frozen,optimized,bf16 or 'all'")
    parser.add_argument("--batches", type=int, default=2, help="batches timed per measurement")
    parser.add_argument("--repeats", type=int, default=2, help="timed repeats; the best is kept")
    parser.add_argument("--input-size", type=int, default=299, help="side of the input images (299: no resize)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--bf16-check", type=int, default=0, help="images per set for the bf16 FID agreement check")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    variants = ["shipped", "nchw", "channels_last", "frozen", "optimized", "bf16"] if args.variants == "all" \
        else args.variants.split(",")
    print("| extractor | variant | batch | threads | images/s | images/CPU-s | load avg |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    bench_inception([int(b) for b in args.batch_sizes.split(",")], variants, args.batches, args.repeats,
                    args.input_size)
    bench_classifier(256, 4096, args.repeats)
    if args.bf16_check:
        bf16_agreement(args.bf16_check)


if __name__ == "__main__":
    main()
