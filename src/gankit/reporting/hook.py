"""`ReportHook`: the run report written when training ends, diverges or is interrupted (Ctrl-C).

It runs last among the trainer's hooks (`gankit.api.training_hooks` appends it after the doctor and the
evaluation hook), after the trainer wrote samples/final.png and report/summary.json, so the page shows the
final findings, evaluations, samples and timing. A page that cannot be written (a full disk, a folder where
the file should be) costs a warning line, not the run: the final checkpoint is still saved.
"""

from __future__ import annotations

import sys

from gankit.errors import GankitError
from gankit.reporting.build import build_report
from gankit.training.hooks import Hook, Trainer


class ReportHook(Hook):
    """Writes ``report/index.html`` in the run folder at the end of training (see the module docstring)."""

    def __init__(self, console: bool = True) -> None:
        self.console = console
        self.written = None

    def on_end(self, trainer: Trainer) -> None:
        try:
            self.written = build_report(trainer.run_dir)
        except (OSError, GankitError) as exc:
            print(f"warning: the run report was not written: {exc}", file=sys.stderr)
            return
        if self.console:
            print(f"report: {self.written}", file=sys.stderr)
