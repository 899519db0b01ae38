"""Small real unpaired tasks for the CycleGAN tests: sneaker2boot at 16 px (a few hundred of each domain), and
8x8 digits 1 <-> 7 registered once as dataset ``test-digits-unpaired`` (its domain classifier trains in seconds)."""

from __future__ import annotations

from gankit.data import UnpairedDataset, load_dataset, register_dataset
from gankit.data.registry import dataset_names

# a tiny, fast CycleGAN on 16-px sneakers and boots (ResNet G 8 wide with 2 blocks, 16-px PatchGANs)
TINY_CYCLE = ["game=cyclegan", "data.name=sneaker2boot", "data.img_size=16", "data.limit=384", "loss=least-squares",
              "name=cg", "train.batch_size=8", "train.log_every=10", "train.sample_every=1000", "train.ckpt_every=1000",
              "train.progress=false", "cycle.g_width=8", "cycle.n_blocks=2", "cycle.d_width=8", "cycle.d_layers=1",
              "cycle.lambda_gan=2", "eval.every=0"]

DIGITS_NAME = "test-digits-unpaired"


def _load_digits(request) -> UnpairedDataset:
    """Digits 1 (domain a) and 7 (domain b): the first 150 of each for training, the rest held out."""
    digits = load_dataset("digits")
    ones, sevens = digits.x[digits.y == 1], digits.x[digits.y == 7]
    return UnpairedDataset(ones[:150], sevens[:150], ones[150:], sevens[150:], name=DIGITS_NAME,
                           domain_names=("one", "seven"), class_names=("1", "7"), target_dataset="digits")


if DIGITS_NAME not in dataset_names():
    register_dataset(DIGITS_NAME, _load_digits)

TINY_DIGITS_CYCLE = ["game=cyclegan", f"data.name={DIGITS_NAME}", "loss=least-squares", "name=cgd",
                     "train.batch_size=8", "train.log_every=5", "train.sample_every=1000", "train.ckpt_every=1000",
                     "train.progress=false", "cycle.g_width=4", "cycle.n_blocks=1", "cycle.d_width=4",
                     "cycle.d_layers=1", "eval.every=0"]
