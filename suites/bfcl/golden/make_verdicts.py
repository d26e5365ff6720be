#!/usr/bin/env python3
"""Golden verdicts from the official BFCL checker (bfcl-eval 2026.3.23).

Builds a corpus of model outputs over all 13 single-turn categories in both output formats
(prompt/Python and JSON function calling): every ground truth rendered as an output, plus
systematic perturbations (wrong types, int vs float, bool vs int, string case/punctuation/
whitespace, missing/extra/optional parameters, reordered and missing parallel calls, wrong and
dotted-vs-underscored names, prose, the other format, code fences, empty output, nested dict
values, Java/JavaScript literal forms, ...). Then it scores every output with the official
code, exactly as `bfcl_eval.eval_checker.eval_runner` does for a prompt model (decoder:
`default_decode_ast_prompting`, the generic OSS handler's) and for an FC model in JSON
(decoder: the xLAM-2 handler's `decode_ast`), and writes

    outputs-<format>.jsonl   {"id", "output"[, "underscore_to_dot": true]}
    verdicts-<format>.jsonl  {"id", "valid", "error_type"}   (line for line)

Where the official checker itself raises (its run would abort), the verdict records
`"error_type": "checker_exception:<ExceptionName>"`.

Usage (from the repository root):
    python3 -m venv .venv-bfcl
    .venv-bfcl/bin/pip install --no-deps -r suites/bfcl/golden/requirements.txt
    .venv-bfcl/bin/python suites/bfcl/golden/make_verdicts.py

The checker module imports the whole model registry (and with it every provider SDK); this
script replaces only `bfcl_eval.constants.model_config` with a three-entry registry before
importing, so the checker code runs unchanged.
"""

import copy
import json
import random
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE = HERE.parent
SEED = 20260323

CATEGORIES = [
    "simple_python",
    "simple_java",
    "simple_javascript",
    "multiple",
    "parallel",
    "parallel_multiple",
    "irrelevance",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "live_irrelevance",
    "live_relevance",
]


class _ModelConfig:
    def __init__(self, underscore_to_dot):
        self.underscore_to_dot = underscore_to_dot


_stub = types.ModuleType("bfcl_eval.constants.model_config")
_stub.MODEL_CONFIG_MAPPING = {
    "thimble/prompt": _ModelConfig(False),
    "thimble/json": _ModelConfig(False),
    "thimble/json/u2d": _ModelConfig(True),
}
sys.modules["bfcl_eval.constants.model_config"] = _stub

from bfcl_eval.constants.enums import Language, ReturnFormat  # noqa: E402
from bfcl_eval.eval_checker import eval_runner  # noqa: E402
from bfcl_eval.model_handler.local_inference.salesforce_qwen import (  # noqa: E402
    SalesforceQwenHandler,
)
from bfcl_eval.model_handler.utils import default_decode_ast_prompting  # noqa: E402
from bfcl_eval.utils import (  # noqa: E402
    is_java,
    is_js,
    is_relevance_or_irrelevance,
    load_dataset_entry,
    load_ground_truth_entry,
)


class PromptHandler:
    """The generic prompt-model decoder (`OSSHandler.decode_ast`)."""

    def decode_ast(self, result, language, has_tool_call_tag):
        return default_decode_ast_prompting(result, language, has_tool_call_tag)


class JsonHandler:
    """The xLAM-2 FC decoder, called unbound (it uses no handler state)."""

    def decode_ast(self, result, language, has_tool_call_tag):
        return SalesforceQwenHandler.decode_ast(self, result, language, has_tool_call_tag)


def official_verdict(fmt, category, entry, answer, output, u2d):
    handler = PromptHandler() if fmt == "prompt" else JsonHandler()
    model_name = "thimble_prompt" if fmt == "prompt" else (
        "thimble_json_u2d" if u2d else "thimble_json"
    )
    entry = copy.deepcopy(entry)
    try:
        if is_relevance_or_irrelevance(category):
            r = eval_runner._evaluate_single_relevance_entry(
                handler, entry["id"], output, entry, model_name, category
            )
        else:
            if is_java(category):
                language, return_format = Language.JAVA, ReturnFormat.JAVA
            elif is_js(category):
                language, return_format = Language.JAVASCRIPT, ReturnFormat.JAVASCRIPT
            else:
                language, return_format = Language.PYTHON, ReturnFormat.PYTHON
            r = eval_runner._evaluate_single_ast_entry(
                handler,
                entry["id"],
                output,
                copy.deepcopy(answer["ground_truth"]),
                entry,
                model_name,
                category,
                language=language,
                return_format=return_format,
            )
    except Exception as e:  # the official run would abort here
        return {"valid": False, "error_type": f"checker_exception:{type(e).__name__}"}
    return {"valid": bool(r["valid"]), "error_type": r.get("error_type")}


# ---------------------------------------------------------------------------------------
# Rendering values and calls


def pick(acceptable, rng=None, last=False):
    """An acceptable value that is not the "omit me" marker, or OMIT."""
    if not isinstance(acceptable, list):
        return acceptable
    options = [a for a in acceptable if a != ""]
    if not options:
        return OMIT
    if last:
        return options[-1]
    if rng is not None:
        return rng.choice(options)
    return options[0]


