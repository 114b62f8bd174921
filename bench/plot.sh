#!/usr/bin/env bash
# Prints the time of a pan and of a zoom frame of the scatter with 1,000,000 points (target < 16 ms),
# of a lasso over 1,000,000 points (target < 100 ms), and the thumbnails/s of 96×96 3-band cutouts.
# Usage: bash bench/plot.sh [SECONDS] [FOLDER to save scatter-1M.png in]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
ninja -C _build bench/bench-plot >/dev/null
./_build/bench/bench-plot "${1:-4}" ${2:+"$2"}
