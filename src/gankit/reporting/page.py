"""The report page: one self-contained HTML file for one run, or one page comparing several side by side.

Self-contained: the styles are inline, the curves inline SVG, the sample grids PNGs embedded as ``data:`` URIs;
there is no script, no external font, stylesheet or image, so the file reads the same offline, attached to an
e-mail or opened from a shared drive. Built with the standard library (`html.escape`), no template engine.
"""

from __future__ import annotations

import datetime
from html import escape
from typing import Any

from gankit.reporting.collect import config_differences
from gankit.reporting.parts import (
    config_section,
    curves_compare,
    curves_single,
    eval_result_table,
    evaluations_table,
    facts_list,
    figure_img,
    findings_section,
    fmt,
    number_cell,
    samples_section,
    status_badge,
)

#: Marks a file `gankit report` wrote, so that ``--out FILE --force`` replaces only such a file.
GENERATOR = "gankit report"

CSS = """
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #ffffff; --panel: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--fg); background: var(--bg); }
header, main > section { padding: 18px 32px; }
header { background: #1d2330; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 2px 0; color: #c9cfdb; }
h2 { font-size: 19px; margin: 22px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
section > h2:first-child { margin-top: 0; }
h3 { font-size: 16px; margin: 18px 0 8px; }
h4 { margin: 0 0 6px; font-size: 15px; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 480px; }
.facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; }
.facts div { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.facts dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; font-weight: 600; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px;
         background: #e5e8ee; color: #1d2330; vertical-align: middle; }
.badge.finished { background: #d7f0df; color: #145a2c; } .badge.running { background: #dce9f8; color: #17477a; }
.badge.stopped { background: #e5e8ee; } .badge.interrupted, .badge.warning { background: #fbe7c6; color: #7a4a00; }
.badge.diverged, .badge.critical { background: #f8d4d0; color: #8a1c10; }
.finding { border: 1px solid var(--line); border-left: 5px solid #e69f00; border-radius: 6px; padding: 10px 14px;
           margin: 0 0 12px; }
.finding.critical { border-left-color: #c0392b; }
.finding ul { margin: 4px 0; padding-left: 20px; } .finding p { margin: 4px 0; }
.no-findings { background: #eef8f1; border: 1px solid #c6e6d0; border-radius: 6px; padding: 8px 12px; }
table { border-collapse: collapse; margin: 4px 0 8px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: var(--panel); }
caption { text-align: left; font-weight: 600; padding: 6px 0 2px; white-space: nowrap; }
.note, .none { color: var(--muted); font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 12px; }
figure { margin: 0; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
.chart figcaption { font-weight: 600; font-size: 13px; margin: 0 0 2px 4px; }
.chart svg { display: block; font-size: 10px; fill: var(--muted); width: 100%; height: auto; }
.chart svg .plot { fill: #fff; stroke: var(--line); } .chart svg .grid { stroke: #eceef2; }
.chart svg .axis { fill: var(--muted); }
.chart .empty { color: var(--muted); font-size: 13px; width: 300px; margin: 40px 10px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin: 2px 4px; }
.legend.runs { font-size: 14px; margin: 0 0 10px; }
.legend i { display: inline-block; width: 14px; height: 3px; margin: 0 5px 3px 0; vertical-align: middle; }
.grids { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-end; }
.grid img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
img.pixelated { image-rendering: pixelated; }
.grid figcaption { font-size: 13px; color: var(--muted); text-align: center; }
details > summary { cursor: pointer; color: var(--muted); }
.run-section { border-top: 3px solid var(--line); }
footer { padding: 14px 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
"""


def assign_labels(runs: list[dict[str, Any]]) -> None:
    """Each run's label: its folder name, or its whole path where two runs share a folder name."""
    names = [r["label"] for r in runs]
    for run in runs:
        if names.count(run["label"]) > 1:
            run["label"] = run["path"]


def _document(title: str, header: str, body: str) -> str:
    import gankit

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{GENERATOR} {escape(gankit.__version__)}">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body><header>{header}</header>\n"
            f"<main>{body}</main>\n<footer>Written by gankit {escape(gankit.__version__)} on {now}. "
            "Regenerate with <code>gankit report RUN</code>; one file, readable offline.</footer></body></html>\n")


def _evaluation_block(run: dict[str, Any]) -> str:
    html = evaluations_table(run["evaluations"])
    for result in run["eval_results"]:
        html += eval_result_table(result)
    return html


