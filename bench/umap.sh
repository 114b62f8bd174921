#!/usr/bin/env bash
# Prints UMAP figures: Dassie end to end (20k and 100k × 64 by default), trustworthiness(15), peak memory,
# and, when Debian's umap-learn is installed (apt-get install umap-learn), umap-learn's on the same data.
# Usage: bash bench/umap.sh [N ...]     (REFERENCE=0 skips umap-learn)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
meson compile -C _build bench-umap >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(20000 100000)
# Debian's umap-learn lives in the system Python, which another python3 on PATH may hide.
py=/usr/bin/python3
[[ -x "$py" ]] || py=python3
for n in "${sizes[@]}"; do
  ./_build/bench/bench-umap make "$n" 64 "$tmp/data.f32"
  ./_build/bench/bench-umap fit "$tmp/data.f32" "$n" 64 "$tmp/dassie.f32"
  if [[ "${REFERENCE:-1}" != 0 ]] && "$py" -c 'import umap' 2>/dev/null; then
    "$py" bench/umap-reference.py "$tmp/data.f32" "$n" 64 "$tmp/umap-learn.f32"
    ./_build/bench/bench-umap trust "$tmp/data.f32" "$n" 64 "$tmp/umap-learn.f32"
  fi
done
