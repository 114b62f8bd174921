#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole workflow on the 1000-object demo set: the time of each verb, and how well the anomaly
# ranking finds the labelled anomalies (precision among the top 50, and the ROC AUC of the score).
# Usage: bash bench/pipeline.sh            (EPOCHS=20 by default, as the seed notebook trains)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
meson compile -C _build src/cli/dassie-cli >/dev/null
cli=$PWD/_build/src/cli/dassie-cli
epochs=${EPOCHS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now () { date +%s.%N; }
step () {
  local name=$1; shift
  local t0 t1 out
  t0=$(now)
  out=$("$cli" "$@" --quiet | tail -n 1)
  t1=$(now)
  printf '%-10s %7.1f s  %s\n' "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$(basename "$out")" >&2
  echo "$out"
}

step make-demo make-demo "$work/demo" >/dev/null
common=(--data "$work/demo" --results "$work/results")
train=$(step train train "${common[@]}" --set "train.epochs=$epochs")
infer=$(step infer infer "${common[@]}" --weights "$train")
scores=$(step scores scores "${common[@]}" --input "$infer")
step umap umap "${common[@]}" --input "$infer" >/dev/null

"$cli" export "${common[@]}" --input "$scores" --no-umap --no-paths --format csv -o "$work/ranked.csv" >/dev/null
# Join the ranking with the truth; labels.csv's kind column says "normal" or the kind of anomaly.
awk -F, '
  NR == FNR { if (FNR > 1) label[$1] = $3; next }
  FNR > 1 {
    n++; anomalous = (label[$1] != "normal"); a += anomalous
    if (FNR - 1 <= 50) top += anomalous
    # Rank-sum AUC: for each normal object, count the anomalies ranked above it.
    if (anomalous) above++; else { normals++; pairs += above }
  }
  END {
    printf "objects %d, labelled anomalies %d (%.1f %%)\n", n, a, 100 * a / n
    printf "precision among the top 50: %.2f (random: %.2f)\n", top / 50, a / n
    printf "ROC AUC of the anomaly score: %.3f (random: 0.5)\n", pairs / (a * normals)
  }' "$work/demo/labels.csv" "$work/ranked.csv"
