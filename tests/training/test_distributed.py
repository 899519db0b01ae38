"""Data-parallel training under torchrun: ranks agree, and a step matches one process with the same global batch."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from gankit.api import load_data
from gankit.config import load_config
from gankit.games import DataSpec, build_game
from gankit.training.checkpoint import load_checkpoint, step_dir_name

WORKER = Path(__file__).with_name("ddp_worker.py")
STEPS = 15
# a checkpoint after every step, all kept: the comparison reads step 1, the end of training is step STEPS
# float32: the one-step comparison measures rounding, and bfloat16's is too coarse for it (its own test is below)
COMMON = ["optim.decay=none", "stab.top_k=1", "train.amp=false",
          f"train.steps={STEPS}", "train.log_every=5", "train.sample_every=100", "train.ckpt_every=1",
          f"train.keep={STEPS}", "train.progress=false"]
CASES = {
    # no batch norm: gradient averaging alone must reproduce the single-process step
    "mlp-ring": ["data.n_points=4000", "model.g_hidden=[64,64]", "model.d_hidden=[64,64]"],
    # batch norm synchronized across ranks (CrossRankBatchNorm on the CPU)
    "dcgan-syncbn": ["data.name=digits", "data.img_size=32", "data.limit=512", "model.arch=dcgan",
                     "model.z_dim=16", "model.g_width=8", "model.d_width=8"],
}
RTOL = 1e-3  # of the distance the step moved the weights; measured gaps are 1e-6..1e-5 on AVX-512, AVX2, default
FLIPS = 4  # weights allowed to step the other way (see the test's docstring)


def initial_weights(options: list[str]) -> dict[str, torch.Tensor]:
    """The weights both runs start from: the game built under the config's seed, as `api.train` builds it."""
    config = load_config("gan-ring", COMMON + options)
    torch.manual_seed(config.seed)
    game = build_game(config, DataSpec.of(load_data(config)))
    return {f"{n}.{k}": v for n in ("G", "D") for k, v in game.module(n).state_dict().items()}


def weights_after(run_dir: Path, step: int) -> dict[str, torch.Tensor]:
    """The networks' state in the run's checkpoint of `step`, keyed like `initial_weights`."""
    _, state = load_checkpoint(run_dir / "checkpoints" / step_dir_name(step))
    return {f"{n}.{k}": v for n in ("G", "D") for k, v in state["networks"][n].items()}


def run(tmp: Path, nproc: int, batch: int, options: list[str]) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    args = [f"train.batch_size={batch}"] + COMMON + options
    if nproc == 1:
        cmd = [sys.executable, str(WORKER), str(tmp)] + args
    else:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
               str(WORKER), str(tmp)] + args
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def flat(weights: dict[str, torch.Tensor], keys: list[str]) -> torch.Tensor:
    return torch.cat([weights[k].double().flatten() for k in keys])


