#!/usr/bin/env bash
# Runs the bundled fixture model over every suite the README reports (assistant test and
# heldout-tools on each backend, all 13 BFCL single-turn categories on gemm) and prints one
# Markdown row per run from its summary.json. Results land in runs/fixture/ (gitignored).
# Usage: scripts/fixture-results.sh [MODEL_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-fixtures/needle-tiny}
out=runs/fixture
cargo build --release -q -p thimble-harness
bin=target/release/thimble
mkdir -p "$out"

run() { # suite backend
  local dir="$out/${1//:/-}-$2"
  rm -rf "$dir"
  "$bin" run --model "$model" --suite "$1" --backend "$2" --threads 2 --out "$dir" >/dev/null
  echo "$dir"
}

dirs=()
for b in gemm naive ndarray int8 int4; do dirs+=("$(run assistant:test "$b")"); done
dirs+=("$(run assistant:heldout-tools gemm)")
for c in simple_python simple_java simple_javascript multiple parallel parallel_multiple \
         irrelevance live_simple live_multiple live_parallel live_parallel_multiple \
         live_irrelevance live_relevance; do
  dirs+=("$(run "bfcl:$c" gemm)")
done

echo "| suite | backend | n | accuracy [Wilson 95%] | exact match | JSON-valid | no-call acc. | truncated prompts |"
echo "|---|---|---:|---|---:|---:|---:|---:|"
for d in "${dirs[@]}"; do
  python3 - "$d" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
r = s["provenance"]["run"]
m, i = s["metrics"], s["intervals"]
pct = lambda v: "–" if v is None else f"{100 * v:.1f}%"
print(f"| {r['suite']} | {r['backend']} | {s['examples']} | {pct(m['accuracy'])} "
      f"[{100 * i['accuracy'][0]:.1f}, {100 * i['accuracy'][1]:.1f}] | {pct(m.get('exact_match'))} "
      f"| {pct(m['json_valid'])} | {pct(m.get('no_call_accuracy'))} | {s['prompt_truncated']} |")
PY
done
