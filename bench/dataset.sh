#!/usr/bin/env bash
# Prints how many objects per second the data set reader opens and loads (1000 × 3 × 96 × 96 demo set).
# Usage: bash bench/dataset.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
meson compile -C _build bench-dataset >/dev/null
./_build/bench/bench-dataset "$@"
