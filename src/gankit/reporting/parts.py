"""The pieces of a report page, each a function of a run's facts (`gankit.reporting.collect`) returning HTML.

Every value a reader might check against the command line carries its exact number in a ``data-value``
attribute beside the rounded text (a finding's name, severity and step in ``data-*`` attributes, its evidence
as the same JSON ``gankit doctor --json`` prints), so tests and scripts can read the page as data.
"""

from __future__ import annotations

import base64
import io
import json
import math
from html import escape
from pathlib import Path
from typing import Any

from gankit.reporting.svg import color, line_chart

STATUS_TEXT = {
    "finished": "finished",
    "stopped": "stopped early (time budget); --resume continues",
    "interrupted": "interrupted (Ctrl-C); --resume continues",
    "diverged": "diverged (a loss became NaN or infinite)",
    "running": "running, or stopped without a summary",
}
#: Grouped panels of a single run's curves (as report/training_curves.png groups them); log scale for norms.
GROUPS = (("losses", "loss/", False), ("discriminator outputs", ("D(x)", "D(G(z))"), False),
          ("discriminator accuracy", "acc/", False), ("gradient norms", "grad_norm/", True))
MIN_GRID_WIDTH = 240  # small grids (8x8 digits) are scaled up by a whole factor, pixels kept sharp
MAX_GRID_WIDTH = 360  # large ones (scatter plots) are shown smaller; the full image is embedded


