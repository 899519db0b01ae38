"""A run's facts for its report: curves, evaluations, status, sample grids and findings, read from the folder."""

import json

import numpy as np
import pytest
from PIL import Image

from gankit.doctor import diagnose_run
from gankit.errors import RunFolderError
from gankit.reporting.collect import collect_run, config_differences, flatten, sample_grids
from gankit.training.stats import read_metrics


def append_records(run, *records):
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def test_a_finished_run_is_collected_from_its_folder(ring_run):
    facts = collect_run(ring_run)
    train = read_metrics(ring_run)
    assert facts["name"] == "gan-ring" and facts["label"] == ring_run.name
    assert facts["status"] == "finished" and facts["step"] == 4 and facts["steps_planned"] == 4
    assert facts["summary"]["step"] == 4
    assert facts["curves"]["loss/D"]["steps"] == [r["step"] for r in train] == [2, 4]
    assert facts["curves"]["loss/D"]["values"] == [r["loss/D"] for r in train]
    assert facts["findings"] == [f.to_dict() for f in diagnose_run(ring_run)]
    assert [g["label"] for g in facts["samples"]] == ["final (step 4)"]
    assert facts["config"]["train"]["steps"] == 4 and "train:" in facts["config_text"]
    assert facts["data"]["name"] == "ring" and facts["evaluations"] == []
    json.dumps(facts)  # JSON-able as a whole


def test_a_resumed_run_keeps_the_last_record_of_each_step(ring_run, copy_run):
    run = copy_run(ring_run)
    last = read_metrics(run)[-1]
    append_records(run, {**last, "loss/D": 9.5}, {"step": 6, "kind": "train", "loss/D": "nan"},
                   {"step": 6, "kind": "eval", "metrics": {"fid": 3.0, "reverse_kl": float("nan")}, "settings": {}})
    facts = collect_run(run)
    curve = facts["curves"]["loss/D"]
    assert curve["steps"] == [2, 4, 6]
    assert curve["values"][1] == 9.5 and np.isnan(curve["values"][2])
    assert facts["evaluations"][0]["step"] == 6 and facts["evaluations"][0]["metrics"]["fid"] == 3.0
    assert np.isnan(facts["evaluations"][0]["metrics"]["reverse_kl"])
    assert facts["status"] == "running"  # step 6 is past the summary of step 4


@pytest.mark.parametrize(("change", "status"), [("interrupted", "interrupted"), ("budget", "stopped"),
                                                ("diverged", "diverged"), ("no summary", "running")])
def test_the_status_of_a_run(ring_run, copy_run, change, status):
    run = copy_run(ring_run)
    summary_file = run / "report" / "summary.json"
    summary = json.loads(summary_file.read_text())
    if change == "interrupted":
        summary_file.write_text(json.dumps({**summary, "interrupted": True}))
    elif change == "budget":
        summary_file.write_text(json.dumps({**summary, "step": 2}))
        (run / "metrics.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in read_metrics(run, kind=None) if r["step"] <= 2))
    elif change == "diverged":
        summary_file.unlink()
        append_records(run, {"step": 4, "kind": "diverged", "message": "loss/D is nan at step 4"})
    else:
        summary_file.unlink()
    facts = collect_run(run)
    assert facts["status"] == status
    if change == "diverged":
        assert facts["diverged"] == "loss/D is nan at step 4"


def test_sample_grids_are_thinned_evenly_keeping_the_first_and_the_last(tmp_path):
    (tmp_path / "samples").mkdir()
    pixels = np.zeros((4, 4), dtype=np.uint8)
    for step in range(100, 2100, 100):  # 20 grids
        Image.fromarray(pixels).save(tmp_path / "samples" / f"step-{step:08d}.png")
    Image.fromarray(pixels).save(tmp_path / "samples" / "final.png")
    (tmp_path / "samples" / "mine.png").write_bytes(b"not a grid of the trainer")
    grids, total = sample_grids(tmp_path, limit=5, final_step=2000)
    assert total == 20
    assert [g["step"] for g in grids] == [100, 600, 1100, 1500, 2000, None]
    assert grids[-1]["label"] == "final (step 2,000)" and grids[0]["label"] == "step 100"


def test_not_a_run_folder(tmp_path):
    with pytest.raises(RunFolderError, match="does not exist"):
        collect_run(tmp_path / "missing")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(RunFolderError, match="no config.yaml or metrics.jsonl"):
        collect_run(tmp_path)


def test_config_differences_name_the_keys_that_differ():
    a = {"loss": "hinge", "train": {"steps": 10, "batch_size": 64}, "model": {"g_hidden": [16]}}
    b = {"loss": "hinge", "train": {"steps": 20, "batch_size": 64}, "model": {"g_hidden": [16, 16]}, "seed": 1}
    assert flatten(b)["train.steps"] == 20
    rows = config_differences([{"config": a}, {"config": b}])
    assert rows == [("model.g_hidden", [[16], [16, 16]]), ("seed", [None, 1]), ("train.steps", [10, 20])]
