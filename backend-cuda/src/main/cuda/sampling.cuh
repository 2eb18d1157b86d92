// Sampling kernels: CogView2's cluster strategy (stage 1, direct SR) and the top-k strategy of iterative SR, from
// logits that stay on the device to one id per row. They are the SPI's host definitions (ClusterSampler,
// TopKSampler, Picker, Philox in org.cogview2.spi.sampling) operation for operation, so that every backend draws the
// same ids from the same logits: where the host sums in order (the softmax denominators, the cluster masses, the
// inverse CDF), one thread sums in that order here too, and the exponentials are exp in double rounded once.
// Only the element-wise work and the maxima (whose order cannot change the result) are spread over threads.
// A row that cannot be sampled (weights not summing to a positive finite number: NaN logits) gets id -1 and its sum
// in `failed`; the host turns that into the host definition's error.
#pragma once
#include "common.cuh"

#define PURPOSE_CLUSTER 0u
#define PURPOSE_TOKEN 1u

// Philox4x32-10 of the counter (c0, c1, c2, c3) under key, turned into a uniform double in [0, 1) with 53 bits:
// Philox.uniform.
__device__ double philox_uniform(u64 key, unsigned int c0, unsigned int c1, unsigned int c2, unsigned int c3) {
    unsigned int k0 = (unsigned int)key;
    unsigned int k1 = (unsigned int)(key >> 32);
    for (int round = 0; round < 10; round++) {
        unsigned int hi0 = __umulhi(0xD2511F53u, c0);
        unsigned int lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2);
        unsigned int lo1 = 0xCD9E8D57u * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    u64 bits = ((u64)(c0 >> 5) << 26) | (u64)(c1 >> 6);
    return (double)bits / 9007199254740992.0;  // 2^53: exact
}

// The draw of Picker.seeded(key, sample, step) for a purpose; draw = {sample low, sample high, step}.
__device__ __forceinline__ double row_uniform(u64 key, const int* draw, unsigned int purpose) {
    return philox_uniform(key, (unsigned int)draw[0], (unsigned int)draw[1], (unsigned int)draw[2], purpose);
}

// Picker.inverseCdf over w[0 .. n): the first index whose cumulative weight (double, index order) exceeds u * total;
// -1 when the total is not positive and finite (then *total holds it).
__device__ int inverse_cdf(double u, const float* w, int n, double* total) {
    double t = 0.0;
    for (int i = 0; i < n; i++) {
        t = __dadd_rn(t, (double)w[i]);
    }
    *total = t;
    if (!(t > 0.0) || t == (double)INFINITY) {
        return -1;
    }
    double target = __dmul_rn(u, t);
    double cumulative = 0.0;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (w[i] > 0.0f) {
            cumulative = __dadd_rn(cumulative, (double)w[i]);
            last = i;
            if (target < cumulative) {
                return i;
            }
        }
    }
    return last;
}

// Picker.argmax: the first index of the largest weight.
__device__ int argmax_first(const float* w, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
        if (w[i] > w[best]) {
            best = i;
        }
    }
    return best;
}

// One pick of a row: greedy, or the seeded inverse CDF.
__device__ __forceinline__ int pick(int greedy, u64 key, const int* draw, unsigned int purpose, const float* w, int n,
                                    double* total) {
    return greedy ? argmax_first(w, n) : inverse_cdf(row_uniform(key, draw, purpose), w, n, total);
}

// ClusterSampler.softmax in place over x[0 .. n) (one thread).
__device__ void serial_softmax(float* x, int n) {
    float mx = -INFINITY;
    for (int i = 0; i < n; i++) {
        mx = java_max(mx, x[i]);
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float e = exp_rounded(__fsub_rn(x[i], mx));
        x[i] = e;
        sum = __dadd_rn(sum, (double)e);
    }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) {
        x[i] = __fmul_rn(x[i], inv);
    }
}

