import json

import pytest
import torch

from gankit.errors import CheckpointError
from gankit.training import checkpoint as ckpt


def test_flatten_round_trip_keeps_tensors_and_structure():
    state = {"step": 3, "opt": {"state": {0: {"exp_avg": torch.ones(2), "step": torch.tensor(4.0)}},
                                "param_groups": [{"lr": 1e-3, "betas": (0.5, 0.999), "params": [0]}]},
             "rng": torch.get_rng_state(), "none": None}
    tensors = {}
    skeleton = ckpt.flatten(state, tensors, "")
    json.dumps(skeleton)  # the remainder is plain JSON
    back = ckpt.unflatten(json.loads(json.dumps(skeleton)), tensors)
    assert back["step"] == 3 and back["none"] is None
    assert torch.equal(back["opt"]["state"][0]["exp_avg"], torch.ones(2))
    assert back["opt"]["param_groups"][0]["betas"] == (0.5, 0.999)
    assert list(back["opt"]["state"]) == [0]  # integer keys survive
    assert torch.equal(back["rng"], torch.get_rng_state())


def test_save_keeps_last_k_and_leaves_no_temporaries(tmp_path):
    for step in (10, 20, 30, 40):
        ckpt.save_checkpoint(tmp_path, step, {"w": torch.full((3,), float(step))}, keep=2)
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step-00000030", "step-00000040"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step-00000030", "step-00000040"]
    step, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path))
    assert step == 40 and torch.equal(state["w"], torch.full((3,), 40.0))


def test_a_half_written_checkpoint_is_never_taken_for_the_latest(tmp_path):
    ckpt.save_checkpoint(tmp_path, 10, {"w": torch.zeros(1)}, keep=3)
    (tmp_path / ".tmp-step-00000020-123").mkdir()  # what a crash in the middle of a write leaves
    assert ckpt.latest_checkpoint(tmp_path).name == "step-00000010"


def test_corrupt_files_raise_checkpoint_errors(tmp_path):
    path = ckpt.save_checkpoint(tmp_path, 1, {"w": torch.zeros(4)}, keep=1)
    data = (path / ckpt.TENSORS_FILE).read_bytes()
    (path / ckpt.TENSORS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="corrupt checkpoint"):
        ckpt.load_checkpoint(path)
    (path / ckpt.STATE_FILE).write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        ckpt.load_checkpoint(path)


def test_module_mismatch_is_one_line():
    net = torch.nn.Linear(3, 2)
    other = torch.nn.Linear(4, 2).state_dict()
    with pytest.raises(CheckpointError, match=r"weight has shape \(2, 4\) in the checkpoint, \(2, 3\) in the model"):
        ckpt.load_module_state(net, other, "network 'G'")
