// Attention: SAT's standard attention over a key/value cache (fused: scores, mask, softmax and the weighted sum of
// values in one kernel, used for the KV-cache decode step and for prefill), the fused local 2D attention of the
// super-resolution models, and the two Image-Local-Attention primitives.
#pragma once
#include "common.cuh"

// ---------------------------------------------------------------- standard attention

// One block per (query row i, head h, batch entry b): grid (rows of this launch, heads, B), 128 threads.
// q [B, lq, hidden]; k, v [B or 1, cap, hidden] of which the first keyLength positions are used; mask and bias
// [lq, keyLength] or null. Dynamic shared memory: d + blockDim floats, plus keyLength floats for the scores unless
// `scores` (global scratch, one row of keyLength floats per block of this launch) is given.
// Per head: q' = q / sqrt(d); s_j = q' . k_j (+ bias), masked s*m - 10000*(1-m); softmax; out = sum_j p_j v_j.
extern "C" __global__ void __launch_bounds__(128) cv_attention(
        const float* q, const float* k, const float* v, const float* mask, const float* bias, float* out,
        int lq, int heads, int d, int sharedKv, i64 cap, int keyLength, float sqrtD, float* scores, int rowOffset) {
    DYNAMIC_SHARED(float, smem);
    __shared__ float red[32];
    const int i = blockIdx.x + rowOffset;
    const int h = blockIdx.y;
    const int b = blockIdx.z;
    const int hidden = heads * d;
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int warps = blockDim.x >> 5;
    float* qs = smem;
    float* part = smem + d;
    float* sc = scores != nullptr
            ? scores + (((i64)blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x) * keyLength
            : smem + d + blockDim.x;

    const float* qrow = q + ((i64)b * lq + i) * hidden + (i64)h * d;
    const i64 kvBase = (sharedKv ? 0 : (i64)b) * cap * hidden + (i64)h * d;
    for (int f = tid; f < d; f += blockDim.x) {
        qs[f] = __fdiv_rn(qrow[f], sqrtD);
    }
    __syncthreads();

    // Scores: one warp per key, lanes over features, a fixed butterfly to combine.
    for (int j = warp; j < keyLength; j += warps) {
        const float* kr = k + kvBase + (i64)j * hidden;
        float p = 0.0f;
        for (int f = lane; f < d; f += 32) {
            p = fmaf(qs[f], kr[f], p);
        }
        p = warp_sum(p);
        if (lane == 0) {
            if (bias != nullptr) {
                p = __fadd_rn(p, bias[(i64)i * keyLength + j]);
            }
            if (mask != nullptr) {
                p = sat_mask(p, mask[(i64)i * keyLength + j]);
            }
            sc[j] = p;
        }
    }
    __syncthreads();

    // Softmax over the keyLength scores.
    float mx = -INFINITY;
    for (int j = tid; j < keyLength; j += blockDim.x) {
        mx = java_max(mx, sc[j]);
    }
    mx = block_max(mx, red);
    float sum = 0.0f;
    for (int j = tid; j < keyLength; j += blockDim.x) {
        float e = expf(sc[j] - mx);
        sc[j] = e;
        sum += e;
    }
    sum = block_sum(sum, red);
    for (int j = tid; j < keyLength; j += blockDim.x) {
        sc[j] = __fdiv_rn(sc[j], sum);
    }
    __syncthreads();

    // out = sum_j p_j v_j: G groups of d threads each take a contiguous run of keys; the partial sums are added in
    // group order.
    float* orow = out + ((i64)b * lq + i) * hidden + (i64)h * d;
    if (d <= (int)blockDim.x) {
        const int groups = blockDim.x / d;
        const int g = tid / d;
        const int f = tid - g * d;
        if (g < groups) {
            const int chunk = (keyLength + groups - 1) / groups;
            const int j0 = g * chunk;
            const int j1 = min(keyLength, j0 + chunk);
            float acc = 0.0f;
            for (int j = j0; j < j1; j++) {
                acc = fmaf(sc[j], v[kvBase + (i64)j * hidden + f], acc);
            }
            part[g * d + f] = acc;
        }
        __syncthreads();
        if (tid < d) {
            float o = 0.0f;
            for (int gg = 0; gg < groups; gg++) {
                o += part[gg * d + tid];
            }
            orow[tid] = o;
        }
    } else {
        for (int f = tid; f < d; f += blockDim.x) {
            float acc = 0.0f;
            for (int j = 0; j < keyLength; j++) {
                acc = fmaf(sc[j], v[kvBase + (i64)j * hidden + f], acc);
            }
            orow[f] = acc;
        }
    }
}

// ---------------------------------------------------------------- fused local 2D attention

// Dot product of the scaled query (shared memory) with a key row of d features.
__device__ __forceinline__ float dot_row(const float* qs, const float* kr, int d, int vec4) {
    float a = 0.0f;
    if (vec4) {
        for (int f = 0; f < d; f += 4) {
            float4 kv = *reinterpret_cast<const float4*>(kr + f);
            a = fmaf(qs[f], kv.x, a);
            a = fmaf(qs[f + 1], kv.y, a);
            a = fmaf(qs[f + 2], kv.z, a);
            a = fmaf(qs[f + 3], kv.w, a);
        }
    } else {
        for (int f = 0; f < d; f++) {
            a = fmaf(qs[f], kr[f], a);
        }
    }
    return a;
}

#define CTX_CROSS_GRID 0
#define CTX_GLOBAL_KEYS 1

// One warp per (batch entry, cell, head) of a side x side grid; blockDim.x = 32 * warps, grid.x =
// ceil(B * side^2 * heads / warps); dynamic shared memory warps * (d + ctxCount + selfCount) floats.
// Scores: context first (a ctxRows x ctxCols window into a ctxSide x ctxSide grid anchored at (r/ratio, c/ratio), or
// all ctxCount text keys with an optional 0/1 key mask), then the self window; -10000 outside a grid; one softmax;
// output = (sum of p v over in-grid self cells) + (sum of p v0 over the context keys), each in window order.
// With vec4, d is a multiple of 4 and every row is 16-byte aligned.
extern "C" __global__ void __launch_bounds__(128) cv_grid_attention(
        const float* q, const float* k, const float* v, float* out, int batch, int side, int heads, int d,
        int selfRows, int selfCols, int selfCount, int ctxKind, const float* k0, const float* v0,
        const float* keyMask, int ctxSide, int ctxRows, int ctxCols, int ctxCount, float sqrtD, int vec4) {
    DYNAMIC_SHARED(float, smem);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    const int cells = side * side;
    const i64 item = (i64)blockIdx.x * warps + warp;
    if (item >= (i64)batch * cells * heads) {
        return;  // the whole warp; no block-wide synchronisation follows
    }
    const int h = (int)(item % heads);
    const i64 rest = item / heads;
    const int cell = (int)(rest % cells);
    const i64 b = rest / cells;
    const int r = cell / side;
    const int c = cell - r * side;
    const int hidden = heads * d;
    const int total = ctxCount + selfCount;
    float* qs = smem + (i64)warp * (d + total);
    float* sc = qs + d;

    const float* qrow = q + (b * cells + cell) * hidden + (i64)h * d;
    for (int f = lane; f < d; f += 32) {
        qs[f] = __fdiv_rn(qrow[f], sqrtD);
    }
    __syncwarp();

    const int ratio = ctxKind == CTX_CROSS_GRID ? side / ctxSide : 1;
    const int anchorR = r / ratio;
    const int anchorC = c / ratio;
    const i64 ctxCells = ctxKind == CTX_CROSS_GRID ? (i64)ctxSide * ctxSide : ctxCount;
    for (int t = lane; t < ctxCount; t += 32) {
        float s;
        if (ctxKind == CTX_CROSS_GRID) {
            int rr = anchorR + t / ctxCols - ctxRows / 2;
            int cc = anchorC + t % ctxCols - ctxCols / 2;
            s = inside_grid(rr, cc, ctxSide, ctxSide)
                    ? dot_row(qs, k0 + (b * ctxCells + rr * ctxSide + cc) * hidden + (i64)h * d, d, vec4)
                    : OUTSIDE_SCORE;
        } else {
            s = dot_row(qs, k0 + (b * ctxCells + t) * hidden + (i64)h * d, d, vec4);
            if (keyMask != nullptr) {
                s = sat_mask(s, keyMask[t]);
            }
        }
        sc[t] = s;
    }
    for (int t = lane; t < selfCount; t += 32) {
        int rr = r + t / selfCols - selfRows / 2;
        int cc = c + t % selfCols - selfCols / 2;
        sc[ctxCount + t] = inside_grid(rr, cc, side, side)
                ? dot_row(qs, k + (b * cells + rr * side + cc) * hidden + (i64)h * d, d, vec4)
                : OUTSIDE_SCORE;
    }
    __syncwarp();

    float mx = -INFINITY;
    for (int t = lane; t < total; t += 32) {
        mx = java_max(mx, sc[t]);
    }
    mx = warp_max(mx);
    float sum = 0.0f;
    for (int t = lane; t < total; t += 32) {
        float e = expf(sc[t] - mx);
        sc[t] = e;
        sum += e;
    }
    sum = warp_sum(sum);
    for (int t = lane; t < total; t += 32) {
        sc[t] = __fdiv_rn(sc[t], sum);
    }
    __syncwarp();

    float* orow = out + (b * cells + cell) * hidden + (i64)h * d;
    for (int f = lane; f < d; f += 32) {
        float self = 0.0f;
        for (int t = 0; t < selfCount; t++) {
            int rr = r + t / selfCols - selfRows / 2;
            int cc = c + t % selfCols - selfCols / 2;
            if (inside_grid(rr, cc, side, side)) {
                self = fmaf(sc[ctxCount + t], v[(b * cells + rr * side + cc) * hidden + (i64)h * d + f], self);
            }
        }
        float ctx = 0.0f;
        for (int t = 0; t < ctxCount; t++) {
            if (ctxKind == CTX_CROSS_GRID) {
                int rr = anchorR + t / ctxCols - ctxRows / 2;
                int cc = anchorC + t % ctxCols - ctxCols / 2;
                if (inside_grid(rr, cc, ctxSide, ctxSide)) {
                    ctx = fmaf(sc[t], v0[(b * ctxCells + rr * ctxSide + cc) * hidden + (i64)h * d + f], ctx);
                }
            } else {
                ctx = fmaf(sc[t], v0[(b * ctxCells + t) * hidden + (i64)h * d + f], ctx);
            }
        }
        orow[f] = self + ctx;
    }
}

// ---------------------------------------------------------------- Image-Local-Attention primitives

// similar: out [N, Hq, Wq, P]; entry t of query (r, c) anchored at (r / ratioH, c / ratioW) is the fp32 sum over
// channels (ascending) of q[ch][r][c] * k[ch][R+dr][C+dc], or exactly -10000 outside the key grid.
extern "C" __global__ void cv_local_similar(const float* q, const float* k, float* out, int n, int ch, int hq, int wq,
                                            int hk, int wk, int winRows, int winCols, int p) {
    const i64 total = (i64)n * hq * wq * p;
    const int ratioH = hq / hk;
    const int ratioW = wq / wk;
    const i64 qPlane = (i64)hq * wq;
    const i64 kPlane = (i64)hk * wk;
    GRID_STRIDE(i, total) {
        int t = (int)(i % p);
        i64 rest = i / p;
        int c = (int)(rest % wq);
        rest /= wq;
        int r = (int)(rest % hq);
        i64 b = rest / hq;
        int rr = r / ratioH + t / winCols - winRows / 2;
        int cc = c / ratioW + t % winCols - winCols / 2;
        if (!inside_grid(rr, cc, hk, wk)) {
            out[i] = OUTSIDE_SCORE;
            continue;
        }
        const float* qp = q + b * ch * qPlane + (i64)r * wq + c;
        const float* kp = k + b * ch * kPlane + (i64)rr * wk + cc;
        float acc = 0.0f;
        for (int x = 0; x < ch; x++) {
            acc = fmaf(qp[x * qPlane], kp[x * kPlane], acc);
        }
        out[i] = acc;
    }
}

// weighting: out [N, ch, Hq, Wq] = sum over in-grid window entries t of w[r][c][t] * v[ch][R+dr][C+dc].
extern "C" __global__ void cv_local_weighting(const float* w, const float* v, float* out, int n, int ch, int hq,
                                              int wq, int hk, int wk, int winRows, int winCols, int p) {
    const i64 total = (i64)n * ch * hq * wq;
    const int ratioH = hq / hk;
    const int ratioW = wq / wk;
    GRID_STRIDE(i, total) {
        int c = (int)(i % wq);
        i64 rest = i / wq;
        int r = (int)(rest % hq);
        rest /= hq;
        int x = (int)(rest % ch);
        i64 b = rest / ch;
        const float* wp = w + ((b * hq + r) * wq + c) * p;
        const float* vp = v + (b * ch + x) * (i64)hk * wk;
        int anchorR = r / ratioH;
        int anchorC = c / ratioW;
        float acc = 0.0f;
        for (int t = 0; t < p; t++) {
            int rr = anchorR + t / winCols - winRows / 2;
            int cc = anchorC + t % winCols - winCols / 2;
            if (inside_grid(rr, cc, hk, wk)) {
                acc = fmaf(wp[t], vp[rr * wk + cc], acc);
            }
        }
        out[i] = acc;
    }
}
