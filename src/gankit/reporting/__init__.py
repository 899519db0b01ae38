"""A run report to share: one self-contained HTML page per run, or one page comparing several runs.

>>> from gankit.reporting import build_report
>>> build_report("runs/ring")                                    # runs/ring/report/index.html
>>> build_report(["runs/a", "runs/b"], "compare.html")           # side by side

The page shows the resolved config, the training curves (inline SVG), the sample grids over time, the
evaluations (training-time ``eval`` records and saved ``gankit eval --json`` results), the doctor's findings
with their evidence and remedies, and the time and throughput of the run. `collect` gathers a run's facts,
`svg` draws the curves, `parts` and `page` render the HTML, `build` checks and writes, `hook` writes the page
when training ends. See docs/report.md.
"""

from gankit.reporting.build import build_report, check_report_output, default_output, load_eval_result
from gankit.reporting.collect import collect_run
from gankit.reporting.hook import ReportHook
from gankit.reporting.page import render_page

__all__ = ["ReportHook", "build_report", "check_report_output", "collect_run", "default_output",
           "load_eval_result", "render_page"]
