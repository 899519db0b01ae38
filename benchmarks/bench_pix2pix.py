"""Pix2Pix on edges2fashion: the paper's Table 1 ablation (L1 alone, cGAN alone, L1 + cGAN) at one budget.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_pix2pix.py                      # ~25 min on 2 cores
    PYTHONPATH=src .venv/bin/python benchmarks/bench_pix2pix.py --steps 500 --n 500  # a quick look

Each variant is the recipe `pix2pix-edges2fashion` with one term switched off (``pix2pix.lambda_gan=0`` for L1
alone, ``pix2pix.lambda_l1=0`` for cGAN alone), trained for the same `--steps` from the same seed, one after the
other (never two trainings at once on 2 cores). Then `gankit eval` on the first `--n` held-out test pairs:
L1, PSNR and SSIM of outputs against their targets, classifier FID and KID of the outputs against the held-out
garments, and translation accuracy (the share of outputs the Fashion-MNIST classifier puts in their target's
class). Prints the CPU and one Markdown table; `--json FILE` keeps the numbers, `--keep DIR` the runs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from gankit import api
from gankit.config import load_config
from gankit.evaluation import evaluate_source

from machine import cpu_model

VARIANTS = {"L1": ["pix2pix.lambda_gan=0"], "cGAN": ["pix2pix.lambda_l1=0"], "L1 + cGAN": []}
QUIET = ["train.progress=false", "train.sample_every=1000000"]


def run_variant(name: str, extra: list[str], steps: int, root: Path, n: int, threads: int) -> dict:
    config = load_config("pix2pix-edges2fashion", [f"train.steps={steps}", f"train.ckpt_every={steps}",
                                                   f"train.threads={threads}", *QUIET, *extra])
    out = root / name.replace(" + ", "-").lower()
    start = time.perf_counter()
    result = api.train(config, out)
    seconds = time.perf_counter() - start
    scores = evaluate_source(out, n=n, log=None)
    return {"variant": name, "steps": steps, "train_seconds": round(seconds, 1),
            "images_per_second": round(result.images_per_second, 1),
            **{k: v for k, v in scores.items() if k != "settings"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--n", type=int, default=1000, help="held-out test pairs evaluated")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the runs in this folder")
    parser.add_argument("--threads", type=int, default=0, help="train.threads of every run (0: automatic)")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-pix2pix-"))
    rows = [run_variant(name, VARIANTS[name], args.steps, root, args.n, args.threads) for name in args.variants]
    print(f"\n| objective | steps | train s | img/s | L1 | PSNR dB | SSIM | FID | KID | class accuracy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['steps']} | {r['train_seconds']:.0f} | {r['images_per_second']:.0f} | "
              f"{r['l1']:.4f} | {r['psnr']:.2f} | {r['ssim']:.4f} | {r['fid']:.2f} | {r['kid']:.4f} | "
              f"{r['translation_accuracy']:.3f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
