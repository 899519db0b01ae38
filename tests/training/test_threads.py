"""The thread count: as given, from OMP_NUM_THREADS, or the idle cores, with a note when cores are busy."""

from __future__ import annotations

import pytest

from gankit.errors import ConfigError
from gankit.training import threads


@pytest.fixture
def four_cores(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 4)


def test_an_explicit_count_is_taken_as_given(four_cores):
    assert threads.choose_threads(3, busy=lambda: 4.0) == (3, None)


def test_omp_num_threads_is_taken_as_given(four_cores, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert threads.choose_threads(0, busy=lambda: 0.0) == (2, None)


@pytest.mark.parametrize(("busy", "chosen"), [(0.0, 4), (0.3, 4), (1.0, 3), (2.6, 1), (4.0, 1), (7.0, 1)])
def test_automatic_uses_the_idle_cores(four_cores, busy, chosen):
    count, note = threads.choose_threads(0, busy=lambda: busy)
    assert count == chosen
    assert (note is None) == (chosen == 4)
    if note:
        assert f"{4 - chosen} of 4 cores are busy" in note and "--threads" in note


def test_without_proc_stat_it_uses_every_core(four_cores):
    assert threads.choose_threads(0, busy=lambda: None) == (4, None)


def test_a_negative_count_is_a_config_error():
    with pytest.raises(ConfigError, match="threads"):
        threads.choose_threads(-1)


def test_busy_cores_reads_a_fraction_of_the_machine():
    busy = threads.busy_cores(0.05)
    assert busy is None or 0.0 <= busy <= (__import__("os").cpu_count() or 1) + 1e-6
