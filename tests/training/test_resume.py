"""A run stopped and resumed must end with exactly the weights of a run that was never stopped."""

import pytest
import torch
from safetensors.torch import load_file

from gankit import api
from gankit.training import checkpoint as ckpt

COMMON = ["optim.decay=none", "stab.top_k=1",
          "train.log_every=2", "train.sample_every=100", "train.ckpt_every=100", "train.progress=false",
          "train.ema=0.9", "train.d_steps=2"]
CASES = {
    "mlp": ["data.name=digits", "model.arch=mlp", "model.g_hidden=[32]", "model.d_hidden=[32]",
            "train.batch_size=32", "data.limit=300"],
    "dcgan-batchnorm": ["data.name=digits", "data.img_size=32", "model.arch=dcgan", "model.g_width=8",
                        "model.d_width=8", "train.batch_size=16", "data.limit=100"],
    "conditional-wgan-gp": ["game=conditional", "data.name=digits", "model.arch=mlp", "model.g_hidden=[32]",
                            "model.d_hidden=[32]", "loss=wgan-gp", "train.batch_size=32", "data.limit=300"],
}


def final_tensors(run_dir):
    return load_file(str(ckpt.latest_checkpoint(run_dir / "checkpoints") / ckpt.TENSORS_FILE))


@pytest.mark.parametrize("case", sorted(CASES))
def test_stop_and_resume_is_bit_identical(tmp_path, case):
    options = COMMON + CASES[case]
    api.train("gan-ring", tmp_path / "straight", overrides=options + ["train.steps=12"])
    api.train("gan-ring", tmp_path / "stopped", overrides=options + ["train.steps=7"])  # stops mid-epoch
    api.train("gan-ring", tmp_path / "stopped", overrides=options + ["train.steps=12"], resume=True)
    straight, resumed = final_tensors(tmp_path / "straight"), final_tensors(tmp_path / "stopped")
    assert straight.keys() == resumed.keys()
    assert any(k.startswith("ema.") for k in straight) and any(k.startswith("optimizers.") for k in straight)
    different = [k for k in straight if not torch.equal(straight[k], resumed[k])]
    assert not different, f"resumed run differs in {different[:5]}"


def test_resume_really_continues_rather_than_restarting(tmp_path):
    options = COMMON + CASES["mlp"]
    api.train("gan-ring", tmp_path / "a", overrides=options + ["train.steps=4"])
    result = api.train("gan-ring", tmp_path / "a", overrides=options + ["train.steps=6"], resume=True)
    assert result.step == 6
    steps = [r["step"] for r in api.run_info(tmp_path / "a")["last_stats"] and
             __import__("gankit.training.stats", fromlist=["read_metrics"]).read_metrics(tmp_path / "a")]
    assert steps == [2, 4, 6]  # the resumed half logs only its own steps
