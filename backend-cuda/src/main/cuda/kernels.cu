// The CogView2 CUDA kernels: one translation unit, compiled by build-fatbin.sh into kernels.fatbin (SASS for
// sm_80 and sm_90 plus compute_80 PTX) and kernels.ptx (compute_80 PTX for drivers older than the toolkit).
// Every entry point is extern "C"; KernelSignatures.java lists each one with its parameters, and a test checks the
// list against the PTX.
#include "common.cuh"
#include "elementwise.cuh"
#include "layout.cuh"
#include "norm.cuh"
#include "select.cuh"
#include "sampling.cuh"
#include "gemm.cuh"
#include "attention.cuh"
