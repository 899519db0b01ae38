"""Own data as a first-class case: the neutral recipes (dcgan, cgan, mlp-gan) train on a user's folder or file
and describe the run as theirs, not as Fashion-MNIST."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from cli_helpers import run_cli
from PIL import Image

QUICK = ["--set", "train.steps=2", "--set", "train.batch_size=8", "--set", "train.log_every=1",
         "--set", "train.progress=false", "--set", "train.ckpt_every=2", "--set", "train.sample_every=100"]
SMALL_CNN = ["--set", "model.g_width=8", "--set", "model.d_width=8", "--set", "data.img_size=32"]


def _photos(folder, n=16):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(folder / f"img{i}.jpg")
    return folder


@pytest.mark.parametrize("recipe", ["dcgan", "cgan", "mlp-gan"])
def test_a_neutral_recipe_trains_on_the_users_data(capsys, tmp_path, recipe):
    if recipe == "mlp-gan":
        data = tmp_path / "points.npz"
        np.savez(data, x=np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32))
        extra = ["--set", "model.g_hidden=[16]", "--set", "model.d_hidden=[16]"]
    else:
        data = tmp_path / "photos"
        for name in ("coffee", "tea") if recipe == "cgan" else ("",):
            _photos(data / name)
        extra = SMALL_CNN
    run = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", recipe, "--set", f"data.path={data}", *QUICK, *extra, "--out", run)
    assert code == 0, err
    saved = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    assert "Fashion" not in saved["description"] and "your own" in saved["description"]
    assert saved["data"]["path"] == str(data)
    code, out, err = run_cli(capsys, "info", run)
    assert code == 0, err
    assert ("npz:points.npz" if recipe == "mlp-gan" else "folder") in out
