"""Progress in a pipe or a log file: plain lines, about twenty per run whatever its length, never bar redraws."""

from __future__ import annotations

import io

import pytest

from gankit.training.progress import PLAIN_LINES_PER_RUN, Progress, format_duration, plain_line


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.4, "59s"), (61, "1m01s"), (3600 * 2 + 600, "2h10m")])
def test_durations_read_as_a_person_writes_them(seconds, text):
    assert format_duration(seconds) == text


def test_a_plain_line_has_the_step_the_losses_the_speed_and_the_time_left():
    line = plain_line(200, 1400, {"loss/D": 1.2345, "loss/G": 0.5, "D(x)": 0.7, "images_per_sec": 411.6}, 130)
    assert line == "step 200/1400 (14%)  loss/D 1.23  loss/G 0.5  412 img/s  ETA 2m10s"


@pytest.mark.parametrize(("steps", "expected"), [(100, 5), (1400, PLAIN_LINES_PER_RUN), (16000, PLAIN_LINES_PER_RUN)])
def test_a_log_file_gets_about_twenty_lines_and_no_carriage_returns(steps, expected):
    """One line per log interval (every 20 steps here) while there are few, about twenty per run when many."""
    stream = io.StringIO()
    progress = Progress(steps, 0, "run", stream=stream, interactive=False)
    for step in range(1, steps + 1):
        progress.step()
        if step % 20 == 0 or step == steps:
            progress.log(step, {"loss/D": 1.0, "images_per_sec": 100.0})
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert expected - 1 <= len(lines) <= expected + 1
    assert lines[0].startswith("step 20/") and lines[-1].startswith(f"step {steps}/{steps} (100%)")


def test_a_terminal_gets_a_bar():
    stream = io.StringIO()
    progress = Progress(10, 0, "run", stream=stream, interactive=True)
    for step in range(1, 11):
        progress.step()
        progress.log(step, {"loss/D": 1.0})
    progress.close()
    assert "\r" in stream.getvalue() and "10/10" in stream.getvalue()
