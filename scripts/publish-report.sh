#!/usr/bin/env bash
# Regenerates the published report in reports/latest/ from results committed next to it:
#   1. scripts/fixture-results.sh: the bundled model on every reported suite -> runs/fixture/
#   2. thimble bench on the Needle 1 shape (synthetic:needle1-26m), every backend, 1 and 2 threads
#   3. copies both into reports/latest/results/ (committed: every chart traces to these files)
#   4. thimble report --results reports/latest/results/... --out reports/latest
# Usage: scripts/publish-report.sh [--no-run]   (--no-run: only step 4, from the committed results)
# Run it on a quiet machine: the throughput charts are only as good as the machine was idle.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p thimble-harness
bin=target/release/thimble
results=reports/latest/results

if [ "${1:-}" != "--no-run" ]; then
  scripts/fixture-results.sh >/dev/null
  rm -rf "$results"
  mkdir -p "$results"
  cp -r runs/fixture/* "$results/"
  "$bin" bench --model synthetic:needle1-26m --backend naive,ndarray,gemm,int8,int4 --threads 1,2 \
    --prefill 256 --decode 64 --reps 5 --roofline --format json > "$results/bench-needle1-26m.json"
fi

# Runs first (assistant, then BFCL), bench last: the report keeps this order.
mapfile -t inputs < <(ls -d "$results"/assistant-* "$results"/bfcl-* "$results"/bench-*.json 2>/dev/null)
[ "${#inputs[@]}" -gt 0 ] || { echo "no results in $results; run without --no-run first" >&2; exit 2; }
find reports/latest -maxdepth 1 -type f \( -name '*.svg' -o -name '*.png' -o -name '*.md' -o -name '*.html' \) -delete
"$bin" report --results "${inputs[@]}" --out reports/latest
echo "reports/latest: $(ls reports/latest | wc -l) files from ${#inputs[@]} inputs"
