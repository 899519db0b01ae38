"""Issue 15's side by side: gankit's CTGAN and TVAE against ``ctgan.CTGAN`` and ``ctgan.TVAE`` (PyPI ``ctgan``
0.12.1) at the same number of epochs, on the bundled tables.

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_tables.py               # breast-cancer and wine, 3 seeds
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_tables.py --data breast-cancer --seeds 0 --epochs 300

This script installs nothing. When ``ctgan`` 0.12.1 is importable its rows are added; else only gankit's rows
are measured and the peers are reported as missing. ``ctgan`` is under the Business Source License: never a
dependency of gankit, and its code is not read. Run the side by side from an environment of its own:

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install torch==2.13.0
    /tmp/peers/bin/pip install -e ".[tables]" ctgan==0.12.1 torch==2.13.0
    /tmp/peers/bin/pip install --no-deps bokeh-sampledata==2026.1          # the superstore table
    PYTHONPATH=src:benchmarks /tmp/peers/bin/python benchmarks/bench_tables.py --data breast-cancer,wine
    PYTHONPATH=src:benchmarks /tmp/peers/bin/python benchmarks/bench_tables.py --data superstore,flchain --epochs 30

Protocol: each table is split once (20% held out, seed 0, `gankit.data.table.split_frame`); every method trains
``--epochs`` passes over the training rows at batch ``--batch`` (100, a multiple of 10, the PacGAN pack; 0: each
method's own default, the `Synthesizer`'s or ctgan's constructors'), then samples as many rows as it trained on
(sample seed 0), scored by `gankit.evaluation.table.table_scores` (shape score = 1 - mean KS/TV distance,
macro-F1 of gradient boosting and logistic regression trained on the synthetic rows and tested on the held-out
rows of the table's class column, DCR ratio, exact copies) and sdmetrics' quality report (``sdv_quality`` and
its ``sdv_pair_trends``, `gankit.metrics.table_quality`), the same scorer for every method. A table with gaps in
numeric columns (flchain's creatinine) loses those rows for every method: ctgan 0.12.1 refuses missing values in
continuous columns (gaps in categorical columns stay). The peers are told the columns gankit models as categories
(`gankit.data.table_columns.infer_kind`, and the class column).
Seconds per epoch are the fit's wall time (gankit: including the mixture fits, as ctgan's are) over the epochs,
and its CPU time (all threads of the process: less sensitive to other jobs on a shared machine) likewise;
before them every method fits once, untimed, on a slice of the table, so that one-time imports and lazy
set-ups (torch's optimizer machinery, scikit-learn) land in no timed fit. Runs go one at a time on one thread.
Prints the CPU, the load average and one Markdown table; ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch

from gankit.data.table import BUILTIN_TARGETS, builtin_table, split_frame
from gankit.data.table_columns import infer_kind
from gankit.evaluation.table import table_scores
from gankit.tabular import Synthesizer

from machine import cpu_model

MEASURES = ("sdv_quality", "sdv_pair_trends", "shape_score", "tstr_f1_gb", "tstr_f1_lr", "dcr_ratio", "exact_copies",
            "s_per_epoch", "cpu_s_per_epoch")


def fit_gankit(method: str, train, epochs: int, batch: int, seed: int, target: str):
    options = {"batch_size": batch} if batch else {}  # 0: the Synthesizer's default batch
    synth = Synthesizer(method, epochs=epochs, seed=seed, target=target, overrides=["train.threads=1"], **options)
    start, cpu = time.perf_counter(), time.process_time()
    synth.fit(train)
    return time.perf_counter() - start, time.process_time() - cpu, lambda n: synth.sample(n, seed=0)


def fit_peer(method: str, train, epochs: int, batch: int, seed: int, target: str):
    import ctgan  # noqa: F401  (only when installed: see the module docstring)

    torch.manual_seed(seed)
    options = {"batch_size": batch} if batch else {}  # 0: the peer's own default batch
    model = ctgan.CTGAN(epochs=epochs, pac=10, **options) if method == "CTGAN" else ctgan.TVAE(epochs=epochs, **options)
    discrete = [c for c in train.columns if c == target or infer_kind(train[c]) in ("categorical", "boolean")]
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(train, discrete_columns=discrete)
    return time.perf_counter() - start, time.process_time() - cpu, lambda n: model.sample(n).astype(train.dtypes.to_dict())


def peers_available() -> bool:
    try:
        import ctgan

        return getattr(ctgan, "__version__", "") == "0.12.1"
    except ImportError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="breast-cancer,wine")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--batch", type=int, default=100,
                        help="rows a step, the same for every method; 0: each method's own default")
    parser.add_argument("--methods", default="", help="comma-separated rows to run (default: all)")
    parser.add_argument("--warmup-rows", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    torch.set_num_threads(1)
    methods = {"gankit ctgan": lambda *a: fit_gankit("ctgan", *a), "gankit tvae": lambda *a: fit_gankit("tvae", *a)}
    if peers_available():
        methods.update({"ctgan.CTGAN": lambda *a: fit_peer("CTGAN", *a), "ctgan.TVAE": lambda *a: fit_peer("TVAE", *a)})
    if args.methods:
        methods = {name: fit for name, fit in methods.items() if name in args.methods.split(",")}
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}")
    if not peers_available():
        print("ctgan 0.12.1 is not importable: peer rows missing (see the module docstring)")
    results: dict[str, dict[str, list[float]]] = {}
    for name in args.data.split(","):
        table = builtin_table(name)
        numeric = [c for c in table.columns if c != BUILTIN_TARGETS[name] and infer_kind(table[c]) not in
                   ("categorical", "boolean")]
        gaps = table[numeric].isna().any(axis=1)
        if gaps.any():  # ctgan 0.12.1 refuses gaps in continuous columns: those rows go, for every method
            print(f"{name}: {int(gaps.sum())} of {len(table)} rows have a gap in a numeric column; using the others")
            table = table[~gaps].reset_index(drop=True)
        train, test = split_frame(table, 0.2, seed=0)
        target = BUILTIN_TARGETS[name]
        for method, fit in methods.items():  # untimed: one-time imports and lazy set-ups land in no timed fit
            fit(train.iloc[: args.warmup_rows], 1, min(args.batch, args.warmup_rows) if args.batch else 0, 0, target)
        for method, fit in methods.items():
            for seed in (int(s) for s in args.seeds.split(",")):
                seconds, cpu_seconds, sample = fit(train, args.epochs, args.batch, seed, target)
                scores = table_scores(sample(len(train)), train, test, target)
                scores["s_per_epoch"] = seconds / args.epochs
                scores["cpu_s_per_epoch"] = cpu_seconds / args.epochs
                row = results.setdefault(f"{name} | {method}", {m: [] for m in MEASURES})
                for m in MEASURES:
                    row[m].append(float(scores.get(m, float("nan"))))
                print(f"{name} {method} seed {seed}: " + ", ".join(f"{m} {scores.get(m, float('nan')):.3f}"
                                                                  for m in MEASURES), flush=True)
    batch = args.batch or "each method's default"
    print(f"\nload average at end {os.getloadavg()[0]:.2f}; {args.epochs} epochs of batch {batch}\n")
    print("| data | method | " + " | ".join(MEASURES) + " |")
    print("|---|---|" + "---|" * len(MEASURES))
    for key, row in results.items():
        cells = []
        for m in MEASURES:
            v = row[m]
            cells.append(f"{statistics.mean(v):.3f}" + (f" ± {statistics.stdev(v):.3f}" if len(v) > 1 else ""))
        print(f"| {key} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"epochs": args.epochs, "batch": args.batch, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
