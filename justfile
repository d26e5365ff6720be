# Everyday commands. `cargo install just` if you do not have it; every recipe is one plain
# command you can also copy.

# The main job: the bundled model on the bundled suite.
run *ARGS:
    cargo run --release -p thimble-harness --bin thimble -- run --out runs/main {{ARGS}}

# The test suite (what CI runs).
test:
    scripts/test.sh

# Gate the bundled model on assistant:test against baselines/ci/ (part of `just test`).
ci-gate:
    scripts/ci-gate.sh

# Re-record baselines/ci/ on purpose (after retraining the model or an intended change).
ci-baseline:
    scripts/ci-gate.sh --refresh

# Lints as CI expects them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Kernel micro-benchmarks (criterion).
bench-kernels:
    cargo bench -p thimble-runtime --bench kernels

# Python venv for fixture and golden scripts.
venv:
    python3 -m venv .venv && .venv/bin/pip install -r fixtures/requirements.txt

# Regenerate the tokenizer fixtures and their golden files (needs `just venv`).
tokenizer-fixtures: venv
    .venv/bin/python fixtures/tokenizer/make_tokenizers.py
    .venv/bin/python fixtures/tokenizer/make_golden.py

# Regenerate the tiny random model, its pickle and golden logits (needs `just venv`).
reference-fixtures: venv
    .venv/bin/python fixtures/reference/make_fixture.py

# Train the bundled fixture model from scratch (tokenizer + model + golden; ≤ 2 h on 2 cores).
train-fixture:
    python3 -m venv .venv-train && .venv-train/bin/pip install -r fixtures/train/requirements.txt
    cargo run --release -p thimble-harness --bin thimble -- suite generate --out target/needle-tiny-data --seed 1 --splits train,dev --train-size 200000
    .venv-train/bin/python fixtures/train/train.py --data target/needle-tiny-data --work target/needle-tiny-work --out fixtures/needle-tiny --augment 0.6 --steps 5000 --time-budget-min 75
    .venv-train/bin/python fixtures/train/golden.py --model fixtures/needle-tiny --dev target/needle-tiny-data/dev.jsonl

# Run the fixture model over every reported suite (the README's accuracy table).
fixture-results:
    scripts/fixture-results.sh

# Screenshot a report (`thimble report --results runs/fixture/* --out runs/report`) in headless
# Chromium (Debian's `chromium`); fails if the page logs an error or no PNG comes out.
report-screenshot DIR="runs/report" OUT="runs/report/screenshot.png":
    scripts/report-screenshot.sh {{DIR}} {{OUT}}

# Real-model baselines (baselines/README.md): builds .venv-baselines on first use, then records,
# e.g. `just baselines --model smollm2-135m-instruct-q4_1 --suite assistant:test --limit 20`.
# Score a recording: `thimble run --model recorded:baselines/<model-id> --suite S --out DIR`.
baselines *ARGS:
    test -x .venv-baselines/bin/python || baselines/setup.sh
    if [ -n "{{ARGS}}" ]; then .venv-baselines/bin/python baselines/record.py {{ARGS}}; fi
