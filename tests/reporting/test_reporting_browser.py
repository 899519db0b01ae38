"""The report in a real headless browser (Debian's Chromium driven by Playwright): it loads without a console
error or a request outside the file, every image decodes, and the findings and metrics a reader sees are those
of ``gankit doctor --json`` and ``gankit eval --json`` for that run.

scripts/setup.sh installs Chromium (apt) and Playwright (the ``test`` extra); the test skips, saying why, only
where either is absent. Set GANKIT_CHROMIUM to use another Chromium binary.
"""

import json
import os
import shutil

import pytest

from gankit.training.stats import read_metrics

from cli_helpers import run_cli

CHROMIUM = os.environ.get("GANKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: scripts/setup.sh installs Debian's "
                                "chromium (apt-get install chromium), or set GANKIT_CHROMIUM")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")

# A plain GAN with the saturating loss against a fast, wide D: the doctor finds vanishing gradients within
# 100 steps; evaluation every 50 steps logs `eval` records (about 10 s on one CPU thread).
BROKEN = ["train.ema=0", "reg.r1_gamma=0", "stab.top_k=1", "optim.beta1=0.5", "optim.beta2=0.999", "optim.decay=none",
          "loss=minimax", "optim.lr_d=1e-3", "optim.lr_g=1e-4", "train.d_steps=5", "model.g_hidden=[16]",
          "model.d_hidden=[128,128,128]", "train.steps=100", "train.log_every=10", "train.sample_every=50",
          "train.progress=false", "eval.every=50", "eval.metrics=fid,modes", "eval.n=500", "eval.best=fid"]

FINDINGS_JS = """() => Array.from(document.querySelectorAll('article.finding')).map(a => ({
  name: a.dataset.name, severity: a.dataset.severity, since_step: Number(a.dataset.sinceStep),
  message: a.querySelector('.message').innerText, evidence: a.querySelector('pre.evidence').textContent,
  remedies: Array.from(a.querySelectorAll('li[data-remedy]')).map(li => [li.dataset.remedy, li.innerText])}))"""
CELLS_JS = """(selector) => Array.from(document.querySelectorAll(selector)).map(td => [
  td.closest('tr').dataset.step || null, td.dataset.metric, td.dataset.value, td.innerText])"""
IMAGES_JS = "() => Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("broken") / "run"
    args = ["train", "gan-ring", "--out", str(run), "--threads", "1"]
    for override in BROKEN:
        args += ["--set", override]
    from gankit.cli import main

    assert main(args) == 0
    return run


def open_page(browser, path):
    """The page at `path` once loaded, and every problem seen: console errors, page errors, outside requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url[:80]}"))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems


def assert_images_decode(page, count):
    images = page.evaluate(IMAGES_JS)
    assert len(images) == count
    assert all(complete and width > 0 and height > 0 for complete, width, height in images), images


def test_the_findings_and_metrics_in_the_browser_are_those_of_doctor_and_eval(browser, broken_run, tmp_path,
                                                                             capsys):
    code, doctor_out, _ = run_cli(capsys, "doctor", broken_run, "--json")
    assert code == 0
    doctor = json.loads(doctor_out)
    assert "vanishing_gradients" in [f["name"] for f in doctor]
    code, eval_out, _ = run_cli(capsys, "eval", broken_run, "--json", "--metrics", "fid,modes", "--n", "500")
    assert code == 0
    evaluated = json.loads(eval_out)
    saved = tmp_path / "eval.json"
    saved.write_text(eval_out)
    code, _, _ = run_cli(capsys, "report", broken_run, "--eval-json", saved)
    assert code == 0

    page, problems = open_page(browser, broken_run / "report" / "index.html")
    assert problems == []
    assert_images_decode(page, 3)  # samples at steps 50 and 100, and final.png
    shown = page.evaluate(FINDINGS_JS)
    assert [(f["name"], f["severity"], f["since_step"], f["message"]) for f in shown] == \
           [(f["name"], f["severity"], f["since_step"], f["message"]) for f in doctor]
    assert [json.loads(f["evidence"]) for f in shown] == [json.loads(json.dumps(f["evidence"])) for f in doctor]
    assert [f["remedies"] for f in shown] == [[[r["name"], f"{r['name']}: {r['why']}"] for r in f["remedies"]]
                                              for f in doctor]
    assert page.locator("article.finding .message").first.is_visible()

    result_cells = page.evaluate(CELLS_JS, "table.eval-result td[data-metric]")
    expected = {k: v for k, v in evaluated.items() if k != "settings"}
    assert {metric: json.loads(value) for _, metric, value, _ in result_cells} == expected
    fid_text = [text for _, metric, _, text in result_cells if metric == "fid"]
    assert fid_text == [f"{evaluated['fid']:.4g}"]

    logged = {(str(r["step"]), k): v for r in read_metrics(broken_run, kind="eval") for k, v in r["metrics"].items()}
    during = {(step, metric): json.loads(value)
              for step, metric, value, _ in page.evaluate(CELLS_JS, "table.evaluations td[data-metric]")}
    assert during.keys() == logged.keys() and {("50", "fid"), ("100", "fid")} <= set(during)
    assert all(during[key] == logged[key] or (during[key] != during[key] and logged[key] != logged[key])
               for key in logged)  # NaN equals NaN here
    page.close()


def test_runs_side_by_side_in_the_browser(browser, broken_run, digits_run, tmp_path, capsys):
    out = tmp_path / "both.html"
    code, _, _ = run_cli(capsys, "report", broken_run, digits_run, "--out", out)
    assert code == 0
    page, problems = open_page(browser, out)
    assert problems == []
    assert_images_decode(page, 2 + 3 + 1)  # the two final grids, then each run's grids in its section
    rows = page.evaluate("() => Array.from(document.querySelectorAll('table.comparison tbody tr')).map(r => "
                         "r.dataset.run)")
    assert rows == [str(broken_run), str(digits_run)]
    doctor_cell = page.locator("table.comparison tbody tr").first.locator("td.findings-cell").inner_text()
    assert "vanishing_gradients (critical)" in doctor_cell
    assert page.locator("figure.chart").count() >= 8
    page.close()
