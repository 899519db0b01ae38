"""Shared helpers for the metrics tests."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a test that trains something real and takes tens of seconds")
