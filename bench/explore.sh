#!/usr/bin/env bash
# Prints the frame figures of the Explore map widget with 1,000,000 points under Xvfb (cairo
# renderer): the redraw of the points per pan/zoom frame (target < 16 ms), the frame clock's paint
# and frame interval, a hover pick and a lasso over every point (target < 100 ms).
# Usage: bash bench/explore.sh [FRAMES]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
ninja -C _build tests/test-gui-explore >/dev/null
DASSIE_BENCH_FRAMES="${1:-300}" GSK_RENDERER=cairo GDK_DEBUG=gl-disable NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory \
  xvfb-run -a -s '-screen 0 1400x900x24' ./_build/tests/test-gui-explore -p /gui/explore/million 2>/dev/null |
  grep -v -e '^#' -e '^ok' -e '^1\.\.' -e '^TAP'
