#!/usr/bin/env bash
# Prints all-pairs k-NN figures (the anomaly scores' search): exact and HNSW time, recall, peak memory.
# Usage: bash bench/knn.sh [N [DIM [K [THREADS [INTRINSIC_DIM]]]]]   (default 100000 64 5 all 8)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
meson compile -C _build bench-knn >/dev/null
./_build/bench/bench-knn "$@"
