#!/usr/bin/env bash
# Compiles the CUDA kernels of backend-cuda at build time (called by Maven in generate-resources).
#
#   build-fatbin.sh SOURCE_DIR OUTPUT_DIR [auto|skip]
#
# Writes into OUTPUT_DIR/org/cogview2/backend/cuda/:
#   kernels.fatbin            SASS for sm_80 and sm_90 plus compute_80 PTX (loaded first)
#   kernels.ptx               compute_80 PTX whose .version is lowered to the oldest PTX ISA that ptxas accepts for
#                             it, so that drivers older than this toolkit can still JIT-compile the kernels
#   cuda-kernels.properties   status=compiled|not-compiled, reason, toolkit version, targets
#
# Without nvcc (on the PATH, or named by $NVCC) it writes only the properties (status=not-compiled) and exits 0:
# the build stays green and the backend reports itself unavailable with that reason. A compilation error with nvcc
# present fails the build. Set CUDA_ARCHS to replace the default targets, e.g. "80 86 90".
set -euo pipefail

SRC=${1:?source directory}
OUT=${2:?output directory}
MODE=${3:-auto}
PKG=org/cogview2/backend/cuda
DEST="$OUT/$PKG"
PROPS="$DEST/cuda-kernels.properties"
mkdir -p "$DEST"

not_compiled() {
    rm -f "$DEST/kernels.fatbin" "$DEST/kernels.ptx"
    {
        echo "status=not-compiled"
        echo "reason=$1"
    } > "$PROPS"
    echo "[backend-cuda] $1: the cuda backend will report itself unavailable."
    exit 0
}

if [ "$MODE" = "skip" ]; then
    not_compiled "kernels were not compiled (kernel build skipped with -Dcuda.kernels=skip)"
fi

NVCC=${NVCC:-nvcc}
if ! command -v "$NVCC" > /dev/null 2>&1; then
    not_compiled "kernels were not compiled (nvcc not found at build time)"
fi
NVCC_DIR=$(dirname "$(command -v "$NVCC")")
PTXAS=${PTXAS:-$NVCC_DIR/ptxas}
if [ ! -x "$PTXAS" ]; then
    PTXAS=ptxas
fi

ARCHS=${CUDA_ARCHS:-"80 90"}
RELEASE=$("$NVCC" --version | sed -n 's/.*release \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
SIGNATURE="nvcc $RELEASE; archs $ARCHS"

# Up to date: outputs newer than every source and built with the same compiler and targets.
if [ -f "$DEST/kernels.fatbin" ] && [ -f "$DEST/kernels.ptx" ] && [ -f "$PROPS" ] \
        && grep -qx "status=compiled" "$PROPS" && grep -qxF "build=$SIGNATURE" "$PROPS" \
        && [ -z "$(find "$SRC" -newer "$DEST/kernels.fatbin" \( -name '*.cu' -o -name '*.cuh' -o -name '*.sh' \) -print -quit)" ]; then
    echo "[backend-cuda] CUDA kernels are up to date ($SIGNATURE)."
    exit 0
fi

FLAGS=(-std=c++17 -O3 --restrict -lineinfo)
GENCODE=()
LOWEST=
for a in $ARCHS; do
    GENCODE+=(-gencode "arch=compute_$a,code=sm_$a")
    if [ -z "$LOWEST" ] || [ "$a" -lt "$LOWEST" ]; then
        LOWEST=$a
    fi
done
# PTX of the lowest target: any newer GPU can JIT-compile it.
GENCODE+=(-gencode "arch=compute_$LOWEST,code=compute_$LOWEST")

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "[backend-cuda] compiling CUDA kernels with nvcc $RELEASE for sm_${ARCHS// /, sm_} + compute_$LOWEST PTX"
"$NVCC" "${FLAGS[@]}" --threads 2 -fatbin "${GENCODE[@]}" -o "$TMP/kernels.fatbin" "$SRC/kernels.cu"
"$NVCC" "${FLAGS[@]}" -ptx -arch="compute_$LOWEST" -o "$TMP/kernels-native.ptx" "$SRC/kernels.cu"

# Lower the PTX ISA version as far as ptxas accepts it (a newer toolkit writes its own version even when the code
# needs none of the newer features); an older driver can then JIT the PTX.
NATIVE_VERSION=$(sed -n 's/^\.version \([0-9.]*\).*/\1/p' "$TMP/kernels-native.ptx" | head -n 1)
PTX_VERSION=$NATIVE_VERSION
for v in 7.0 7.1 7.2 7.3 7.4 7.5 7.6 7.7 7.8 8.0 8.1 8.2 8.3 8.4 8.5 8.6 8.7 8.8; do
    if awk -v a="$v" -v b="$NATIVE_VERSION" 'BEGIN { exit !(a + 0 < b + 0) }'; then
        sed "s/^\.version .*/.version $v/" "$TMP/kernels-native.ptx" > "$TMP/kernels-$v.ptx"
        if "$PTXAS" -arch="sm_$LOWEST" -o "$TMP/check.cubin" "$TMP/kernels-$v.ptx" > /dev/null 2>&1; then
            PTX_VERSION=$v
            cp "$TMP/kernels-$v.ptx" "$TMP/kernels.ptx"
            break
        fi
    fi
done
if [ "$PTX_VERSION" = "$NATIVE_VERSION" ]; then
    cp "$TMP/kernels-native.ptx" "$TMP/kernels.ptx"
fi

mv "$TMP/kernels.fatbin" "$DEST/kernels.fatbin"
mv "$TMP/kernels.ptx" "$DEST/kernels.ptx"
{
    echo "status=compiled"
    echo "reason=compiled"
    echo "build=$SIGNATURE"
    echo "toolkit=$RELEASE"
    echo "sass=$(for a in $ARCHS; do printf 'sm_%s ' "$a"; done | sed 's/ $//')"
    echo "ptx=compute_$LOWEST"
    echo "ptx.version=$PTX_VERSION"
    echo "ptx.native.version=$NATIVE_VERSION"
} > "$PROPS"
echo "[backend-cuda] wrote kernels.fatbin ($(wc -c < "$DEST/kernels.fatbin") bytes) and kernels.ptx (PTX ISA $PTX_VERSION, toolkit native $NATIVE_VERSION)"
