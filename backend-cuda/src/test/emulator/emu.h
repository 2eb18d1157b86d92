// A CPU emulation of the CUDA features our kernels use, so that the tests can run the real kernel sources on
// machines without a GPU (test-only; never packaged). Each block runs its threads as cooperative fibers on one OS
// thread: __syncthreads, __syncwarp and warp shuffles switch fibers, so results are deterministic. Tensor cores are
// not emulated (the WMMA kernels are left out). Compiled with -ffp-contract=off: every operation is rounded as
// written, and fmaf is a true fused multiply-add, as on the GPU.
#pragma once
#define CV_EMULATION 1

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __restrict__
#define DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(emu_dynamic_shared())

using std::max;
using std::min;

struct EmuDim3 {
    unsigned x, y, z;
};
extern EmuDim3 threadIdx, blockIdx, blockDim, gridDim;

void* emu_dynamic_shared();
void __syncthreads();
void emu_syncwarp();
uint64_t emu_shfl_xor(uint64_t bits, int laneMask);

inline void __syncwarp(unsigned = 0xffffffffu) { emu_syncwarp(); }

template <typename T>
inline T __shfl_xor_sync(unsigned, T v, int laneMask) {
    static_assert(sizeof(T) <= 8, "shuffle of at most 8 bytes");
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    uint64_t r = emu_shfl_xor(bits, laneMask);
    T out;
    std::memcpy(&out, &r, sizeof(T));
    return out;
}

inline unsigned atomicAdd(unsigned* p, unsigned v) {
    unsigned old = *p;
    *p = old + v;
    return old;
}

// ---------------------------------------------------------------- bit casts and IEEE intrinsics

template <typename To, typename From>
inline To emu_bits(From v) {
    static_assert(sizeof(To) == sizeof(From), "same size");
    To out;
    std::memcpy(&out, &v, sizeof(To));
    return out;
}
inline float __int_as_float(int v) { return emu_bits<float>(v); }
inline int __float_as_int(float v) { return emu_bits<int>(v); }
inline float __uint_as_float(unsigned v) { return emu_bits<float>(v); }
inline unsigned __float_as_uint(float v) { return emu_bits<unsigned>(v); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
// cvt.rzi: truncation, saturating to the range, NaN to 0.
inline int __float2int_rz(float v) {
    if (v != v) return 0;
    if (v >= 2147483648.0f) return 2147483647;
    if (v <= -2147483648.0f) return (int)0x80000000u;
    return (int)v;
}
inline long long __float2ll_rz(float v) {
    if (v != v) return 0;
    if (v >= 9223372036854775808.0f) return 0x7fffffffffffffffLL;
    if (v <= -9223372036854775808.0f) return (long long)0x8000000000000000ULL;
    return (long long)v;
}
inline float __ll2float_rn(long long v) { return (float)v; }

// ---------------------------------------------------------------- vector and half types

struct float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct __half { unsigned short x; };
struct __half2 { __half x, y; };
struct __nv_bfloat16 { unsigned short x; };

inline float __half2float(__half h) { return (float)emu_bits<_Float16>(h.x); }
inline __half __float2half_rn(float v) { return __half{emu_bits<unsigned short>((_Float16)v)}; }
inline unsigned short __half_as_ushort(__half h) { return h.x; }
inline __half __ushort_as_half(unsigned short b) { return __half{b}; }
inline float2 __half22float2(__half2 h) { return float2{__half2float(h.x), __half2float(h.y)}; }
