#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Does the ranking find real anomalies on real cutouts? Cuts ~1269 HSC-style 3-band 64×64 FITS cutouts
# out of the Hubble Deep Field image that Debian's python3-skimage ships, injects artifacts into 4 % of
# them (satellite trails, cosmic-ray hits, bad columns, saturated stars with bleed trails, blends; the
# truth is kept outside the data folder), then for the Hyrax and the Recommended preset trains, infers
# and scores with dassie-cli and prints, for every numeric column of scores.fits, the ROC AUC and the
# recall in the top 5 % over all artifacts and per kind; the same for the demo set (make-demo); and a
# 5-NN median in pixel space for reference. Installs python3-skimage, -astropy, -scipy with apt-get
# when missing (bench only; /usr/bin/python3, not a pyenv one).
#
# Usage: bash bench/real-anomalies.sh [--quick] [--seeds N] [--presets "hyrax recommended"]
#                                     [--no-demo] [--no-real] [--work DIR] [--keep] [--set KEY=VALUE]...
#                                     [--scores-opt ARG]...
#   --quick     one seed (default: three)
#   --work DIR  where the data and runs go (default: a fresh folder under /var/tmp, removed at the end
#               unless --keep; the cutouts are cached in DIR and reused when DIR is given)
#   --set       extra configuration for every verb (e.g. --set train.epochs=5), after the preset
#   --scores-opt an extra argument of the scores verb (e.g. --scores-opt --method=lof)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
py=/usr/bin/python3

seeds=3 presets="hyrax recommended" demo=1 real=1 work="" keep=0 extra=() scores_opts=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) seeds=1 ;;
    --seeds) seeds=$2; shift ;;
    --presets) presets=$2; shift ;;
    --no-demo) demo=0 ;;
    --no-real) real=0 ;;
    --work) work=$2; keep=1; shift ;;
    --keep) keep=1 ;;
    --set) extra+=(--set "$2"); shift ;;
    --scores-opt) scores_opts+=("$2"); shift ;;
    -h|--help) sed -n '3,20p' "$0"; exit 0 ;;
    *) echo "real-anomalies.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# Python packages, from Debian.
need=()
"$py" -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
"$py" -c 'import astropy' 2>/dev/null || need+=(python3-astropy)
"$py" -c 'import scipy' 2>/dev/null || need+=(python3-scipy)
"$py" -c 'import skimage' 2>/dev/null || need+=(python3-skimage)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "installing ${need[*]}" >&2
  if [[ $(id -u) -eq 0 ]]; then as_root=()
  elif command -v sudo >/dev/null; then as_root=(sudo)
  else echo "real-anomalies.sh: install ${need[*]} (apt-get) and run again" >&2; exit 1; fi
  # A fresh machine may have no package lists yet.
  "${as_root[@]}" apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
    { "${as_root[@]}" apt-get update >/dev/null &&
      "${as_root[@]}" apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
"$py" "$repo/bench/anomaly_eval.py" selftest >&2

# The CLI, built as the other benchmarks build it.
[[ -f _build/build.ninja ]] || meson setup _build >/dev/null
meson compile -C _build src/cli/dassie-cli >/dev/null
cli=$repo/_build/src/cli/dassie-cli

if [[ -z $work ]]; then
  work=$(mktemp -d /var/tmp/dassie-real-anomalies.XXXXXX)
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT
echo "work folder: $work" >&2

# The data sets. The truth of the real set lives in $work/truth, not beside the cutouts (nor in the
# folder above them, where Dassie looks for catalogues). Cutouts of an older generator are remade.
generator=$(md5sum < "$repo/bench/real-anomalies-data.py")
if [[ $real -eq 1 && ( ! -f $work/truth/labels.csv || ! -d $work/real/hdf ||
                       $(cat "$work/truth/generator.md5" 2>/dev/null) != "$generator" ) ]]; then
  rm -rf "$work/real/hdf" "$work/truth"
  "$py" "$repo/bench/real-anomalies-data.py" "$work/real/hdf" "$work/truth/labels.csv" >&2
  echo "$generator" > "$work/truth/generator.md5"
fi
# The demo set is made afresh (18 s), so that it is always the one of this build's make-demo.
if [[ $demo -eq 1 ]]; then
  rm -rf "$work/demo"
  "$cli" make-demo "$work/demo" --quiet >/dev/null
fi

# The configuration of a preset for a verb, into the array pargs: --preset when the verb has it
# (nothing for the verbs without it once train has it: they follow the train run), else the keys of
# the recipe.
preset_args () {  # verb, preset
  pargs=()
  if "$cli" "$1" --help 2>/dev/null | grep -q -- '--preset'; then
    pargs=(--preset "$2")
    return
  fi
  if "$cli" train --help 2>/dev/null | grep -q -- '--preset'; then
    return
  fi
  case $2 in
    # The seed notebook's recipe (Dassie's defaults before presets existed).
    hyrax) pargs=(--set optimizer.name=SGD --set optimizer.lr=0.01 --set optimizer.momentum=0.9
                  --set train.epochs=20 --set data_loader.batch_size=32 --set data_set.transform=tanh) ;;
    # Until the CLI has presets: Adam, with which the model learns (issue 20).
    recommended) pargs=(--set optimizer.name=Adam --set optimizer.lr=0.001 --set train.epochs=20
                        --set data_loader.batch_size=32 --set data_set.transform=tanh) ;;
    *) echo "real-anomalies.sh: unknown preset $2 (the CLI has no --preset yet: hyrax or recommended)" >&2
       exit 2 ;;
  esac
}

