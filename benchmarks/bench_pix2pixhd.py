"""Pix2PixHD against Pix2Pix at 64 px, at the same wall-clock budget, on edges2fashion.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_pix2pixhd.py                 # ~60 min on 2 idle cores
    PYTHONPATH=src .venv/bin/python benchmarks/bench_pix2pixhd.py --hd-set train.steps=300 pix2pixhd.global_steps=100 --n 300

1. The recipe `pix2pixhd-edges2fashion` is trained as the README runs it (global generator at 32 px, then the
   local enhancer at 64 px); the wall clock of its training loop (data loading excluded) is the budget B.
2. `pix2pix-edges2fashion` at 64 px (`data.img_size=64`: a 6-level U-Net) is trained from the same seed with
   `train.max_minutes` = B, so both get the same wall clock on the same machine, one after the other.
3. Both are evaluated by `gankit eval` on the first `--n` held-out pairs (L1, PSNR, SSIM, classifier FID/KID
   against the held-out garments, class accuracy), and by `edge_agreement` of each output's Canny edges with
   its input drawing (boundary F within one pixel). For Pix2PixHD this is done in the mean style and in styles
   that set the garment's code to its training mean -k and +k standard deviations (k = 1, 2); the garment's
   mean intensity in those styles shows that the code changes the output.

Prints the CPU and Markdown tables; `--json FILE` keeps the numbers, `--keep DIR` the runs.
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
from gankit.data import load_dataset
from gankit.data.edges import edge_maps
from gankit.evaluation import evaluate_source
from gankit.metrics.paired import edge_agreement

from machine import cpu_model

QUIET = ["train.progress=false"]


def train(recipe: str, overrides: list[str], out: Path) -> dict:
    config = load_config(recipe, [*QUIET, *overrides])
    start = time.perf_counter()
    result = api.train(config, out)
    seconds = time.perf_counter() - start
    return {"train_seconds": round(seconds, 1), "loop_seconds": round(result.seconds, 1), "steps": result.step,
            "images_per_second": round(result.images_per_second, 1)}


def styled_outputs(run: Path, source: torch.Tensor, sigmas: tuple[float, ...]) -> dict[str, torch.Tensor]:
    """Outputs in the mean style and with the garment's code at its mean -k and +k standard deviations."""
    outputs = {"mean style": api.translate(run, source).images}
    loaded = api.load_translator(run)
    if not getattr(loaded.game, "takes_style", False):
        return outputs
    mean, std = loaded.module.code_mean, loaded.module.code_std
    for k in sigmas:
        for sign in (-k, k):
            code = mean.clone()
            code[-1] = (mean[-1] + sign * std[-1]).clamp(-1, 1)
            outputs[f"garment {sign:+g}σ"] = api.translate(run, source, style=code.flatten().tolist()).images
    return outputs


def edge_rows(name: str, run: Path, source: torch.Tensor, sigmas: tuple[float, ...] = (1.0, 2.0)) -> list[dict]:
    """Edge agreement of each output with its input drawing, and the garment's mean intensity on [-1, 1]."""
    input_edges = source < 0
    garment = api.load_translator(run).game.region_masks(source)[:, -1:] if name == "Pix2PixHD" else None
    rows = []
    for style, images in styled_outputs(run, source, sigmas).items():
        scores = edge_agreement(edge_maps(images) < 0, input_edges)
        row = {"model": name, "style": style, **{k: round(v, 4) for k, v in scores.items()}}
        if garment is not None:
            row["garment_intensity"] = round(((images * garment).sum() / garment.sum()).item(), 4)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="held-out test pairs evaluated")
    parser.add_argument("--hd-set", nargs="*", default=[], help="extra overrides of the Pix2PixHD run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the runs in this folder")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}, {torch.get_num_threads()} threads, torch {torch.__version__}", flush=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-pix2pixhd-"))
    runs = {"Pix2PixHD": root / "pix2pixhd", "Pix2Pix": root / "pix2pix64"}
    results = {"Pix2PixHD": train("pix2pixhd-edges2fashion", args.hd_set, runs["Pix2PixHD"])}
    budget = results["Pix2PixHD"]["loop_seconds"] / 60.0
    print(f"Pix2PixHD: {results['Pix2PixHD']['train_seconds'] / 60:.2f} min in all, {budget:.2f} min in its training "
          f"loop: the budget of Pix2Pix's loop", flush=True)
    results["Pix2Pix"] = train("pix2pix-edges2fashion", ["data.img_size=64", "train.steps=1000000",
                                                         f"train.max_minutes={budget:.4f}"], runs["Pix2Pix"])
    for name, run in runs.items():
        scores = evaluate_source(run, n=args.n, log=None)
        results[name].update({k: v for k, v in scores.items() if k != "settings"})
    data = load_dataset("edges2fashion", img_size=64)
    source = data.test_source[:args.n]
    edges = [row for name, run in runs.items() for row in edge_rows(name, run, source)]

    print("\n| model | steps | train min (loop) | img/s | L1 | PSNR dB | SSIM | FID | KID | class accuracy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['steps']} | {r['train_seconds'] / 60:.1f} ({r['loop_seconds'] / 60:.1f}) | {r['images_per_second']:.0f} | "
              f"{r['l1']:.4f} | {r['psnr']:.2f} | {r['ssim']:.4f} | {r['fid']:.2f} | {r['kid']:.4f} | "
              f"{r['translation_accuracy']:.3f} |")
    print("\n| model | style | edge precision | edge recall | edge F | garment mean intensity |")
    print("|---|---|---|---|---|---|")
    for r in edges:
        print(f"| {r['model']} | {r['style']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f']:.3f} | "
              f"{r.get('garment_intensity', float('nan')):.3f} |")
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "edges": edges}, indent=2))


if __name__ == "__main__":
    main()
