// Selection and lookup kernels: topK (radix select on a unique composite key), embedding, and the vector
// quantiser's nearestCode.
#pragma once
#include "common.cuh"

// ---------------------------------------------------------------- topK

// A 32-bit key whose unsigned order is the reference's order of floats: NaN above everything (all NaNs equal),
// -0.0 equal to +0.0, otherwise numeric order.
__device__ __forceinline__ unsigned int order_key(float x) {
    if (x != x) {
        return 0xFFFFFFFFu;
    }
    if (x == 0.0f) {
        return 0x80000000u;
    }
    unsigned int b = __float_as_uint(x);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

// Larger composite = earlier in the output: the value key, then the lower index. Composites of a row are unique.
__device__ __forceinline__ u64 composite_key(float x, unsigned int j) {
    return ((u64)order_key(x) << 32) | (u64)(0xFFFFFFFFu - j);
}

// The k largest entries of each row of x [rows, v], sorted descending, equal values by ascending index.
// grid.x = rows, blockDim.x = 256; scratch holds rows * k composites. 1 <= k <= v.
extern "C" __global__ void __launch_bounds__(256) cv_topk(const float* x, float* values, int* indices, u64* scratch, i64 v, i64 k) {
    __shared__ unsigned int hist[256];
    __shared__ u64 sPrefix;
    __shared__ u64 sMask;
    __shared__ i64 sRemain;
    __shared__ unsigned int sCount;
    i64 row = blockIdx.x;
    const float* xr = x + row * v;
    u64* cand = scratch + row * k;
    if (threadIdx.x == 0) {
        sPrefix = 0;
        sMask = 0;
        sRemain = k;
        sCount = 0;
    }
    // Radix select, 8 bits at a time from the top, of the k-th largest composite.
    for (int shift = 56; shift >= 0; shift -= 8) {
        for (int b = threadIdx.x; b < 256; b += blockDim.x) {
            hist[b] = 0;
        }
        __syncthreads();
        u64 prefix = sPrefix;
        u64 mask = sMask;
        for (i64 j = threadIdx.x; j < v; j += blockDim.x) {
            u64 c = composite_key(xr[j], (unsigned int)j);
            if ((c & mask) == prefix) {
                atomicAdd(&hist[(unsigned int)(c >> shift) & 0xFFu], 1u);
            }
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            i64 remain = sRemain;
            i64 cum = 0;
            for (int d = 255; d >= 0; d--) {
                if (cum + (i64)hist[d] >= remain) {
                    sRemain = remain - cum;
                    sPrefix = prefix | ((u64)d << shift);
                    sMask = mask | (0xFFull << shift);
                    break;
                }
                cum += hist[d];
            }
        }
        __syncthreads();
    }
    u64 threshold = sPrefix;
    // Exactly k composites are >= the threshold; gather them (in any order), then place each by its rank.
    for (i64 j = threadIdx.x; j < v; j += blockDim.x) {
        u64 c = composite_key(xr[j], (unsigned int)j);
        if (c >= threshold) {
            unsigned int pos = atomicAdd(&sCount, 1u);
            if (pos < (unsigned int)k) {
                cand[pos] = c;
            }
        }
    }
    __syncthreads();
    for (i64 i = threadIdx.x; i < k; i += blockDim.x) {
        u64 c = cand[i];
        i64 rank = 0;
        for (i64 m = 0; m < k; m++) {
            rank += cand[m] > c ? 1 : 0;
        }
        unsigned int idx = 0xFFFFFFFFu - (unsigned int)(c & 0xFFFFFFFFull);
        values[row * k + rank] = xr[idx];
        indices[row * k + rank] = (int)idx;
    }
}

// ---------------------------------------------------------------- embedding

// y [n, h] = rows of table [V, h] (dtype tdt, widened exactly) at ids [n] (range-checked on the host).
extern "C" __global__ void cv_embedding(const void* table, int tdt, const int* ids, float* y, i64 n, i64 h) {
    GRID_STRIDE(i, n * h) {
        i64 row = i / h;
        i64 f = i - row * h;
        y[i] = load_float(table, (i64)ids[row] * h + f, tdt);
    }
}

// ---------------------------------------------------------------- nearestCode

// c[k] = sum_i e[k][i] * e[k][i], fp32, i ascending, never fused (as the reference).
extern "C" __global__ void cv_code_norms(const void* e, int edt, float* c, int codes, int dim) {
    GRID_STRIDE(k, (i64)codes) {
        float sq = 0.0f;
        for (int i = 0; i < dim; i++) {
            float v = load_float(e, k * dim + i, edt);
            sq = __fadd_rn(sq, __fmul_rn(v, v));
        }
        c[k] = sq;
    }
}

#define NC_MAX_ROWS 16

// Whether candidate (da, ka) beats (db, kb): a found distance beats none (k = -1, NaN), the smaller distance wins,
// equal distances go to the lower index.
__device__ __forceinline__ bool nc_better(float da, int ka, float db, int kb) {
    if (ka < 0) {
        return false;
    }
    if (kb < 0) {
        return true;
    }
    return da < db || (da == db && ka < kb);
}

// For each row f of z [N, D]: the code minimising (a - b_k) + c_k with a = sum f*f, b_k = sum (2f)*e_k, each an
// fp32 sum, i ascending, never fused, exactly as the reference; ties and NaN distances go to the lowest index.
// grid.x = ceil(N / rowsPerBlock), blockDim.x = 256, dynamic shared memory rowsPerBlock * D floats.
extern "C" __global__ void __launch_bounds__(256) cv_nearest_code(const float* z, const void* e, int edt, const float* c, int* out,
                                           int n, int codes, int dim, int rowsPerBlock) {
    DYNAMIC_SHARED(float, twoF);
    __shared__ float a[NC_MAX_ROWS];
    __shared__ float wd[NC_MAX_ROWS][32];
    __shared__ int wk[NC_MAX_ROWS][32];
    int row0 = blockIdx.x * rowsPerBlock;
    int rows = min(rowsPerBlock, n - row0);
    for (int t = threadIdx.x; t < rows * dim; t += blockDim.x) {
        int r = t / dim;
        int i = t - r * dim;
        twoF[r * dim + i] = __fmul_rn(2.0f, z[(i64)(row0 + r) * dim + i]);
    }
    if (threadIdx.x < rows) {
        const float* f = z + (i64)(row0 + threadIdx.x) * dim;
        float s = 0.0f;
        for (int i = 0; i < dim; i++) {
            s = __fadd_rn(s, __fmul_rn(f[i], f[i]));
        }
        a[threadIdx.x] = s;
    }
    __syncthreads();
    float bestD[NC_MAX_ROWS];
    int bestK[NC_MAX_ROWS];
#pragma unroll
    for (int r = 0; r < NC_MAX_ROWS; r++) {
        bestD[r] = __int_as_float(0x7fc00000);
        bestK[r] = -1;
    }
    for (int k = threadIdx.x; k < codes; k += blockDim.x) {
        float b[NC_MAX_ROWS];
#pragma unroll
        for (int r = 0; r < NC_MAX_ROWS; r++) {
            b[r] = 0.0f;
        }
        for (int i = 0; i < dim; i++) {
            float ev = load_float(e, (i64)k * dim + i, edt);
#pragma unroll
            for (int r = 0; r < NC_MAX_ROWS; r++) {
                if (r < rows) {
                    b[r] = __fadd_rn(b[r], __fmul_rn(twoF[r * dim + i], ev));
                }
            }
        }
        float ck = c[k];
#pragma unroll
        for (int r = 0; r < NC_MAX_ROWS; r++) {
            if (r < rows) {
                float d = __fadd_rn(__fsub_rn(a[r], b[r]), ck);
                bool better = bestD[r] != bestD[r] ? !(d != d) : d < bestD[r];
                if (better) {
                    bestD[r] = d;
                    bestK[r] = k;
                }
            }
        }
    }
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
#pragma unroll
    for (int r = 0; r < NC_MAX_ROWS; r++) {
        if (r < rows) {
            float d = bestD[r];
            int kk = bestK[r];
            for (int o = 16; o > 0; o >>= 1) {
                float od = __shfl_xor_sync(0xffffffffu, d, o);
                int ok = __shfl_xor_sync(0xffffffffu, kk, o);
                if (nc_better(od, ok, d, kk)) {
                    d = od;
                    kk = ok;
                }
            }
            if (lane == 0) {
                wd[r][warp] = d;
                wk[r][warp] = kk;
            }
        }
    }
    __syncthreads();
    if (threadIdx.x < rows) {
        int r = threadIdx.x;
        float d = wd[r][0];
        int kk = wk[r][0];
        for (int w = 1; w < warps; w++) {
            if (nc_better(wd[r][w], wk[r][w], d, kk)) {
                d = wd[r][w];
                kk = wk[r][w];
            }
        }
        out[row0 + r] = kk < 0 ? 0 : kk;
    }
}
