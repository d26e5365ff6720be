#!/usr/bin/env python3
"""Measures a baseline GGUF's prefill and decode speed the way `thimble bench` measures Thimble's
models, and writes the rows in `thimble bench --format json` layout to
`baselines/<model-id>/bench.json` (or --out), so `thimble report` draws them beside Thimble's
own backends and the README's comparison table quotes like for like.

The measurement mirrors thimble bench: a fixed prompt of P token ids spread over the vocabulary
(special tokens avoided; the content does not change the work), evaluated in one call on an
empty KV cache (prefill tok/s = P / time), then D greedy steps of one token each (decode tok/s =
D / time; the end token does not stop it). One warm-up repetition is dropped; the rest give
median, mean, std, min and max. Thread counts are llama.cpp's n_threads and n_threads_batch.

Recorded per-example timings (prefill_ms, decode_ms in the recordings) are not used for speed:
they depend on each prompt's length and on what else the machine was doing while recording.

    .venv-baselines/bin/python baselines/bench.py --model smollm2-135m-instruct-q4_1 \
        [--threads 1,2] [--prefill 256] [--decode 64] [--reps 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # noqa: E402  (same directory: the model list, host and hashing helpers)


def stats(xs: list) -> dict:
    return {
        "median": statistics.median(xs),
        "mean": statistics.fmean(xs),
        # Population std, as thimble bench's Stats.
        "std": statistics.pstdev(xs),
        "min": min(xs),
        "max": max(xs),
    }


def prompt_ids(n: int, n_vocab: int, special: set) -> list:
    """thimble bench's spread (Knuth's multiplicative hash over the vocabulary), skipping the
    ids llama.cpp marks as control tokens."""
    out, i = [], 0
    while len(out) < n:
        t = (i * 2_654_435_761) % n_vocab
        i += 1
        if t not in special:
            out.append(t)
    return out


def measure(gguf: Path, threads: int, prefill: int, decode: int, reps: int) -> dict:
    import llama_cpp
    import numpy as np
    from llama_cpp import Llama

    # Reset the peak-RSS mark so that each thread count reports its own footprint, not the
    # running maximum of the process (as thimble bench does; Linux >= 4.0, best effort).
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    llm = Llama(
        model_path=str(gguf), n_ctx=prefill + decode + 8, n_batch=max(prefill, 8),
        n_ubatch=max(prefill, 8), n_threads=threads, n_threads_batch=threads, seed=0,
        logits_all=False, verbose=False,
    )
    n_vocab = llm.n_vocab()
    vocab = llm._model.vocab
    special = {t for t in range(n_vocab) if llama_cpp.llama_vocab_is_control(vocab, t)
               or llama_cpp.llama_vocab_is_eog(vocab, t)}
    ids = prompt_ids(prefill, n_vocab, special)
    pre, dec, ttft = [], [], []
    for rep in range(reps + 1):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(ids)
        prefill_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        first = 0.0
        for step in range(decode):
            ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
            tok = int(np.argmax(np.ctypeslib.as_array(ptr, shape=(n_vocab,))))
            llm.eval([tok])
            if step == 0:
                first = time.perf_counter() - t0
        decode_s = time.perf_counter() - t1
        if rep > 0:
            pre.append(prefill / prefill_s)
            dec.append(decode / decode_s)
            ttft.append(first * 1e3)
    parameters = llm._model.n_params()
    rss = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) / 1024
    del llm
    return {"prefill": stats(pre), "decode": stats(dec), "ttft_ms": stats(ttft),
            "peak_rss_mib": rss, "parameters": parameters}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=sorted(record.MODELS))
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--prefill", type=int, default=256)
    ap.add_argument("--decode", type=int, default=64)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", help="output file (default baselines/<model-id>/bench.json)")
    args = ap.parse_args()
    if min(args.prefill, args.decode, args.reps) < 1:
        raise SystemExit("error: --prefill, --decode and --reps must all be at least 1")
    try:
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        raise SystemExit(f"error: --threads {args.threads!r}: expected numbers like 1,2")
    if not threads or min(threads) < 1:
        raise SystemExit("error: --threads values must be at least 1")

    import llama_cpp

    spec = record.MODELS[args.model]
    gguf = Path(spec.locate())
    sha = record.sha256_file(gguf)
    out = Path(args.out) if args.out else record.REPO / "baselines" / args.model / "bench.json"
    rows = []
    for t in threads:
        m = measure(gguf, t, args.prefill, args.decode, args.reps)
        parameters = m.pop("parameters")
        row = {
            # The recording directory, so the report pairs these rows with the recorded runs.
            "model": f"baselines/{args.model}",
            "model_name": spec.name,
            "parameters": parameters,
            "weight_bytes": gguf.stat().st_size,
            "backend": f"llama.cpp {spec.quantization}",
            "threads": t,
            "prefill_tokens": args.prefill,
            "decode_tokens": args.decode,
            "reps": args.reps,
            "prefill_tok_s": m["prefill"]["median"],
            "decode_tok_s": m["decode"]["median"],
            **m,
            "host": record.host(),
            "build": {
                "llama_cpp_python": llama_cpp.__version__,
                "llama_cpp_system_info": llama_cpp.llama_print_system_info().decode().strip(),
                "gguf_file": gguf.name,
                "gguf_sha256": sha,
                "measured": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "tool": "baselines/bench.py",
            },
        }
        print(f"{spec.name} {row['backend']} {t} thread(s): prefill {row['prefill_tok_s']:.0f} "
              f"tok/s, decode {row['decode_tok_s']:.0f} tok/s (P={args.prefill}, D={args.decode}, "
              f"median of {args.reps})", file=sys.stderr)
        rows.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"-> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
