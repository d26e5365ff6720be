#!/usr/bin/env python3
"""Convert a Needle 1 checkpoint pickle (``needle.pkl``) into a Thimble model directory.

Owned by: the Thimble converter (runtime/convert/needle_pkl.py).

Input: a Python pickle of ``{"params": nested dict of numpy arrays, "config": dict}`` in the
layout of shared/spec/needle1.md (layers stacked along a leading axis, Flax paths such as
``encoder/layers/EncoderBlock_0/self_attn/q_proj/kernel`` of shape (Le, d, d)).

Output, in OUT_DIR:
  * ``model.safetensors``: every tensor of the checkpoint, named by its Flax path joined with
    ``/``, with the SAME (stacked) shapes; the Rust loader slices the layers. The contrastive
    retrieval head (``contrastive_hidden/*``, ``contrastive_proj/kernel``, ``log_temp``) is
    copied too; generation ignores it. Stored as f16 (default), f32 or bf16.
  * ``config.json``: Thimble's ``needle1`` config (see ``thimble_config``).
  * ``tokenizer.model``: a copy of ``--tokenizer`` when given.

Every expected tensor path and shape is validated first; the first problem is reported by
path, with the expected shape, and the exit status is non-zero.

Security: unpickling runs code named by the file. Only convert checkpoints you trust.

Usage:
  python runtime/convert/needle_pkl.py needle.pkl OUT_DIR [--tokenizer needle.model]
                                       [--dtype f16|f32|bf16]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
from pathlib import Path

import numpy as np

ENC = "encoder/layers/EncoderBlock_0"
DEC = "decoder/layers/DecoderBlock_0"
CONTRASTIVE_PATHS = (
    "contrastive_hidden/kernel",
    "contrastive_hidden/bias",
    "contrastive_proj/kernel",
    "log_temp",
)
REQUIRED_CONFIG_KEYS = (
    "vocab_size",
    "d_model",
    "num_heads",
    "num_kv_heads",
    "num_encoder_layers",
    "num_decoder_layers",
)
DEFAULT_MAX_ENCODER_TOKENS = 1024
DEFAULT_MAX_DECODER_TOKENS = 512
DEFAULT_ROPE_THETA = 10000.0
NORM_EPS = 1e-6
# Token ids fixed by the Needle 1 tokenizer (needle1.md, "Tokenizer and I/O contract").
SPECIAL_IDS = {"pad_id": 0, "eos_id": 1, "bos_id": 2, "unk_id": 3, "tool_call_id": 4, "tools_id": 5}
SPECIAL_PIECES = {
    0: "<pad>",
    1: "</s>",
    2: "<s>",
    3: "<unk>",
    4: "<tool_call>",
    5: "<tools>",
}
DTYPES = {"f16": "float16", "f32": "float32", "bf16": "bfloat16"}


class ConvertError(Exception):
    """A problem with the input, reported as one clear line (no traceback)."""


# --------------------------------------------------------------------------- config


def model_dims(config: dict, source: str) -> dict:
    """Validated integer dimensions from the pickle's config dict."""
    if not isinstance(config, dict):
        raise ConvertError(f"{source}: 'config' must be a dict, got {type(config).__name__}")
    dims = {}
    for key in REQUIRED_CONFIG_KEYS:
        if key not in config:
            raise ConvertError(f"{source}: config is missing key '{key}' (needed: {', '.join(REQUIRED_CONFIG_KEYS)})")
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) <= 0:
            raise ConvertError(f"{source}: config['{key}'] must be a positive integer, got {value!r}")
        dims[key] = int(value)
    d, heads, kv = dims["d_model"], dims["num_heads"], dims["num_kv_heads"]
    if "head_dim" in config and config["head_dim"] is not None:
        hd = int(config["head_dim"])
    else:
        if d % heads:
            raise ConvertError(f"{source}: d_model {d} is not divisible by num_heads {heads}")
        hd = d // heads
    if hd % 2:
        raise ConvertError(f"{source}: head_dim {hd} must be even for rotate-half RoPE")
    if heads % kv:
        raise ConvertError(f"{source}: num_heads {heads} is not a multiple of num_kv_heads {kv}")
    if config.get("no_feedforward") is False:
        raise ConvertError(
            f"{source}: config has no_feedforward=False; Thimble's needle1 family has no feed-forward block"
        )
    dims["head_dim"] = hd
    return dims


