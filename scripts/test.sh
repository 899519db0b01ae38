#!/usr/bin/env bash
# Set up, then run the whole test suite, spread over the cores by pytest-xdist.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# One test process per core (at most 4), each on one thread (tests/conftest.py); `-n 0` runs them in this process.
.venv/bin/python -m pytest tests -n auto --maxprocesses 4 "$@"
