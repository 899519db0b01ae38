"""The doctor judges the samples the user gets: a photo run whose final grid is nearly identical orange squares is
mode collapse even when the probes before it never agreed for long enough (issue 17, observation 9)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gankit import api
from gankit.config import dump_config, load_config
from gankit.doctor import DoctorHook, check_mode_collapse, diagnose_run
from gankit.doctor.monitors import MODE_COLLAPSE
from gankit.games import DataSpec, build_game
from gankit.training.data_stream import DataStream
from gankit.training.stats import read_metrics
from gankit.training.trainer import Trainer
from PIL import Image


def _photos(folder, n=64, size=40):
    """Colourful 'photos': a random background with a rectangle of another random colour."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        pixels = np.empty((size, size, 3), np.uint8)
        pixels[:] = rng.integers(0, 256, 3)
        x0, y0 = rng.integers(0, size // 2, 2)
        pixels[y0:y0 + size // 2, x0:x0 + size // 2] = rng.integers(0, 256, 3)
        Image.fromarray(pixels).save(folder / f"photo{i:02d}.jpg")
    return folder


def _probe(step, ratio):
    return {"step": step, "kind": "probe", "diversity_ratio": ratio}


@pytest.mark.parametrize(("final_ratio", "found"), [(0.21, True), (0.29, True), (0.31, False), (0.9, False)])
def test_a_final_probe_below_the_bar_is_collapse_on_its_own(final_ratio, found):
    th = dict(MODE_COLLAPSE)
    probes = [_probe(100, 0.5), _probe(200, 0.25), _probe(300, 0.21)]  # never three in a row below 0.2
    assert check_mode_collapse(probes, th) is None
    finding = check_mode_collapse(probes, th, {"step": 300, "kind": "final_probe", "diversity_ratio": final_ratio})
    assert (finding is not None) == found
    if found:
        assert finding.name == "mode_collapse" and "final samples are nearly identical" in finding.message


def test_a_collapsed_photo_run_is_named_by_the_doctor(tmp_path):
    config = load_config("dcgan-fashion", [
        "data.name=folder", f"data.path={_photos(tmp_path / 'photos')}", "data.img_size=32", "data.channels=3",
        "model.g_width=8", "model.d_width=8", "train.batch_size=16", "train.steps=12", "train.log_every=2",
        "optim.lr_g=1e-12", "train.progress=false"])
    data = api.load_data(config)
    torch.manual_seed(config.seed)
    game = build_game(config, DataSpec.of(data))
    last = [m for m in game.module("G").modules() if isinstance(m, torch.nn.ConvTranspose2d)][-1]
    with torch.no_grad():  # a generator that ignores its noise: every sample is the same orange square
        last.weight.zero_()
        last.bias.copy_(torch.atanh(torch.tensor([0.9, 0.3, -0.8])))
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(dump_config(config), encoding="utf-8")
    stream = DataStream.of(data, config.train.batch_size, seed=config.seed, device=torch.device("cpu"))
    hook = DoctorHook.for_dataset(data, probe_every=100, num_samples=64, console=False)  # no probe before the end
    Trainer(game, stream, config, run, torch.device("cpu"), hooks=[hook]).run()
    assert read_metrics(run, kind="probe") == []
    (final,) = read_metrics(run, kind="final_probe")
    assert final["diversity_ratio"] < 0.05
    findings = {f.name: f for f in diagnose_run(run)}
    assert "mode_collapse" in findings
    assert "final samples are nearly identical" in findings["mode_collapse"].message
    assert "mode_collapse" in (run / "report" / "doctor.md").read_text(encoding="utf-8")