for preset in $presets; do preset_args train "$preset"; done  # an unknown preset stops here

now () { date +%s.%N; }
rows=$work/rows.tsv
: > "$rows"
times=()

run_one () {  # data set name, data folder, labels, preset, seed
  local name=$1 data=$2 labels=$3 preset=$4 seed=$5
  local results=$work/results/$name-$preset-$seed t0 t1 train infer scores
  rm -rf "$results"
  local common=(--data "$data" --results "$results" --set "train.seed=$seed" --set "data_set.seed=$seed")
  t0=$(now)
  preset_args train "$preset"
  train=$("$cli" train "${common[@]}" "${pargs[@]}" "${extra[@]}" --quiet | tail -n 1)
  t1=$(now)
  preset_args infer "$preset"
  infer=$("$cli" infer "${common[@]}" "${pargs[@]}" "${extra[@]}" --weights "$train" --quiet | tail -n 1)
  preset_args scores "$preset"
  scores=$("$cli" scores "${common[@]}" "${pargs[@]}" "${extra[@]}" --input "$infer" "${scores_opts[@]}" \
           --quiet | tail -n 1)
  [[ -f $scores/scores.fits ]] || { echo "real-anomalies.sh: no scores.fits in $scores" >&2; exit 1; }
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  times+=("$(printf '%-5s %-12s seed %-3s train %6s s  %s' "$name" "$preset" "$seed" "$secs" \
             "$("$py" "$repo/bench/anomaly_eval.py" train-summary "$train")")")
  echo "${times[-1]}" >&2
  "$py" "$repo/bench/anomaly_eval.py" scores "$labels" "$scores/scores.fits" "$name" "$preset" "$seed" >> "$rows"
}

for preset in $presets; do
  for ((seed = 1; seed <= seeds; seed++)); do
    [[ $real -eq 0 ]] || run_one real "$work/real/hdf" "$work/truth/labels.csv" "$preset" "$seed"
    [[ $demo -eq 0 ]] || run_one demo "$work/demo" "$work/demo/labels.csv" "$preset" "$seed"
  done
done
[[ $real -eq 0 ]] || "$py" "$repo/bench/anomaly_eval.py" pixels "$work/truth/labels.csv" "$work/real/hdf" real baseline 0 >> "$rows"
[[ $demo -eq 0 ]] || "$py" "$repo/bench/anomaly_eval.py" pixels "$work/demo/labels.csv" "$work/demo" demo baseline 0 >> "$rows"

{
  "$py" "$repo/bench/anomaly_eval.py" table "$rows"
  echo
  echo "wall-clock time per training, its recipe and losses:"
  printf '  %s\n' "${times[@]}"
} | tee "$work/table.txt"
