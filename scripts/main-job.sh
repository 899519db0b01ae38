#!/usr/bin/env bash
# The main job: set up, then train the default recipe (DCGAN on Fashion-MNIST) into runs/dcgan-fashion.
# Extra arguments go to `gankit train` (e.g. --force to replace an earlier run, --set train.steps=500).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/gankit train dcgan-fashion --out runs/dcgan-fashion "$@"
.venv/bin/gankit info runs/dcgan-fashion
