#!/usr/bin/env bash
# Dogfood the gate: run the bundled model on assistant:test and gate it against the committed
# baseline run in baselines/ci/ (policy baselines/ci/gate.toml). Part of scripts/test.sh, so CI
# fails when a change moves the bundled model's verdicts significantly.
#
#   scripts/ci-gate.sh            # gate (exit 1 on a regression, 2 on unusable input)
#   scripts/ci-gate.sh --refresh  # re-record the baseline on purpose, then review and commit it
set -euo pipefail
cd "$(dirname "$0")/.."

# The binary `cargo test --workspace` has just built (test features unified, so a plain
# `cargo run` would recompile both crates); `--no-run` only rebuilds it if sources changed.
cargo test --quiet --workspace --no-run 2>/dev/null
thimble() { "${CARGO_TARGET_DIR:-target}/debug/thimble" "$@"; }
base=baselines/ci/assistant-test

if [ "${1:-}" = "--refresh" ]; then
  rm -rf "$base"
  thimble run --suite assistant:test --backend gemm --threads 2 --out "$base"
  echo "re-recorded $base; check 'git diff --stat baselines/ci' and commit it with the reason"
  exit 0
fi

out=target/ci-gate
rm -rf "$out"
mkdir -p "$out"
thimble run --suite assistant:test --backend gemm --threads 2 --out "$out/assistant-test"
thimble gate --baseline "$base" --current "$out/assistant-test" \
  --policy baselines/ci/gate.toml --markdown "$out/gate.md" --junit "$out/gate.xml"
