"""The linear learning-rate decay: the factor by hand, and the optimizers' rates inside a real run."""

import pytest

from gankit import api
from gankit.config import load_config
from gankit.errors import ConfigError, RunFolderError
from gankit.training.schedule import lr_factor
from test_trainer import TINY, make_trainer


def test_linear_decay_holds_then_falls_to_zero_by_hand():
    # 10 steps, decay from step 5: 1, 1, 1, 1, 1, then (10 - s) / 5 = 1.0, 0.8, 0.6, 0.4, 0.2, and 0 at the end
    factors = [lr_factor("linear", s, 10, 0.5) for s in range(11)]
    assert factors == pytest.approx([1, 1, 1, 1, 1, 1.0, 0.8, 0.6, 0.4, 0.2, 0.0])
    assert lr_factor("linear", 3, 10, 0.0) == pytest.approx(0.7)  # SNGAN: decay over the whole run
    assert lr_factor("none", 9, 10, 0.5) == 1.0


def test_the_trainer_sets_both_rates_by_the_schedule(tmp_path):
    trainer = make_trainer(tmp_path, ["train.steps=8", "optim.decay=linear", "optim.decay_start=0.5",
                                      "optim.lr_g=1e-3", "optim.lr_d=4e-3"])
    rates = []
    for _ in range(8):
        trainer.train_step()
        rates.append((trainer.optimizers["G"].param_groups[0]["lr"], trainer.optimizers["D"].param_groups[0]["lr"]))
    # the rate of step s is set before it runs: 1 for s < 4, then (8 - s) / 4
    expected = [1, 1, 1, 1, 1.0, 0.75, 0.5, 0.25]
    assert [g for g, _ in rates] == pytest.approx([1e-3 * f for f in expected])
    assert [d for _, d in rates] == pytest.approx([4e-3 * f for f in expected])


def test_a_decayed_run_resumes_only_with_its_own_step_count(tmp_path):
    overrides = TINY + ["optim.decay=linear", "train.max_minutes=0.0001"]
    api.train("gan-ring", tmp_path / "run", overrides=overrides + ["train.steps=40"])  # stops early, by time
    with pytest.raises(RunFolderError, match="train.steps was 40, now 80.*optim.decay=linear"):
        api.train("gan-ring", tmp_path / "run", overrides=overrides + ["train.steps=80"], resume=True)
    # a resume continues the run's own config, time budget included: lift it to finish
    result = api.train("gan-ring", tmp_path / "run", overrides=["train.max_minutes=0"], resume=True)
    assert result.step == 40


def test_a_top_k_run_resumes_only_with_its_own_step_count(tmp_path):
    overrides = TINY + ["stab.top_k=0.5", "train.max_minutes=0.0001"]
    api.train("gan-ring", tmp_path / "run", overrides=overrides + ["train.steps=40"])
    with pytest.raises(RunFolderError, match="train.steps was 40, now 80.*stab.top_k=0.5"):
        api.train("gan-ring", tmp_path / "run", overrides=overrides + ["train.steps=80"], resume=True)


def test_without_decay_the_rates_stay_put(tmp_path):
    trainer = make_trainer(tmp_path, ["train.steps=4", "optim.lr_g=1e-3"])
    for _ in range(4):
        trainer.train_step()
    assert trainer.optimizers["G"].param_groups[0]["lr"] == 1e-3


@pytest.mark.parametrize("override, message", [("optim.decay=cosine", "optim.decay"),
                                               ("optim.decay_start=1.0", "optim.decay_start")])
def test_bad_schedule_settings_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config("gan-ring", [override])


