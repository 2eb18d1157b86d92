#!/usr/bin/env bash
# Builds the CPU emulation of the CUDA kernels for the tests (never packaged):
#   build-emulator.sh CUDA_SOURCE_DIR EMULATOR_SOURCE_DIR OUTPUT_DIR
# Writes OUTPUT_DIR/libcv_emu.so. Without a C++ compiler it writes nothing and exits 0; the emulated tests then skip.
set -euo pipefail
CUDA_SRC=${1:?cuda source directory}
EMU_SRC=${2:?emulator source directory}
OUT=${3:?output directory}
CXX=${CXX:-g++}
mkdir -p "$OUT"
LIB="$OUT/libcv_emu.so"
if ! command -v "$CXX" > /dev/null 2>&1; then
    echo "[backend-cuda] no C++ compiler ($CXX): the CPU emulation of the kernels is not built; its tests will skip."
    rm -f "$LIB"
    exit 0
fi
if [ -f "$LIB" ] && [ -z "$(find "$CUDA_SRC" "$EMU_SRC" -newer "$LIB" -type f -print -quit)" ]; then
    exit 0
fi
echo "[backend-cuda] building the CPU emulation of the CUDA kernels for the tests"
"$CXX" -std=c++20 -O2 -fPIC -shared -ffp-contract=off -fno-strict-aliasing -w \
    -I "$EMU_SRC" -I "$CUDA_SRC" -o "$LIB.tmp" "$EMU_SRC/emu_runtime.cpp"
mv "$LIB.tmp" "$LIB"
