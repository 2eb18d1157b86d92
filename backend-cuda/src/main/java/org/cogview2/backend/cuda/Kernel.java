package org.cogview2.backend.cuda;

import java.util.List;

import static org.cogview2.backend.cuda.Kernel.Param.F32;
import static org.cogview2.backend.cuda.Kernel.Param.I32;
import static org.cogview2.backend.cuda.Kernel.Param.I64;
import static org.cogview2.backend.cuda.Kernel.Param.PERMUTE;
import static org.cogview2.backend.cuda.Kernel.Param.PTR;

/**
 * Every entry point of {@code src/main/cuda/kernels.cu} with its parameter list. {@link Launcher} checks the
 * arguments of each launch against it, and a test checks it against the {@code .entry} declarations of the compiled
 * PTX, so that a change on one side that is not made on the other fails the build (no GPU needed).
 */
enum Kernel {
    ADD("cv_add", PTR, PTR, I32, PTR, I64, I64),
    SCALE("cv_scale", PTR, PTR, I64, F32),
    GELU("cv_gelu", PTR, PTR, I64),
    SILU("cv_silu", PTR, PTR, I64),
    CAST("cv_cast", PTR, I32, PTR, I32, I64),
    RESIZE_NEAREST("cv_resize_nearest", PTR, PTR, I64, I32, I32, I32, I32),
    AVG_POOL_2X2("cv_avg_pool2x2", PTR, PTR, I64, I32, I32),

    PERMUTE_2("cv_permute_2", PTR, PTR, I64, PERMUTE),
    PERMUTE_4("cv_permute_4", PTR, PTR, I64, PERMUTE),
    PERMUTE_8("cv_permute_8", PTR, PTR, I64, PERMUTE),
    COPY_ROWS_2("cv_copy_rows_2", PTR, I64, PTR, I64, I64, I64),
    COPY_ROWS_4("cv_copy_rows_4", PTR, I64, PTR, I64, I64, I64),
    COPY_ROWS_8("cv_copy_rows_8", PTR, I64, PTR, I64, I64, I64),

    LAYER_NORM("cv_layer_norm", PTR, PTR, I32, PTR, I32, PTR, I64, F32),
    GROUP_NORM("cv_group_norm", PTR, PTR, I32, PTR, I32, PTR, I32, I64, I64, F32),
    SOFTMAX("cv_softmax", PTR, PTR, PTR, PTR, I64, I64),
    LOG_SOFTMAX_GATHER("cv_log_softmax_gather", PTR, PTR, PTR, I64),

    TOPK("cv_topk", PTR, PTR, PTR, PTR, I64, I64),
    SAMPLE_CLUSTERS("cv_sample_clusters", PTR, I64, I32, PTR, PTR, I32, I32, F32, F32, PTR, I64, I32, PTR, I64, PTR,
            PTR),
    SAMPLE_TOPK("cv_sample_topk", PTR, I64, PTR, I64, PTR, I64, I32, PTR, PTR),
    EMBEDDING("cv_embedding", PTR, I32, PTR, PTR, I64, I64),
    CODE_NORMS("cv_code_norms", PTR, I32, PTR, I32, I32),
    NEAREST_CODE("cv_nearest_code", PTR, PTR, I32, PTR, PTR, I32, I32, I32, I32),

    LINEAR_F32_L("cv_linear_f32_l", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    LINEAR_F32_S("cv_linear_f32_s", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    LINEAR_F16_L("cv_linear_f16_l", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    LINEAR_F16_S("cv_linear_f16_s", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    LINEAR_BF16_L("cv_linear_bf16_l", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    LINEAR_BF16_S("cv_linear_bf16_s", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    GEMV_F32("cv_gemv_f32", PTR, PTR, PTR, I32, PTR, I32, I32, I32, I32),
    GEMV_F16("cv_gemv_f16", PTR, PTR, PTR, I32, PTR, I32, I32, I32, I32),
    GEMV_BF16("cv_gemv_bf16", PTR, PTR, PTR, I32, PTR, I32, I32, I32, I32),
    LINEAR_TC_F16("cv_linear_tc_f16", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    LINEAR_TC_BF16("cv_linear_tc_bf16", PTR, PTR, PTR, I32, PTR, I32, I32, I32),
    MATMUL_NN_L("cv_matmul_nn_l", PTR, PTR, PTR, I32, I32, I32),
    MATMUL_NN_S("cv_matmul_nn_s", PTR, PTR, PTR, I32, I32, I32),
    MATMUL_NT_L("cv_matmul_nt_l", PTR, PTR, PTR, I32, I32, I32),
    MATMUL_NT_S("cv_matmul_nt_s", PTR, PTR, PTR, I32, I32, I32),
    CONV2D_F32_L("cv_conv2d_f32_l", conv()),
    CONV2D_F32_S("cv_conv2d_f32_s", conv()),
    CONV2D_F16_L("cv_conv2d_f16_l", conv()),
    CONV2D_F16_S("cv_conv2d_f16_s", conv()),
    CONV2D_BF16_L("cv_conv2d_bf16_l", conv()),
    CONV2D_BF16_S("cv_conv2d_bf16_s", conv()),

    ATTENTION("cv_attention", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I64, I32, F32, PTR, I32),
    GRID_ATTENTION("cv_grid_attention", PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, I32, I32, PTR, PTR, PTR,
            I32, I32, I32, I32, F32, I32),
    LOCAL_SIMILAR("cv_local_similar", PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, I32, I32, I32),
    LOCAL_WEIGHTING("cv_local_weighting", PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, I32, I32, I32);

    /** Kinds of kernel parameters and how they appear in PTX. */
    enum Param {
        /** A device pointer (or null), passed as its 64-bit address: {@code .u64}. */
        PTR(".u64"),
        /** {@code int}: {@code .u32}. */
        I32(".u32"),
        /** {@code long long}: {@code .u64}. */
        I64(".u64"),
        /** {@code float}: {@code .f32}. */
        F32(".f32"),
        /** {@code PermuteArgs} by value: 17 64-bit fields, {@code .align 8 .b8 [136]}. */
        PERMUTE(".b8[136]");

        private final String ptx;

        Param(String ptx) {
            this.ptx = ptx;
        }

        /** The PTX type the parameter compiles to (arrays as {@code .b8[size]}). */
        String ptxType() {
            return ptx;
        }
    }

    /** Number of 64-bit fields of {@code PermuteArgs}, and the largest rank it holds. */
    static final int PERMUTE_FIELDS = 17;
    static final int MAX_RANK = 8;

    private final String symbol;
    private final List<Param> params;

    Kernel(String symbol, Param... params) {
        this.symbol = symbol;
        this.params = List.of(params);
    }

    private static Param[] conv() {
        return new Param[]{PTR, PTR, PTR, I32, PTR, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32};
    }

    /** The name of the {@code extern "C"} entry point. */
    String symbol() {
        return symbol;
    }

    List<Param> params() {
        return params;
    }
}
