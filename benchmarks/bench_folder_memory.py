"""Memory and time of loading a folder of large photos, as `gankit train` does (decoded to the target size, uint8).

    .venv/bin/python benchmarks/bench_folder_memory.py [--photos 100] [--side 1024] [--sizes 64,128]

Writes `--photos` synthetic JPEGs of side x side pixels (noise over colour gradients, so they compress like
photos rather than flat colour) into a temporary folder, then, for each target size, loads them in a fresh
Python process with `gankit.training.setup.load_data` (what training calls) and reports that process's peak
resident memory above its baseline after the imports, the load time and the size of the tensor kept.
`--source OTHER/src` measures another checkout (e.g. `git worktree add /tmp/old 6fa5554`, then
`--source /tmp/old/src`) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

CHILD = """
import json, resource, sys, time
from gankit.config import load_config
try:
    from gankit.training.setup import load_data
except ImportError:  # gankit before 2026-12-02 (the --before checkout)
    from gankit.api import load_data
config = load_config("dcgan-fashion", ["data.name=folder", f"data.path={sys.argv[1]}", f"data.img_size={sys.argv[2]}"])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
data = load_data(config)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "above_baseline_mib": (peak - base) / 1024, "peak_mib": peak / 1024,
                  "tensor_mib": data.x.numel() * data.x.element_size() / 2**20, "dtype": str(data.x.dtype),
                  "shape": list(data.x.shape)}))
"""


def write_photos(folder: Path, count: int, side: int) -> int:
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 1, side, dtype=np.float32)
    total = 0
    for i in range(count):
        colour = rng.uniform(0, 255, (3,)).astype(np.float32)
        base = ramp[None, :, None] * colour + ramp[:, None, None] * (255 - colour)
        pixels = np.clip(base / 2 + rng.normal(0, 24, (side, side, 3)), 0, 255).astype(np.uint8)
        path = folder / f"photo{i:04d}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        total += path.stat().st_size
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--side", type=int, default=1024)
    parser.add_argument("--sizes", default="64,128")
    parser.add_argument("--source", help="the src/ folder of another gankit checkout to measure instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        size_on_disk = write_photos(folder, args.photos, args.side)
        print(f"{args.photos} JPEGs of {args.side}x{args.side}, {size_on_disk / 1e6:.0f} MB on disk; "
              f"{time.strftime('%Y-%m-%d')}\n")
        print("| target size | peak memory above baseline | load time | tensor kept |")
        print("|---|---|---|---|")
        for size in args.sizes.split(","):
            env = {**os.environ, "PYTHONPATH": args.source} if args.source else None
            done = subprocess.run([sys.executable, "-c", CHILD, str(folder), size], capture_output=True, text=True,
                                  check=True, env=env)
            r = json.loads(done.stdout)
            print(f"| {size} px | {r['above_baseline_mib']:,.0f} MiB | {r['seconds']:.1f} s | "
                  f"{r['tensor_mib']:.1f} MiB {r['dtype'].replace('torch.', '')} {tuple(r['shape'])} |")


if __name__ == "__main__":
    main()
