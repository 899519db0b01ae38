"""Experiment ``loss-gradients``: the minimax generator loss saturates when D is confident; the
non-saturating one does not (Goodfellow et al. 2014, "Generative Adversarial Nets", §3).

Early in training G is poor and D rejects its samples confidently, D(G(z)) → 0. With logit l = D's raw
output on a fake and D(G(z)) = σ(l), the two generator losses differ in their slope with respect to l:

    minimax (saturating)  L_G = E[log(1 − σ(l))]   ∂L_G/∂l = −σ(l)       → 0 as D(G(z)) → 0
    non-saturating        L_G = −E[log σ(l)]       ∂L_G/∂l = −(1 − σ(l)) → −1

so by the chain rule ‖∇_θG L_G‖ of the minimax loss is about D(G(z)) / (1 − D(G(z))) times that of the
non-saturating loss: orders of magnitude smaller once D is confident.

Protocol: build the networks of a game (`gankit.games.build_game`), keep G fixed at its initialisation and
train D alone (Adam, non-saturating D loss) for a few hundred steps; at log-spaced steps measure, on one
fixed batch of latent vectors, mean D(G(z)) and the norm of the gradient of each generator loss with respect
to all of G's parameters. Two data sets: the ring of 8 Gaussians (MLP) and the 8x8 digits (MLP).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.experiments.common import ExperimentResult, format_mean_std, markdown_table
from gankit.previews import atomic_save_figure, pyplot

# The networks: explicit here so that retuning a built-in recipe does not move this experiment.
SETUPS: dict[str, dict[str, Any]] = {
    "ring": {"data": {"name": "ring", "n_points": 10_000},
             "model": {"arch": "mlp", "z_dim": 2, "g_hidden": [128, 128, 128], "d_hidden": [128, 128, 128]}},
    "digits": {"data": {"name": "digits"},
               "model": {"arch": "mlp", "z_dim": 32, "g_hidden": [128, 256], "d_hidden": [256, 128]}},
}


@dataclass(frozen=True)
class Settings:
    d_steps: int = 300
    batch_size: int = 128
    eval_batch: int = 1024
    lr_d: float = 1e-3
    datasets: tuple[str, ...] = ("ring", "digits")


FULL = Settings()
QUICK = Settings(d_steps=100, datasets=("ring",))


def _measure_steps(total: int) -> list[int]:
    """0, then roughly log-spaced steps up to `total` (inclusive)."""
    steps = {0, total} | {int(round(v)) for v in np.geomspace(1, total, num=14)}
    return sorted(s for s in steps if 0 <= s <= total)


def generator_gradient_norms(game, fake_z: torch.Tensor) -> dict[str, float]:
    """Mean D(G(z)) and ‖∇_θG L_G‖₂ over all of G's parameters for the minimax and non-saturating losses."""
    from gankit import losses

    G, D = game.module("G"), game.module("D")
    params = [p for p in G.parameters()]
    logits = D(game.generate(G, fake_z))
    out: dict[str, float] = {"d_fake": float(torch.sigmoid(logits.detach()).mean())}
    for name, g_loss in (("minimax", losses.minimax_g), ("nonsaturating", losses.nonsaturating_g)):
        grads = torch.autograd.grad(g_loss(logits), params, retain_graph=True)
        out[name] = float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
    return out


def run_seed(dataset_name: str, seed: int, settings: Settings) -> list[dict[str, float]]:
    """Train D alone against G at its initialisation; the gradient norms at the measuring steps."""
    from gankit import losses
    from gankit.config import config_from_dict
    from gankit.data import load_dataset
    from gankit.games import DataSpec, build_game

    setup = SETUPS[dataset_name]
    config = config_from_dict({**setup, "seed": seed, "loss": "nonsaturating"})
    data = load_dataset(config.data.name, n_points=config.data.n_points, seed=seed)
    torch.manual_seed(seed)
    game = build_game(config, DataSpec.of(data))
    G, D = game.module("G"), game.module("D")
    G.requires_grad_(True)
    noise = torch.Generator().manual_seed(10_000 + seed)
    z_dim = config.model.z_dim
    eval_z = torch.randn(settings.eval_batch, z_dim, generator=noise)
    optimizer = torch.optim.Adam(D.parameters(), lr=settings.lr_d, betas=(0.5, 0.999))
    measure_at = set(_measure_steps(settings.d_steps))
    records = []
    for step in range(settings.d_steps + 1):
        if step in measure_at:
            records.append({"step": step, **generator_gradient_norms(game, eval_z)})
        if step == settings.d_steps:
            break
        index = torch.randint(len(data), (settings.batch_size,), generator=noise)
        with torch.no_grad():
            fake = game.generate(G, torch.randn(settings.batch_size, z_dim, generator=noise))
        loss = losses.nonsaturating_d(D(data.x[index]), D(fake))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return records


