// Element-wise kernels: add, scale, gelu, silu, cast, and the image re-samplers resizeNearest and avgPool2x2.
// Each reproduces the reference backend operation by operation (see common.cuh).
#pragma once
#include "common.cuh"

// y[i] = a[i] + widen(b[i % period]); b of dtype bdt (F32/F16/BF16). One IEEE addition: exact match.
extern "C" __global__ void cv_add(const float* a, const void* b, int bdt, float* y, i64 n, i64 period) {
    GRID_STRIDE(i, n) {
        y[i] = __fadd_rn(a[i], load_float(b, i % period, bdt));
    }
}

// y[i] = x[i] * factor. One IEEE multiplication: exact match.
extern "C" __global__ void cv_scale(const float* x, float* y, i64 n, float factor) {
    GRID_STRIDE(i, n) {
        y[i] = __fmul_rn(x[i], factor);
    }
}

// The tanh GELU evaluated as the reference does: (0.5x) * (1 + tanh((c x) * (1 + (a x) x))), each operation
// rounded to fp32, tanh evaluated in double and rounded once.
extern "C" __global__ void cv_gelu(const float* x, float* y, i64 n) {
    const float c = 0.7978845608028654f;
    const float a = 0.044715f;
    GRID_STRIDE(i, n) {
        float v = x[i];
        float half = __fmul_rn(0.5f, v);
        float inner = __fmul_rn(__fmul_rn(c, v), __fadd_rn(1.0f, __fmul_rn(__fmul_rn(a, v), v)));
        float t = (float)tanh((double)inner);
        y[i] = __fmul_rn(half, __fadd_rn(1.0f, t));
    }
}

// SiLU x / (1 + exp(-x)), exp evaluated in double and rounded once, IEEE division.
extern "C" __global__ void cv_silu(const float* x, float* y, i64 n) {
    GRID_STRIDE(i, n) {
        float v = x[i];
        y[i] = __fdiv_rn(v, __fadd_rn(1.0f, exp_rounded(-v)));
    }
}

// ---------------------------------------------------------------- cast

__device__ __forceinline__ void store_from_float(void* y, i64 i, int ddt, float v) {
    switch (ddt) {
        case DT_F32: ((float*)y)[i] = v; break;
        case DT_F16: ((unsigned short*)y)[i] = float_to_f16_bits(v); break;
        case DT_BF16: ((unsigned short*)y)[i] = float_to_bf16_bits(v); break;
        // cvt.rzi saturates to the destination range and turns NaN into 0, as Java's casts do.
        case DT_I32: ((int*)y)[i] = __float2int_rz(v); break;
        default: ((i64*)y)[i] = __float2ll_rz(v); break;
    }
}

// Conversion between any two dtypes. Floating sources are widened exactly; integer sources go to floating types
// through fp32 (round to nearest even); I64 -> I32 keeps the low 32 bits; I32 -> I64 sign-extends.
extern "C" __global__ void cv_cast(const void* x, int sdt, void* y, int ddt, i64 n) {
    GRID_STRIDE(i, n) {
        if (sdt == DT_F32 || sdt == DT_F16 || sdt == DT_BF16) {
            store_from_float(y, i, ddt, load_float(x, i, sdt));
        } else {
            i64 v = sdt == DT_I32 ? (i64)((const int*)x)[i] : ((const i64*)x)[i];
            if (ddt == DT_I32) {
                ((int*)y)[i] = (int)(unsigned int)(u64)v;
            } else if (ddt == DT_I64) {
                ((i64*)y)[i] = v;
            } else {
                store_from_float(y, i, ddt, __ll2float_rn(v));
            }
        }
    }
}

// ---------------------------------------------------------------- image re-sampling

// PyTorch's nearest rule with the scale computed in fp32: src = min(floor(i * (in / (float) out)), in - 1).
__device__ __forceinline__ int nearest_source(int i, int in, int out) {
    float scale = __fdiv_rn((float)in, (float)out);
    int s = (int)floorf(__fmul_rn((float)i, scale));
    return s < in - 1 ? s : in - 1;
}

// x [planes, H, W] -> y [planes, outH, outW]; values copied exactly.
extern "C" __global__ void cv_resize_nearest(const float* x, float* y, i64 planes, int h, int w, int outH, int outW) {
    i64 n = planes * outH * outW;
    GRID_STRIDE(i, n) {
        int ox = (int)(i % outW);
        i64 rest = i / outW;
        int oy = (int)(rest % outH);
        i64 p = rest / outH;
        y[i] = x[(p * h + nearest_source(oy, h, outH)) * w + nearest_source(ox, w, outW)];
    }
}

// 2x2 average pooling: (((x00 + x01) + x10) + x11) / 4 in fp32, as the reference.
extern "C" __global__ void cv_avg_pool2x2(const float* x, float* y, i64 planes, int h, int w) {
    int outH = h / 2;
    int outW = w / 2;
    i64 n = planes * outH * outW;
    GRID_STRIDE(i, n) {
        int ox = (int)(i % outW);
        i64 rest = i / outW;
        int oy = (int)(rest % outH);
        i64 p = rest / outH;
        const float* top = x + (p * h + 2 * oy) * w + 2 * ox;
        const float* bottom = top + w;
        float s = __fadd_rn(__fadd_rn(__fadd_rn(top[0], top[1]), bottom[0]), bottom[1]);
        y[i] = __fdiv_rn(s, 4.0f);
    }
}
