#!/usr/bin/env bash
# Regenerates the published report in reports/latest/ from results committed next to it:
#   1. scripts/fixture-results.sh: the bundled model on every reported suite -> runs/fixture/
#   2. thimble bench on the Needle 1 shape (synthetic:needle1-26m), every backend, 1 and 2
#      threads, and on the bundled model (gemm, int8, int4), P=256, D=64
#   3. copies both into reports/latest/results/ (committed: every chart traces to these files)
#   4. scores every committed baseline recording (baselines/<id>/*.jsonl, with the selection
#      recorded in its meta.json) into reports/latest/results/baseline-<id>-<suite>/ and copies
#      baselines/<id>/bench.json (baselines/bench.py) beside them; an unfinished recording
#      (selected examples not yet recorded) stops the script with thimble run's message
#   5. thimble report --results reports/latest/results/... --out reports/latest
# Usage: scripts/publish-report.sh [--no-run | --fixture-only]
#   --no-run: skip steps 1-3 (slow, and only as good as the machine was quiet); steps 4 and 5
#   are deterministic and always run.
#   --fixture-only: steps 1-3 for the bundled model only (after retraining it); the committed
#   synthetic:needle1-26m bench file is kept as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
case "$#:$mode" in
  0:|1:--no-run|1:--fixture-only) ;;
  *) echo "usage: scripts/publish-report.sh [--no-run | --fixture-only]" >&2; exit 2 ;;
esac
results=reports/latest/results
if [ "$mode" = --fixture-only ] && [ ! -f "$results/bench-needle1-26m.json" ]; then
  echo "$results/bench-needle1-26m.json missing; run without --fixture-only" >&2
  exit 2
fi
cargo build --release -q -p thimble-harness
bin=target/release/thimble

if [ "$mode" != "--no-run" ]; then
  scripts/fixture-results.sh >/dev/null
  if [ "$mode" = --fixture-only ]; then
    rm -rf "$results"/assistant-* "$results"/bfcl-* "$results/bench-needle-tiny.json"
  else
    rm -rf "$results"
  fi
  mkdir -p "$results"
  cp -r runs/fixture/* "$results/"
  [ "$mode" = --fixture-only ] || "$bin" bench --model synthetic:needle1-26m --backend naive,ndarray,gemm,int8,int4 --threads 1,2 \
    --prefill 256 --decode 64 --reps 5 --roofline --format json > "$results/bench-needle1-26m.json"
  "$bin" bench --model fixtures/needle-tiny --backend gemm,int8,int4 --threads 1,2 \
    --prefill 256 --decode 64 --reps 5 --format json > "$results/bench-needle-tiny.json"
fi

rm -rf "$results"/baseline-* "$results"/bench-baseline-*.json
for meta in baselines/*/meta.json; do
  dir=$(dirname "$meta")
  id=$(basename "$dir")
  [ "$id" = ci ] && continue
  # "<file>\t<suite address>" per recorded suite, from meta.json (captured first so that a
  # failure stops the script; set -e does not see inside a process substitution)
  pairs=$(python3 -c 'import json, sys
for k, v in json.load(open(sys.argv[1]))["suites"].items():
    print(k, v["suite"], sep="\t")' "$meta")
  while IFS=$'\t' read -r file suite; do
    [ -n "$file" ] && [ -f "$dir/$file" ] || continue
    "$bin" run --model "recorded:$dir" --suite "$suite" --out "$results/baseline-$id-${file%.jsonl}" >/dev/null
  done <<< "$pairs"
  [ -f "$dir/bench.json" ] && cp "$dir/bench.json" "$results/bench-baseline-$id.json"
done

# The report keeps this order: assistant runs, then baselines, then BFCL runs; benches last.
mapfile -t inputs < <(ls -d "$results"/assistant-* "$results"/baseline-* "$results"/bfcl-* 2>/dev/null; \
  ls "$results"/bench-*.json 2>/dev/null)
[ "${#inputs[@]}" -gt 0 ] || { echo "no results in $results; run without --no-run first" >&2; exit 2; }
find reports/latest -maxdepth 1 -type f \( -name '*.svg' -o -name '*.png' -o -name '*.md' -o -name '*.html' \) -delete
"$bin" report --results "${inputs[@]}" --out reports/latest
echo "reports/latest: $(ls reports/latest | wc -l) files from ${#inputs[@]} inputs"
