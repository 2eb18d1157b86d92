// Normalisations and softmax. One block per row (or per sample and group); statistics and softmax denominators
// are accumulated in double with a fixed reduction tree, as precise as the reference's sequential double sums; the
// per-element arithmetic after the statistics repeats the reference's fp32 operations one by one.
#pragma once
#include "common.cuh"

// Normalises n values of x starting at row base into y; element i uses affine parameter firstParam + i / paramRun.
__device__ void normalize_block(const float* x, float* y, i64 n, float eps, const void* gamma, int gdt,
                                const void* beta, int bdt, i64 firstParam, i64 paramRun) {
    __shared__ double red[32];
    double s = 0.0;
    for (i64 j = threadIdx.x; j < n; j += blockDim.x) {
        s += (double)x[j];
    }
    double mean = block_sum_d(s, red) / (double)n;
    double q = 0.0;
    for (i64 j = threadIdx.x; j < n; j += blockDim.x) {
        double d = (double)x[j] - mean;
        q += d * d;
    }
    double var = block_sum_d(q, red) / (double)n;
    float meanF = (float)mean;
    float rstd = (float)(1.0 / sqrt(var + (double)eps));
    for (i64 j = threadIdx.x; j < n; j += blockDim.x) {
        i64 p = firstParam + j / paramRun;
        float g = load_float(gamma, p, gdt);
        float b = load_float(beta, p, bdt);
        y[j] = __fadd_rn(__fmul_rn(__fmul_rn(__fsub_rn(x[j], meanF), rstd), g), b);
    }
}

// LayerNorm over rows of h values: grid.x = rows.
extern "C" __global__ void __launch_bounds__(256) cv_layer_norm(const float* x, const void* gamma, int gdt, const void* beta, int bdt, float* y,
                                         i64 h, float eps) {
    i64 row = blockIdx.x;
    normalize_block(x + row * h, y + row * h, h, eps, gamma, gdt, beta, bdt, 0, 1);
}

// GroupNorm of [B, C, H, W]: grid.x = B * groups; a group is perGroup consecutive channels of plane = H*W values.
extern "C" __global__ void __launch_bounds__(1024) cv_group_norm(const float* x, const void* gamma, int gdt, const void* beta, int bdt, float* y,
                                         int groups, i64 perGroup, i64 plane, float eps) {
    i64 r = blockIdx.x;
    i64 size = perGroup * plane;
    i64 firstChannel = (r % groups) * perGroup;
    normalize_block(x + r * size, y + r * size, size, eps, gamma, gdt, beta, bdt, firstChannel, plane);
}

// Softmax over rows of lk scores: s = scores + bias, masked s*m - 10000*(1-m), then exp(s - max) / sum with the
// exponential in double rounded once and the sum in double. mask and bias are [lq, lk] (row r uses row r % lq) or
// null. grid.x = rows.
extern "C" __global__ void __launch_bounds__(256) cv_softmax(const float* scores, const float* mask, const float* bias, float* y, i64 lk,
                                      i64 lq) {
    __shared__ float redf[32];
    __shared__ double redd[32];
    i64 row = blockIdx.x;
    i64 q = row % lq;
    const float* s = scores + row * lk;
    float* out = y + row * lk;
    float mx = -INFINITY;
    for (i64 j = threadIdx.x; j < lk; j += blockDim.x) {
        float v = s[j];
        if (bias != nullptr) {
            v = __fadd_rn(v, bias[q * lk + j]);
        }
        if (mask != nullptr) {
            v = sat_mask(v, mask[q * lk + j]);
        }
        out[j] = v;
        mx = java_max(mx, v);
    }
    mx = block_max(mx, redf);
    double sum = 0.0;
    for (i64 j = threadIdx.x; j < lk; j += blockDim.x) {
        float e = exp_rounded(__fsub_rn(out[j], mx));
        out[j] = e;
        sum += (double)e;
    }
    sum = block_sum_d(sum, redd);
    for (i64 j = threadIdx.x; j < lk; j += blockDim.x) {
        out[j] = (float)((double)out[j] / sum);
    }
}

// log(softmax(row)[target]) per row of logits [M, V]: probability as in cv_softmax, natural log in double rounded
// once; a probability that underflows to 0 gives -infinity. Targets were range-checked on the host. grid.x = M.
extern "C" __global__ void __launch_bounds__(256) cv_log_softmax_gather(const float* logits, const int* targets, float* y, i64 v) {
    __shared__ float redf[32];
    __shared__ double redd[32];
    i64 row = blockIdx.x;
    const float* s = logits + row * v;
    float mx = -INFINITY;
    for (i64 j = threadIdx.x; j < v; j += blockDim.x) {
        mx = java_max(mx, s[j]);
    }
    mx = block_max(mx, redf);
    double sum = 0.0;
    for (i64 j = threadIdx.x; j < v; j += blockDim.x) {
        sum += (double)exp_rounded(__fsub_rn(s[j], mx));
    }
    sum = block_sum_d(sum, redd);
    if (threadIdx.x == 0) {
        float e = exp_rounded(__fsub_rn(s[targets[row]], mx));
        float p = (float)((double)e / sum);
        y[row] = (float)log((double)p);
    }
}
