#!/usr/bin/env python3
"""Checks that record.py builds BFCL's prompt-mode system prompt exactly as bfcl-eval does, for
every entry of every bundled BFCL category.

bfcl-eval itself is not installed (it pulls a large dependency tree): its wheel is downloaded
from PyPI without dependencies into a scratch directory, and the functions that build the
prompt (`formulate_system_prompt` and its helpers, `_func_doc_language_specific_pre_processing`)
are lifted out of its source with `ast` and run on the same function documents as
`record.system_prompt`. Exit 0 when all prompts are identical, 1 otherwise.

    .venv-baselines/bin/python baselines/check_prompt.py [--wheel path/to/bfcl_eval-*.whl]
"""

from __future__ import annotations

import argparse
import ast
import copy
import glob
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # noqa: E402

BFCL_EVAL = "bfcl-eval==2026.3.23"
PROMPT_FUNCTIONS = {"formulate_system_prompt", "format_function_doc", "parse_prompt_variation_params",
                    "_generate_function_doc_xml", "_generate_function_doc_python"}
HINT_FUNCTIONS = {"_func_doc_language_specific_pre_processing", "_get_language_specific_hint",
                  "is_java", "is_js"}


def functions_from(source: str, names: set, namespace: dict) -> dict:
    tree = ast.parse(source)
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    if {n.name for n in found} != names:
        raise SystemExit(f"error: bfcl-eval lacks {sorted(names - {n.name for n in found})}")
    exec("\n\n".join(ast.get_source_segment(source, n) for n in found), namespace)
    return namespace


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", help="a downloaded bfcl_eval wheel (default: pip download it)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="thimble-bfcl-eval-") as tmp:
        wheel = args.wheel
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            "--only-binary=:all:", "-d", tmp, BFCL_EVAL], check=True)
            wheels = glob.glob(f"{tmp}/bfcl_eval-*.whl")
            if not wheels:
                raise SystemExit(f"error: pip download {BFCL_EVAL} gave no wheel in {tmp}")
            wheel = wheels[0]
        with zipfile.ZipFile(wheel) as z:
            prompts_src = z.read("bfcl_eval/constants/default_prompts.py").decode()
            handler_src = z.read("bfcl_eval/model_handler/utils.py").decode()
            utils_src = z.read("bfcl_eval/utils.py").decode()
    constants: dict = {}
    exec(prompts_src, constants)
    prompt_ns = functions_from(handler_src, PROMPT_FUNCTIONS, {"json": json, "re": re, **constants})
    hint_ns = functions_from(utils_src, HINT_FUNCTIONS, {"json": json})
    compared = differ = 0
    for path in sorted((record.REPO / "suites" / "bfcl" / "data").glob("BFCL_v4_*.json")):
        category = path.stem.removeprefix("BFCL_v4_")
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            docs = hint_ns["_func_doc_language_specific_pre_processing"](
                copy.deepcopy(entry["function"]), category)
            theirs = prompt_ns["formulate_system_prompt"](
                format_sensitivity_config=constants["DEFAULT_SYSTEM_PROMPT_FORMAT"], functions=docs)
            ours = record.system_prompt(entry["function"], category)
            compared += 1
            if theirs != ours:
                differ += 1
                if differ <= 3:
                    print(f"{entry['id']}: prompts differ", file=sys.stderr)
    print(f"{compared} BFCL system prompts compared with {BFCL_EVAL}: {differ} differ", file=sys.stderr)
    return 1 if differ or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