def run(workdir: Path, seeds: int, quick: bool) -> ExperimentResult:
    """Every data set × seed; the table compares the two gradient norms at the start and at the end."""
    settings = QUICK if quick else FULL
    curves = {name: [run_seed(name, seed, settings) for seed in range(seeds)] for name in settings.datasets}
    rows, claim = [], True
    for name, per_seed in curves.items():
        for where, index in (("untrained D", 0), (f"D after {settings.d_steps} steps", -1)):
            d_fake = [c[index]["d_fake"] for c in per_seed]
            mm = [c[index]["minimax"] for c in per_seed]
            ns = [c[index]["nonsaturating"] for c in per_seed]
            ratio = [n / m if m > 0 else float("inf") for n, m in zip(ns, mm)]
            expected = [(1 - d) / d for d in d_fake]
            rows.append([name, where, format_mean_std(d_fake, 2, style="e"), format_mean_std(mm, 2, style="e"),
                         format_mean_std(ns, 2, style="e"), format_mean_std(ratio, 2, style="e"),
                         format_mean_std(expected, 2, style="e")])
            if index == -1:
                claim = claim and all(m < n for m, n in zip(mm, ns))
    table = markdown_table(["data", "discriminator", "mean D(G(z))", "‖∇θG L_G‖ minimax", "‖∇θG L_G‖ non-saturating",
                            "ratio NS / minimax", "(1 − D(G(z))) / D(G(z))"], rows)
    markdown = "\n".join([
        "## loss-gradients: the minimax generator loss saturates (Goodfellow et al. 2014, §3)",
        "",
        f"G is held at its initialisation while D alone trains {settings.d_steps} steps (Adam, lr {settings.lr_d}, "
        f"batch {settings.batch_size}); the gradient of each generator loss with respect to all of G's parameters "
        f"is measured on {settings.eval_batch} fixed latent vectors. Mean ± std over {seeds} seed(s).",
        "",
        table,
        "",
        "Expected from the slopes ∂L_G/∂logit (−D(G(z)) for minimax, −(1 − D(G(z))) for non-saturating): a ratio of "
        "about (1 − D(G(z))) / D(G(z)) (last column, from the mean D(G(z)); exact only when every sample has the same "
        "D(G(z))).",
        f"Claim (minimax gradient < non-saturating gradient once D is trained, every seed): "
        f"{'holds' if claim else 'does NOT hold'}.",
    ])
    data = {"settings": settings.__dict__, "curves": curves}

    def plot(path: Path) -> None:
        plt = pyplot()
        fig, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 4), squeeze=False)
        for ax, (name, per_seed) in zip(axes[0], curves.items()):
            for seed, records in enumerate(per_seed):
                x = [r["d_fake"] for r in records]
                kw = {"label": None} if seed else {}
                ax.plot(x, [r["minimax"] for r in records], "o-", color="tab:red", ms=3, lw=1,
                        **(kw or {"label": "minimax (saturating)"}))
                ax.plot(x, [r["nonsaturating"] for r in records], "s--", color="tab:blue", ms=3, lw=1,
                        **(kw or {"label": "non-saturating"}))
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.invert_xaxis()
            ax.set_xlabel("mean D(G(z))  (D more confident →)")
            ax.set_ylabel("‖∇θG L_G‖")
            ax.set_title(f"{name}: G fixed, D trained alone ({len(per_seed)} seeds)")
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=8)
        fig.tight_layout()
        atomic_save_figure(fig, path)
        plt.close(fig)

    return ExperimentResult("loss-gradients", markdown, data, plot, claim_holds=claim)
