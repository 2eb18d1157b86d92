// Copies that move elements without changing them: permute, and strided row copies (concat, slice, copyInto).
// They work for 1-, 2-, 4- and 8-byte elements; the element size is the template parameter of each entry point.
#pragma once
#include "common.cuh"

#define MAX_RANK 8

// By-value kernel argument of cv_permute_*: all fields 64-bit so that the layout has no padding.
struct PermuteArgs {
    i64 rank;
    i64 outDims[MAX_RANK];     // output shape
    i64 srcStrides[MAX_RANK];  // stride in the source (in elements) of a step along each output axis
};

template <typename E>
__device__ void permute_body(const E* x, E* y, i64 n, const PermuteArgs& a) {
    GRID_STRIDE(i, n) {
        i64 rest = i;
        i64 src = 0;
        for (int axis = (int)a.rank - 1; axis >= 0; axis--) {
            i64 d = a.outDims[axis];
            src += (rest % d) * a.srcStrides[axis];
            rest /= d;
        }
        y[i] = x[src];
    }
}

extern "C" __global__ void cv_permute_2(const unsigned short* x, unsigned short* y, i64 n, PermuteArgs a) {
    permute_body(x, y, n, a);
}
extern "C" __global__ void cv_permute_4(const unsigned int* x, unsigned int* y, i64 n, PermuteArgs a) {
    permute_body(x, y, n, a);
}
extern "C" __global__ void cv_permute_8(const u64* x, u64* y, i64 n, PermuteArgs a) {
    permute_body(x, y, n, a);
}

// rows x rowLength elements: y[r * dstPitch + j] = x[r * srcPitch + j] (pitches in elements).
template <typename E>
__device__ void copy_rows_body(const E* x, i64 srcPitch, E* y, i64 dstPitch, i64 rowLength, i64 rows) {
    i64 n = rows * rowLength;
    GRID_STRIDE(i, n) {
        i64 r = i / rowLength;
        i64 j = i - r * rowLength;
        y[r * dstPitch + j] = x[r * srcPitch + j];
    }
}

extern "C" __global__ void cv_copy_rows_2(const unsigned short* x, i64 srcPitch, unsigned short* y, i64 dstPitch,
                                          i64 rowLength, i64 rows) {
    copy_rows_body(x, srcPitch, y, dstPitch, rowLength, rows);
}
extern "C" __global__ void cv_copy_rows_4(const unsigned int* x, i64 srcPitch, unsigned int* y, i64 dstPitch,
                                          i64 rowLength, i64 rows) {
    copy_rows_body(x, srcPitch, y, dstPitch, rowLength, rows);
}
extern "C" __global__ void cv_copy_rows_8(const u64* x, i64 srcPitch, u64* y, i64 dstPitch, i64 rowLength, i64 rows) {
    copy_rows_body(x, srcPitch, y, dstPitch, rowLength, rows);
}
