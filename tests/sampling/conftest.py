"""The latent tools' trained run, shared by their test modules."""

import pytest


@pytest.fixture(scope="session")
def digits_gan(tmp_path_factory):
    """An unconditional MLP GAN trained for 500 steps on the first 1,500 of the 8x8 digits (about 6 s)."""
    from gankit.cli import main

    run = tmp_path_factory.mktemp("latent") / "run"
    assert main(["train", "gan-mlp-fashion", "--out", str(run), "--set", "data.name=digits",
                 "--set", "data.limit=1500", "--set", "model.z_dim=8", "--set", "model.g_hidden=[64,64]",
                 "--set", "model.d_hidden=[64,64]", "--set", "train.steps=500", "--set", "train.batch_size=64",
                 "--set", "train.progress=false", "--set", "train.sample_every=10000"]) == 0
    return run