// ClusterSampler.choose for each row of logits [rows, v] (the first n columns take part): grid.x = rows,
// blockDim.x = 256. Cluster c's tokens are members[starts[c] .. starts[c+1]), ascending. draws holds
// {sample low, sample high, step} per row. scratch holds `stride` floats per row: n + clusters + 2 top + the largest
// cluster's size.
extern "C" __global__ void __launch_bounds__(256) cv_sample_clusters(
        const float* logits, i64 v, int n, const int* starts, const int* members, int clusters, int top,
        float temperature, float clusterTemperature, const int* draws, i64 key, int greedy, float* scratch,
        i64 stride, int* out, double* failed) {
    __shared__ float red[32];
    __shared__ float sInv;
    i64 row = blockIdx.x;
    const float* x = logits + row * v;
    float* p = scratch + row * stride;        // n: exp(z - max), then the probabilities
    float* mass = p + n;                      // clusters
    float* scores = mass + clusters;          // top
    int* best = (int*)(scores + top);         // top
    float* q = (float*)(best + top);          // the chosen cluster's members
    const int* draw = draws + row * 3;

    // z = logits / temperature and its maximum; exp(z - max) element by element.
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        float z = __fdiv_rn(x[j], temperature);
        p[j] = z;
        mx = java_max(mx, z);
    }
    mx = block_max(mx, red);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        p[j] = exp_rounded(__fsub_rn(p[j], mx));
    }
    __syncthreads();
    // The denominator in token order, as the host sums it.
    if (threadIdx.x == 0) {
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            sum = __dadd_rn(sum, (double)p[j]);
        }
        sInv = (float)(1.0 / sum);
    }
    __syncthreads();
    float inv = sInv;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        p[j] = __fmul_rn(p[j], inv);
    }
    __syncthreads();
    // Cluster masses: each cluster adds its own tokens in token order, which is the host's order for that cluster.
    for (int c = threadIdx.x; c < clusters; c += blockDim.x) {
        float m = 0.0f;
        for (int i = starts[c]; i < starts[c + 1]; i++) {
            m = __fadd_rn(m, p[members[i]]);
        }
        mass[c] = m;
    }
    __syncthreads();
    if (threadIdx.x != 0) {
        return;
    }
    // The top clusters, descending, equal masses lower cluster first (ClusterSampler.topIndices).
    int size = 0;
    for (int c = 0; c < clusters; c++) {
        float m = mass[c];
        if (size == top && !(m > mass[best[top - 1]])) {
            continue;
        }
        int pos = size < top ? size++ : top - 1;
        while (pos > 0 && m > mass[best[pos - 1]]) {
            best[pos] = best[pos - 1];
            pos--;
        }
        best[pos] = c;
    }
    float total = 0.0f;
    for (int j = 0; j < top; j++) {
        scores[j] = mass[best[j]];
        total = __fadd_rn(total, scores[j]);
    }
    for (int j = 0; j < top; j++) {
        scores[j] = __fdiv_rn(scores[j], total);
    }
    double sum = 0.0;
    int rank = pick(greedy, key, draw, PURPOSE_CLUSTER, scores, top, &sum);
    if (rank < 0) {
        out[row] = -1;
        failed[row] = sum;
        return;
    }
    int cluster = best[rank];
    int first = starts[cluster];
    int count = starts[cluster + 1] - first;
    if (count == 0) {
        out[row] = -1;
        failed[row] = 0.0;
        return;
    }
    // Only the chosen cluster's tokens can be drawn: softmax of z / clusterTemperature over them alone.
    for (int i = 0; i < count; i++) {
        q[i] = __fdiv_rn(__fdiv_rn(x[members[first + i]], temperature), clusterTemperature);
    }
    serial_softmax(q, count);
    int chosen = pick(greedy, key, draw, PURPOSE_TOKEN, q, count, &sum);
    if (chosen < 0) {
        out[row] = -1;
        failed[row] = sum;
        return;
    }
    out[row] = members[first + chosen];
}

// TopKSampler.choose for each row of logits [rows, v]: tokens at least the k-th largest logit take part (ties kept),
// weights exp(x - max) / sum, one draw. topValues [rows, k] is cv_topk's output (descending), so its entries k-1 and
// 0 are the host's threshold and maximum. grid.x = rows; one thread per row does the work in token order.
extern "C" __global__ void cv_sample_topk(const float* logits, i64 v, const float* topValues, i64 k, const int* draws,
                                          i64 key, int greedy, int* out, double* failed) {
    if (threadIdx.x != 0) {
        return;
    }
    i64 row = blockIdx.x;
    const float* x = logits + row * v;
    const int* draw = draws + row * 3;
    float threshold = topValues[row * k + k - 1];
    float mx = topValues[row * k];
    double sum = 0.0;
    for (i64 j = 0; j < v; j++) {
        if (x[j] >= threshold) {
            sum = __dadd_rn(sum, (double)exp_rounded(__fsub_rn(x[j], mx)));
        }
    }
    float inv = (float)(1.0 / sum);
    // The weights w[j] = exp(x[j] - max) * inv of the kept tokens (0 elsewhere), recomputed in each pass.
    if (greedy) {
        i64 best = 0;
        float bestW = x[0] >= threshold ? __fmul_rn(exp_rounded(__fsub_rn(x[0], mx)), inv) : 0.0f;
        for (i64 j = 1; j < v; j++) {
            if (x[j] >= threshold) {
                float w = __fmul_rn(exp_rounded(__fsub_rn(x[j], mx)), inv);
                if (w > bestW) {
                    best = j;
                    bestW = w;
                }
            }
        }
        out[row] = (int)best;
        return;
    }
    double total = 0.0;
    for (i64 j = 0; j < v; j++) {
        if (x[j] >= threshold) {
            total = __dadd_rn(total, (double)__fmul_rn(exp_rounded(__fsub_rn(x[j], mx)), inv));
        }
    }
    if (!(total > 0.0) || total == (double)INFINITY) {
        out[row] = -1;
        failed[row] = total;
        return;
    }
    double target = __dmul_rn(row_uniform((u64)key, draw, PURPOSE_TOKEN), total);
    double cumulative = 0.0;
    i64 last = -1;
    for (i64 j = 0; j < v; j++) {
        if (x[j] >= threshold) {
            float w = __fmul_rn(exp_rounded(__fsub_rn(x[j], mx)), inv);
            if (w > 0.0f) {
                cumulative = __dadd_rn(cumulative, (double)w);
                last = j;
                if (target < cumulative) {
                    out[row] = (int)j;
                    return;
                }
            }
        }
    }
    out[row] = (int)last;
}
