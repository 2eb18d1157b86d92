// Matrix products: linear, matmul and conv2d (as an implicit GEMM).
//
// Default path: a tiled SIMT SGEMM. Activations stay fp32; F16/BF16 weights are widened exactly while a tile is
// loaded into shared memory; every output is an fp32 FMA chain over k in a fixed order (tile by tile, k ascending),
// so results are reproducible and within the kit's tolerance of the reference's sequential fp32 sums.
//
// Small-M path (linear with at most 8 rows: the KV-cache decode step): one warp per output column streams the weight
// row once with 16-byte loads; per-lane fp32 FMA chains are combined by a fixed butterfly.
//
// Opt-in tensor-core path (linear with F16/BF16 weights): WMMA 16x16x16 with fp32 accumulation; the activations are
// rounded to the weight's 16-bit format first, so results differ from the reference by ~1e-3 relative: OUTSIDE the
// conformance kit's linear tolerance. Only used when the backend is created with tensor cores enabled.
#pragma once
#include "common.cuh"
#ifndef CV_EMULATION
#include <mma.h>
#endif

// ---------------------------------------------------------------- operand loaders

// Operand A whose element (m, k) is p[z * batchStride + m * ld + k] (k contiguous), widened to fp32.
template <typename T>
struct RowsK {
    const T* p;
    i64 ld;
    i64 batchStride;
    __device__ __forceinline__ float get(int z, i64 m, i64 k) const {
        return Widen<T>::get(p, z * batchStride + m * ld + k);
    }
};

// Operand B stored as rows of k: element (k, n) is p[z * batchStride + n * ld + k] (a linear weight [N, K], or b of
// matmul with transposeB), widened to fp32.
template <typename T>
struct ColsK {
    const T* p;
    i64 ld;
    i64 batchStride;
    static constexpr bool kFastest = true;
    __device__ __forceinline__ float get(int z, i64 k, i64 n) const {
        return Widen<T>::get(p, z * batchStride + n * ld + k);
    }
};

// Operand B whose element (k, n) is p[z * batchStride + k * ld + n] (n contiguous); fp32 only.
struct NContiguous {
    const float* p;
    i64 ld;
    i64 batchStride;
    static constexpr bool kFastest = false;
    __device__ __forceinline__ float get(int z, i64 k, i64 n) const {
        return p[z * batchStride + k * ld + n];
    }
};

// Operand B of a convolution seen as a GEMM: element (k, n) with k = (c, i, j) over the weight's [C, kh, kw] and
// n = (b, oy, ox) over the output; zero on the padding.
struct Im2col {
    const float* x;
    int channels, height, width;
    int kh, kw, stride, padTop, padLeft;
    int outH, outW;
    static constexpr bool kFastest = false;
    __device__ __forceinline__ float get(int, i64 k, i64 n) const {
        int khw = kh * kw;
        int c = (int)(k / khw);
        int rem = (int)(k - (i64)c * khw);
        int i = rem / kw;
        int j = rem - i * kw;
        i64 outPlane = (i64)outH * outW;
        i64 b = n / outPlane;
        int p = (int)(n - b * outPlane);
        int oy = p / outW;
        int ox = p - oy * outW;
        int iy = oy * stride + i - padTop;
        int ix = ox * stride + j - padLeft;
        if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
            return 0.0f;
        }
        return x[((b * channels + c) * height + iy) * width + ix];
    }
};

// ---------------------------------------------------------------- output writers

// C[z][m][n] = acc (+ bias[n], added after the product as the reference does).
struct StoreRows {
    float* y;
    i64 ld;
    i64 batchStride;
    const void* bias;
    int biasDt;
    __device__ __forceinline__ void put(int z, i64 m, i64 n, float acc) const {
        float v = bias != nullptr ? __fadd_rn(acc, load_float(bias, n, biasDt)) : acc;
        y[z * batchStride + m * ld + n] = v;
    }
};

// Convolution output: m = output channel d, n = (b, p) -> y[(b * D + d) * outPlane + p] (+ bias[d]).
struct StoreConv {
    float* y;
    int outChannels;
    i64 outPlane;
    const void* bias;
    int biasDt;
    __device__ __forceinline__ void put(int, i64 m, i64 n, float acc) const {
        i64 b = n / outPlane;
        i64 p = n - b * outPlane;
        float v = bias != nullptr ? __fadd_rn(acc, load_float(bias, m, biasDt)) : acc;
        y[(b * outChannels + m) * outPlane + p] = v;
    }
};