def thimble_config(config: dict, dims: dict) -> dict:
    """Thimble's config.json for a needle1 model (key order is part of the format)."""
    out = {
        "family": "needle1",
        "vocab_size": dims["vocab_size"],
        "d_model": dims["d_model"],
        "num_heads": dims["num_heads"],
        "num_kv_heads": dims["num_kv_heads"],
    }
    if dims["head_dim"] * dims["num_heads"] != dims["d_model"]:
        out["head_dim"] = dims["head_dim"]
    max_seq = config.get("max_seq_len")
    out.update(
        {
            "num_encoder_layers": dims["num_encoder_layers"],
            "num_decoder_layers": dims["num_decoder_layers"],
            "max_encoder_tokens": int(max_seq) if max_seq else DEFAULT_MAX_ENCODER_TOKENS,
            "max_decoder_tokens": DEFAULT_MAX_DECODER_TOKENS,
            "rope_theta": float(config.get("rope_theta", DEFAULT_ROPE_THETA)),
            "norm_eps": NORM_EPS,
        }
    )
    out.update(SPECIAL_IDS)
    if "pad_token_id" in config and int(config["pad_token_id"]) != SPECIAL_IDS["pad_id"]:
        out["pad_id"] = int(config["pad_token_id"])
    return out


def expected_shapes(dims: dict) -> dict[str, tuple]:
    """Every tensor generation needs, in the order of the needle1.md table."""
    V, d, hd = dims["vocab_size"], dims["d_model"], dims["head_dim"]
    qd = dims["num_heads"] * hd
    kvd = dims["num_kv_heads"] * hd
    Le, Ld = dims["num_encoder_layers"], dims["num_decoder_layers"]

    def attn(prefix: str, L: int) -> dict:
        return {
            f"{prefix}/q_proj/kernel": (L, d, qd),
            f"{prefix}/k_proj/kernel": (L, d, kvd),
            f"{prefix}/v_proj/kernel": (L, d, kvd),
            f"{prefix}/out_proj/kernel": (L, qd, d),
            f"{prefix}/q_norm/scale": (L, hd),
            f"{prefix}/k_norm/scale": (L, hd),
        }

    shapes = {"embedding/embedding": (V, d)}
    shapes[f"{ENC}/ZCRMSNorm_0/scale"] = (Le, d)
    shapes[f"{ENC}/attn_gate"] = (Le,)
    shapes.update(attn(f"{ENC}/self_attn", Le))
    shapes["encoder/final_norm/scale"] = (d,)
    shapes[f"{DEC}/ZCRMSNorm_0/scale"] = (Ld, d)
    shapes[f"{DEC}/ZCRMSNorm_1/scale"] = (Ld, d)
    shapes[f"{DEC}/self_attn_gate"] = (Ld,)
    shapes[f"{DEC}/cross_attn_gate"] = (Ld,)
    shapes.update(attn(f"{DEC}/self_attn", Ld))
    shapes.update(attn(f"{DEC}/cross_attn", Ld))
    shapes["decoder/ZCRMSNorm_0/scale"] = (d,)
    return shapes


# --------------------------------------------------------------------------- pickle


def _frozen_dict(*args, **kwargs):
    """Stand-in for flax.core.frozen_dict.FrozenDict, whose pickle calls FrozenDict(plain_dict)."""
    return dict(args[0]) if args else dict(kwargs)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, source: str):
        super().__init__(file)
        self.source = source

    def find_class(self, module, name):
        if module.startswith("flax.core.frozen_dict") and name == "FrozenDict":
            return _frozen_dict
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError) as err:
            top = module.split(".")[0]
            if top in ("jax", "jaxlib"):
                raise ConvertError(
                    f"{self.source}: the pickle holds JAX arrays ({module}.{name}) and jax is not "
                    "installed here; re-save it with numpy leaves, e.g. "
                    "params = jax.tree_util.tree_map(numpy.asarray, params)"
                ) from err
            if top == "ml_dtypes":
                raise ConvertError(
                    f"{self.source}: the pickle holds bfloat16/ml_dtypes arrays ({module}.{name}); "
                    "install ml_dtypes or re-save the leaves as numpy float16/float32"
                ) from err
            raise ConvertError(f"{self.source}: the pickle needs {module}.{name}, which cannot be imported: {err}") from err


