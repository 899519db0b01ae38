"""Benchmark: discriminator rejection sampling (DRS) on the ring, calibrated against a fixed pool of proposals
as large as the real set (gankit's default) and against fresh proposals at every step (Azadi et al.'s loop,
here a pool of calibration steps × batch size, so no proposal is drawn twice in expectation).

Trains `gan-ring` (or takes --run), then for each calibration pool draws --n samples by DRS (seeds 0..S-1) and
scores them with the VEEGAN/PacGAN protocol (`gankit.metrics.coverage.mode_coverage`): high-quality share and
reverse KL, beside the plain generator's; and times each sampling (calibration included).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_drs.py --steps 4000 --out /tmp/bench-drs
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gankit import api
from gankit.data.toy import RING_STD, ring_modes
from gankit.metrics.coverage import mode_coverage
from gankit.sampling.rejection import DRSSettings
from machine import cpu_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-drs"))
    parser.add_argument("--run", type=Path, help="a trained ring run (default: train gan-ring into OUT/ring)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    run = args.run
    if run is None:
        run = args.out / "ring"
        if not (run / "checkpoints").exists():
            api.train("gan-ring", out=run, overrides=[f"train.steps={args.steps}"])
    loaded = api.load_generator(run)
    modes = ring_modes().numpy()
    rows = []
    plain = [mode_coverage(api.sample(loaded, args.n, seed=s).numpy(), modes, RING_STD) for s in range(args.seeds)]
    rows.append(("plain generator", plain, None))
    base = DRSSettings()
    for label, pool in (("DRS, pool = real set (default)", None),
                        ("DRS, fresh proposals (pool = steps x batch)", base.calibration_steps * base.batch_size)):
        scores, seconds = [], []
        for s in range(args.seeds):
            start = time.perf_counter()
            result = api.sample_drs(loaded, args.n, seed=s, settings=DRSSettings(calibration_pool=pool))
            seconds.append(time.perf_counter() - start)
            scores.append(mode_coverage(result.samples.numpy(), modes, RING_STD))
        rows.append((label, scores, seconds))
    print(f"machine: {cpu_model()}; run {run}; n = {args.n}; seeds 0..{args.seeds - 1}")
    print("| sampling | high-quality share | reverse KL | seconds per draw |")
    print("|---|---|---|---|")
    for label, scores, seconds in rows:
        share = " / ".join(f"{100 * r['high_quality_fraction']:.1f}%" for r in scores)
        kl = " / ".join(f"{r['reverse_kl']:.3f}" for r in scores)
        secs = "–" if seconds is None else " / ".join(f"{t:.0f}" for t in seconds)
        print(f"| {label} | {share} | {kl} | {secs} |")


if __name__ == "__main__":
    main()
