"""Evaluating a series run: the SigCWGAN benchmark's test metrics (Ni et al. 2020, arXiv:2006.05421, §5).

``gankit eval RUN`` on a run of a series game takes the evaluation windows of its data (the held-out ones; with
``data.holdout = 0`` all training windows, in-sample, as the benchmark's committed results), continues every
window's history with the run's generator once (q steps, noise from ``seed``), and reports with
:mod:`gankit.metrics.series`:

- ``marginal``: ``marginal_distance`` between all real window values (past and future) and the generated steps;
- ``acf``: ``acf_lag1`` = |ρ_fake(1) - ρ_real(1)|, the real windows' p + q steps against the q generated ones;
- ``r2``: ``r2_tstr`` (least squares of the first generated step on the history, scored on the real first
  future step), ``r2_trtr`` (the same fitted on the real step) and ``r2_gap`` = trtr - tstr;
- ``facts`` (the default for real series: sp500, nasdaq, series-csv): the stylized facts of QuantGAN
  (`gankit.metrics.stylized`: ``emd_1``, ``emd_5``, ``emd_20``, ``emd_100``, ``acf_r``, ``acf_abs``, ``acf_sq``,
  ``leverage``, kurtosis) of ``--n`` paths (default 100) as long as the whole series, each continued
  autoregressively from the series' first p values and mapped back to log returns, against the real log returns;
- ``discriminative``, ``predictive`` (the default for TimeGAN runs): TimeGAN's post-hoc scores
  (`gankit.metrics.timegan`) of generated windows against the evaluation windows (``--n`` of them drawn at
  random), with ``predictive_real``, the predictive score of a predictor trained on the real windows themselves
  (the floor the synthetic one is read against).

With ``plot`` (``gankit eval RUN --plot FILE.png``) the same paths are drawn against the real series
(`gankit.evaluation.series_plot`): cumulative returns, the return density, the ACFs of r and |r|, the leverage.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from gankit.data import SeriesDataset
from gankit.errors import ConfigError
from gankit.evaluation.defaults import EVAL_DEFAULTS
from gankit.evaluation.series_plot import check_plot_path, save_facts_figure
from gankit.metrics.series import acf_distance, marginal_distance, r2_trtr, r2_tstr
from gankit.metrics.stylized import stylized_facts
from gankit.metrics.timegan import discriminative_score, predictive_score
from gankit.sampling import load_generator
from gankit.sampling.loading import run_data_kind
from gankit.sampling.series import reads_history, sample_paths
from gankit.training.setup import load_data

SERIES_METRICS = ("marginal", "acf", "r2", "facts", "discriminative", "predictive")
POST_HOC = ("discriminative", "predictive")  # TimeGAN's scores, by default for the games that ask for them
FACT_PATHS = 100  # generated paths the stylized facts of `gankit eval` average over (--n)


def is_series_run(source: str | Path) -> bool:
    """Whether `source` is a run or checkpoint folder trained on series data (read from its data spec)."""
    return run_data_kind(source) == "series"


def series_scores(history: torch.Tensor, future: torch.Tensor, fake: torch.Tensor,
                  metrics: Sequence[str] = SERIES_METRICS) -> dict[str, float]:
    """The metrics of generated futures ``fake`` ``(N, q, d)`` for real windows (history ``(N, p, d)``, future
    ``(N, q, d)``): the module docstring's definitions (also what benchmarks score oracles and baselines by)."""
    real = torch.cat([history, future], dim=1)
    out: dict[str, float] = {}
    if "marginal" in metrics:
        out["marginal_distance"] = marginal_distance(real, fake)
    if "acf" in metrics:
        out["acf_lag1"] = acf_distance(real, fake, max_lag=1)
    if "r2" in metrics:
        tstr, trtr = r2_tstr(history, fake[:, 0], future[:, 0]), r2_trtr(history, future[:, 0])
        out.update(r2_tstr=tstr, r2_trtr=trtr, r2_gap=trtr - tstr)
    return out


def generated_returns(loaded: Any, data: SeriesDataset, n: int, seed: int = 0, length: int | None = None,
                      ) -> torch.Tensor:
    """``n`` paths of log returns ``(n, length)`` float64 (default: as long as the series), each continued by the
    run's generator from the series' first p values (drawn from noise alone by a game that reads no history),
    mapped back by the data's pipeline."""
    history = data.values[: data.windowing[0]] if reads_history(loaded.game) else None
    fake = sample_paths(loaded, n, length or len(data.values), history=history, seed=seed)
    return data.inverse_transform(fake)[..., 0]


def series_facts(loaded: Any, data: SeriesDataset, n: int = FACT_PATHS, seed: int = 0,
                 plot: str | Path | None = None) -> dict[str, float]:
    """QuantGAN's stylized-fact scores (`gankit.metrics.stylized.stylized_facts`) of ``n`` generated paths as
    long as the series, against the series' own log returns; with ``plot``, their figure into that PNG."""
    real = data.inverse_transform(data.values)[:, 0].numpy()
    fake = generated_returns(loaded, data, n, seed).numpy()
    if plot is not None:
        save_facts_figure(real, fake, plot, title=f"{data.name}: real against {len(fake)} generated paths "
                          f"(step {loaded.step})")
    return stylized_facts(real, fake)