def flatten(tree, prefix: str, out: dict, source: str) -> None:
    for key, value in tree.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            flatten(value, name, out, source)
            continue
        try:
            array = np.asarray(value)
        except Exception as err:  # noqa: BLE001 - report any leaf that is not array-like
            raise ConvertError(f"{source}: params leaf '{name}' is not an array ({type(value).__name__}): {err}") from err
        if array.dtype.kind != "f" and array.dtype.name != "bfloat16":
            raise ConvertError(f"{source}: params leaf '{name}' has dtype {array.dtype}, expected a float array")
        out[name] = array


def load_checkpoint(path: Path) -> tuple[dict, dict]:
    """(flat {path: array}, config dict) from a needle.pkl."""
    source = str(path)
    if not path.is_file():
        raise ConvertError(f"{source}: no such file")
    try:
        with open(path, "rb") as f:
            obj = _Unpickler(f, source).load()
    except ConvertError:
        raise
    except Exception as err:  # noqa: BLE001 - corrupt or non-pickle input
        raise ConvertError(f"{source}: cannot unpickle ({type(err).__name__}: {err})") from err
    if not isinstance(obj, dict) or "params" not in obj or "config" not in obj:
        got = sorted(map(str, obj.keys())) if isinstance(obj, dict) else type(obj).__name__
        raise ConvertError(f"{source}: expected a dict with keys 'params' and 'config', got {got}")
    params = obj["params"]
    if not isinstance(params, dict):
        raise ConvertError(f"{source}: 'params' must be a nested dict of arrays, got {type(params).__name__}")
    if set(params) == {"params"} and isinstance(params["params"], dict):  # Flax variables wrapper
        params = params["params"]
    flat: dict = {}
    flatten(params, "", flat, source)
    return flat, obj["config"]


def validate(flat: dict, dims: dict, source: str) -> list[str]:
    """Raise on the first missing/mis-shaped tensor; return names of unexpected extra tensors."""
    expected = expected_shapes(dims)
    problems = []
    for name, shape in expected.items():
        if name not in flat:
            problems.append(f"missing tensor '{name}' (expected shape {shape})")
        elif tuple(flat[name].shape) != shape:
            problems.append(f"tensor '{name}' has shape {tuple(flat[name].shape)}, expected {shape}")
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ConvertError(
            f"{source}: {problems[0]}{more}; dims: vocab={dims['vocab_size']} d={dims['d_model']} "
            f"heads={dims['num_heads']} kv_heads={dims['num_kv_heads']} head_dim={dims['head_dim']} "
            f"Le={dims['num_encoder_layers']} Ld={dims['num_decoder_layers']}"
        )
    extras = [n for n in flat if n not in expected]
    stack_extras = [n for n in extras if n.startswith(("encoder/", "decoder/"))]
    if stack_extras:
        raise ConvertError(
            f"{source}: unexpected tensor '{stack_extras[0]}' inside the encoder/decoder "
            "(a feed-forward block or another architecture?); Thimble's needle1 family would ignore it"
        )
    for name in flat:
        if not np.all(np.isfinite(flat[name].astype(np.float32))):
            raise ConvertError(f"{source}: tensor '{name}' contains NaN or infinity")
    return [n for n in extras if n not in CONTRASTIVE_PATHS]


# --------------------------------------------------------------------------- output


def to_bf16_bits(array: np.ndarray) -> np.ndarray:
    """Round-to-nearest-even float32 -> bfloat16, returned as uint16 bit patterns."""
    bits = np.array(array, dtype=np.float32, order="C").view(np.uint32)
    rounded = bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return (rounded >> np.uint32(16)).astype(np.uint16)


def cast(array: np.ndarray, dtype: str, name: str, source: str) -> tuple[str, np.ndarray]:
    """(safetensors dtype name, little-endian contiguous buffer) for one tensor."""
    # np.array(order="C") rather than np.ascontiguousarray, which turns 0-d arrays (log_temp) into 1-d.
    if dtype == "f32":
        return "float32", np.array(array, dtype="<f4", order="C")
    if dtype == "bf16":
        return "bfloat16", np.array(to_bf16_bits(array.astype(np.float32)), dtype="<u2", order="C")
    out = np.array(array, dtype="<f2", order="C")
    if not np.all(np.isfinite(out)):
        raise ConvertError(f"{source}: tensor '{name}' overflows float16; convert with --dtype f32 or bf16")
    return "float16", out


ST_DTYPES = {"float16": "F16", "float32": "F32", "bfloat16": "BF16"}