@pytest.mark.parametrize("case", sorted(CASES))
def test_two_ranks_agree_and_match_one_process(tmp_path, case):
    """Two ranks with batch 16 each train as one process with batch 32 would, step for step.

    (a) After all STEPS steps the two ranks hold bit-identical weights and batch-norm statistics: every rank
    applies the same all-reduced gradient (with two ranks a + b = b + a exactly) to the same weights.

    (b) One training step (D, R1 and G phases) from identical weights moves the weights as the single process's
    step does: ||w_ddp − w_single|| ≤ RTOL · ||w_single − w0|| + FLIPS · 2 · lr, separately for G and D, on the
    step-1 checkpoints of two otherwise identical runs. Only the first step is compared: the two runs differ by
    rounding (the global batch is summed in another order, batch-norm moments come from all-reduced sums), and
    a GAN turns that into differences of the size of the steps within a few steps (a gap of 1e-5 of the step
    after one step, 1e-3 after two, 2% after three here; 8-20% after 15 depending on the CPU's kernel path),
    so a comparison after many steps tests the CPU's rounding, not the engine. After one step the gap is that
    rounding alone. Adam's first step is lr · g / (|g| + ε) per weight, about ±lr whatever |g|: a gradient
    within rounding of zero can take the opposite sign in the two runs and move its weight by 2·lr the other
    way, rare but possible on some CPU, hence the allowance of FLIPS such weights. Real faults are far
    outside: without synchronized batch norm the gap is 33-75% of the step, with each rank seeing the same
    data (a single process at batch 16) 60-130%. Batch-norm running statistics are compared the same way.
    """
    options = CASES[case]
    run(tmp_path / "ddp", nproc=2, batch=16, options=options)
    run(tmp_path / "single", nproc=1, batch=32, options=options)

    # (a) the ranks agree exactly at the end of training, and rank 0 alone wrote the run folder, to the end
    rank0 = load_file(str(tmp_path / "ddp" / "rank0.safetensors"))
    rank1 = load_file(str(tmp_path / "ddp" / "rank1.safetensors"))
    assert rank0.keys() == rank1.keys()
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), f"ranks disagree on {key} after {STEPS} steps"
    assert (tmp_path / "ddp" / "run" / "checkpoints" / step_dir_name(STEPS)).is_dir()
    final = weights_after(tmp_path / "ddp" / "run", STEPS)
    assert all(torch.equal(final[k], rank0[k]) for k in rank0), "rank 0's checkpoint is not what it holds"

    # (b) one step from identical weights
    config = load_config("gan-ring", COMMON + options)
    initial = initial_weights(options)
    ddp = weights_after(tmp_path / "ddp" / "run", 1)
    single = weights_after(tmp_path / "single" / "run", 1)
    assert ddp.keys() == single.keys() == initial.keys()
    for net, lr in (("G", config.optim.lr_g), ("D", config.optim.lr_d)):
        params = [k for k in single if k.startswith(f"{net}.") and single[k].dtype.is_floating_point
                  and "running_" not in k]
        w0, w_single, w_ddp = flat(initial, params), flat(single, params), flat(ddp, params)
        step = (w_single - w0).norm().item()
        gap = (w_ddp - w_single).norm().item()
        # Adam's first steps move each weight by about lr: a wrong w0 (hence a wrong scale) would show here
        assert 0.5 * lr * math.sqrt(w0.numel()) < step < 3 * lr * math.sqrt(w0.numel()), f"{net}: step {step:.3g}"
        bound = RTOL * step + FLIPS * 2 * lr
        assert gap <= bound, f"{net}: one DDP step and one single-process step differ by {gap:.3g} " \
                             f"(step {step:.3g}, allowed {bound:.3g})"
        running = [k for k in single if k.startswith(f"{net}.") and "running_" in k]
        if running:
            r0, r_single, r_ddp = flat(initial, running), flat(single, running), flat(ddp, running)
            moved, gap = (r_single - r0).norm().item(), (r_ddp - r_single).norm().item()
            assert moved > 0
            assert gap <= RTOL * moved, f"{net}: batch-norm statistics differ by {gap:.3g} (moved {moved:.3g})"


def test_two_ranks_agree_under_bfloat16(tmp_path):
    """Mixed precision with batch norm synchronized across ranks: the ranks train in bfloat16 autocast (the
    cross-rank statistics in float32) and end with bit-identical weights."""
    options = [o for o in CASES["dcgan-syncbn"]] + ["train.amp=true", "train.steps=4", "train.keep=4"]
    run(tmp_path / "ddp", nproc=2, batch=16, options=options)
    rank0 = load_file(str(tmp_path / "ddp" / "rank0.safetensors"))
    rank1 = load_file(str(tmp_path / "ddp" / "rank1.safetensors"))
    assert rank0.keys() == rank1.keys() and all(torch.equal(rank0[k], rank1[k]) for k in rank0)
    _, state = load_checkpoint(tmp_path / "ddp" / "run" / "checkpoints" / step_dir_name(4))
    assert state["precision"] == "bf16"