// ---------------------------------------------------------------- tiled SIMT GEMM

// C (M x N) = A (M x K) . B (K x N) for batch entry blockIdx.z. Block tile BM x BN, k step BK; each of the 256 threads
// computes a (4*GM) x (4*GN) sub-tile made of GM x GN groups of 4x4, read from shared memory with 16-byte loads.
template <int BM, int BN, int BK, int GM, int GN, class LA, class LB, class ST>
__device__ __forceinline__ void gemm_tiles(const LA& la, const LB& lb, const ST& st, int M, int N, int K) {
    constexpr int TX = BN / (4 * GN);
    constexpr int TY = BM / (4 * GM);
    constexpr int THREADS = TX * TY;
    constexpr int PAD = 4;
    constexpr int A_PER = BM * BK / THREADS;
    constexpr int B_PER = BN * BK / THREADS;
    static_assert(THREADS == 256, "256 threads per block");
    static_assert(A_PER * THREADS == BM * BK && B_PER * THREADS == BN * BK, "tile loads must divide evenly");
    __shared__ __align__(16) float As[BK][BM + PAD];
    __shared__ __align__(16) float Bs[BK][BN + PAD];

    const int tid = threadIdx.x;
    const int tx = tid % TX;
    const int ty = tid / TX;
    const int z = blockIdx.z;
    const i64 m0 = (i64)blockIdx.y * BM;
    const i64 n0 = (i64)blockIdx.x * BN;

    float acc[4 * GM][4 * GN];
#pragma unroll
    for (int i = 0; i < 4 * GM; i++) {
#pragma unroll
        for (int j = 0; j < 4 * GN; j++) {
            acc[i][j] = 0.0f;
        }
    }
    float ra[A_PER];
    float rb[B_PER];

    auto fetch = [&](int k0) {
#pragma unroll
        for (int e = 0; e < A_PER; e++) {
            int idx = tid + e * THREADS;
            int m = idx / BK;
            int k = idx - m * BK;
            ra[e] = (m0 + m < M && k0 + k < K) ? la.get(z, m0 + m, (i64)k0 + k) : 0.0f;
        }
#pragma unroll
        for (int e = 0; e < B_PER; e++) {
            int idx = tid + e * THREADS;
            int n, k;
            if constexpr (LB::kFastest) {
                n = idx / BK;
                k = idx - n * BK;
            } else {
                k = idx / BN;
                n = idx - k * BN;
            }
            rb[e] = (n0 + n < N && k0 + k < K) ? lb.get(z, (i64)k0 + k, n0 + n) : 0.0f;
        }
    };

    fetch(0);
    for (int k0 = 0; k0 < K; k0 += BK) {
#pragma unroll
        for (int e = 0; e < A_PER; e++) {
            int idx = tid + e * THREADS;
            int m = idx / BK;
            As[idx - m * BK][m] = ra[e];
        }
#pragma unroll
        for (int e = 0; e < B_PER; e++) {
            int idx = tid + e * THREADS;
            if constexpr (LB::kFastest) {
                int n = idx / BK;
                Bs[idx - n * BK][n] = rb[e];
            } else {
                int k = idx / BN;
                Bs[k][idx - k * BN] = rb[e];
            }
        }
        __syncthreads();
        if (k0 + BK < K) {
            fetch(k0 + BK);  // global loads of the next tile overlap the products of this one
        }
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[4 * GM];
            float b[4 * GN];
#pragma unroll
            for (int g = 0; g < GM; g++) {
                float4 v = *reinterpret_cast<const float4*>(&As[kk][g * (BM / GM) + ty * 4]);
                a[g * 4 + 0] = v.x;
                a[g * 4 + 1] = v.y;
                a[g * 4 + 2] = v.z;
                a[g * 4 + 3] = v.w;
            }
#pragma unroll
            for (int g = 0; g < GN; g++) {
                float4 v = *reinterpret_cast<const float4*>(&Bs[kk][g * (BN / GN) + tx * 4]);
                b[g * 4 + 0] = v.x;
                b[g * 4 + 1] = v.y;
                b[g * 4 + 2] = v.z;
                b[g * 4 + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < 4 * GM; i++) {
#pragma unroll
                for (int j = 0; j < 4 * GN; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < 4 * GM; i++) {
        i64 m = m0 + (i / 4) * (BM / GM) + ty * 4 + (i % 4);
        if (m >= M) {
            continue;
        }
#pragma unroll
        for (int j = 0; j < 4 * GN; j++) {
            i64 n = n0 + (j / 4) * (BN / GN) + tx * 4 + (j % 4);
            if (n < N) {
                st.put(z, m, n, acc[i][j]);
            }
        }
    }
}

// Large tiles (128 x 128, 8x8 per thread) for big products, small tiles (64 x 64, 4x4 per thread) otherwise.
#define GEMM_LARGE 128, 128, 8, 2, 2
#define GEMM_SMALL 64, 64, 16, 1, 1

// linear: y [M, N] = x [M, K] . w [N, K]^T + bias. grid (ceil(N/BN), ceil(M/BM)).
#define DEFINE_LINEAR(NAME, T, TILE)                                                                              \
    extern "C" __global__ void __launch_bounds__(256) NAME(const float* x, const T* w, const void* bias, int bdt,  \
                                                           float* y, int M, int N, int K) {                        \
        RowsK<float> la{x, K, 0};                                                                           \
        ColsK<T> lb{w, K, 0};                                                                               \
        StoreRows st{y, N, 0, bias, bdt};                                                                         \
        gemm_tiles<TILE>(la, lb, st, M, N, K);                                                                    \
    }

DEFINE_LINEAR(cv_linear_f32_l, float, GEMM_LARGE)
DEFINE_LINEAR(cv_linear_f32_s, float, GEMM_SMALL)
DEFINE_LINEAR(cv_linear_f16_l, __half, GEMM_LARGE)
DEFINE_LINEAR(cv_linear_f16_s, __half, GEMM_SMALL)
DEFINE_LINEAR(cv_linear_bf16_l, __nv_bfloat16, GEMM_LARGE)
DEFINE_LINEAR(cv_linear_bf16_s, __nv_bfloat16, GEMM_SMALL)

// matmul: c [batch, M, N] = a [batch, M, K] . b [batch, K, N] (or b [batch, N, K]^T). grid.z = batch.
extern "C" __global__ void __launch_bounds__(256) cv_matmul_nn_l(const float* a, const float* b, float* c, int M,
                                                                 int N, int K) {
    RowsK<float> la{a, K, (i64)M * K};
    NContiguous lb{b, N, (i64)K * N};
    StoreRows st{c, N, (i64)M * N, nullptr, 0};
    gemm_tiles<GEMM_LARGE>(la, lb, st, M, N, K);
}
extern "C" __global__ void __launch_bounds__(256) cv_matmul_nn_s(const float* a, const float* b, float* c, int M,
                                                                 int N, int K) {
    RowsK<float> la{a, K, (i64)M * K};
    NContiguous lb{b, N, (i64)K * N};
    StoreRows st{c, N, (i64)M * N, nullptr, 0};
    gemm_tiles<GEMM_SMALL>(la, lb, st, M, N, K);
}
extern "C" __global__ void __launch_bounds__(256) cv_matmul_nt_l(const float* a, const float* b, float* c, int M,
                                                                 int N, int K) {
    RowsK<float> la{a, K, (i64)M * K};
    ColsK<float> lb{b, K, (i64)N * K};
    StoreRows st{c, N, (i64)M * N, nullptr, 0};
    gemm_tiles<GEMM_LARGE>(la, lb, st, M, N, K);
}
extern "C" __global__ void __launch_bounds__(256) cv_matmul_nt_s(const float* a, const float* b, float* c, int M,
                                                                 int N, int K) {
    RowsK<float> la{a, K, (i64)M * K};
    ColsK<float> lb{b, K, (i64)N * K};
    StoreRows st{c, N, (i64)M * N, nullptr, 0};
    gemm_tiles<GEMM_SMALL>(la, lb, st, M, N, K);
}

// conv2d as C [D, B*Ho*Wo] = W [D, C*kh*kw] . im2col(x); grid (ceil(B*Ho*Wo/BN), ceil(D/BM)).
#define DEFINE_CONV(NAME, T, TILE)                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) NAME(                                                        \
        const float* x, const T* w, const void* bias, int bdt, float* y, int batch, int channels, int height,      \
        int width, int outChannels, int kh, int kw, int stride, int padTop, int padLeft, int outH, int outW) {      \
        int K = channels * kh * kw;                                                                                \
        RowsK<T> la{w, K, 0};                                                                                \
        Im2col lb{x, channels, height, width, kh, kw, stride, padTop, padLeft, outH, outW};                       \
        StoreConv st{y, outChannels, (i64)outH * outW, bias, bdt};                                                 \
        gemm_tiles<TILE>(la, lb, st, outChannels, batch * outH * outW, K);                                         \
    }

DEFINE_CONV(cv_conv2d_f32_l, float, GEMM_LARGE)
DEFINE_CONV(cv_conv2d_f32_s, float, GEMM_SMALL)
DEFINE_CONV(cv_conv2d_f16_l, __half, GEMM_LARGE)
DEFINE_CONV(cv_conv2d_f16_s, __half, GEMM_SMALL)
DEFINE_CONV(cv_conv2d_bf16_l, __nv_bfloat16, GEMM_LARGE)
DEFINE_CONV(cv_conv2d_bf16_s, __nv_bfloat16, GEMM_SMALL)

// ---------------------------------------------------------------- small-M linear (decode step)

#define GEMV_MAX_ROWS 8

// Eight consecutive weight elements starting at k (16-byte aligned), widened.
template <typename T> struct Load8;
template <> struct Load8<float> {
    static __device__ __forceinline__ void get(const float* p, i64 k, float* out) {
        float4 a = *reinterpret_cast<const float4*>(p + k);
        float4 b = *reinterpret_cast<const float4*>(p + k + 4);
        out[0] = a.x; out[1] = a.y; out[2] = a.z; out[3] = a.w;
        out[4] = b.x; out[5] = b.y; out[6] = b.z; out[7] = b.w;
    }
};
template <> struct Load8<__half> {
    static __device__ __forceinline__ void get(const __half* p, i64 k, float* out) {
        uint4 raw = *reinterpret_cast<const uint4*>(p + k);
        const __half2* h = reinterpret_cast<const __half2*>(&raw);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            float2 f = __half22float2(h[i]);
            out[2 * i] = f.x;
            out[2 * i + 1] = f.y;
        }
    }
};
template <> struct Load8<__nv_bfloat16> {
    static __device__ __forceinline__ void get(const __nv_bfloat16* p, i64 k, float* out) {
        uint4 raw = *reinterpret_cast<const uint4*>(p + k);
        unsigned int w[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            out[2 * i] = __uint_as_float(w[i] << 16);
            out[2 * i + 1] = __uint_as_float(w[i] & 0xFFFF0000u);
        }
    }
};

// y [M, N] = x [M, K] . w [N, K]^T + bias for M <= 8: warp n computes column n for every row. With vec8, K is a
// multiple of 8 and x, w are 16-byte aligned. 256 threads per block, grid ceil(N / 8).
template <typename T>
__device__ __forceinline__ void gemv_body(const float* x, const T* w, const void* bias, int bdt, float* y, int M,
                                          int N, int K, int vec8) {
    int n = (int)(((i64)blockIdx.x * blockDim.x + threadIdx.x) >> 5);
    int lane = threadIdx.x & 31;
    if (n >= N) {
        return;  // the whole warp leaves together
    }
    const T* wr = w + (i64)n * K;
    float acc[GEMV_MAX_ROWS];
#pragma unroll
    for (int r = 0; r < GEMV_MAX_ROWS; r++) {
        acc[r] = 0.0f;
    }
    if (vec8) {
        for (int k = lane * 8; k < K; k += 32 * 8) {
            float wv[8];
            Load8<T>::get(wr, k, wv);
#pragma unroll
            for (int r = 0; r < GEMV_MAX_ROWS; r++) {
                if (r < M) {
                    float xv[8];
                    Load8<float>::get(x + (i64)r * K, k, xv);
#pragma unroll
                    for (int i = 0; i < 8; i++) {
                        acc[r] = fmaf(xv[i], wv[i], acc[r]);
                    }
                }
            }
        }
    } else {
        for (int k = lane; k < K; k += 32) {
            float wv = Widen<T>::get(wr, k);
#pragma unroll
            for (int r = 0; r < GEMV_MAX_ROWS; r++) {
                if (r < M) {
                    acc[r] = fmaf(x[(i64)r * K + k], wv, acc[r]);
                }
            }
        }
    }
#pragma unroll
    for (int r = 0; r < GEMV_MAX_ROWS; r++) {
        if (r < M) {
            float s = warp_sum(acc[r]);
            if (lane == 0) {
                y[(i64)r * N + n] = bias != nullptr ? __fadd_rn(s, load_float(bias, n, bdt)) : s;
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) cv_gemv_f32(const float* x, const float* w, const void* bias, int bdt, float* y, int M,
                                       int N, int K, int vec8) {
    gemv_body(x, w, bias, bdt, y, M, N, K, vec8);
}
extern "C" __global__ void __launch_bounds__(256) cv_gemv_f16(const float* x, const __half* w, const void* bias, int bdt, float* y, int M,
                                       int N, int K, int vec8) {
    gemv_body(x, w, bias, bdt, y, M, N, K, vec8);
}
extern "C" __global__ void __launch_bounds__(256) cv_gemv_bf16(const float* x, const __nv_bfloat16* w, const void* bias, int bdt, float* y,
                                        int M, int N, int K, int vec8) {
    gemv_body(x, w, bias, bdt, y, M, N, K, vec8);
}

#ifndef CV_EMULATION  // the CPU emulation of the tests has no tensor cores

// ---------------------------------------------------------------- opt-in tensor cores (WMMA)

template <typename T> __device__ __forceinline__ T round_to(float v);
template <> __device__ __forceinline__ __half round_to<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 round_to<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

#define TC_BM 64
#define TC_BN 64
#define TC_BK 32
#define TC_LDS (TC_BK + 8)
#define TC_LDC (TC_BN + 4)

// y [M, N] = round(x) [M, K] . w [N, K]^T + bias with 16x16x16 tensor-core products accumulated in fp32.
// 128 threads (4 warps, each a 32 x 32 quarter of the 64 x 64 block tile); grid (ceil(N/64), ceil(M/64)).
template <typename T>
__device__ __forceinline__ void linear_tc_body(const float* x, const T* w, const void* bias, int bdt, float* y, int M,
                                               int N, int K) {
    using namespace nvcuda;
    __shared__ __align__(32) T As[TC_BM][TC_LDS];
    __shared__ __align__(32) T Bs[TC_BN][TC_LDS];
    __shared__ __align__(32) float Cs[TC_BM][TC_LDC];
    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int wm = warp >> 1;
    const int wn = warp & 1;
    const i64 m0 = (i64)blockIdx.y * TC_BM;
    const i64 n0 = (i64)blockIdx.x * TC_BN;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> c[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::fill_fragment(c[i][j], 0.0f);
        }
    }
    for (int k0 = 0; k0 < K; k0 += TC_BK) {
        for (int i = tid; i < TC_BM * TC_BK; i += blockDim.x) {
            int m = i / TC_BK;
            int k = i - m * TC_BK;
            float v = (m0 + m < M && k0 + k < K) ? x[(m0 + m) * K + k0 + k] : 0.0f;
            As[m][k] = round_to<T>(v);
        }
        for (int i = tid; i < TC_BN * TC_BK; i += blockDim.x) {
            int n = i / TC_BK;
            int k = i - n * TC_BK;
            Bs[n][k] = (n0 + n < N && k0 + k < K) ? w[(n0 + n) * K + k0 + k] : round_to<T>(0.0f);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TC_BK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> b[2];
#pragma unroll
            for (int i = 0; i < 2; i++) {
                wmma::load_matrix_sync(a[i], &As[wm * 32 + i * 16][kk], TC_LDS);
            }
#pragma unroll
            for (int j = 0; j < 2; j++) {
                wmma::load_matrix_sync(b[j], &Bs[wn * 32 + j * 16][kk], TC_LDS);
            }
#pragma unroll
            for (int i = 0; i < 2; i++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    wmma::mma_sync(c[i][j], a[i], b[j], c[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(&Cs[wm * 32 + i * 16][wn * 32 + j * 16], c[i][j], TC_LDC, wmma::mem_row_major);
        }
    }
    __syncthreads();
    for (int i = tid; i < TC_BM * TC_BN; i += blockDim.x) {
        int m = i / TC_BN;
        int n = i - m * TC_BN;
        if (m0 + m < M && n0 + n < N) {
            float acc = Cs[m][n];
            y[(m0 + m) * N + n0 + n] = bias != nullptr ? __fadd_rn(acc, load_float(bias, n0 + n, bdt)) : acc;
        }
    }
}

extern "C" __global__ void __launch_bounds__(128) cv_linear_tc_f16(const float* x, const __half* w, const void* bias,
                                                                   int bdt, float* y, int M, int N, int K) {
    linear_tc_body(x, w, bias, bdt, y, M, N, K);
}
extern "C" __global__ void __launch_bounds__(128) cv_linear_tc_bf16(const float* x, const __nv_bfloat16* w,
                                                                    const void* bias, int bdt, float* y, int M, int N,
                                                                    int K) {
    linear_tc_body(x, w, bias, bdt, y, M, N, K);
}

#endif  // CV_EMULATION
