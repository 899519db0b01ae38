"""diagnose_run on run folders, the reports, `gankit doctor` and the hook's bookkeeping, on hand-written runs."""

import json
from types import SimpleNamespace

import pytest
import torch

from gankit.cli import main
from gankit.config import dump_config, load_config
from gankit.doctor import DoctorHook, diagnose_run, render_markdown, render_text, write_report
from gankit.errors import RunFolderError


def train_records(n, **stats):
    base = {"loss/D": 1.3, "loss/G": 0.8, "D(x)": 0.55, "D(G(z))": 0.45, "acc/real": 0.7, "acc/fake": 0.6,
            "grad_norm/G": 1.0, "grad_norm/D": 0.5}
    base.update(stats)
    return [{"step": 10 * (i + 1), "kind": "train",
             **{k: (v[i] if isinstance(v, list) else v) for k, v in base.items()}} for i in range(n)]


def overpowered_minimax(n=15):
    return train_records(n, **{"D(G(z))": [0.45] * 5 + [0.001] * (n - 5), "loss/G": [-0.6] * 5 + [-0.001] * (n - 5),
                               "grad_norm/G": [1.0] * 5 + [0.01] * (n - 5), "acc/real": 0.999, "acc/fake": 0.999,
                               "loss/D": 0.002})


def make_run(folder, records, loss="minimax", config_text=None):
    folder.mkdir(parents=True)
    text = config_text if config_text is not None else dump_config(load_config("gan-ring", [f"loss={loss}"]))
    (folder / "config.yaml").write_text(text)
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def test_doctor_prints_one_block_per_finding(tmp_path, capsys):
    run = make_run(tmp_path / "run", overpowered_minimax())
    assert main(["doctor", str(run)]) == 0
    out = capsys.readouterr().out
    assert "vanishing_gradients (critical, since step 60)" in out
    assert "discriminator_overpowering (critical, since step 10)" in out
    assert "try loss=nonsaturating:" in out and "evidence:" in out


