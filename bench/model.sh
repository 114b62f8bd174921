#!/usr/bin/env bash
# Prints training and inference samples/s of HyraxAutoencoderV2 at 3×96×96 (batch 32 and 512), the
# GFLOP/s they mean and the peak memory with 1000 objects in memory.
# Usage: bash bench/model.sh [THREADS (0 = all cores)] [SECONDS PER MEASUREMENT]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
ninja -C _build bench/bench-model >/dev/null
./_build/bench/bench-model "${1:-0}" "${2:-6}"
