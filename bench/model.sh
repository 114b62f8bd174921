#!/usr/bin/env bash
# HyraxAutoencoderV2 throughput at 3×96×96: training samples/s (batch 32, SGD), inference samples/s
# (encoder, batch 512), the GFLOP/s they mean (0.73 and 0.12 GFLOP per sample) and CPU ms per sample
# (steady when other jobs share the machine); then the real train and infer verbs on the 1000-object
# demo set with the peak memory (the demo set is generated into _build/bench-demo the first time).
# Usage: bash bench/model.sh [THREADS (0 = all cores)] [SECONDS PER MEASUREMENT] [DEMO EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
ninja -C _build bench/bench-model >/dev/null
threads="${1:-0}"
./_build/bench/bench-model "$threads" "${2:-6}"
./_build/bench/bench-model demo _build/bench-demo "${3:-2}" "$threads"
