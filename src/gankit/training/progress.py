"""How a run shows its progress: a live bar on a terminal, plain lines in a pipe or a log file.

On a terminal (stderr is a TTY) the trainer draws a tqdm bar. Anywhere else a bar's carriage-return redraws
pile up into one enormous line, so the trainer prints plain lines instead (``step 200/1400 (14%)  loss/D 1.21
loss/G 0.93  412 img/s  ETA 2m10s``), at a log interval once a twentieth of the run has passed since the last
line or `PLAIN_EVERY_SECONDS` have, plus the first and last interval: about twenty lines per run, whatever its
length. `console` prints a line without breaking a bar (the doctor's findings use it).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

PLAIN_EVERY_SECONDS = 300.0
PLAIN_LINES_PER_RUN = 20


def console(line: str) -> None:
    """Print `line` to stderr above a running progress bar (or plainly when there is none)."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)


def format_duration(seconds: float) -> str:
    """12s, 3m05s, 2h10m."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def plain_line(step: int, total: int, stats: dict[str, float], eta_seconds: float | None) -> str:
    """One progress line: the step, the losses, the throughput and the time left."""
    parts = [f"step {step}/{total} ({step / max(total, 1):.0%})"]
    parts += [f"{k} {v:.3g}" for k, v in stats.items() if k.startswith("loss/")]
    if "images_per_sec" in stats:
        parts.append(f"{stats['images_per_sec']:.0f} img/s")
    if eta_seconds is not None:
        parts.append(f"ETA {format_duration(eta_seconds)}")
    return "  ".join(parts)


class Progress:
    """The progress of one training call from `start` to `total` steps (see the module docstring)."""

    def __init__(self, total: int, start: int, name: str, *, stream: TextIO | None = None,
                 interactive: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.start = total, start
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.started = time.perf_counter()
        self.last_line_step: int | None = None
        self.last_line_time = self.started
        self.bar: Any = None
        if self.interactive:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=start, unit="step", dynamic_ncols=True, desc=name, file=self.stream)

    def step(self, n: int = 1) -> None:
        """Called after every generator step."""
        if self.bar is not None:
            self.bar.update(n)

    def eta(self, step: int) -> float | None:
        done = step - self.start
        if done <= 0:
            return None
        return (time.perf_counter() - self.started) / done * (self.total - step)

    def log(self, step: int, stats: dict[str, float]) -> None:
        """Called at every logging interval with its statistics."""
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.3g}" for k, v in stats.items() if k.startswith("loss/")})
            return
        now = time.perf_counter()
        due = (self.last_line_step is None or step >= self.total
               or step - self.last_line_step >= max(1, self.total // PLAIN_LINES_PER_RUN)
               or now - self.last_line_time >= PLAIN_EVERY_SECONDS)
        if due:
            print(plain_line(step, self.total, stats, self.eta(step)), file=self.stream, flush=True)
            self.last_line_step, self.last_line_time = step, now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