def fmt(value: Any) -> str:
    """A number for reading: 4 significant digits, thousands separated, ``nan``; anything else as text."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        magnitude = abs(value)
        if magnitude >= 1e5 or (0 < magnitude < 1e-3):
            return f"{value:.3e}"
        return f"{value:.4g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def data_value(value: Any) -> str:
    """The exact value for a ``data-value`` attribute: repr of a float (round-trips), JSON otherwise."""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else repr(value) if math.isfinite(value) else \
            ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)


def number_cell(value: Any, metric: str, tag: str = "td") -> str:
    return f'<{tag} class="num" data-metric="{escape(metric)}" data-value="{escape(data_value(value))}">' \
           f"{escape(fmt(value))}</{tag}>"


def image_data_uri(path: str | Path) -> tuple[str, int, int] | None:
    """``(data:image/png;base64,..., width, height)`` of a readable PNG, else None (it is left off the page)."""
    from PIL import Image, UnidentifiedImageError

    try:
        payload = Path(path).read_bytes()
        with Image.open(io.BytesIO(payload)) as image:
            image.verify()
            width, height = image.size
            kind = image.format
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return None
    if kind != "PNG" or width <= 0 or height <= 0:
        return None
    return "data:image/png;base64," + base64.b64encode(payload).decode("ascii"), width, height


def figure_img(path: str | Path, caption: str, alt: str) -> str:
    """A `<figure>` with the PNG embedded, or a note that it could not be read."""
    found = image_data_uri(path)
    if found is None:
        return f'<figure class="grid missing"><p>{escape(Path(path).name)} could not be read</p>' \
               f"<figcaption>{escape(caption)}</figcaption></figure>"
    uri, width, height = found
    scale = max(1, math.ceil(MIN_GRID_WIDTH / width)) if width < MIN_GRID_WIDTH else 1
    pixelated = ' class="pixelated"' if scale > 1 else ""
    shown_w, shown_h = width * scale, height * scale
    if shown_w > MAX_GRID_WIDTH:
        shown_w, shown_h = MAX_GRID_WIDTH, max(1, round(height * MAX_GRID_WIDTH / width))
    return (f'<figure class="grid"><img src="{uri}" width="{shown_w}" height="{shown_h}"{pixelated} '
            f'alt="{escape(alt)}"><figcaption>{escape(caption)}</figcaption></figure>')


# ------------------------------------------------------------------------------------------------ sections
def status_badge(run: dict[str, Any]) -> str:
    status = run["status"]
    return f'<span class="badge {status}" data-status="{status}">{escape(STATUS_TEXT.get(status, status))}</span>'


def facts_list(run: dict[str, Any]) -> str:
    """The run at a glance: steps, time and throughput (report/summary.json), data, game and loss."""
    summary = run["summary"] or {}
    config = run["config"]
    data = run["data"] or {}
    planned = run["steps_planned"]
    rows = [("steps", f"{run['step']:,}" + (f" of {planned:,}" if planned else ""))]
    if summary:
        minutes = summary.get("seconds", 0) / 60
        rows.append(("time", f"{fmt(float(summary.get('seconds', 0)))} s ({minutes:.1f} min) in the last "
                             "gankit train call"))
        rows.append(("throughput", f"{fmt(float(summary.get('images_per_second', 0)))} real images/s"
                                   + (f" on {summary['world_size']} processes" if summary.get("world_size", 1) > 1
                                      else "")))
    if data:
        shape = "×".join(str(s) for s in data.get("sample_shape", []))
        classes = f", {data['num_classes']} classes" if data.get("num_classes") else ""
        kind = {"image": "images", "points": "points"}.get(str(data.get("kind")), str(data.get("kind")))
        rows.append(("data", f"{data.get('name')} ({kind} of {shape}{classes})"))
    model = config.get("model") if isinstance(config.get("model"), dict) else {}
    rows.append(("game", f"{config.get('game', '?')}, loss {config.get('loss', '?')}, model {model.get('arch', '?')}"))
    if run["diverged"]:
        rows.append(("diverged", run["diverged"]))
    items = "".join(f'<div><dt>{escape(k)}</dt><dd data-fact="{escape(k)}">{escape(v)}</dd></div>' for k, v in rows)
    return f'<dl class="facts">{items}</dl>'


def findings_section(findings: list[dict[str, Any]]) -> str:
    """The doctor's findings: message, evidence (JSON as ``gankit doctor --json`` prints it) and remedies."""
    if not findings:
        return '<p class="no-findings" data-findings="0">No findings: none of the doctor\'s monitors saw a ' \
               'failure mode.</p>'
    articles = []
    for f in findings:
        remedies = "".join(f'<li data-remedy="{escape(r["name"])}"><code>{escape(r["name"])}</code>: '
                           f'{escape(r["why"])}</li>' for r in f["remedies"])
        evidence = json.dumps(f["evidence"], indent=2)
        articles.append(
            f'<article class="finding {escape(f["severity"])}" data-name="{escape(f["name"])}" '
            f'data-severity="{escape(f["severity"])}" data-since-step="{int(f["since_step"])}">'
            f'<h4>{escape(f["name"].replace("_", " "))} <span class="badge {escape(f["severity"])}">'
            f'{escape(f["severity"])}</span> <small>since step {int(f["since_step"]):,}</small></h4>'
            f'<p class="message">{escape(f["message"])}</p>'
            f'<details><summary>evidence</summary><pre class="evidence">{escape(evidence)}</pre></details>'
            f'<p>Remedies, most relevant first:</p><ul class="remedies">{remedies}</ul></article>')
    return f'<div class="findings" data-findings="{len(findings)}">{"".join(articles)}</div>'