def write_safetensors(path: Path, tensors: dict[str, tuple[str, np.ndarray]], metadata: dict) -> None:
    """Write the safetensors format directly, so the bytes are reproducible: tensors sorted by
    name, compact header with sorted keys padded with spaces to 8 bytes (data stays aligned).
    (The safetensors package's writer orders __metadata__ keys differently on every run.)"""
    header = {"__metadata__": dict(sorted(metadata.items()))}
    offset = 0
    for name in sorted(tensors):
        dt, buf = tensors[name]
        header[name] = {"dtype": ST_DTYPES[dt], "shape": list(buf.shape), "data_offsets": [offset, offset + buf.nbytes]}
        offset += buf.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(len(blob).to_bytes(8, "little"))
        f.write(blob)
        for name in sorted(tensors):
            f.write(tensors[name][1].tobytes())
    os.replace(tmp, path)


def check_tokenizer(path: Path, vocab_size: int) -> list[str]:
    """Problems with the tokenizer as warnings; a tokenizer larger than the embedding is an error."""
    if not path.is_file():
        raise ConvertError(f"{path}: tokenizer file not found")
    try:
        import sentencepiece as spm
    except ImportError:
        return [f"{path}: sentencepiece not installed; tokenizer copied unchecked"]
    sp = spm.SentencePieceProcessor()
    try:
        sp.Load(str(path))
    except Exception as err:  # noqa: BLE001
        raise ConvertError(f"{path}: not a SentencePiece model ({err})") from err
    size = sp.GetPieceSize()
    if size > vocab_size:
        raise ConvertError(f"{path}: tokenizer has {size} pieces but the checkpoint's vocab_size is {vocab_size}")
    warnings = []
    if size != vocab_size:
        warnings.append(f"{path}: tokenizer has {size} pieces, checkpoint vocab_size is {vocab_size}")
    for idx, piece in SPECIAL_PIECES.items():
        if idx < size and sp.IdToPiece(idx) != piece:
            warnings.append(f"{path}: id {idx} is {sp.IdToPiece(idx)!r}, Needle 1 expects {piece!r}")
    return warnings


def convert(ckpt: Path, out_dir: Path, tokenizer: Path | None = None, dtype: str = "f16") -> dict:
    """Convert; returns a summary dict. Raises ConvertError on bad input."""
    if dtype not in DTYPES:
        raise ConvertError(f"--dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    flat, config = load_checkpoint(ckpt)
    dims = model_dims(config, str(ckpt))
    extras = validate(flat, dims, str(ckpt))
    warnings = [f"{ckpt}: extra tensor '{n}' copied (not used by generation)" for n in extras]
    if tokenizer is not None:
        warnings += check_tokenizer(tokenizer, dims["vocab_size"])

    tensors = {name: cast(array, dtype, name, str(ckpt)) for name, array in flat.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    source_dtypes = sorted({str(a.dtype) for a in flat.values()})
    metadata = {
        "format": "thimble-needle1",
        "converter": "runtime/convert/needle_pkl.py",
        "source_dtype": ",".join(source_dtypes),
        "dtype": DTYPES[dtype],
    }
    write_safetensors(out_dir / "model.safetensors", tensors, metadata)
    cfg = thimble_config(config, dims)
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    if tokenizer is not None:
        shutil.copyfile(tokenizer, out_dir / "tokenizer.model")
    return {
        "tensors": len(tensors),
        "parameters": int(sum(a.size for a in flat.values())),
        "dtype": DTYPES[dtype],
        "warnings": warnings,
        "config": cfg,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert a Needle 1 needle.pkl checkpoint into a Thimble model directory "
        "(model.safetensors + config.json [+ tokenizer.model]).",
    )
    parser.add_argument("ckpt", type=Path, metavar="CKPT.pkl", help="Needle 1 checkpoint pickle")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="output model directory (created if needed)")
    parser.add_argument("--tokenizer", type=Path, help="SentencePiece model to copy as OUT_DIR/tokenizer.model")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="f16", help="stored tensor dtype (default f16)")
    args = parser.parse_args(argv)
    try:
        summary = convert(args.ckpt, args.out_dir, args.tokenizer, args.dtype)
    except ConvertError as err:
        print(f"needle_pkl: error: {err}", file=sys.stderr)
        return 1
    for warning in summary["warnings"]:
        print(f"needle_pkl: warning: {warning}", file=sys.stderr)
    print(
        f"needle_pkl: wrote {args.out_dir}/model.safetensors ({summary['tensors']} tensors, "
        f"{summary['parameters']} parameters, {summary['dtype']}) and config.json"
        + (" and tokenizer.model" if args.tokenizer else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
