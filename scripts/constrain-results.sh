#!/usr/bin/env bash
# Accuracy of a model under each --constrain mode on assistant:test and the BFCL Python
# categories, with the per-token mask cost (the README's "Constrained decoding" table).
# Results land in runs/constrain/<suite>-<mode>/ (gitignored); one Markdown row per run.
# Usage: scripts/constrain-results.sh [MODEL_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-fixtures/needle-tiny}
out=runs/constrain
cargo build --release -q -p thimble-harness
bin=target/release/thimble
mkdir -p "$out"

dirs=()
for suite in assistant:test bfcl:simple_python bfcl:multiple bfcl:parallel bfcl:parallel_multiple bfcl:live_simple; do
  for mode in off names schema; do
    dir="$out/${suite//:/-}-$mode"
    rm -rf "$dir"
    "$bin" run --model "$model" --suite "$suite" --constrain "$mode" --threads 2 --out "$dir" >/dev/null 2>&1
    dirs+=("$dir")
  done
done

echo "| suite | constrain | n | accuracy [Wilson 95%] | JSON-valid | unfinished | mask µs/token p50 / p99 |"
echo "|---|---|---:|---|---:|---:|---|"
for d in "${dirs[@]}"; do
  python3 - "$d" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
r = s["provenance"]["run"]
m, i = s["metrics"], s["intervals"]
rep = r.get("constrain_report") or {}
mask = rep.get("mask_us_per_token") or {}
cost = f"{mask['p50']:.1f} / {mask['p99']:.1f}" if mask.get("p50") is not None else "–"
unfinished = len(rep.get("incomplete", [])) if rep else 0
print(f"| {r['suite']} | {r['constrain']} | {s['examples']} | {100 * m['accuracy']:.1f}% "
      f"[{100 * i['accuracy'][0]:.1f}, {100 * i['accuracy'][1]:.1f}] | {100 * m['json_valid']:.1f}% | "
      f"{unfinished} | {cost} |")
PY
done
