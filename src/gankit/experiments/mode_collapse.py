"""Experiment ``mode-collapse``: which remedies keep a GAN on all the modes of a 2-D mixture, measured with the
VEEGAN/PacGAN protocol (Srivastava et al. 2017 §5.1; Lin et al. 2018 §4.1) and shown beside their tables.

Every remedy is one config switch on the same plain GAN (an MLP G and D with the non-saturating loss), so
the rows differ in that switch only; the last two rows train the built-in recipe (``gan-ring`` /
``gan-grid``), which combines the remedies that measured best: one row scores its raw generator, the other
samples it as the recipe samples (``sample.jacobian_rejection``; the row judged against the published
tables). Each run is scored on 2,500 samples with `gankit.metrics.mode_coverage`: modes covered, share of
high-quality samples (within 3 std of the nearest mode) and the reverse KL of the high-quality mode histogram
against uniform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gankit.experiments.common import ExperimentResult, format_mean_std, markdown_table, mean_std, train_run
from gankit.experiments.published import DATA_SPEC_NOTE, PUBLISHED, best_published
from gankit.previews import atomic_save_figure, pyplot

NUM_SAMPLES = 2500  # the protocol of both papers
MIXTURES = ("ring", "grid")

# The plain GAN every remedy is added to: the untuned MLP recipes (explicit, so tuning the built-in recipes
# does not move the baseline).
PLAIN: dict[str, dict[str, Any]] = {
    "ring": {
        "data": {"name": "ring", "n_points": 50_000},
        "model": {"arch": "mlp", "z_dim": 2, "g_hidden": [128, 128, 128], "d_hidden": [128, 128, 128]},
        "loss": "nonsaturating",
        "train": {"steps": 2000, "batch_size": 256, "log_every": 100},
        "optim": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999},
    },
    "grid": {
        "data": {"name": "grid", "n_points": 100_000},
        "model": {"arch": "mlp", "z_dim": 2, "g_hidden": [256, 256, 256], "d_hidden": [256, 256, 256]},
        "loss": "nonsaturating",
        "train": {"steps": 4000, "batch_size": 256, "log_every": 100},
        "optim": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999},
    },
}
RECIPES = {"ring": "gan-ring", "grid": "gan-grid"}


@dataclass(frozen=True)
class Variant:
    """One row: a remedy as config overrides on the plain GAN (or, with `recipe`, a built-in recipe as is)."""

    key: str
    label: str
    overrides: tuple[str, ...] = ()
    paper: str = ""
    recipe: bool = False


VARIANTS: tuple[Variant, ...] = (
    Variant("plain", "plain GAN (non-saturating)", (), "Goodfellow et al. 2014"),
    Variant("unrolled", "unrolled GAN, 5 steps", ("stab.unrolled_steps=5",), "Metz et al. 2017"),
    Variant("wgan-gp", "WGAN-GP (5 critic steps, lr 1e-4, β=(0.5, 0.9))",
            ("loss=wgan-gp", "train.d_steps=5", "optim.lr_g=1e-4", "optim.lr_d=1e-4", "optim.beta2=0.9"),
            "Gulrajani et al. 2017"),
    Variant("pack2", "PacGAN2", ("stab.pack=2",), "Lin et al. 2018"),
    Variant("pack4", "PacGAN4", ("stab.pack=4",), "Lin et al. 2018"),
    Variant("mbd", "minibatch discrimination (8 kernels)", ("stab.minibatch_discrimination=8",),
            "Salimans et al. 2016"),
    Variant("mbstd", "minibatch stddev", ("stab.minibatch_stddev=true",), "Karras et al. 2018"),
    Variant("sn", "spectral norm on D", ("model.spectral_norm=true",), "Miyato et al. 2018"),
    Variant("r1", "R1 penalty, γ = 0.1", ("reg.r1_gamma=0.1",), "Mescheder et al. 2018"),
    Variant("ema", "generator EMA, β = 0.99", ("train.ema=0.99",), "Yazıcı et al. 2019"),
    Variant("smooth", "one-sided label smoothing 0.9", ("stab.real_label=0.9",), "Salimans et al. 2016"),
    Variant("noise", "instance noise σ 0.1 → 0", ("stab.instance_noise=0.1",), "Sønderby et al. 2017"),
    Variant("hinge", "hinge loss", ("loss=hinge",), "Lim & Ye 2017; Miyato et al. 2018"),
    Variant("topk", "top-k training, ν = 0.5", ("stab.top_k=0.5",), "Sinha et al. 2020"),
    Variant("recipe-raw", "tuned built-in recipe, raw generator (no Jacobian rejection)",
            ("sample.jacobian_rejection=0",), "this benchmark", recipe=True),
    Variant("recipe", "tuned built-in recipe", (), "this benchmark", recipe=True),
)
VERDICT_VARIANT = "recipe"  # the row judged against the published tables: the built-in recipe as it samples
QUICK_VARIANTS = ("plain", "recipe")
QUICK_STEPS = 400


@dataclass(frozen=True)
class Job:
    """One training run of the experiment."""

    variant: Variant
    mixture: str
    seed: int
    quick: bool = False

    @property
    def name(self) -> str:
        return f"{self.variant.key}-{self.mixture}-seed{self.seed}"

    def recipe_and_overrides(self) -> tuple[Any, list[str]]:
        """What to pass to `api.train`: a recipe name or the plain config, and the overrides."""
        from gankit.config import config_from_dict

        overrides = [f"seed={self.seed}", *self.variant.overrides]
        if self.quick:
            overrides.append(f"train.steps={QUICK_STEPS}")
        if self.variant.recipe:
            return RECIPES[self.mixture], overrides
        values = {**PLAIN[self.mixture], "name": f"{self.mixture}-{self.variant.key}"}
        return config_from_dict(values), overrides

    def settings(self) -> dict[str, Any]:
        """The full training config of this run (as a dict), to tell a stored result from a stale one."""
        from gankit.api import resolve_config

        recipe, overrides = self.recipe_and_overrides()
        return resolve_config(recipe, overrides).to_dict()


def plan(seeds: int, quick: bool = False, variants: tuple[str, ...] | None = None,
         mixtures: tuple[str, ...] | None = None) -> list[Job]:
    """The runs of the experiment: every variant × mixture × seed (quick: plain and recipe on the ring)."""
    chosen = variants or (QUICK_VARIANTS if quick else tuple(v.key for v in VARIANTS))
    mixtures = mixtures or (("ring",) if quick else MIXTURES)
    by_key = {v.key: v for v in VARIANTS}
    return [Job(by_key[key], mixture, seed, quick) for mixture in mixtures for key in chosen for seed in range(seeds)]


def run_job(job: Job, workdir: Path, keep_points: int = 1000) -> dict[str, Any]:
    """Train one run, sample 2,500 points and score them; the record keeps a few points for the plot."""
    from gankit import api
    from gankit.data import load_dataset
    from gankit.metrics import mode_coverage

    recipe, overrides = job.recipe_and_overrides()
    run = train_run(recipe, Path(workdir) / job.name, overrides)
    reference = load_dataset(job.mixture, n_points=16)
    points = api.sample(run.run_dir, n=NUM_SAMPLES, seed=100_000 + job.seed)
    scores = mode_coverage(points, reference.modes, reference.mode_std)
    return {
        "variant": job.variant.key, "mixture": job.mixture, "seed": job.seed,
        "modes": scores["modes_covered"], "high_quality": scores["high_quality_fraction"],
        "reverse_kl": scores["reverse_kl"], "histogram": scores["histogram"],
        "wall_seconds": run.wall_seconds, "cpu_seconds": run.cpu_seconds,
        "points": points[:keep_points].tolist() if job.seed == 0 else None,
    }


@dataclass
class Summary:
    """Mean and std over seeds of each measure for one variant on one mixture."""

    variant: Variant
    mixture: str
    records: list[dict[str, Any]] = field(default_factory=list)

    def values(self, key: str) -> list[float]:
        """The measure `key` of every seed; NaN where a record lacks it (e.g. wall time of an imported run)."""
        return [float("nan") if r.get(key) is None else float(r[key]) for r in self.records]

    def mean(self, key: str) -> float:
        return mean_std(self.values(key))[0]


def _ours_rows(summaries: list[Summary], seeds: int) -> list[list[str]]:
    """One table row per variant; a row measured over another number of seeds than `seeds` says how many."""
    rows = []
    for s in summaries:
        count = len(s.records)
        label = s.variant.label + ("" if count == seeds else f" ({count} seed{'s' if count > 1 else ''})")
        rows.append([f"gankit: {label}", format_mean_std(s.values("modes"), 1),
                     format_mean_std(s.values("high_quality"), 1, scale=100, suffix="%"),
                     format_mean_std(s.values("reverse_kl"), 3), format_mean_std(s.values("cpu_seconds"), 0),
                     s.variant.paper])
    return rows


def _published_rows(mixture: str) -> list[list[str]]:
    return [[f"{row.method} (published)", f"{row.modes:g}", f"{row.high_quality:g}%",
             "–" if row.reverse_kl is None else f"{row.reverse_kl:.2f}", "", f"{row.source}; {row.status}"]
            for row in PUBLISHED[mixture]]


def beats_published(summary: Summary) -> dict[str, Any]:
    """Does a variant beat every published row at once (modes ≥ best, HQ > best, KL < best)? And which it misses."""
    best = best_published(summary.mixture)
    modes, hq, kl = summary.mean("modes"), 100 * summary.mean("high_quality"), summary.mean("reverse_kl")
    misses = [f"{row.method} ({row.source.split(' ')[0]})" for row in PUBLISHED[summary.mixture]
              if not (modes >= row.modes and hq > row.high_quality
                      and (row.reverse_kl is None or (math.isfinite(kl) and kl < row.reverse_kl)))]
    return {"modes": modes, "high_quality": hq, "reverse_kl": kl, "best_published": best, "misses": misses,
            "beats_all": not misses}


def summarize(records: list[dict[str, Any]], seeds: int, quick: bool) -> ExperimentResult:
    """Tables (ours, then published) per mixture, the verdict for the tuned recipe and the scatter plot."""
    by_key = {v.key: v for v in VARIANTS}
    order = [v.key for v in VARIANTS]
    summaries: dict[str, list[Summary]] = {}
    for record in records:
        group = summaries.setdefault(record["mixture"], [])
        match = next((s for s in group if s.variant.key == record["variant"]), None)
        if match is None:
            match = Summary(by_key[record["variant"]], record["mixture"])
            group.append(match)
        match.records.append(record)
    for group in summaries.values():
        group.sort(key=lambda s: order.index(s.variant.key))
    header = ["method", "modes covered", "high-quality samples", "reverse KL", "CPU s / run", "source"]
    parts = ["## mode-collapse: remedies on the ring and the grid (VEEGAN/PacGAN protocol)", "",
             f"Mean ± std over {seeds} seed(s); 2,500 samples per run{' (QUICK mode: ' + str(QUICK_STEPS) + ' steps)' if quick else ''}.",
             "Each gankit row is the plain GAN plus one switch (its config key in docs/stability.md); the last two "
             "gankit rows are the tuned built-in recipe: its raw generator, then sampled as the recipe samples "
             "(`sample.jacobian_rejection`, the bridges between modes rejected).", "", DATA_SPEC_NOTE, ""]
    verdicts = {}
    for mixture, group in summaries.items():
        num_modes = 8 if mixture == "ring" else 25
        parts += [f"### {mixture} ({num_modes} modes)", "",
                  markdown_table(header, _ours_rows(group, seeds) + _published_rows(mixture)), ""]
        recipe = next((s for s in group if s.variant.key == VERDICT_VARIANT), None)
        if recipe is not None:
            verdict = beats_published(recipe)
            verdicts[mixture] = verdict
            text = ("beats every published row on all three measures at once" if verdict["beats_all"]
                    else "does not beat: " + ", ".join(verdict["misses"]))
            parts += [f"Tuned `{RECIPES[mixture]}` ({verdict['modes']:.1f} modes, {verdict['high_quality']:.1f}% HQ, "
                      f"KL {verdict['reverse_kl']:.3f}) {text}.", ""]
    plain_vs_recipe = []
    for mixture, group in summaries.items():
        plain = next((s for s in group if s.variant.key == "plain"), None)
        recipe = next((s for s in group if s.variant.key == VERDICT_VARIANT), None)
        if plain and recipe:
            plain_vs_recipe.append(recipe.mean("high_quality") > plain.mean("high_quality"))
    claim = all(plain_vs_recipe) if plain_vs_recipe else None
    data = {
        "seeds": seeds, "quick": quick, "num_samples": NUM_SAMPLES,
        "records": [{k: v for k, v in r.items() if k != "points"} for r in records],
        "summary": {m: {s.variant.key: {k: mean_std(s.values(k)) for k in ("modes", "high_quality", "reverse_kl",
                                                                              "cpu_seconds", "wall_seconds")}
                        for s in group} for m, group in summaries.items()},
        "verdicts": verdicts,
        "published": {m: [row.__dict__ for row in rows] for m, rows in PUBLISHED.items()},
    }

    def plot(path: Path) -> None:
        from gankit.data import load_dataset

        plt = pyplot()
        mixtures = list(summaries)
        columns = max(len(g) for g in summaries.values())
        fig, axes = plt.subplots(len(mixtures), columns, figsize=(2.3 * columns, 2.5 * len(mixtures)),
                                 squeeze=False)
        for row, mixture in enumerate(mixtures):
            modes = load_dataset(mixture, n_points=16).modes.numpy()
            limit = 1.6 if mixture == "ring" else 5.5
            for col in range(columns):
                ax = axes[row, col]
                ax.set_xticks([])
                ax.set_yticks([])
                if col >= len(summaries[mixture]):
                    ax.axis("off")
                    continue
                s = summaries[mixture][col]
                seed0 = next((r for r in s.records if r["points"] is not None), None)
                if seed0 is not None:
                    pts = np.asarray(seed0["points"])
                    ax.scatter(pts[:, 0], pts[:, 1], s=1, alpha=0.4, color="tab:blue", rasterized=True)
                ax.scatter(modes[:, 0], modes[:, 1], s=8, marker="x", color="tab:red", linewidths=0.8)
                ax.set_xlim(-limit, limit)
                ax.set_ylim(-limit, limit)
                ax.set_aspect("equal")
                ax.set_title(f"{s.variant.key}\n{s.mean('modes'):.1f} modes, {100 * s.mean('high_quality'):.1f}% HQ,"
                             f" KL {s.mean('reverse_kl'):.2f}", fontsize=7)
        fig.suptitle("samples of seed 0 (blue) and mode centres (red)", fontsize=9)
        fig.tight_layout()
        atomic_save_figure(fig, path)
        plt.close(fig)

    markdown = "\n".join(parts).rstrip() + "\n"
    return ExperimentResult("mode-collapse", markdown, data, plot, claim_holds=claim)


def run(workdir: Path, seeds: int, quick: bool) -> ExperimentResult:
    """Every job in turn (the benchmark script runs them in parallel processes instead)."""
    records = [run_job(job, workdir) for job in plan(seeds, quick)]
    return summarize(records, seeds, quick)
