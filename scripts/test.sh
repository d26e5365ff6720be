#!/usr/bin/env bash
# The project's test command (README, `just test`, .ci/run): Rust tests of the whole workspace,
# the Python checks of the converter against its committed fixtures and of the trainer's data
# side, then the dogfood gate: the bundled model on assistant:test against the committed
# baselines/ci/ run (scripts/ci-gate.sh).
# Creates the Python venv from fixtures/requirements.txt when it is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ] || ! cmp -s fixtures/requirements.txt .venv/.requirements 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r fixtures/requirements.txt
  cp fixtures/requirements.txt .venv/.requirements
fi

cargo test --workspace --quiet
.venv/bin/python fixtures/reference/test_converter.py
.venv/bin/python fixtures/train/test_data.py
scripts/ci-gate.sh
