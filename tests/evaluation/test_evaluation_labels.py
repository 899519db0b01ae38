"""`gankit eval`'s label accuracy (GAN-test) of class-conditional runs: the math by hand, the refusals, and a trained
run scored as an independent judge scores it (in tests/games/test_sagan.py)."""

import json

import numpy as np

import pytest

from gankit.cli import main
from gankit.errors import DataError
from gankit.metrics import label_accuracy


def test_label_accuracy_by_hand():
    """Asked 0,0,0,1,1,2; the classifier says 0,0,1,1,1,2: a_0 = 2/3, a_1 = 1, a_2 = 1, each class weighs the same."""
    found = label_accuracy([0, 0, 1, 1, 1, 2], [0, 0, 0, 1, 1, 2])
    assert found["per_class"] == pytest.approx({0: 2 / 3, 1: 1.0, 2: 1.0})
    assert found["label_accuracy"] == pytest.approx((2 / 3 + 1 + 1) / 3)
    assert found["label_accuracy_min"] == pytest.approx(2 / 3)
    assert label_accuracy([3, 3], [1, 1])["label_accuracy"] == 0.0


def test_label_accuracy_needs_matching_labels():
    with pytest.raises(DataError, match="as many predicted as requested"):
        label_accuracy([0, 1], [0])


def test_labels_is_refused_in_one_line_where_it_cannot_apply(ring_run, digits_run, tmp_path, capsys):
    cache = str(tmp_path / "cache")
    assert main(["eval", str(ring_run), "--metrics", "labels", "--cache-dir", cache]) == 2
    err = capsys.readouterr().err.strip()
    assert "metric 'labels' measures a class-conditional generator" in err and len(err.splitlines()) == 1
    assert main(["eval", str(digits_run), "--metrics", "fid,labels", "--ref", "digits", "--cache-dir", cache]) == 2
    err = capsys.readouterr().err.strip()
    assert "drop --ref" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "cache").exists()


def test_a_conditional_run_gets_its_label_accuracy_by_default(digits_run, tmp_path, capsys):
    """The 4-step conditional digits run has not learnt its labels: the judge agrees about as often as chance (0.1)."""
    assert main(["eval", str(digits_run), "--n", "300", "--json", "--cache-dir", str(tmp_path / "cache")]) == 0
    result = json.loads(capsys.readouterr().out)
    labels = result["settings"]["labels"]
    assert labels["samples_per_class"] == 30 and len(labels["per_class"]) == 10
    assert 0 <= result["label_accuracy_min"] <= result["label_accuracy"] < 0.5
    assert result["label_accuracy"] == pytest.approx(sum(labels["per_class"].values()) / 10, abs=1e-3)
    assert "fid" in result  # and the other default metrics are still there


def test_truncated_latents_are_evaluated_and_refused_where_they_cannot_apply(digits_run, ring_run, tmp_path, capsys):
    cache = str(tmp_path / "cache")
    assert main(["eval", str(digits_run), "--n", "100", "--metrics", "labels", "--truncation", "0.5",
                 "--cache-dir", cache]) == 0
    out = capsys.readouterr().out
    assert "label_accuracy" in out and "latent codes truncated to ±0.5" in out
    assert main(["eval", str(digits_run), "--n", "100", "--metrics", "ppl", "--truncation", "0.5",
                 "--cache-dir", cache]) == 2
    assert "--truncation does not apply to metric 'ppl'" in capsys.readouterr().err
    np.save(tmp_path / "points.npy", np.zeros((10, 2), dtype=np.float32))
    assert main(["eval", str(tmp_path / "points.npy"), "--ref", "ring", "--truncation", "0.5",
                 "--cache-dir", cache]) == 2
    assert "--truncation applies to a generator" in capsys.readouterr().err
    assert main(["eval", str(ring_run), "--truncation", "-1", "--cache-dir", cache]) == 2
    assert "truncation" in capsys.readouterr().err


def test_eval_loads_the_generator_once_for_its_samples_and_its_label_accuracy(digits_run, tmp_path, capsys,
                                                                               monkeypatch):
    import gankit.evaluation.labels as labels_module
    import gankit.evaluation.sources as sources_module

    loads = []
    for module in (sources_module, labels_module):
        real = module.load_generator
        monkeypatch.setattr(module, "load_generator", lambda *a, _real=real, **k: loads.append(a) or _real(*a, **k))
    assert main(["eval", str(digits_run), "--n", "100", "--json", "--cache-dir", str(tmp_path / "cache")]) == 0
    assert "label_accuracy" in json.loads(capsys.readouterr().out)
    assert len(loads) == 1
