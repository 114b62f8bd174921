#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The discovery loop on the demo set: a simulated astronomer looks at the 10 most promising unlabelled
# objects, labels them from the demo's labels.csv (its label column: the interesting kinds, i.e.
# mergers, unusual colours, rings, lensed arcs and tidal tails, are interesting; trails, NaN holes and
# saturated stars are artifacts; the rest is boring), re-ranks and repeats until 100 were seen; the
# interesting objects found in the first 50 and 100, with active learning and with the plain anomaly
# ranking; then the seconds of a re-rank at 100,000 objects × 64 dimensions.
# Usage: bash bench/discovery.sh             (EPOCHS=20 as the seed notebook trains)
#        DEMO=DIR SCORES=RUN bash bench/discovery.sh   (reuse a demo set and a scores run of it)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
meson compile -C _build src/cli/dassie-cli bench-discovery >/dev/null
cli=$PWD/_build/src/cli/dassie-cli
bench=$PWD/_build/bench/bench-discovery
epochs=${EPOCHS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

demo=${DEMO:-}
scores=${SCORES:-}
if [[ -z $scores ]]; then
  if [[ -z $demo ]]; then
    demo=$work/demo
    "$cli" make-demo "$demo" --quiet >/dev/null
  fi
  t0=$(date +%s)
  common=(--data "$demo" --results "$work/results" --quiet)
  train=$("$cli" train "${common[@]}" --set "train.epochs=$epochs" | tail -n 1)
  infer=$("$cli" infer "${common[@]}" --weights "$train" | tail -n 1)
  scores=$("$cli" scores "${common[@]}" --input "$infer" | tail -n 1)
  echo "pipeline (train $epochs epochs, infer, scores): $(( $(date +%s) - t0 )) s" >&2
fi

echo "== the discovery loop on the demo set (batches of 10, 100 objects seen)"
"$bench" "$scores" "$demo/labels.csv" 10 100

# The same loop scripted through the CLI, as a user would: rank, label the top 10, repeat.
labels=$work/labels.csv
: >"$labels"
for round in 1 2 3; do
  "$cli" rank --input "$scores" --labels "$labels" --top 10 -o "$work/top.csv" --quiet >/dev/null
  awk -F, 'NR == FNR { if (FNR > 1) truth[$1] = $2; next } FNR > 1 { print $1 "," truth[$1] }' \
    "$demo/labels.csv" "$work/top.csv" >>"$labels"
done
echo "== through dassie-cli rank: interesting among the first 30 seen: $(grep -c ',interesting$' "$labels")"

echo "== re-rank time at 100,000 objects × 64 dimensions"
"$bench" --synthetic 100000 64 100