def evaluations_table(evaluations: list[dict[str, Any]]) -> str:
    """The ``eval`` records of metrics.jsonl: one row per evaluated step, one column per metric."""
    if not evaluations:
        return '<p class="none">No evaluation during training (set <code>eval.every</code> to measure FID ' \
               'and the other metrics while it trains).</p>'
    names = list(dict.fromkeys(k for e in evaluations for k in e["metrics"]))
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    rows = []
    for e in evaluations:
        cells = "".join(number_cell(e["metrics"][n], n) if n in e["metrics"] else "<td></td>" for n in names)
        rows.append(f'<tr data-step="{e["step"]}"><th>{e["step"]:,}</th>{cells}</tr>')
    s = evaluations[-1]["settings"]
    ref = s.get("ref") or {}
    note = (f"{fmt(s.get('n_fake', s.get('n')))} samples against {fmt(ref.get('n'))} of "
            f"{ref.get('identity', '?')} ({ref.get('split', '?')}); features: {s.get('extractor_id', '?')}")
    return (f'<table class="evaluations"><thead><tr><th>step</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            f'</table><p class="note">{escape(note)}</p>')


def eval_result_table(result: dict[str, Any]) -> str:
    """One ``gankit eval --json`` result: metric, value, and what was compared with what."""
    rows = "".join(f"<tr><th>{escape(k)}</th>{number_cell(v, k)}</tr>" for k, v in result.items()
                   if k != "settings")
    s = result.get("settings") or {}
    ref = s.get("ref") or {}
    step = f" (step {s['step']})" if s.get("step") is not None else ""
    note = (f"gankit eval: {fmt(s.get('n_fake'))} samples of {s.get('source', '?')}{step} vs {fmt(ref.get('n'))} of "
            f"{ref.get('identity', '?')} ({ref.get('split', '?')}); features: {s.get('extractor_id', '?')}; "
            f"seed {s.get('seed', '?')}")
    return (f'<table class="eval-result" data-step="{escape(data_value(s.get("step")))}"><caption>gankit eval'
            f'{escape(step)}</caption><thead><tr><th>metric</th>'
            f'<th>value</th></tr></thead><tbody>{rows}</tbody></table><p class="note">{escape(note)}</p>')


def samples_section(run: dict[str, Any]) -> str:
    """The sample grids over time (at most `collect.MAX_GRIDS`, evenly spaced) and the final one."""
    if not run["samples"]:
        return '<p class="none">No sample grids in samples/.</p>'
    shown = len([g for g in run["samples"] if g["step"] is not None])
    note = ""
    if run["sample_grids_total"] > shown:
        note = f'<p class="note">{shown} of {run["sample_grids_total"]} grids, evenly spaced.</p>'
    figures = "".join(figure_img(g["path"], g["label"], f"{run['label']}: samples, {g['label']}")
                      for g in run["samples"])
    return f'{note}<div class="grids">{figures}</div>'


def config_section(run: dict[str, Any], open_: bool = False) -> str:
    text = run["config_text"] or "(no config.yaml)"
    return (f'<details{" open" if open_ else ""}><summary>resolved config (config.yaml)</summary>'
            f'<pre class="config">{escape(text)}</pre></details>')


# ------------------------------------------------------------------------------------------------ curves
def _group_of(name: str) -> str | None:
    for title, match, _ in GROUPS:
        if (isinstance(match, str) and name.startswith(match)) or (isinstance(match, tuple) and name in match):
            return title
    return None


def panel_order(names: list[str]) -> list[tuple[str, list[str], bool]]:
    """(title, statistics, log scale) panels: the groups first, evaluation metrics, throughput, the rest."""
    panels = []
    for title, _, log in GROUPS:
        members = [n for n in names if _group_of(n) == title]
        if members:
            panels.append((title, members, log))
    rest = [n for n in names if _group_of(n) is None]
    evals = [n for n in rest if n.startswith("eval/")]
    others = [n for n in rest if not n.startswith("eval/") and n != "images_per_sec"]
    panels += [(n, [n], False) for n in evals]
    if "images_per_sec" in rest:
        panels.append(("real images per second", ["images_per_sec"], False))
    panels += [(n, [n], False) for n in others]
    return panels


def curves_single(run: dict[str, Any]) -> str:
    """A run's curves, grouped as report/training_curves.png groups them."""
    curves = run["curves"]
    if not curves:
        return '<p class="none">No statistics logged yet (metrics.jsonl is empty).</p>'
    charts = []
    for title, names, log in panel_order(list(curves)):
        lines = [(n, curves[n]["steps"], curves[n]["values"], color(i)) for i, n in enumerate(names)]
        charts.append(line_chart(title, lines, log_y=log, legend=len(names) > 1))
    return f'<div class="charts">{"".join(charts)}</div>'


def curves_compare(runs: list[dict[str, Any]]) -> str:
    """One chart per statistic with one line per run (colours as in the legend above them)."""
    names = list(dict.fromkeys(n for r in runs for n in r["curves"]))
    if not names:
        return '<p class="none">No statistics logged.</p>'
    legend = "".join(f'<span><i style="background:{color(i)}"></i>{escape(r["label"])}</span>'
                     for i, r in enumerate(runs))
    charts = []
    for _, members, log in panel_order(names):
        for name in members:
            lines = [(r["label"], r["curves"][name]["steps"], r["curves"][name]["values"], color(i))
                     for i, r in enumerate(runs) if name in r["curves"]]
            charts.append(line_chart(name, lines, log_y=log, legend=False))
    return f'<div class="legend runs">{legend}</div><div class="charts">{"".join(charts)}</div>'