class _Omit:
    pass


OMIT = _Omit()


def concrete(value, schema, last=False):
    """Turns one acceptable value into a concrete output value (dicts hold acceptable lists)."""
    t = (schema or {}).get("type")
    if isinstance(value, dict) and t in ("dict", "HashMap", None):
        out = {}
        for k, v in value.items():
            c = pick(v, last=last)
            if c is OMIT:
                continue
            out[k] = c
        return out
    if isinstance(value, list) and isinstance(schema, dict) and (schema.get("items") or {}).get("type") == "dict":
        return [concrete(v, {"type": "dict"}, last) if isinstance(v, dict) else v for v in value]
    return value


def gt_calls(functions, ground_truth, last=False):
    """Ground-truth calls as [(name, {param: value})], schema-aware."""
    docs = {f["name"]: f for f in functions}
    calls = []
    for item in ground_truth:
        name = list(item.keys())[0]
        props = docs.get(name, {}).get("parameters", {}).get("properties", {})
        args = {}
        for p, acceptable in item[name].items():
            v = pick(acceptable, last=last)
            if v is OMIT:
                continue
            args[p] = concrete(v, props.get(p), last)
        calls.append((name, args))
    return calls


def py_literal(v):
    if isinstance(v, tuple):
        return "(" + ", ".join(py_literal(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(py_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(x)}" for k, x in v.items()) + "}"
    if isinstance(v, Raw):
        return v.text
    return repr(v)


class Raw:
    """Source text inserted verbatim into a prompt-format call."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Raw) and other.text == self.text

    def __hash__(self):
        return hash(self.text)


def render_python(calls):
    parts = []
    for name, args in calls:
        inner = ", ".join(f"{k}={py_literal(v)}" for k, v in args.items())
        parts.append(f"{name}({inner})")
    return "[" + ", ".join(parts) + "]"


def json_value(v):
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, tuple):
        return [json_value(x) for x in v]
    if isinstance(v, list):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: json_value(x) for k, x in v.items()}
    return v


def render_json(calls):
    return json.dumps([{"name": n, "arguments": json_value(a)} for n, a in calls])


# Java and JavaScript literals, by schema type


def java_literal(v, t, items_t=None):
    if isinstance(v, Raw):
        return v.text
    if t == "boolean" and isinstance(v, bool):
        return "true" if v else "false"
    if t in ("long",) and isinstance(v, int) and not isinstance(v, bool):
        return f"{v}L"
    if t == "float" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v}f"
    if t in ("Array",) and isinstance(v, list):
        jt = {"String": "String", "integer": "int", "long": "long", "any": "Object", "char": "char"}.get(items_t, "Object")
        return f"new {jt}[]{{" + ", ".join(java_literal(x, items_t) for x in v) + "}"
    if t in ("ArrayList",) and isinstance(v, list):
        return "new ArrayList<>(Arrays.asList(" + ", ".join(java_literal(x, items_t) for x in v) + "))"
    if t == "HashMap" and isinstance(v, dict):
        puts = " ".join(f'put("{k}", {java_literal(x, None)});' for k, x in v.items())
        return f"new HashMap<String, Object>() {{{{ {puts} }}}}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return json.dumps(v) if not isinstance(v, (int, float)) else repr(v)


def js_literal(v, t=None):
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(v, list):
        return "[" + ", ".join(js_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {js_literal(x)}" for k, x in v.items()) + "}"
    return repr(v)


def render_lang(calls, functions, lang, as_json, quote_strings=False):
    """Java/JS source for each value; in JSON the source text goes in a JSON string, where a
    plain string value is given bare (nothing strips quotes there) unless quote_strings."""
    docs = {f["name"]: f for f in functions}
    out_calls = []
    for name, args in calls:
        props = docs.get(name, {}).get("parameters", {}).get("properties", {})
        rendered = {}
        for k, v in args.items():
            sch = props.get(k, {})
            if as_json and isinstance(v, str) and not quote_strings:
                rendered[k] = v
            elif lang == "java":
                rendered[k] = java_literal(v, sch.get("type"), (sch.get("items") or {}).get("type"))
            else:
                rendered[k] = js_literal(v, sch.get("type"))
        out_calls.append((name, rendered))
    if as_json:
        return json.dumps([{"name": n, "arguments": a} for n, a in out_calls])
    parts = [f"{n}(" + ", ".join(f"{k}={v}" for k, v in a.items()) + ")" for n, a in out_calls]
    return "[" + ", ".join(parts) + "]"


# ---------------------------------------------------------------------------------------
# Perturbations on [(name, args)] call lists; each returns a new list or None if not applicable


def schema_of(functions, name):
    for f in functions:
        if f["name"] == name:
            return f.get("parameters", {})
    return {}


def map_values(calls, functions, fn):
    """Applies fn(value, schema) -> value|None to the first applicable argument."""
    out = copy.deepcopy(calls)
    for ci, (name, args) in enumerate(out):
        props = schema_of(functions, name).get("properties", {})
        for k in list(args):
            nv = fn(args[k], props.get(k, {}))
            if nv is not None:
                args[k] = nv
                return out
    return None


def p_str_for_int(v, s):
    if s.get("type") == "integer" and isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return None


def p_int_for_float(v, s):
    if s.get("type") == "float" and isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return int(v)
    return None


def p_float_for_int(v, s):
    if s.get("type") == "integer" and isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return None


def p_int_for_bool(v, s):
    if isinstance(v, bool):
        return int(v)
    return None


def p_bool_for_int(v, s):
    if s.get("type") == "integer" and isinstance(v, int) and not isinstance(v, bool) and v in (0, 1):
        return bool(v)
    return None


def p_upper(v, s):
    if isinstance(v, str) and v.upper() != v:
        return v.upper()
    return None


def p_punct(v, s):
    if isinstance(v, str) and v:
        return v.replace(" ", ", ") + "."
    return None


def p_space(v, s):
    if isinstance(v, str) and v:
        return "  " + v + " "
    return None


def p_other_word(v, s):
    if isinstance(v, str) and v:
        return v + "x"
    return None


def p_wrong_number(v, s):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v + 1
    return None


def p_list_reverse(v, s):
    if isinstance(v, list) and len(v) > 1 and v != v[::-1]:
        return v[::-1]
    return None


def p_list_scalar(v, s):
    if isinstance(v, list) and len(v) == 1 and not isinstance(v[0], (list, dict)):
        return v[0]
    return None


def p_list_tuple(v, s):
    if isinstance(v, list) and v:
        return tuple(v)
    return None


def p_list_upper(v, s):
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return [x.upper() for x in v]
    return None


def p_dict_extra_key(v, s):
    if isinstance(v, dict):
        d = dict(v)
        d["unexpected_key"] = "x"
        return d
    return None


def p_dict_drop_key(v, s):
    if isinstance(v, dict) and v:
        d = dict(v)
        d.pop(next(iter(d)))
        return d
    return None


def p_dict_wrong_value(v, s):
    if isinstance(v, dict) and v:
        d = dict(v)
        k = next(iter(d))
        d[k] = (d[k] + "x") if isinstance(d[k], str) else "wrong"
        return d
    return None


def p_list_dict_wrong(v, s):
    if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        return ["not a dict"] + v[1:]
    return None


def p_negative(v, s):
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return Raw(f"+{v}")
    return None


def p_arith(v, s):
    if isinstance(v, int) and not isinstance(v, bool) and v > 2:
        return Raw(f"{v - 2} + 2")
    if isinstance(v, float) and v > 0:
        return Raw(f"{v * 2!r} / 2")
    return None


def p_bare_ident(v, s):
    if isinstance(v, str) and v.isidentifier() and v not in ("True", "False", "None"):
        return Raw(v)
    return None


def p_double_quotes(v, s):
    if isinstance(v, str) and '"' not in v and "\\" not in v and "\n" not in v:
        return Raw('"' + v + '"')
    return None


def p_nested_call(v, s):
    if isinstance(v, str) and v:
        return Raw(f"str({v!r})")
    return None


VALUE_PERTURBATIONS = {
    "str_for_int": p_str_for_int,
    "int_for_float": p_int_for_float,
    "float_for_int": p_float_for_int,
    "int_for_bool": p_int_for_bool,
    "bool_for_int": p_bool_for_int,
    "upper": p_upper,
    "punct": p_punct,
    "space": p_space,
    "other_word": p_other_word,
    "wrong_number": p_wrong_number,
    "list_reverse": p_list_reverse,
    "list_scalar": p_list_scalar,
    "list_upper": p_list_upper,
    "dict_extra_key": p_dict_extra_key,
    "dict_drop_key": p_dict_drop_key,
    "dict_wrong_value": p_dict_wrong_value,
    "list_dict_wrong": p_list_dict_wrong,
}

PROMPT_ONLY_VALUE_PERTURBATIONS = {
    "list_tuple": p_list_tuple,
    "plus_quirk": p_negative,
    "arith": p_arith,
    "bare_ident": p_bare_ident,
    "double_quotes": p_double_quotes,
    "nested_call": p_nested_call,
}


def structural(calls, functions, rng):
    """Structural perturbations: (label, calls) pairs."""
    out = []
    if not calls:
        return out
    name, args = calls[0]
    sch = schema_of(functions, name)
    required = [r for r in sch.get("required", []) if r in args]
    if required:
        c = copy.deepcopy(calls)
        del c[0][1][required[0]]
        out.append(("missing_required", c))
    optional = [k for k in args if k not in sch.get("required", [])]
    if optional:
        c = copy.deepcopy(calls)
        del c[0][1][optional[0]]
        out.append(("drop_optional", c))
    c = copy.deepcopy(calls)
    c[0][1]["extra_param"] = 1
    out.append(("extra_param", c))
    extra_schema = [k for k in sch.get("properties", {}) if k not in args]
    if extra_schema:
        k = extra_schema[0]
        t = sch["properties"][k].get("type")
        default = sch["properties"][k].get("default")
        val = default if default is not None else {"string": "x", "integer": 1, "float": 1.0, "boolean": True}.get(t, "x")
        c = copy.deepcopy(calls)
        c[0][1][k] = val
        out.append(("schema_optional_not_in_gt", c))
    c = copy.deepcopy(calls)
    c[0] = (name + "_v2", c[0][1])
    out.append(("wrong_name", c))
    c = copy.deepcopy(calls)
    c[0] = (name.upper() if name.upper() != name else name.lower(), c[0][1])
    out.append(("name_case", c))
    if "." in name:
        c = copy.deepcopy(calls)
        c[0] = (name.replace(".", "_"), c[0][1])
        out.append(("underscored_name", c))
    c = copy.deepcopy(calls)
    c[0] = (name, dict(reversed(list(c[0][1].items()))))
    out.append(("arg_order", c))
    if len(calls) > 1:
        out.append(("reversed_calls", list(reversed(copy.deepcopy(calls)))))
        out.append(("missing_call", copy.deepcopy(calls[:-1])))
        shuffled = copy.deepcopy(calls)
        rng.shuffle(shuffled)
        out.append(("shuffled_calls", shuffled))
    out.append(("duplicated_call", copy.deepcopy(calls) + [copy.deepcopy(calls[0])]))
    out.append(("no_args", [(name, {})]))
    return out


PROSE = [
    "I'm sorry, but none of the available functions can help with that request.",
    "The function requires a parameter that you did not provide. Could you tell me the location?",
    "Sure! Here is the answer: 42.",
    "",
    "[]",
    "None",
    "```\n[]\n```",
    "Hello",
    "I cannot help.",
    "[I cannot help]",
    "print('hello')",
    "{}",
    "null",
    "```python\nprint('x')\n```",
    "<tool_call>\n{\"name\": \"x\"}\n</tool_call>",
]


def wrap_variants(text):
    return [
        ("fence_plain", f"```\n{text}\n```"),
        ("fence_python", f"```python\n{text}\n```"),
        ("fence_json", f"```json\n{text}\n```"),
        ("leading_prose", f"Here you go: {text}"),
        ("trailing_newlines", f"\n\n{text}\n\n"),
        ("tab_prefix", f"\t{text}"),
    ]


def main():
    rng = random.Random(SEED)
    corpus = {"prompt": [], "json": []}

    def add(fmt, entry_id, output, u2d=False):
        line = {"id": entry_id, "output": output}
        if u2d:
            line["underscore_to_dot"] = True
        corpus[fmt].append(line)

    data = {}
    for category in CATEGORIES:
        entries = load_dataset_entry(category, include_prereq=False, include_language_specific_hint=False)
        answers = None if is_relevance_or_irrelevance(category) else load_ground_truth_entry(category)
        data[category] = (entries, answers)

    for category in CATEGORIES:
        entries, answers = data[category]
        lang = "java" if is_java(category) else "js" if is_js(category) else "python"
        for idx, entry in enumerate(entries):
            eid = entry["id"]
            functions = entry["function"]
            if answers is None:
                # Relevance categories: a sample of non-calls and plausible calls.
                if rng.random() < 0.35 or category == "live_relevance":
                    for fmt in ("prompt", "json"):
                        add(fmt, eid, rng.choice(PROSE))
                if functions and (rng.random() < 0.35 or category == "live_relevance"):
                    f = rng.choice(functions)
                    props = f.get("parameters", {}).get("properties", {})
                    args = {}
                    for k in f.get("parameters", {}).get("required", [])[:2]:
                        t = props.get(k, {}).get("type")
                        args[k] = {"integer": 1, "float": 1.5, "boolean": True, "array": ["a"], "dict": {"k": "v"}}.get(t, "value")
                    calls = [(f["name"], args)]
                    add("prompt", eid, render_python(calls))
                    add("json", eid, render_json(calls))
                    if rng.random() < 0.3:
                        add("prompt", eid, render_json(calls))
                        add("json", eid, render_python(calls))
                        add("json", eid, json.dumps({"name": f["name"], "arguments": json.dumps(args)}))
                        add("prompt", eid, f"{f['name']}()")
                        add("json", eid, "[]")
                continue

            gt = answers[idx]["ground_truth"]
            calls = gt_calls(functions, gt)
            if lang != "python":
                for fmt in ("prompt", "json"):
                    add(fmt, eid, render_lang(calls, functions, lang, fmt == "json"))
                alt = gt_calls(functions, gt, last=True)
                if alt != calls:
                    for fmt in ("prompt", "json"):
                        add(fmt, eid, render_lang(alt, functions, lang, fmt == "json"))
                # Java/JS-specific perturbations.
                for label, fn in java_js_perturbations(lang).items():
                    c = map_values(calls, functions, fn)
                    if c is not None:
                        for fmt in ("prompt", "json"):
                            add(fmt, eid, render_lang(c, functions, lang, fmt == "json"))
                # Quoted strings and raw JSON values (not source text) in JSON mode, and
                # Python syntax in prompt mode.
                add("json", eid, render_lang(calls, functions, lang, True, quote_strings=True))
                add("json", eid, render_json(calls))
                add("prompt", eid, render_python(calls))
                for label, c in structural(calls, functions, rng):
                    if rng.random() < 0.5:
                        for fmt in ("prompt", "json"):
                            add(fmt, eid, render_lang(c, functions, lang, fmt == "json"))
                if rng.random() < 0.3:
                    for fmt in ("prompt", "json"):
                        add(fmt, eid, rng.choice(PROSE))
                continue

            # Python categories.
            add("prompt", eid, render_python(calls))
            add("json", eid, render_json(calls))
            alt = gt_calls(functions, gt, last=True)
            if alt != calls:
                add("prompt", eid, render_python(alt))
                add("json", eid, render_json(alt))
            # Perturbations on a sample, more for the smaller categories.
            rate = 0.12 if category == "live_multiple" else 0.42
            if rng.random() < rate:
                for label, fn in VALUE_PERTURBATIONS.items():
                    c = map_values(calls, functions, fn)
                    if c is not None:
                        add("prompt", eid, render_python(c))
                        add("json", eid, render_json(c))
                for label, fn in PROMPT_ONLY_VALUE_PERTURBATIONS.items():
                    c = map_values(calls, functions, fn)
                    if c is not None:
                        add("prompt", eid, render_python(c))
                for label, c in structural(calls, functions, rng):
                    add("prompt", eid, render_python(c))
                    add("json", eid, render_json(c))
                    if label == "underscored_name":
                        add("json", eid, render_json(c), u2d=True)
                if any("." in n for n, _ in calls):
                    add("json", eid, render_json(calls), u2d=True)
            if rng.random() < 0.12:
                text_p = render_python(calls)
                text_j = render_json(calls)
                for label, w in wrap_variants(text_p):
                    add("prompt", eid, w)
                for label, w in wrap_variants(text_j):
                    add("json", eid, w)
                add("prompt", eid, text_j)
                add("json", eid, text_p)
                add("json", eid, json.dumps({"name": calls[0][0], "arguments": json_value(calls[0][1])}))
                add("json", eid, "; ".join(json.dumps({"name": n, "arguments": json_value(a)}) for n, a in calls))
                add("json", eid, json.dumps([{"name": n, "arguments": json.dumps(json_value(a))} for n, a in calls]))
                add("json", eid, json.dumps([{"name": n, "parameters": json_value(a)} for n, a in calls]))
                add("json", eid, json.dumps([{"name": n, "arguments": json_value(a), "id": "call_0"} for n, a in calls]))
                add("prompt", eid, rng.choice(PROSE))
                add("json", eid, rng.choice(PROSE))
                add("prompt", eid, render_python(calls)[1:-1])
                add("prompt", eid, "\n".join(render_python([c])[1:-1] for c in calls))
                add("prompt", eid, render_python([(calls[0][0], {k: v for k, v in calls[0][1].items()})]).replace("(", "(\"positional\", ", 1))

    torture(data, add)

    for fmt in ("prompt", "json"):
        outputs = corpus[fmt]
        by_id = {}
        for category in CATEGORIES:
            entries, answers = data[category]
            for i, e in enumerate(entries):
                by_id[e["id"]] = (category, e, None if answers is None else answers[i])
        verdicts = []
        for line in outputs:
            category, entry, answer = by_id[line["id"]]
            v = official_verdict(fmt, category, entry, answer, line["output"], line.get("underscore_to_dot", False))
            verdicts.append({"id": line["id"], "valid": v["valid"], "error_type": v["error_type"]})
        with open(HERE / f"outputs-{fmt}.jsonl", "w") as f:
            for line in outputs:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        with open(HERE / f"verdicts-{fmt}.jsonl", "w") as f:
            for v in verdicts:
                f.write(json.dumps(v) + "\n")
        valid = sum(v["valid"] for v in verdicts)
        print(f"{fmt}: {len(outputs)} outputs, {valid} valid")


def first_param(entry, answer):
    """(name, param, value, calls) of the first ground-truth call's first concrete parameter."""
    calls = gt_calls(entry["function"], answer["ground_truth"])
    name, args = calls[0]
    for p, v in args.items():
        return name, p, v, calls
    return name, None, None, calls


# Hand-written edge cases. {N} is the expected function name, {P} its first parameter and {V}
# that parameter's ground-truth value as a literal of the output's syntax.
PY_TEMPLATES = [
    r"{N}({P}={V})  # trailing comment",
    r"[{N}({P}={V},)]",
    r"[{N}({P}={V}),]",
    r"{N}({P}={V}, {P}={V})",
    r"{N}(**{{'{P}': {V}}})",
    r"{N}(*args, {P}={V})",
    r"{N}({P}={V}, *args)",
    r"{N}({P}=lambda: 1)",
    r"{N}({P}=f'{{x}}')",
    r"{N}({P}=f'plain')",
    r"{N}({P}=f'{{}}')",
    r"{N}({P}={{1, 2}})",
    r"{N}({P}=1 if True else 2)",
    r"{N}({P}=x.y)",
    r"{N}({P}=x[0])",
    r"{N}({P}=x[1:2, ::3])",
    r"{N}({P}=x['key'])",
    r"{N}({P}=(1,))",
    r"{N}({P}=())",
    r"{N}({P}=b'bytes')",
    r"{N}({P}=1j)",
    r"{N}({P}=-1.5e3)",
    r"{N}({P}=1_000)",
    r"{N}({P}=0x1F)",
    r"{N}({P}=0o17)",
    r"{N}({P}=0b101)",
    r"{N}({P}=.5)",
    r"{N}({P}=5.)",
    r"{N}({P}=01)",
    r"{N}({P}=1__0)",
    r"{N}({P}=2**10)",
    r"{N}({P}=2**-1)",
    r"{N}({P}=7//2)",
    r"{N}({P}=-7%3)",
    r"{N}({P}=-7.5//2)",
    r"{N}({P}=1/0)",
    r"{N}({P}=10**30)",
    r"{N}({P}=3*'ab')",
    r"{N}({P}=[0]*3)",
    r"{N}({P}=(1, 2) + (3,))",
    r"{N}({P}=True + True)",
    r"{N}({P}='a' 'b')",
    r"{N}({P}=b'a' 'b')",
    r"{N}({P}='''tri" + "\n" + r"ple''')",
    r"{N}({P}=r'\d+')",
    r"{N}({P}='\x41\u00e9\t')",
    r"{N}({P}='\q')",
    r"{N}({P}='\x4')",
    r"{N}({P}=" + '"' + "it's" + '"' + ")",
    r"{N}({P}='unterminated)",
    r"{N}({P}=...)",
    r"{N}({P}=None)",
    r"{N}({P}=True)",
    r"{N}({P}=not 5)",
    r"{N}({P}=~5)",
    r"{N}({P}=-x)",
    r"{N}({P}=-'s')",
    r"{N}({P}=--5)",
    r"{N}({P}=[-1, +2, 3*2])",
    r"{N}({P}={{'k': -1, 'j': [1, (2, 3)]}})",
    r"{N}({P}={{[1]: 2}})",
    r"{N}({P}={{**x}})",
    r"{N}({P}={{1: 'a', True: 'b'}})",
    r"{N}({P}=[x for x in y])",
    r"{N}({P}=(x for x in y))",
    r"{N}(x for x in y)",
    r"{N}(x for x in y, {P}={V})",
    r"{N}({P}=(a := 1))",
    r"{N}({P}=await x)",
    r"{N}({P}=1 < 2)",
    r"{N}({P}=a and b)",
    r"{N}({P}=g(1, 'two', k=3))",
    r"{N}({P}=g(1, 'two'))",
    r"{N}({P}=g(*a, **k))",
    r"{N}({P}=math.pi)",
    r"{N}({P}=np.array([1,2]))",
    r"{N}({P}={V}) {N}({P}={V})",
    r"{N}({P}={V}); {N}({P}={V})",
    "{N}({P}={V})\n{N}({P}={V})",
    "[{N}({P}={V})]\n[{N}({P}={V})]",
    r"[{N}({P}={V})], [{N}({P}={V})]",
    r"({N}({P}={V}), {N}({P}={V}))",
    r"[*x]",
    r"[1, 2]",
    r"[{N}]",
    r"{N}",
    r"{N}()",
    r"{N}({V})",
    r"{N}({P}={V}",
    r"{N}({P}={V}))",
    r"{N}({P}={V})]",
    r"[[{N}({P}={V})]",
    r"'[{N}({P}={V})]'",
    r"`{N}({P}={V})`",
    r"  {N}({P}={V})  ",
    "\t{N}({P}={V})",
    "{N}({P}=\\\n{V})",
    "{N}(\n    {P}={V}\n)",
    "{N}({P}={V})\r\n",
    r"{N}({P}={V}) # c",
    r"{N}(True={V})",
    r"{N}({P}.x={V})",
    r"{N}(class={V})",
    r"{N}({P}=class)",
    r"{N}({P}=x.True)",
    r"{N}({P}=1if 1 else 2)",
    r"{N}({P}=1L)",
    r"{N}({P}=$)",
    "{N}({P}={V}) \u00e9",
    "{N}({P}='caf\u00e9 \u4e2d\u6587')",
    "{N}({P}=\u00e9t\u00e9)",
    r"x.{N}({P}={V})",
    r"x[0].{N}({P}={V})",
    r"{N}()({P}={V})",
    r"functions.{N}({P}={V})",
    r"{N}({P}=[])",
    r"{N}({P}={{}})",
    r"{N}({P}='')",
    r"{N}({P}=' ')",
    r"{N}({P}=0)",
    r"{N}({P}=0.0)",
    r"{N}({P}=-0.0)",
    r"{N}({P}=1e400)",
    r"{N}({P}=float('inf'))",
    r"{N}({P}=[{{'a': 1}}, 'x'])",
    r"{N}({P}=[[1, 2], [3]])",
    r"{N}({P}=[(1, 2)])",
]

JSON_TEMPLATES = [
    r'[{{"name": "{N}", "arguments": {{"{P}": NaN}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": Infinity}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": -Infinity}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": 18446744073709551616}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": 1e400}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": 1.0}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": 1}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": -0}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": true}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": {V}, "{P}": {V}}}}}]',
    "\ufeff" + r'[{{"name": "{N}", "arguments": {{"{P}": {V}}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": {V},}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": {V}}}}},]',
    r"[{{'name': '{N}', 'arguments': {{'{P}': {V}}}}}]",
    '[{{"name": "{N}", "arguments": {{"{P}": "a\tb"}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": "\ud800"}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": "\ud83d\ude00"}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": "a;b"}}}}]',
    r'{{"name": "{N}", "arguments": {{"{P}": "a;b"}}}} x',
    r'{{"name": "{N}", "arguments": {{"{P}": {V}}}}};',
    r'{{"name": "{N}", "arguments": {{"{P}": {V}}}}} ; {{"name": "{N}", "arguments": {{}}}}',
    r'[{{"name": "{N}", "arguments": {{"{P}": {V}}}}}] [{{"name": "{N}", "arguments": {{}}}}]',
    r'[{{"name": 5, "arguments": {{"{P}": {V}}}}}]',
    r'[{{"name": null, "arguments": {{}}}}]',
    r'[{{"name": ["{N}"], "arguments": {{}}}}]',
    r'[{{"name": "{N}", "arguments": null}}]',
    r'[{{"name": "{N}", "arguments": []}}]',
    r'[{{"name": "{N}", "arguments": "{{}}"}}]',
    r'[{{"name": "{N}"}}]',
    r'[{{"arguments": {{}}}}]',
    r'[["{N}", {{}}]]',
    r'["{N}"]',
    r'"{N}"',
    r"5",
    r"true",
    r"null",
    r"[]",
    r"{{}}",
    r'[{{"name": "{N}", "arguments": {{}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": {V}}}, "extra": 1}}]',
    r'[{{"function": "{N}", "parameters": {{"{P}": {V}}}}}]',
    r'<tool_call>{{"name": "{N}", "arguments": {{"{P}": {V}}}}}</tool_call>',
    '[{{"name": "{N}", "arguments": {{"{P}": {V}}}}}]\n',
    ' \n[{{"name": "{N}", "arguments": {{"{P}": {V}}}}}] \r\n',
    '\u00a0[{{"name": "{N}", "arguments": {{"{P}": {V}}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": [{V}, {V}]}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": {{"k": {V}}}}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": "{N}({P}=1)"}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": 01}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": .5}}}}]',
    '[{{"name": "{N}", "arguments": {{"{P}": "\u0001"}}}}]',
    '[{{"name": "{N}", "arguments": {{"{P}": "caf\u00e9"}}}}]',
    r'[{{"name": "{N}", "arguments": {{"{P}": [{{"a": 1}}, "x"]}}}}]',
]

JAVA_TEMPLATES = [
    r"{N}({P}=new int[3])",
    r"{N}({P}=new int[]{{1, 2, 3}})",
    r'{N}({P}=new String[] {{ "a" , "b" }})',
    r"{N}({P}=new ArrayList<>())",
    r"{N}({P}=new ArrayList<Integer>(Arrays.asList(1, 2)))",
    r'{N}({P}=new HashMap<String, Integer>() {{{{ put("a", 1); }}}})',
    r"{N}({P}=new HashMap<>())",
    r"{N}({P}='c')",
    '{N}({P}="caf\u00e9", other=5)',
    '{N}({P}="\u4e2d\u6587")',
    r"{N}({P}=x -> x + 1)",
    r"{N}({P}=obj.method(1, 2))",
    r"{N}({P}=Foo.class)",
    r"{N}({P}=null)",
    r"{N}({P}=1.5f)",
    r"{N}({P}=1.5d)",
    r"{N}({P}=10L)",
    r"{N}({P}=-5)",
    r"{N}({P}=true)",
    r'{N}({P}="a" + "b")',
    r"{N}({P}=a, {P}=b)",
    r"{N}(a, b)",
    r"{N}(a)",
    r"{N}({P}+=1)",
    r"{N}({P}=1); {N}({P}=2)",
    r"{N}({P}=1), {N}({P}=2)",
    r"{N}({P}=1) // comment",
    r"{N}({P}=1) /* c */",
    r'{N}({P}="unterminated)',
    r"{N}()",
    r"x",
    r"int x = 5;",
    r"",
    r"{N}({P}={V})",
]

JS_TEMPLATES = [
    r"{N}({P}=`template`)",
    r"{N}({P}=(x) => x + 1)",
    r"{N}({P}={{a: 1, b: 'two'}})",
    r"{N}({P}=[[1, 2], [3, 4]])",
    r"{N}({P}=new Array(1, 2))",
    r"{N}({P}=[])",
    r"{N}({P}={{}})",
    r"{N}({P}=10n)",
    r"{N}({P}=1.5)",
    r"{N}({P}=true)",
    r"{N}({P}=null)",
    r"{N}({P}=undefined)",
    "{N}({P}='caf\u00e9')",
    r"{N}({P}=a, {P}=b)",
    r"{N}(a, b)",
    r"{N}(a, true)",
    r"{N}?.({P}=1)",
    r"{N}`tagged`",
    r"{N}({P}=1); {N}({P}=2)",
    r"{N}({P}=1), {N}({P}=2)",
    r"let x = {N}({P}=1)",
    r"{N}({P}=1) // c",
    r"{N}()",
    r"x",
    r"",
    r"{N}({P}={V})",
]


def torture(data, add):
    """Hand-written syntax edge cases on a few entries of every category."""
    for category in CATEGORIES:
        entries, answers = data[category]
        if answers is None:
            for entry in entries[:6]:
                funcs = entry["function"]
                name = funcs[0]["name"] if funcs else "f"
                for t in PY_TEMPLATES[::7]:
                    add("prompt", entry["id"], t.format(N=name, P="x", V="1"))
                for t in JSON_TEMPLATES[::5]:
                    add("json", entry["id"], t.format(N=name, P="x", V="1"))
            continue
        lang = "java" if is_java(category) else "js" if is_js(category) else "python"
        for entry, answer in list(zip(entries, answers))[:4]:
            name, p, v, calls = first_param(entry, answer)
            if p is None:
                continue
            if lang == "python":
                for t in PY_TEMPLATES:
                    add("prompt", entry["id"], t.format(N=name, P=p, V=py_literal(v)))
                for t in JSON_TEMPLATES:
                    add("json", entry["id"], t.format(N=name, P=p, V=json.dumps(json_value(v))))
            else:
                rendered = render_lang([(name, {p: v})], entry["function"], lang, False)
                lit = rendered[rendered.index("=") + 1 : -2]
                for t in JAVA_TEMPLATES if lang == "java" else JS_TEMPLATES:
                    text = t.format(N=name, P=p, V=lit)
                    add("prompt", entry["id"], text)
                    add("prompt", entry["id"], "[" + text + "]")
                    if "=" in text and "(" in text and ")" in text:
                        value = text[text.index("=") + 1 : text.rindex(")")]
                        add("json", entry["id"], json.dumps([{"name": name, "arguments": {p: value}}]))


def java_js_perturbations(lang):
    if lang == "java":
        def long_no_l(v, s):
            if s.get("type") == "long" and isinstance(v, int):
                return Raw(str(v))
            return None

        def int_as_string(v, s):
            if s.get("type") == "integer" and isinstance(v, int) and not isinstance(v, bool):
                return Raw(json.dumps(str(v)))
            return None

        def bool_as_int(v, s):
            if isinstance(v, bool):
                return Raw("1")
            return None

        def unquoted(v, s):
            if isinstance(v, str) and v.isidentifier():
                return Raw(v)
            return None

        def arraylist_add(v, s):
            if s.get("type") == "ArrayList" and isinstance(v, list):
                it = (s.get("items") or {}).get("type")
                adds = " ".join(f"add({java_literal(x, it)});" for x in v)
                return Raw(f"new ArrayList<String>() {{{{ {adds} }}}}")
            return None

        def array_as_list(v, s):
            if s.get("type") == "Array" and isinstance(v, list):
                return Raw("new ArrayList<>(Arrays.asList(" + ", ".join(json.dumps(x) for x in v) + "))")
            return None

        def double_as_float(v, s):
            if s.get("type") == "double" and isinstance(v, (int, float)):
                return Raw(f"{v}f")
            return None

        def upper(v, s):
            if isinstance(v, str) and v.upper() != v:
                return v.upper()
            return None

        def empty_map(v, s):
            if s.get("type") == "HashMap":
                return Raw("new HashMap<>()")
            return None

        return {
            "long_no_l": long_no_l,
            "int_as_string": int_as_string,
            "bool_as_int": bool_as_int,
            "unquoted": unquoted,
            "arraylist_add": arraylist_add,
            "array_as_list": array_as_list,
            "double_as_float": double_as_float,
            "upper": upper,
            "empty_map": empty_map,
        }

    def dq(v, s):
        if isinstance(v, str) and '"' not in v:
            return Raw(json.dumps(v))
        return None

    def unquoted(v, s):
        if isinstance(v, str) and v.isidentifier():
            return Raw(v)
        return None

    def float_int(v, s):
        if s.get("type") == "float" and isinstance(v, float) and v == int(v):
            return Raw(str(int(v)))
        return None

    def float_exp(v, s):
        if s.get("type") == "float" and isinstance(v, (int, float)):
            return Raw(f"{float(v):e}")
        return None

    def new_array(v, s):
        if s.get("type") == "array" and isinstance(v, list):
            return Raw("new Array(" + ", ".join(js_literal(x) for x in v) + ")")
        return None

    def dict_quoted_keys(v, s):
        if isinstance(v, dict):
            return Raw("{" + ", ".join(f"'{k}': {js_literal(x)}" for k, x in v.items()) + "}")
        return None

    def bool_string(v, s):
        if isinstance(v, bool):
            return Raw("'true'" if v else "'false'")
        return None

    def upper(v, s):
        if isinstance(v, str) and v.upper() != v:
            return v.upper()
        return None

    return {
        "double_quotes": dq,
        "unquoted": unquoted,
        "float_int": float_int,
        "float_exp": float_exp,
        "new_array": new_array,
        "dict_quoted_keys": dict_quoted_keys,
        "bool_string": bool_string,
        "upper": upper,
    }


if __name__ == "__main__":
    main()
