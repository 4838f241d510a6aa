#!/usr/bin/env bash
# A seed ensemble on one machine: train CONFIG with N seeds one after another (each resumable: a
# killed run continues from its last checkpoint when the script is run again), then average them.
# Usage: train/seed-ensemble.sh CONFIG OUT [--set key=value ...]    (SEEDS="13 14" by default)
# Result: OUT/seed-<s>/ for each run and OUT/ensemble/ (evaluate with --split test).
set -euo pipefail
CONFIG=${1:?usage: train/seed-ensemble.sh CONFIG OUT [--set key=value ...]}
OUT=${2:?usage: train/seed-ensemble.sh CONFIG OUT [--set key=value ...]}
shift 2
RUN=${DRY_RUN:+echo}
runs=()
for seed in ${SEEDS:-13 14}; do
  dir="$OUT/seed-$seed"
  if [ -f "$dir/run.json" ] && grep -q '"status": "finished"' "$dir/run.json"; then
    echo "seed $seed: finished run in $dir, kept"
  elif [ -d "$dir" ]; then
    $RUN framespan train "$CONFIG" --output "$dir" --resume --set "seed=$seed" "$@"
  else
    $RUN framespan train "$CONFIG" --output "$dir" --set "seed=$seed" "$@"
  fi
  runs+=("$dir")
done
$RUN framespan ensemble "${runs[@]}" --out "$OUT/ensemble" --overwrite
