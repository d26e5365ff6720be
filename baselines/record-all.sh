#!/usr/bin/env bash
# Records one model's committed baseline: the suites and selections the README's comparison
# table is scored on. Resumable: re-running skips what is recorded (record.py resumes), so the
# same command finishes an interrupted recording.
#
#   baselines/record-all.sh smollm2-135m-instruct-q4_1 [extra record.py args, given to every suite]
#
# Selections (stated per suite in meta.json under suites.<file>.selection):
#   assistant:test          first N of the (generator-shuffled) 1,000: 638 (SmolLM2), 300 (Gemma)
#   assistant:heldout-tools first 100 of the (generator-shuffled) 400
#   BFCL Python categories  every entry of the three with <= 24 entries; elsewhere a fixed
#                           systematic sample, --shard 1/N (every N-th entry from the first),
#                           N chosen so that about 40 entries remain
# Full categories would cost 20-170 minutes each per model at 8-10 s an example on one core of
# this 2-core machine; the sample keeps one model's recording near 90 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: baselines/record-all.sh MODEL-ID [extra record.py args]}
shift
py=.venv-baselines/bin/python
[ -x "$py" ] || { echo "error: $py missing: run baselines/setup.sh first" >&2; exit 1; }
rec() { nice -n 5 "$py" baselines/record.py --model "$model" "$@"; }

case "$model" in
  smollm2-135m-instruct-q4_1) test_limit=638 ;;
  gemma3-270m-q4_k_m) test_limit=300 ;;
  *) echo "error: no recording plan for $model" >&2; exit 1 ;;
esac

rec --suite assistant:test --limit "$test_limit" "$@"
rec --suite assistant:heldout-tools --limit 100 "$@"
# category:N  (N = 1: every entry)
for spec in simple_python:10 multiple:5 parallel:5 parallel_multiple:5 irrelevance:6 \
            live_simple:6 live_multiple:26 live_parallel:1 live_parallel_multiple:1 \
            live_irrelevance:22 live_relevance:1; do
  cat=${spec%%:*} n=${spec##*:}
  if [ "$n" = 1 ]; then
    rec --suite "bfcl:$cat" "$@"
  else
    rec --suite "bfcl:$cat" --shard "1/$n" "$@"
  fi
done