def _run_body(run: dict[str, Any], index: int, *, compare: bool) -> str:
    """A run's sections; in a comparison each run's details sit in its own section under the shared ones."""
    level = "h3" if compare else "h2"
    parts = [
        f'<section class="run-section" id="run-{index}" data-run="{escape(run["path"])}">',
        f'<h2>{escape(run["label"])} {status_badge(run)}</h2>' if compare else "",
        facts_list(run) if compare else "",
        f"<{level}>Doctor's findings</{level}>", findings_section(run["findings"]),
        f"<{level}>Evaluation</{level}>", _evaluation_block(run),
    ]
    if not compare:
        parts += [f"<{level}>Training curves</{level}>", curves_single(run)]
    parts += [f"<{level}>Samples over time</{level}>", samples_section(run),
              f"<{level}>Config</{level}>", config_section(run, open_=not compare), "</section>"]
    return "".join(parts)


def render_single(run: dict[str, Any]) -> str:
    description = f"<p>{escape(run['description'])}</p>" if run["description"] else ""
    header = (f"<h1>{escape(run['label'])} <small>({escape(run['name'])})</small> {status_badge(run)}</h1>"
              f"{description}<p>{escape(run['path'])}</p>")
    body = f'<section id="summary">{facts_list(run)}</section>' + _run_body(run, 0, compare=False)
    return _document(f"gankit report: {run['label']}", header, body)


def comparison_table(runs: list[dict[str, Any]]) -> str:
    """One row per run: status, steps, time, throughput, the last training-time evaluation, the findings."""
    metrics = list(dict.fromkeys(k for r in runs if r["evaluations"] for k in r["evaluations"][-1]["metrics"]))
    head = "".join(f"<th>{escape(m)}</th>" for m in metrics)
    rows = []
    for i, run in enumerate(runs):
        summary = run["summary"] or {}
        last = run["evaluations"][-1] if run["evaluations"] else None
        cells = "".join(number_cell(last["metrics"][m], m) if last and m in last["metrics"] else "<td></td>"
                        for m in metrics)
        findings = ", ".join(f"{f['name']} ({f['severity']})" for f in run["findings"]) or "none"
        planned = f" / {run['steps_planned']:,}" if run["steps_planned"] else ""
        rows.append(
            f'<tr data-run="{escape(run["path"])}"><th><a href="#run-{i}">{escape(run["label"])}</a></th>'
            f'<td>{escape(run["name"])}</td><td>{status_badge(run)}</td><td class="num">{run["step"]:,}{planned}</td>'
            f'<td class="num">{escape(fmt(summary.get("seconds")))}</td>'
            f'<td class="num">{escape(fmt(summary.get("images_per_second")))}</td>'
            f'<td class="num">{escape(fmt(last["step"])) if last else ""}</td>{cells}'
            f'<td class="findings-cell">{escape(findings)}</td></tr>')
    return (f'<table class="comparison"><thead><tr><th>run</th><th>recipe</th><th>status</th><th>steps</th>'
            f'<th>seconds</th><th>images/s</th><th>eval step</th>{head}<th>doctor</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
            '<p class="note">seconds and images/s: the last <code>gankit train</code> call (report/summary.json); '
            'metrics: the last evaluation during training.</p>')


def differences_table(runs: list[dict[str, Any]]) -> str:
    rows = config_differences(runs)
    if not rows:
        return '<p class="none">The runs share every config key.</p>'
    head = "".join(f"<th>{escape(r['label'])}</th>" for r in runs)
    body = "".join(f"<tr><th><code>{escape(key)}</code></th>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in values)
                   + "</tr>" for key, values in rows)
    return f'<table class="config-diff"><thead><tr><th>key</th>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_compare(runs: list[dict[str, Any]]) -> str:
    header = (f"<h1>{len(runs)} runs side by side</h1>"
              f"<p>{escape(', '.join(r['label'] for r in runs))}</p>")
    finals = []
    for run in runs:
        final = [g for g in run["samples"] if g["step"] is None] or run["samples"][-1:]
        if final:
            finals.append(figure_img(final[0]["path"], f"{run['label']}: {final[0]['label']}",
                                     f"{run['label']}: samples, {final[0]['label']}"))
    body = ['<section id="comparison"><h2>Runs</h2>', comparison_table(runs),
            "<h3>Config differences</h3>", differences_table(runs), "</section>",
            '<section id="curves"><h2>Training curves</h2>', curves_compare(runs), "</section>",
            '<section id="final-samples"><h2>Final samples</h2>',
            f'<div class="grids">{"".join(finals)}</div>' if finals else '<p class="none">No sample grids.</p>',
            "</section>"]
    body += [_run_body(run, i, compare=True) for i, run in enumerate(runs)]
    return _document(f"gankit report: {len(runs)} runs", header, "".join(body))


def render_page(runs: list[dict[str, Any]]) -> str:
    """The page for one run's facts, or the side-by-side page for several."""
    if not runs:
        raise ValueError("render_page needs at least one run")
    assign_labels(runs)
    return render_single(runs[0]) if len(runs) == 1 else render_compare(runs)
