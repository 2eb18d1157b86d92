// The fiber scheduler of the CUDA emulation and its C entry points (called from Java through the FFM API). The
// kernel sources are compiled into this same translation unit.
#include "emu.h"
#include "kernels.cu"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <ucontext.h>
#include <vector>

EmuDim3 threadIdx{0, 0, 0}, blockIdx{0, 0, 0}, blockDim{1, 1, 1}, gridDim{1, 1, 1};

namespace {

constexpr size_t STACK = 256 * 1024;

struct Barrier {
    int arrived = 0;
    unsigned generation = 0;
};

struct Fiber {
    ucontext_t context;
    std::vector<char> stack;
    bool done = false;
};

ucontext_t scheduler;
std::vector<Fiber> fibers;
int current = 0;
int alive = 0;
std::vector<int> warpAlive;
Barrier blockBarrier;
std::vector<Barrier> warpBarriers;
std::vector<uint64_t> shuffleSlots;
std::vector<char> dynamicShared;
void (*body)(void**) = nullptr;
void** bodyParams = nullptr;
bool deadlock = false;

void yield() {
    swapcontext(&fibers[current].context, &scheduler);
}

void wait(Barrier& b, int participants) {
    unsigned generation = b.generation;
    if (++b.arrived >= participants) {
        b.arrived = 0;
        b.generation++;
        return;
    }
    while (b.generation == generation && !deadlock) {
        yield();
    }
}

void trampoline() {
    body(bodyParams);
    fibers[current].done = true;
    alive--;
    warpAlive[current / 32]--;
}

void runBlock(int threads) {
    if ((int)fibers.size() < threads) {
        fibers.resize(threads);
    }
    alive = threads;
    warpAlive.assign((threads + 31) / 32, 0);
    for (int t = 0; t < threads; t++) {
        warpAlive[t / 32]++;
    }
    warpBarriers.assign(warpAlive.size(), Barrier{});
    blockBarrier = Barrier{};
    shuffleSlots.assign(threads, 0);
    for (int t = 0; t < threads; t++) {
        Fiber& f = fibers[t];
        f.done = false;
        if (f.stack.empty()) {
            f.stack.resize(STACK);
        }
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.data();
        f.context.uc_stack.ss_size = f.stack.size();
        f.context.uc_link = &scheduler;
        makecontext(&f.context, trampoline, 0);
    }
    long rounds = 0;
    while (alive > 0) {
        for (int t = 0; t < threads; t++) {
            if (fibers[t].done) {
                continue;
            }
            current = t;
            threadIdx = EmuDim3{(unsigned)t, 0, 0};
            swapcontext(&scheduler, &fibers[t].context);
        }
        if (++rounds > 100000000L) {
            deadlock = true;
        }
    }
}

}  // namespace

void* emu_dynamic_shared() { return dynamicShared.data(); }

void __syncthreads() { wait(blockBarrier, alive); }

void emu_syncwarp() { wait(warpBarriers[current / 32], warpAlive[current / 32]); }

uint64_t emu_shfl_xor(uint64_t bits, int laneMask) {
    int warp = current / 32;
    int lane = current % 32;
    shuffleSlots[current] = bits;
    wait(warpBarriers[warp], warpAlive[warp]);
    uint64_t r = shuffleSlots[warp * 32 + (lane ^ laneMask)];
    wait(warpBarriers[warp], warpAlive[warp]);
    return r;
}

// ---------------------------------------------------------------- kernel registry

template <typename... A, size_t... I>
void callWith(void (*f)(A...), void** p, std::index_sequence<I...>) {
    f(*reinterpret_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
}

template <typename... A>
void invoke(void (*f)(A...), void** p) {
    callWith(f, p, std::index_sequence_for<A...>{});
}

namespace {
const std::map<std::string, void (*)(void**)>& registry() {
#define K(name) {#name, [](void** p) { invoke(&name, p); }},
    static const std::map<std::string, void (*)(void**)> r = {
        K(cv_add)
        K(cv_scale)
        K(cv_gelu)
        K(cv_silu)
        K(cv_cast)
        K(cv_resize_nearest)
        K(cv_avg_pool2x2)
        K(cv_permute_2)
        K(cv_permute_4)
        K(cv_permute_8)
        K(cv_copy_rows_2)
        K(cv_copy_rows_4)
        K(cv_copy_rows_8)
        K(cv_layer_norm)
        K(cv_group_norm)
        K(cv_softmax)
        K(cv_log_softmax_gather)
        K(cv_topk)
        K(cv_sample_clusters)
        K(cv_sample_topk)
        K(cv_embedding)
        K(cv_code_norms)
        K(cv_nearest_code)
        K(cv_linear_f32_l)
        K(cv_linear_f32_s)
        K(cv_linear_f16_l)
        K(cv_linear_f16_s)
        K(cv_linear_bf16_l)
        K(cv_linear_bf16_s)
        K(cv_gemv_f32)
        K(cv_gemv_f16)
        K(cv_gemv_bf16)
        K(cv_matmul_nn_l)
        K(cv_matmul_nn_s)
        K(cv_matmul_nt_l)
        K(cv_matmul_nt_s)
        K(cv_conv2d_f32_l)
        K(cv_conv2d_f32_s)
        K(cv_conv2d_f16_l)
        K(cv_conv2d_f16_s)
        K(cv_conv2d_bf16_l)
        K(cv_conv2d_bf16_s)
        K(cv_attention)
        K(cv_grid_attention)
        K(cv_local_similar)
        K(cv_local_weighting)
    };
#undef K
    return r;
}
}  // namespace

extern "C" {

// Runs a kernel to completion: 0 on success, 1 for an unknown kernel, 2 for a deadlock (a barrier never reached).
int emu_launch(const char* name, int gx, int gy, int gz, int block, int sharedBytes, void** params) {
    auto it = registry().find(name);
    if (it == registry().end()) {
        return 1;
    }
    body = it->second;
    bodyParams = params;
    dynamicShared.assign((size_t)sharedBytes + 16, 0);
    gridDim = EmuDim3{(unsigned)gx, (unsigned)gy, (unsigned)gz};
    blockDim = EmuDim3{(unsigned)block, 1, 1};
    deadlock = false;
    for (int z = 0; z < gz; z++) {
        for (int y = 0; y < gy; y++) {
            for (int x = 0; x < gx; x++) {
                blockIdx = EmuDim3{(unsigned)x, (unsigned)y, (unsigned)z};
                runBlock(block);
                if (deadlock) {
                    return 2;
                }
            }
        }
    }
    return 0;
}

int emu_has_kernel(const char* name) { return registry().count(name) ? 1 : 0; }

void* emu_alloc(long long bytes) { return std::aligned_alloc(256, (size_t)((bytes + 255) / 256 * 256)); }

void emu_free(void* p) { std::free(p); }
}