def test_doctor_json_lists_findings_with_name_evidence_and_remedies(tmp_path, capsys):
    run = make_run(tmp_path / "run", overpowered_minimax())
    assert main(["doctor", str(run), "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert [f["name"] for f in findings] == ["discriminator_overpowering", "vanishing_gradients"]
    for finding in findings:
        assert {"name", "severity", "since_step", "message", "evidence", "remedies"} <= set(finding)
        assert finding["evidence"]["statistic"] and all(r["name"] and r["why"] for r in finding["remedies"])


def test_a_healthy_run_has_no_findings(tmp_path, capsys):
    run = make_run(tmp_path / "run", train_records(40), loss="nonsaturating")
    assert main(["doctor", str(run)]) == 0
    assert capsys.readouterr().out.strip() == "no findings"
    assert main(["doctor", str(run), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def a_file(folder):
    (folder / "file.txt").write_text("x")
    return folder / "file.txt"


@pytest.mark.parametrize("make", [lambda p: p / "absent", lambda p: p, a_file], ids=["missing", "empty", "file"])
def test_doctor_refuses_what_is_not_a_run_folder(tmp_path, capsys, make):
    target = make(tmp_path)
    assert main(["doctor", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: not a run folder:") and err.count("\n") == 1
    with pytest.raises(RunFolderError):
        diagnose_run(target)


def test_diagnose_run_keeps_findings_logged_during_training_that_passed(tmp_path):
    logged = {"step": 200, "kind": "finding", "name": "mode_collapse", "severity": "critical", "since_step": 100,
              "message": "The generator has collapsed since step 100.", "evidence": {"statistic": ["diversity_ratio"]},
              "remedies": [{"name": "PacGAN packing", "why": "..."}]}
    run = make_run(tmp_path / "run", train_records(40) + [logged], loss="nonsaturating")
    (finding,) = diagnose_run(run)
    assert (finding.name, finding.since_step, finding.remedy_names) == ("mode_collapse", 100, ["PacGAN packing"])


def test_diagnose_run_reads_a_run_stopped_after_its_last_checkpoint_and_resumed(tmp_path):
    first = train_records(6)
    first[4]["grad_norm/D"] = "inf"  # logged by the attempt that was killed, then trained again
    resumed = train_records(8)[3:]  # the resumed attempt re-logs steps 40.. from the checkpoint at step 30
    run = make_run(tmp_path / "run", first + resumed, loss="nonsaturating")
    assert diagnose_run(run) == []


def test_a_run_with_an_unreadable_config_is_still_diagnosed(tmp_path):
    run = make_run(tmp_path / "run", overpowered_minimax(), config_text="loss: [unclosed")
    assert "vanishing_gradients" in [f.name for f in diagnose_run(run)]  # minimax inferred from loss/G <= 0


def test_reports_are_written_as_json_and_markdown(tmp_path):
    run = make_run(tmp_path / "run", overpowered_minimax())
    findings = diagnose_run(run)
    json_path, md_path = write_report(run, findings, step=150)
    assert [f["name"] for f in json.loads(json_path.read_text())] == [f.name for f in findings]
    text = md_path.read_text()
    assert text.startswith("# Doctor's report (step 150)") and "## vanishing_gradients" in text
    assert "- `loss=nonsaturating`:" in text
    assert not list((run / "report").glob(".*"))  # no temporary files left behind
    assert "No findings" in render_markdown([]) and render_text([]) == "no findings"


class FakeTrainer(SimpleNamespace):
    """What the hook touches on a Trainer: enough to check its bookkeeping without training."""

    def sample(self, noise, labels=None):
        return self.generator(noise)

    def log_event(self, kind, payload):
        self.events.append({"step": self.step, "kind": kind, **payload})


def fake_trainer(run, generator, step=0):
    game = SimpleNamespace(latent_shape=lambda: (2,), num_classes=0, takes_noise=True)
    real = torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    stream = SimpleNamespace(field_size=lambda name: len(real), samples=lambda index: real[index])  # DataStream.samples: float, on the CPU
    return FakeTrainer(run_dir=run, step=step, game=game, stream=stream, device=torch.device("cpu"),
                       config=SimpleNamespace(loss="nonsaturating"), events=[], generator=generator)


def test_the_hook_logs_each_finding_once_and_probes_on_schedule(tmp_path):
    trainer = fake_trainer(tmp_path, generator=lambda z: torch.zeros(len(z), 2))  # one output: collapse
    hook = DoctorHook(probe_every=2, console=False)
    for i, stats in enumerate(train_records(8)):
        trainer.step = stats["step"]
        hook.on_log(trainer, {k: v for k, v in stats.items() if k not in ("step", "kind")})
    kinds = [e["kind"] for e in trainer.events]
    assert kinds.count("probe") == 4 and kinds.count("finding") == 1
    finding = next(e for e in trainer.events if e["kind"] == "finding")
    assert (finding["name"], finding["step"], finding["since_step"]) == ("mode_collapse", 60, 20)
    hook.on_end(trainer)
    assert [f["name"] for f in json.loads((tmp_path / "report" / "doctor.json").read_text())] == ["mode_collapse"]
    assert [e["kind"] for e in trainer.events].count("finding") == 1


def test_a_resumed_hook_picks_up_the_history_and_does_not_repeat_findings(tmp_path):
    earlier = train_records(4) + [{"step": 40, "kind": "finding", "name": "mode_collapse", "severity": "critical",
                                   "since_step": 20, "message": "...", "evidence": {}, "remedies": []}]
    make_run(tmp_path / "run", earlier + train_records(6)[4:], loss="nonsaturating")  # steps 50, 60 to be re-done
    trainer = fake_trainer(tmp_path / "run", generator=lambda z: torch.zeros(len(z), 2), step=50)
    hook = DoctorHook(probe_every=1, console=False)
    hook.on_log(trainer, {"loss/D": 1.3})
    assert [r["step"] for r in hook.records] == [10, 20, 30, 40, 50]
    hook.on_log(trainer, {"loss/D": 1.3})
    hook.on_log(trainer, {"loss/D": 1.3})
    assert "mode_collapse" in [f.name for f in hook.findings]
    assert "finding" not in [e["kind"] for e in trainer.events]  # already logged by the earlier attempt


def test_the_hook_checks_its_arguments():
    with pytest.raises(ValueError):
        DoctorHook(probe_every=-1)
    with pytest.raises(ValueError):
        DoctorHook(num_samples=1)
    with pytest.raises(ValueError):
        DoctorHook(modes=torch.zeros(8, 2))
