"""`gankit sample RUN --label 7` on a cgan-fashion run gives class 7 (sneakers), as a classifier judges."""

import pytest
import torch

from gankit.cli import main
from gankit.data import load_dataset
from gankit.metrics import classifier_accuracy, train_classifier


@pytest.fixture(scope="module")
def fashion_classifier():
    """A small CNN trained here on 20,000 Fashion-MNIST training images; must be accurate to be a fair judge."""
    train = load_dataset("fashion-mnist", limit=20_000)
    test = load_dataset("fashion-mnist", split="test", limit=5_000)
    model = train_classifier(train.x, train.y, 10, epochs=2, seed=0)
    accuracy = classifier_accuracy(model, test.x, test.y)
    assert accuracy >= 0.85, f"the judge itself is too weak: {accuracy:.3f}"
    return model


def test_sampling_a_label_gives_that_class(tmp_path, fashion_classifier, capsys):
    run = tmp_path / "cgan"
    assert main(["train", "cgan-fashion", "--out", str(run), "--set", "train.steps=400",
                 "--set", "train.progress=false", "--set", "train.sample_every=1000"]) == 0
    assert main(["sample", str(run), "-n", "200", "--label", "7", "--seed", "3", "--out", str(tmp_path / "s7")]) == 0
    samples = load_dataset("folder", str(tmp_path / "s7"), channels=1)
    assert samples.x.shape == (200, 1, 28, 28)
    with torch.inference_mode():
        predicted = fashion_classifier(samples.x).argmax(1)
    share = (predicted == 7).sum().item() / len(predicted)
    # chance is 1 in 10; 400 steps give about 9 in 10, which the judge's and the CPU's rounding move by a few
    # samples either way, so the bar sits at 8 in 10 (it measured 90.0% on an AMD Zen 5, 2026-12-02)
    assert share >= 0.8, f"only {share:.1%} of --label 7 samples are classified as 7"
    # and the label matters: class 1 (trousers) samples are not sneakers
    assert main(["sample", str(run), "-n", "100", "--label", "1", "--out", str(tmp_path / "s1")]) == 0
    trousers = load_dataset("folder", str(tmp_path / "s1"), channels=1)
    with torch.inference_mode():
        assert (fashion_classifier(trousers.x).argmax(1) == 7).float().mean().item() < 0.1
