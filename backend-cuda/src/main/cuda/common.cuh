// Shared definitions of the CogView2 CUDA kernels.
//
// Conventions (mirrored by the Java side, see KernelSignatures.java):
//  * every kernel is extern "C" so that its name in the module is the plain name;
//  * element types are passed as the ordinal of org.cogview2.spi.DType: 0 F32, 1 F16, 2 BF16, 3 I32, 4 I64;
//  * counts and offsets that can exceed 2^31 are 64-bit (long long); grid-stride loops cover any size;
//  * where a kernel must reproduce the reference backend operation by operation (single IEEE operations, masks,
//    normalisation), it uses the explicitly rounded intrinsics (__fadd_rn, __fmul_rn, ...) which the compiler never
//    contracts into fused multiply-adds. Reductions (dot products, sums) may use FMA: the conformance kit allows any
//    fp32 summation order for them.
#pragma once

#ifndef CV_EMULATION
#include <cuda_fp16.h>
#include <cuda_bf16.h>
// Dynamic shared memory of a kernel (the tests' CPU emulation defines this macro its own way).
#define DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#endif
#include <stdint.h>

typedef long long i64;
typedef unsigned long long u64;

#define DT_F32 0
#define DT_F16 1
#define DT_BF16 2
#define DT_I32 3
#define DT_I64 4

// The score of a local-attention window cell outside the key grid, and the SAT mask constant.
#define OUTSIDE_SCORE (-10000.0f)

#define GRID_STRIDE(i, n) for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// ---------------------------------------------------------------- half formats

// Exact widening of a bfloat16 bit pattern.
__device__ __forceinline__ float bf16_bits_to_float(unsigned short bits) {
    return __uint_as_float(((unsigned int)bits) << 16);
}

// Exact widening of an IEEE binary16 bit pattern.
__device__ __forceinline__ float f16_bits_to_float(unsigned short bits) {
    return __half2float(__ushort_as_half(bits));
}

// fp32 -> bfloat16, round to nearest even; NaN becomes a quiet NaN of the same sign (as the reference does).
__device__ __forceinline__ unsigned short float_to_bf16_bits(float v) {
    unsigned int bits = __float_as_uint(v);
    if (v != v) {
        return (unsigned short)((bits >> 16) | 0x0040u);
    }
    unsigned int lsb = (bits >> 16) & 1u;
    return (unsigned short)((bits + 0x7FFFu + lsb) >> 16);
}

// fp32 -> binary16, round to nearest even (subnormals and overflow to infinity handled by the intrinsic).
__device__ __forceinline__ unsigned short float_to_f16_bits(float v) {
    return __half_as_ushort(__float2half_rn(v));
}

// Element i of a floating tensor of dtype dt, widened exactly to fp32.
__device__ __forceinline__ float load_float(const void* p, i64 i, int dt) {
    if (dt == DT_F32) {
        return ((const float*)p)[i];
    }
    unsigned short bits = ((const unsigned short*)p)[i];
    return dt == DT_BF16 ? bf16_bits_to_float(bits) : f16_bits_to_float(bits);
}

// Typed widening used by templated kernels (GEMM, GEMV).
template <typename T> struct Widen;
template <> struct Widen<float> {
    static __device__ __forceinline__ float get(const float* p, i64 i) { return p[i]; }
};
template <> struct Widen<__half> {
    static __device__ __forceinline__ float get(const __half* p, i64 i) { return __half2float(p[i]); }
};
template <> struct Widen<__nv_bfloat16> {
    static __device__ __forceinline__ float get(const __nv_bfloat16* p, i64 i) {
        return bf16_bits_to_float(((const unsigned short*)p)[i]);
    }
};

// ---------------------------------------------------------------- the few operations mirrored exactly

// SAT's 0/1 masking s*m - 10000*(1-m), each operation rounded as in the reference (never fused).
__device__ __forceinline__ float sat_mask(float s, float m) {
    return __fsub_rn(__fmul_rn(s, m), __fmul_rn(10000.0f, __fsub_rn(1.0f, m)));
}

// Java's Math.max for floats: NaN if either is NaN.
__device__ __forceinline__ float java_max(float a, float b) {
    if (a != a || b != b) {
        return __int_as_float(0x7fc00000);
    }
    return a >= b ? a : b;
}

// fp32 exponential as the reference evaluates it: exp in double, rounded once.
__device__ __forceinline__ float exp_rounded(float x) {
    return (float)exp((double)x);
}

__device__ __forceinline__ bool inside_grid(int r, int c, int rows, int cols) {
    return r >= 0 && r < rows && c >= 0 && c < cols;
}

// ---------------------------------------------------------------- deterministic reductions

// Butterfly sum over a warp: every lane ends with the same value, combined in a fixed order.
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) {
        v = java_max(v, __shfl_xor_sync(0xffffffffu, v, o));
    }
    return v;
}

// Block-wide sum in a fixed order (warp butterflies, then warp 0 over the warp results). blockDim.x must be a
// multiple of 32 and at most 1024; `shared` holds 32 values. Every thread gets the result.
__device__ double block_sum_d(double v, double* shared) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_sum_d(v);
    __syncthreads();
    if (lane == 0) {
        shared[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        double w = lane < warps ? shared[lane] : 0.0;
        w = warp_sum_d(w);
        if (lane == 0) {
            shared[0] = w;
        }
    }
    __syncthreads();
    double r = shared[0];
    __syncthreads();
    return r;
}

__device__ float block_sum(float v, float* shared) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) {
        shared[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        float w = lane < warps ? shared[lane] : 0.0f;
        w = warp_sum(w);
        if (lane == 0) {
            shared[0] = w;
        }
    }
    __syncthreads();
    float r = shared[0];
    __syncthreads();
    return r;
}

__device__ float block_max(float v, float* shared) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) {
        shared[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        float w = lane < warps ? shared[lane] : -INFINITY;
        w = warp_max(w);
        if (lane == 0) {
            shared[0] = w;
        }
    }
    __syncthreads();
    float r = shared[0];
    __syncthreads();
    return r;
}
