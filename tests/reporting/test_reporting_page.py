"""The report page of a run and of several: written at the end of training, self-contained, and saying what
`gankit doctor` and `gankit eval` say."""

import json
import math

import pytest

from gankit import api
from gankit.doctor import diagnose_run
from gankit.evaluation import evaluate_source
from gankit.reporting import build_report, collect_run
from gankit.training.stats import read_metrics

from report_helpers import embedded_images, external_references, parse_page, with_attr


def findings_on(page, section=None):
    return [(a["data-name"], a["data-severity"], int(a["data-since-step"]))
            for a in with_attr(page, "data-since-step", "article")]


def test_training_leaves_a_self_contained_report_page(ring_run):
    path = ring_run / "report" / "index.html"
    assert path.is_file()  # written by the ReportHook when the fixture trained
    text = path.read_text(encoding="utf-8")
    assert '<meta name="generator" content="gankit report' in text
    page = parse_page(path)
    assert external_references(page) == []
    images = embedded_images(page)
    assert len(images) == 1 and images[0].width > 0  # samples/final.png (the 4-step run wrote no step grid)
    assert [a["data-status"] for a in with_attr(page, "data-status")][0] == "finished"
    facts = {a["data-fact"] for a in with_attr(page, "data-fact")}
    assert {"steps", "time", "throughput", "data", "game"} <= facts
    summary = json.loads((ring_run / "report" / "summary.json").read_text())
    assert f"{summary['images_per_second']:.4g} real images/s" in "".join(page.text)
    assert findings_on(page) == [(f.name, f.severity, f.since_step) for f in diagnose_run(ring_run)]
    assert "<svg" in text and "loss/D" in text and "name: gan-ring" in "".join(page.text)


def test_an_image_run_embeds_its_grids_scaled_up_sharply(digits_run):
    page = parse_page(digits_run / "report" / "index.html")
    (image,) = embedded_images(page)
    (img,) = [a for t, a in page.tags if t == "img"]
    assert image.format == "PNG" and int(img["width"]) >= 240 and int(img["width"]) % image.width == 0
    assert img["class"] == "pixelated"
    assert "digits (images of 1×8×8, 10 classes)" in "".join(page.text)


def test_findings_evidence_and_remedies_match_the_doctor(ring_run, copy_run):
    """A run whose statistics show an overpowering D: the page carries each finding as `gankit doctor --json`."""
    run = copy_run(ring_run)
    base = read_metrics(run)[-1]
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as handle:
        for step in range(6, 206, 2):
            handle.write(json.dumps({**base, "step": step, "kind": "train", "D(x)": 0.999, "D(G(z))": 0.001,
                                     "acc/real": 1.0, "acc/fake": 1.0, "loss/D": 1e-4}) + "\n")
    out = build_report(run)
    doctor = [f.to_dict() for f in diagnose_run(run)]
    assert doctor, "the synthetic statistics should give the doctor something to say"
    page = parse_page(out)
    assert findings_on(page) == [(f["name"], f["severity"], f["since_step"]) for f in doctor]
    assert [json.loads(e) for e in page.evidence] == [json.loads(json.dumps(f["evidence"])) for f in doctor]
    remedies = [a["data-remedy"] for a in with_attr(page, "data-remedy")]
    assert remedies == [r["name"] for f in doctor for r in f["remedies"]]
    assert all(f["message"] in "".join(page.text) for f in doctor)


def test_evaluations_during_training_and_from_gankit_eval_are_on_the_page(ring_run, copy_run, tmp_path):
    run = copy_run(ring_run)
    logged = {"fid": 0.25, "modes_covered": 6.0, "reverse_kl": float("nan")}
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"step": 4, "kind": "eval", "metrics": logged,
                                 "settings": {"n_fake": 500, "ref": {"n": 500, "identity": "ring", "split": "train"},
                                              "extractor_id": "identity"}}) + "\n")
    result = evaluate_source(run, metrics="fid,modes", n=300)
    saved = tmp_path / "eval.json"
    from gankit.evaluation import result_to_json

    saved.write_text(result_to_json(result))
    out = api.report(run, eval_results=[saved])
    page = parse_page(out)
    cells = with_attr(page, "data-metric", "td")
    during = {c["data-metric"]: float(c["data-value"]) for c in cells[:3]}
    assert during["fid"] == 0.25 and during["modes_covered"] == 6.0 and math.isnan(during["reverse_kl"])
    shown = {c["data-metric"]: json.loads(c["data-value"]) for c in cells[3:]}  # exact: repr of a float, or null
    expected = {k: v for k, v in json.loads(saved.read_text()).items() if k != "settings"}
    assert shown == expected and set(expected) >= {"fid", "modes_covered", "reverse_kl"}
    assert f"{result['settings']['n_fake']} samples of {run}" in "".join(page.text)


def test_several_runs_side_by_side(ring_run, digits_run, tmp_path):
    out = api.report([ring_run, digits_run], tmp_path / "both.html")
    text = out.read_text(encoding="utf-8")
    page = parse_page(out)
    assert [a["data-run"] for t, a in page.tags if t == "tr" and "data-run" in a] == [str(ring_run), str(digits_run)]
    assert len(with_attr(page, "data-run", "section")) == 2
    assert external_references(page) == []
    assert len(embedded_images(page)) == 4  # each run's final grid beside the other, and again in its section
    diff = text[text.index('class="config-diff"'):text.index("</table>", text.index('class="config-diff"'))]
    assert "data.name" in diff and "game" in diff and "train.steps" not in diff  # both ran 4 steps
    loss_chart = text[text.index("<figcaption>loss/D</figcaption>"):]
    loss_chart = loss_chart[:loss_chart.index("</figure>")]
    assert loss_chart.count("<polyline") == 2  # one line per run
    # both runs are named "run" in their own tmp folders: the page tells them apart by path
    assert [r["label"] for r in map(collect_run, (ring_run, digits_run))] == ["run", "run"]
    assert f">{ring_run}</a>" in text and f">{digits_run}</a>" in text


def test_a_page_is_regenerated_in_place(ring_run, copy_run):
    run = copy_run(ring_run)
    before = (run / "report" / "index.html").read_text(encoding="utf-8")
    (run / "report" / "index.html").write_text("stale")
    assert api.report(run) == run / "report" / "index.html"
    after = (run / "report" / "index.html").read_text(encoding="utf-8")
    assert after.startswith("<!DOCTYPE html>") and len(after) == pytest.approx(len(before), rel=0.05)