def post_hoc_scores(loaded: Any, data: SeriesDataset, chosen: Sequence[str], n: int | None,
                    seed: int = 0) -> dict[str, float]:
    """TimeGAN's discriminative and predictive scores (`gankit.metrics.timegan`) of as many generated windows as
    there are evaluation windows (at most ``n``, drawn at random by ``seed`` from all of them, as the paper's
    shuffled windows: the first n overlapping windows would cover only the start of the series), drawn from noise
    (or continued from the windows' histories by a game that reads one), against those windows joined."""
    history, future = data.eval_windows()
    count = min(n or len(history), len(history))
    picked = torch.randperm(len(history), generator=torch.Generator().manual_seed(seed))[:count]
    history, future = history[picked], future[picked]
    real = torch.cat([history, future], dim=1)
    if not reads_history(loaded.game):
        fake = sample_paths(loaded, count, real.shape[1], seed=seed)
    else:
        fake = torch.cat([history, sample_paths(loaded, count, future.shape[1], history=history, seed=seed)], dim=1)
    out = {}
    if "discriminative" in chosen:
        out["discriminative"] = discriminative_score(real, fake, seed=seed)
    if "predictive" in chosen:
        out["predictive"] = predictive_score(real, fake, seed=seed)
        out["predictive_real"] = predictive_score(real, real, seed=seed)  # train on real, test on real: the floor
    return out


def evaluate_series(run: str | Path, *, metrics: Sequence[str] | None, n: int | None, seed: int,
                    device: torch.device, cache: Path, say: Callable[[str], None] = lambda message: None,
                    plot: str | Path | None = None) -> dict[str, Any]:
    """The metrics of a series run (module docstring): the flat dict + ``settings`` of
    `gankit.evaluation.evaluate_source`, which calls this for series runs."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n <= 0):
        raise ConfigError(f"--n must be a positive integer, got {n!r}")
    chosen = tuple(metrics) if metrics is not None else tuple(EVAL_DEFAULTS["metrics_series"])  # type: ignore[arg-type]
    for name in chosen:
        if name not in SERIES_METRICS:
            raise ConfigError(f"metric {name!r} does not apply to a series run; choose from {','.join(SERIES_METRICS)}")
    if plot is not None:
        check_plot_path(plot)
    loaded = load_generator(run, device)
    data = load_data(copy.deepcopy(loaded.config))
    if not isinstance(data, SeriesDataset):
        raise ConfigError(f"{run} was trained on data that is not a series")
    if metrics is None and data.pipeline is not None:
        chosen = chosen + ("facts",)
    if metrics is None and getattr(loaded.game, "post_hoc_scores", False):
        chosen = chosen + POST_HOC
    if ("facts" in chosen or plot is not None) and data.pipeline is None:
        what = "metric 'facts'" if "facts" in chosen else "--plot"
        raise ConfigError(f"{what} needs a real series of returns (sp500, nasdaq, series-csv), not '{data.name}'")
    if plot is not None and "facts" not in chosen:
        raise ConfigError("--plot draws the paths of metric 'facts': add it to --metrics")
    result: dict[str, Any] = {}
    if "facts" in chosen:
        say(f"stylized facts of {n or FACT_PATHS} paths of {len(data.values)} steps")
        result.update(series_facts(loaded, data, n or FACT_PATHS, seed, plot=plot))
        chosen = tuple(name for name in chosen if name != "facts")
    if any(name in POST_HOC for name in chosen):
        say("TimeGAN's discriminative and predictive scores (post-hoc GRUs)")
        result.update(post_hoc_scores(loaded, data, chosen, n, seed))
        chosen = tuple(name for name in chosen if name not in POST_HOC)
    history, future = data.eval_windows()
    count = min(n or len(history), len(history))
    history, future = history[:count].to(device), future[:count].to(device)
    skipped: list[str] = []
    coefficients = history.shape[1] * history.shape[2] + 1  # the least squares of r2: p·d weights + intercept
    if "r2" in chosen and count <= coefficients:
        why = (f"r2: its least squares has {coefficients} coefficients (p·d + 1), so {count} windows fit any "
               "target exactly; give --n above that")
        if metrics is not None and "r2" in metrics:
            raise ConfigError(f"metric {why}")
        skipped.append(why)
        chosen = tuple(name for name in chosen if name != "r2")
    rng = torch.Generator(device=device).manual_seed(seed)
    with torch.no_grad():
        fake = loaded.game.rollout(loaded.module, history, future.shape[1], rng=rng).float()
    result.update(series_scores(history.cpu(), future.cpu(), fake.cpu(), chosen))
    split = "train, in-sample" if data.in_sample else "held-out"
    result["settings"] = {
        "source": str(run), "source_kind": "series", "checkpoint": str(loaded.checkpoint), "step": loaded.step,
        "n_fake": count, "n": count, "seed": seed,
        "ref": {"dataset": data.name, "split": split, "n": count, "identity": f"{data.name} {split} windows",
                "shape": list(data.sample_shape)},
        "extractor": None, "extractor_id": "none", "classifier": None, "precision": "fp32", "skipped": skipped,
        "cache_dir": str(cache), "plot": None if plot is None else str(plot),
    }
    return result
