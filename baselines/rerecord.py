#!/usr/bin/env python3
"""Re-records one suite of a committed baseline into a scratch directory and compares the
outputs with the committed recording, id by id: the check that greedy decoding with a fixed
llama.cpp build, GGUF and thread count gives the same outputs run after run.

    .venv-baselines/bin/python baselines/rerecord.py --model smollm2-135m-instruct-q4_1 \
        --suite bfcl:live_parallel [--limit N]

The committed selection of that suite (meta.json) is re-recorded unless --limit cuts it
shorter; settings (threads, context, batch, token limit) are the committed meta.json's. Exit 0
when every re-recorded output and token count equals the committed one, 1 otherwise (the
differing ids are listed), 2 on unusable input.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # noqa: E402


def lines(path: Path) -> dict:
    out = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            raise SystemExit(f"error: {path}:{i}: not JSON ({e})") from e
        out[r["id"]] = r
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a committed recording id under baselines/")
    ap.add_argument("--suite", required=True)
    ap.add_argument("--limit", type=int, help="re-record only the first N of the selection")
    args = ap.parse_args()
    base = record.REPO / "baselines" / args.model
    meta_path = base / "meta.json"
    if not meta_path.is_file():
        print(f"error: {meta_path} does not exist", file=sys.stderr)
        return 2
    meta = json.loads(meta_path.read_text())
    file_name = record.recording_file_name(args.suite)
    entry = meta.get("suites", {}).get(file_name)
    if entry is None or not (base / file_name).is_file():
        print(f"error: {base / file_name}: {args.suite} is not recorded for {args.model}", file=sys.stderr)
        return 2
    committed = lines(base / file_name)
    sel = entry.get("selection") or {}
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "record.py"),
           "--model", args.model, "--suite", args.suite,
           "--threads", str(meta["n_threads"]), "--n-ctx", str(meta["n_ctx"]),
           "--n-batch", str(meta["n_batch"]),
           "--max-tokens", str(meta["sampling"]["max_new_tokens"]),
           "--seed", str(meta["sampling"]["seed"])]
    if sel.get("shard"):
        cmd += ["--shard", sel["shard"]]
    limit = sel.get("limit")
    if args.limit is not None:
        limit = args.limit if limit is None else min(limit, args.limit)
    if limit is not None:
        cmd += ["--limit", str(limit)]
    with tempfile.TemporaryDirectory(prefix="thimble-rerecord-") as tmp:
        cmd += ["--out-root", tmp]
        print("$ " + " ".join(cmd), file=sys.stderr)
        r = subprocess.run(cmd)
        if r.returncode != 0:
            print(f"error: record.py exited {r.returncode}", file=sys.stderr)
            return 2
        fresh_meta = json.loads((Path(tmp) / args.model / "meta.json").read_text())
        fresh = lines(Path(tmp) / args.model / file_name)
    for key in ("gguf_sha256", "llama_cpp_python", "n_threads", "system_prompt_template",
                "chat_template", "few_shot_prefix", "sampling"):
        if fresh_meta.get(key) != meta.get(key):
            print(f"note: {key} differs from the committed meta.json", file=sys.stderr)
    missing = [i for i in fresh if i not in committed]
    if missing:
        print(f"error: {base / file_name} is incomplete: {len(missing)} selected example(s) are not "
              f"recorded ({', '.join(missing[:10])}); finish it with record.py first", file=sys.stderr)
        return 2
    differ = [i for i in fresh if i in committed and (
        fresh[i]["output"] != committed[i]["output"]
        or fresh[i]["generated_tokens"] != committed[i]["generated_tokens"])]
    same = len(fresh) - len(differ)
    print(f"{args.model} {args.suite}: {same} of {len(fresh)} re-recorded outputs identical "
          f"to the committed recording", file=sys.stderr)
    if differ:
        print(f"  differ: {', '.join(differ[:10])}", file=sys.stderr)
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
