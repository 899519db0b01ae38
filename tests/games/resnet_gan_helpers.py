"""Shared by the SAGAN and BigGAN tests: tiny settings on 8x8 digits upsampled to 16 px, and a digits classifier
that judges whether `gankit sample --label K` gives class K."""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.cli import main
from gankit.data import load_dataset
from gankit.metrics import classifier_accuracy, train_classifier


def tiny(family: str, width: int = 4) -> list[str]:
    """A SAGAN or BigGAN run on digits at 16 px (2 blocks, attention at 8 px), float32, no doctor."""
    return [f"game={family}", "data.name=digits", "data.img_size=16", "model.z_dim=60", f"{family}.g_width={width}",
            f"{family}.d_width={width}", f"{family}.attention=8", "loss=hinge", "train.batch_size=32",
            "train.progress=false", "train.sample_every=1000", "train.ckpt_every=1000", "train.log_every=50",
            "optim.beta1=0.0", "optim.beta2=0.9", "optim.decay=none", "train.doctor=false", "train.amp=false"]


def digits_judge() -> torch.nn.Module:
    """A small CNN trained here on the 1,797 digits at 16 px (it must fit them well to be a fair judge)."""
    data = load_dataset("digits", img_size=16)
    model = train_classifier(data.x, data.y, 10, epochs=8, seed=0)
    accuracy = classifier_accuracy(model, data.x, data.y)
    assert accuracy >= 0.95, f"the judge itself is too weak: {accuracy:.3f}"
    return model


def label_shares(run: Path, judge: torch.nn.Module, out: Path, extra: tuple[str, ...] = ()) -> list[float]:
    """For each class K, the share of 100 `gankit sample RUN --label K` images that the judge puts in class K."""
    shares = []
    for k in range(10):
        folder = out / f"label{k}"
        assert main(["sample", str(run), "-n", "100", "--label", str(k), "--seed", "1", "--out", str(folder),
                     *extra]) == 0
        images = load_dataset("folder", str(folder), channels=1)
        assert images.x.shape == (100, 1, 16, 16)
        with torch.inference_mode():
            shares.append((judge.eval()(images.x).argmax(1) == k).float().mean().item())
    return shares
