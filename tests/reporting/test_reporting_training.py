"""The report during training: written last of the hooks, on Ctrl-C too, and never at the cost of the run."""

import shutil

from gankit import api
from gankit.config import load_config
from gankit.doctor import DoctorHook
from gankit.evaluation.hook import EvalHook
from gankit.reporting import ReportHook
from gankit.training.trainer import Trainer

from cli_helpers import TINY, run_cli
from report_helpers import parse_page, with_attr


def test_the_report_hook_comes_last_after_the_doctor_and_evaluation():
    config = load_config("gan-ring", ["eval.every=10", "eval.metrics=modes", "eval.best=modes_covered"])
    hooks = api.training_hooks(config)
    assert [type(h) for h in hooks] == [DoctorHook, EvalHook, ReportHook]
    assert isinstance(api.training_hooks(load_config("gan-ring", ["train.doctor=false"]))[-1], ReportHook)


def test_ctrl_c_leaves_a_report_of_the_steps_trained(capsys, tmp_path, monkeypatch):
    step = Trainer.train_step

    def interrupted_at_three(self):
        if self.step == 3:
            raise KeyboardInterrupt
        step(self)

    monkeypatch.setattr(Trainer, "train_step", interrupted_at_three)
    run = tmp_path / "run"
    code, _, _ = run_cli(capsys, "train", "gan-ring", *TINY, "--out", run)
    assert code == 130
    page = parse_page(run / "report" / "index.html")
    assert with_attr(page, "data-status")[0]["data-status"] == "interrupted"
    assert "3 of 4" in "".join(page.text)  # the summary the trainer wrote before the hooks' on_end


def test_a_report_that_cannot_be_written_costs_a_warning_not_the_run(ring_run, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(ring_run, run)
    (run / "report" / "index.html").unlink()
    (run / "report" / "index.html").mkdir()  # a folder where the page should go
    code, _, err = run_cli(capsys, "train", "--resume", "--out", run, "--set", "train.steps=6")
    assert code == 0
    assert "warning: the run report was not written" in err
    assert (run / "checkpoints" / "step-00000006").is_dir()  # the final checkpoint is still saved
