"""The published anchor of issue 16: gankit's conditional GAN on the SigCWGAN benchmark's AR(1) processes, scored
as the benchmark's committed results were, beside its best committed rows and an oracle.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_series_ar1.py                    # 9 runs, a few minutes
    PYTHONPATH=src .venv/bin/python benchmarks/bench_series_ar1.py --steps 50 --seeds 0   # a quick look

The protocol of the committed table (SigCGANs/Conditional-Sig-Wasserstein-GANs@667f5c9,
``numerical_results/VAR(1)_dim=1/summary.csv``; Ni et al. 2020, arXiv:2006.05421): the AR(1) path of 40,000
standardised values with φ ∈ {0.2, 0.5, 0.8} drawn from seed 0 (``data.seed=0``: the very realisation behind the
committed numbers, whose train-on-real R² 0.64179 / 0.26250 / 0.05102 this script recomputes), cut into 6,666
non-overlapping windows of 3 past + 3 future steps (``data.stride=6``), trained on and scored on those same
windows (``data.holdout=0``: in-sample, as the committed results were). Each window's history is continued once
(evaluation seed 0) and scored by `gankit eval` (`gankit.evaluation.series`): marginal distance, |ACF lag-1
difference|, R² of train-on-synthetic (TSTR) and train-on-real (TRTR).

Rows: the recipe `cgan-ar1` (``--loss``, ``--steps``) over ``--seeds`` (mean ± sd; the benchmark ran one seed);
an oracle that continues every history with the true AR(1) law (its noise drawn from the same seeds), the floor
any generator can reach with this many samples; the best committed value of each measure. "wins" counts the
measures where the mean of gankit's runs is at least as good as the best committed row: marginal and ACF lower
or equal, R² when TRTR - TSTR is within 0.005 (the issue's criterion); "TSTR ≥ best" tells the stricter reading
(TRTR is the same data's, so TSTR compares directly). The oracle shows how much of each best row is luck: with
6,666 windows its mean TRTR - TSTR is 0.0007 / 0.0014 / 0.0018 (φ = 0.8 / 0.5 / 0.2, 20 noise seeds), above the
best rows' 0.0005 / 0.0003 / 0.0004. Runs one training at a time. Prints the CPU and one Markdown table; ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch

from gankit import api
from gankit.config import load_config
from gankit.data import Windowing, load_dataset
from gankit.data.series_synthetic import ar1_next
from gankit.evaluation import evaluate_source, series_scores

from machine import cpu_model

PHIS = (0.2, 0.5, 0.8)
PROTOCOL = ["data.seed=0", "data.stride=6", "data.holdout=0", "data.history=3", "data.future=3"]
QUIET = ["train.progress=false", "train.sample_every=1000000", "train.doctor=false"]
MEASURES = ("marginal_distance", "acf_lag1", "r2_tstr", "r2_trtr")
# The committed summary (C20 above): per φ, model -> (abs_metric, acf_id_lag=1, r2_tstr, r2_trtr).
COMMITTED = {
    0.8: {"GMMN": (0.00551, 0.01397, 0.63065, 0.64179), "RCGAN": (0.00489, 0.01055, 0.64042, 0.64179),
          "SigCGAN": (0.00702, 0.00296, 0.64126, 0.64179), "TimeGAN*": (0.01273, 0.00864, 0.63905, 0.64179)},
    0.5: {"GMMN": (0.00649, 0.00479, 0.26032, 0.26250), "RCGAN": (0.00646, 0.03780, 0.26220, 0.26250),
          "SigCGAN": (0.01010, 0.00192, 0.26147, 0.26250), "TimeGAN*": (0.02588, 0.04991, 0.25408, 0.26250)},
    0.2: {"GMMN": (0.00635, 0.01733, 0.05009, 0.05102), "RCGAN": (0.01332, 0.04078, 0.05063, 0.05102),
          "SigCGAN": (0.01186, 0.00678, 0.05019, 0.05102), "TimeGAN*": (0.02442, 0.00265, 0.04793, 0.05102)},
}


def best_committed(phi: float) -> dict[str, tuple[float, str]]:
    """The best committed value of each measure and the model that scored it."""
    rows = COMMITTED[phi]
    marginal = min(rows.items(), key=lambda kv: kv[1][0])
    acf = min(rows.items(), key=lambda kv: kv[1][1])
    tstr = max(rows.items(), key=lambda kv: kv[1][2])
    return {"marginal_distance": (marginal[1][0], marginal[0]), "acf_lag1": (acf[1][1], acf[0]),
            "r2_tstr": (tstr[1][2], tstr[0]), "r2_trtr": (tstr[1][3], "data")}


def train_and_score(phi: float, seed: int, args: argparse.Namespace, root: Path) -> dict:
    overrides = [f"data.name=ar1-{phi:g}", f"seed={seed}", f"loss={args.loss}", f"train.steps={args.steps}",
                 f"train.ckpt_every={args.steps}", f"train.threads={args.threads}", *PROTOCOL, *QUIET, *args.set]
    out = root / f"ar1-{phi:g}-seed{seed}"
    start = time.perf_counter()
    api.train(load_config("cgan-ar1", overrides), out)
    seconds = time.perf_counter() - start
    scores = evaluate_source(out, seed=0, log=None)
    return {"phi": phi, "seed": seed, "train_seconds": round(seconds, 1), "windows": scores["settings"]["n"],
            **{k: scores[k] for k in MEASURES}}


def oracle(phi: float, seed: int) -> dict:
    """Every history continued by the true AR(1) law in standardised units (`ar1_next`), noise from `seed`."""
    data = load_dataset(f"ar1-{phi:g}", seed=0, windowing=Windowing(3, 3, stride=6, holdout=0.0))
    mean, std = float(data.mean[0]), float(data.std[0])
    history = data.history.double()
    rng = torch.Generator().manual_seed(seed)
    last, steps = history[:, -1], []
    for _ in range(data.future.shape[1]):
        last = ar1_next(phi, mean, std, last, torch.randn(last.shape, generator=rng, dtype=torch.float64))
        steps.append(last)
    fake = torch.stack(steps, dim=1).float()
    return {"phi": phi, "seed": seed, **series_scores(data.history, data.future, fake)}


def _mean_sd(rows: list[dict], key: str, digits: int = 5) -> str:
    values = [r[key] for r in rows]
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def wins(rows: list[dict], phi: float) -> list[str]:
    best = best_committed(phi)
    mean = {k: statistics.mean(r[k] for r in rows) for k in MEASURES}
    won = []
    if mean["marginal_distance"] <= best["marginal_distance"][0]:
        won.append("marginal")
    if mean["acf_lag1"] <= best["acf_lag1"][0]:
        won.append("ACF")
    if mean["r2_trtr"] - mean["r2_tstr"] <= 0.005:  # the criterion for R²
        won.append("R²")
    return won


def tstr_at_least_best(rows: list[dict], phi: float) -> bool:
    """The stricter reading: mean TSTR at least the best committed TSTR (same data, so the same TRTR)."""
    return statistics.mean(r["r2_tstr"] for r in rows) >= best_committed(phi)["r2_tstr"][0]


def table(runs: list[dict], oracles: list[dict], args: argparse.Namespace) -> str:
    lines = ["| φ | rows | marginal ↓ | ACF lag-1 ↓ | R² TSTR ↑ | R² TRTR | TRTR − TSTR | wins | TSTR ≥ best |",
             "|---|---|---|---|---|---|---|---|---|"]
    for phi in sorted({r["phi"] for r in runs}, reverse=True):
        ours = [r for r in runs if r["phi"] == phi]
        best = best_committed(phi)
        gaps = [{"gap": r["r2_trtr"] - r["r2_tstr"]} for r in ours]
        extra = "".join(f", {o}" for o in args.set)
        lines.append(f"| {phi:g} | gankit `cgan-ar1` ({args.loss}, {args.steps} steps{extra}, {len(ours)} seeds) | "
                     + " | ".join(_mean_sd(ours, k) for k in MEASURES) + f" | {_mean_sd(gaps, 'gap')} | "
                     f"{', '.join(wins(ours, phi)) or 'none'} ({len(wins(ours, phi))}/3) | "
                     f"{'yes' if tstr_at_least_best(ours, phi) else 'no'} |")
        mine = [o for o in oracles if o["phi"] == phi]
        if mine:
            lines.append(f"| {phi:g} | oracle: the true AR(1) law ({len(mine)} seeds) | "
                         + " | ".join(_mean_sd(mine, k) for k in MEASURES[:3]) + f" | {mine[0]['r2_trtr']:.5f} | "
                         f"{_mean_sd(mine, 'r2_gap')} | | |")
        lines.append(f"| {phi:g} | best committed row (1 seed) | {best['marginal_distance'][0]:.5f} "
                     f"({best['marginal_distance'][1]}) | {best['acf_lag1'][0]:.5f} ({best['acf_lag1'][1]}) | "
                     f"{best['r2_tstr'][0]:.5f} ({best['r2_tstr'][1]}) | {best['r2_trtr'][0]:.5f} | "
                     f"{best['r2_trtr'][0] - best['r2_tstr'][0]:.5f} | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phis", nargs="+", type=float, default=list(PHIS), choices=list(PHIS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=None, help="generator steps (default: the recipe's)")
    parser.add_argument("--loss", default=None, help="the shared loss key (default: the recipe's)")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="more overrides of cgan-ar1")
    parser.add_argument("--threads", type=int, default=0, help="train.threads of every run (0: automatic)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the runs in this folder")
    args = parser.parse_args()
    recipe = load_config("cgan-ar1")
    args.steps = args.steps or recipe.train.steps
    args.loss = args.loss or recipe.loss
    print(f"CPU: {cpu_model()}; torch {torch.__version__}; {time.strftime('%Y-%m-%d', time.gmtime())}", flush=True)
    runs, oracles = [], []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for phi in args.phis:
            for seed in args.seeds:
                runs.append(train_and_score(phi, seed, args, root))
                oracles.append(oracle(phi, seed))
                print(json.dumps(runs[-1]), flush=True)
    print()
    print(table(runs, oracles, args))
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_model(), "loss": args.loss, "steps": args.steps,
                                         "overrides": args.set, "runs": runs, "oracles": oracles}, indent=1))


if __name__ == "__main__":
    main()
