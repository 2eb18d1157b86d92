#!/usr/bin/env bash
# GPU verification of the cuda backend. Run from the repository root.
#
#   bash backend-cuda/gpu-check.sh --prepare [--with-jre]
#       On a build machine (JDK 25, Maven; nvcc to compile the kernels): builds the modules and gathers everything the
#       check needs into backend-cuda/target/gpu-check/ (jars, test classes, the golden local-attention cases and,
#       with --with-jre, a trimmed Java 25 runtime), so that the GPU machine needs neither Maven nor a JDK.
#
#   bash backend-cuda/gpu-check.sh [--out DIR]
#       On a machine with an NVIDIA GPU and driver: runs the conformance kit on the cuda backend, the golden
#       local-attention cases, the GPU path checks (GpuKernelPathTest), and a benchmark of our GEMMs and of a
#       synthetic CogLM layer; when PyTorch with CUDA is installed, times the same work with PyTorch on the same GPU
#       and prints ours / PyTorch. Results go to DIR (default backend-cuda/target/gpu-check-out). Builds the bundle
#       first if it is missing and Maven is available. Exit status 0 when every check passed.
#
# Environment: JAVA (a java 25+ binary), PYTHON (default python3), GOLDEN (golden folder; default ../shared/golden),
# CHECK_TIMEOUT (seconds for the Java part, default 420), BENCH_TIMEOUT (seconds for PyTorch, default 150).
set -uo pipefail

ROOT=$(pwd)
if [ ! -f "$ROOT/backend-cuda/pom.xml" ]; then
    echo "run this from the repository root (backend-cuda/pom.xml not found)" >&2
    exit 2
fi
BUNDLE="$ROOT/backend-cuda/target/gpu-check"
OUT_DIR="$ROOT/backend-cuda/target/gpu-check-out"
PREPARE=0
WITH_JRE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prepare) PREPARE=1 ;;
        --with-jre) WITH_JRE=1 ;;
        --out) OUT_DIR=$2; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf '\n[gpu-check] %s\n' "$*"; }

prepare() {
    command -v mvn > /dev/null || { echo "Maven is needed to prepare the bundle" >&2; return 1; }
    if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"2[5-9]'; then
        for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
            [ -x "$j/bin/java" ] && export JAVA_HOME=$j && break
        done
    fi
    log "building (mvn -DskipTests package) with JAVA_HOME=${JAVA_HOME:-?}"
    local cp_file="$ROOT/backend-cuda/target/gpu-check-classpath.txt"
    mkdir -p "$ROOT/backend-cuda/target"
    mvn -q -pl backend-cuda -am -DskipTests package dependency:build-classpath \
        -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" || return 1
    rm -rf "$BUNDLE"
    mkdir -p "$BUNDLE/lib"
    local jar
    for jar in $(tr ':' '\n' < "$cp_file"); do
        case "$(basename "$jar")" in
            jcuda-natives-*-linux-x86_64.jar)
                # Only the driver-API library is needed (the jar also holds NVRTC and runtime-API bindings).
                local tmp
                tmp=$(mktemp -d)
                (cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$jar" && "$JAVA_HOME/bin/jar" cf \
                    "$BUNDLE/lib/jcuda-natives-driver-only.jar" lib/libJCudaDriver-*)
                rm -rf "$tmp" ;;
            *.jar) [ -f "$jar" ] && cp "$jar" "$BUNDLE/lib/" ;;
            *) ;;  # module output folders of the reactor: their jars are copied below
        esac
    done
    for m in spi spi-support api checkpoint backend-cpu-reference tokenizer-icetk models conformance-kit conformance-tests conformance-golden backend-cuda; do
        for jar in "$ROOT/$m"/target/cogview2-*.jar; do
            [ -f "$jar" ] && cp "$jar" "$BUNDLE/lib/"
        done
    done
    cp -r "$ROOT/backend-cuda/target/test-classes" "$BUNDLE/test-classes"
    local golden=${GOLDEN:-$ROOT/../shared/golden}
    if [ -d "$golden" ]; then
        mkdir -p "$BUNDLE/golden"
        for c in local_attention_kernel sparse_attention_functions; do
            [ -d "$golden/$c" ] && cp -r "$golden/$c" "$BUNDLE/golden/"
        done
        [ -f "$golden/README.md" ] && cp "$golden/README.md" "$BUNDLE/golden/"
    fi
    if [ "$WITH_JRE" = 1 ]; then
        log "linking a trimmed Java runtime"
        "$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported --strip-debug --no-header-files \
            --no-man-pages --compress zip-9 --output "$BUNDLE/jre" || return 1
    fi
    log "bundle ready: $(du -sh "$BUNDLE" | cut -f1) in $BUNDLE"
}

if [ "$PREPARE" = 1 ]; then
    prepare
    exit $?
fi

if [ ! -d "$BUNDLE/lib" ]; then
    log "no bundle at $BUNDLE: preparing it"
    prepare || { echo "cannot prepare the bundle (run --prepare on a build machine)" >&2; exit 2; }
fi

JAVA_BIN=${JAVA:-}
for candidate in "$JAVA_BIN" "$BUNDLE/jre/bin/java" "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2> /dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
        JAVA_BIN=$candidate
        break
    fi
    JAVA_BIN=
done
if [ -z "$JAVA_BIN" ]; then
    echo "no Java 25+ found: set JAVA, or prepare the bundle with --with-jre" >&2
    exit 2
fi

mkdir -p "$OUT_DIR"
log "GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null || echo "nvidia-smi not available"

GOLDEN_DIR=${GOLDEN:-}
if [ -z "$GOLDEN_DIR" ]; then
    if [ -d "$BUNDLE/golden" ]; then GOLDEN_DIR=$BUNDLE/golden; elif [ -d "$ROOT/../shared/golden" ]; then GOLDEN_DIR=$ROOT/../shared/golden; fi
fi

log "Java checks and benchmark ($JAVA_BIN)"
timeout "${CHECK_TIMEOUT:-420}" "$JAVA_BIN" -Xss4m -Xmx8g --enable-native-access=ALL-UNNAMED \
    -cp "$BUNDLE/test-classes:$BUNDLE/lib/*" org.cogview2.backend.cuda.GpuCheck "$OUT_DIR" ${GOLDEN_DIR:+"$GOLDEN_DIR"} \
    2>&1 | tee "$OUT_DIR/gpu-check.log"
JAVA_STATUS=${PIPESTATUS[0]}

PYTHON=${PYTHON:-python3}
if [ -f "$OUT_DIR/java-bench.json" ] && "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2> /dev/null; then
    log "PyTorch on the same GPU"
    timeout "${BENCH_TIMEOUT:-150}" "$PYTHON" "$ROOT/backend-cuda/src/test/python/bench_torch.py" \
        "$OUT_DIR/java-bench.json" "$OUT_DIR/torch-bench.json" 2>&1 | tee "$OUT_DIR/ratios.txt"
else
    log "PyTorch with CUDA not available (or no Java benchmark results): no comparison"
fi

log "done: Java checks exit status $JAVA_STATUS; results in $OUT_DIR"
exit "$JAVA_STATUS"
