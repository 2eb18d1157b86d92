package org.cogview2.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.cogview2.spi.DType;

import java.lang.foreign.MemorySegment;

/**
 * fp32 matrix products {@code C[m][n] = sum_k A[m][k] * B[k][n]} with fp32 accumulation, on the Vector API.
 *
 * <p>A is row-major with k contiguous. B is either <em>n-major</em> ({@code B[k][n]} stored at row n, column k: a
 * linear layer's weight {@code [N, K]}, or attention keys) or <em>k-major</em> (row k, column n: an ordinary right
 * operand). Either operand may be F32, F16 or BF16, on the heap or memory-mapped; 16-bit elements are widened exactly
 * while packing small blocks, so no fp32 copy of a 16-bit weight is ever made.
 *
 * <h2>Two paths</h2>
 * <ul>
 *   <li><b>Packed GEMM</b> (BLIS-style) for larger M: the output is cut into fixed blocks of at most
 *   {@value #MAX_UNIT_M} x {@code UNIT_N} elements (the parallel units, see {@link #unitRows}). A unit walks k in chunks of {@value #KC}; for each chunk it packs
 *   its B columns into panels of {@code NR} (two vectors wide, 16-bit weights widened here) and, per {@value #MC}-row
 *   sub-block, its A rows into panels of {@value #MR} (unless A is a heap fp32 matrix: then the micro-kernel
 *   broadcasts from its rows in place, and only a last partial panel is packed); a {@value #MR} x {@code NR} register-tiled micro-kernel
 *   (twelve vector accumulators; per k two vector loads, six broadcasts, twelve fused multiply-adds) accumulates the
 *   chunk and adds it to C.</li>
 *   <li><b>Row-dot path</b> for small M with an n-major B (decode steps: 1..32 rows against a weight): no packing;
 *   each unit takes {@value #DOT_UNIT} weight rows, widens them once (16-bit weights) and forms 4 x 4 blocks of dot
 *   products with vector accumulators, reading every weight element from memory once.</li>
 * </ul>
 *
 * <h2>Determinism</h2>
 * Block and panel boundaries are fixed multiples of the tile sizes counted from 0, and the path depends only on the
 * shapes, so every output element is produced by the same sequence of fused multiply-adds and additions whichever
 * thread runs its unit: results are bit-identical for any thread count (and from run to run).
 */
final class Gemm {

    static final VectorSpecies<Float> S = Simd.F;
    static final int L = Simd.L;
    static final int MR = 6;
    static final int NR = 2 * L;
    static final int KC = 192;
    static final int MC = 16 * MR;
    /** Most output rows of one parallel unit of the packed path. */
    static final int MAX_UNIT_M = 8 * MC;
    static final int UNIT_N = 12 * NR;
    /** Largest M that takes the row-dot path. */
    static final int DOT_MAX_M = 32;
    static final int DOT_UNIT = 32;

    private Gemm() {
    }

    /**
     * Rows per unit of the packed path: M split into the fewest equal parts of at most {@value #MAX_UNIT_M} rows
     * (rounded up to a multiple of {@value #MR}), so that a B block is packed as few times as possible. Depends on M
     * only.
     */
    static int unitRows(int m) {
        int count = (m + MAX_UNIT_M - 1) / MAX_UNIT_M;
        int rows = (m + count - 1) / count;
        return (rows + MR - 1) / MR * MR;
    }

    /** Per-thread packing buffers. */
    private static final class Buffers {
        float[] a = new float[MC * KC];
        float[] b = new float[UNIT_N * KC];
        float[] tile = new float[MR * NR];
        float[] row = new float[KC];
        float[] w = new float[0];
        short[] h = new short[0];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * {@code C[cOff + m*ldc + n] = sum_k A(m,k) B(k,n)} (+ {@code bias[n]} afterwards when bias is not null) for
     * m < M, n < N.
     */
    static void multiply(Workers workers, boolean mayShare, int M, int N, int K, Operand a, Operand b, boolean bNMajor,
                         float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        if (M == 0 || N == 0) {
            return;
        }
        if (K == 0) {
            for (int m = 0; m < M; m++) {
                for (int n = 0; n < N; n++) {
                    c[cOff + m * ldc + n] = bias == null ? 0f : 0f + bias[biasOff + n];
                }
            }
            return;
        }
        long work = (long) M * N * K;
        if (bNMajor && M <= DOT_MAX_M && a.heapF32() != null) {
            int units = (N + DOT_UNIT - 1) / DOT_UNIT;
            workers.run(units, work, mayShare, u -> dotUnit(u, M, N, K, a, b, c, cOff, ldc, bias, biasOff));
            return;
        }
        int unitM = unitRows(M);
        int unitsM = (M + unitM - 1) / unitM;
        int unitsN = (N + UNIT_N - 1) / UNIT_N;
        workers.run(unitsM * unitsN, work, mayShare, u -> {
            int m0 = (u / unitsN) * unitM;
            int n0 = (u % unitsN) * UNIT_N;
            packedUnit(m0, Math.min(M, m0 + unitM), n0, Math.min(N, n0 + UNIT_N), K, a, b, bNMajor, c, cOff, ldc,
                    bias, biasOff);
        });
    }

    // ------------------------------------------------------------------ packed path

    private static void packedUnit(int m0, int m1, int n0, int n1, int K, Operand a, Operand b, boolean bNMajor,
                                   float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        Buffers buf = BUFFERS.get();
        int panelsN = (n1 - n0 + NR - 1) / NR;
        float[] af = a.heapF32();
        int lda = a.stride();
        for (int m = m0; m < m1; m++) {
            java.util.Arrays.fill(c, cOff + m * ldc + n0, cOff + m * ldc + n1, 0f);
        }
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            for (int p = 0; p < panelsN; p++) {
                int pn = n0 + p * NR;
                int valid = Math.min(NR, n1 - pn);
                if (bNMajor) {
                    packInterleaved(b, pn, valid, NR, k0, kc, buf.b, p * NR * kc, buf.row);
                } else {
                    packKMajor(b, pn, valid, k0, kc, buf.b, p * NR * kc, buf.row);
                }
            }
            for (int i0 = m0; i0 < m1; i0 += MC) {
                int i1 = Math.min(m1, i0 + MC);
                int panelsM = (i1 - i0 + MR - 1) / MR;
                for (int q = 0; q < panelsM; q++) {
                    int pm = i0 + q * MR;
                    // A heap fp32 A is read in place by the kernel for whole panels: only a partial panel is packed.
                    if (af == null || i1 - pm < MR) {
                        packInterleaved(a, pm, Math.min(MR, i1 - pm), MR, k0, kc, buf.a, q * MR * kc, buf.row);
                    }
                }
                for (int p = 0; p < panelsN; p++) {
                    int pn = n0 + p * NR;
                    int cols = Math.min(NR, n1 - pn);
                    for (int q = 0; q < panelsM; q++) {
                        int pm = i0 + q * MR;
                        int rows = Math.min(MR, i1 - pm);
                        // A whole panel of a heap fp32 A is read in place (rows lda apart), else the packed panel.
                        boolean inPlace = af != null && rows == MR;
                        float[] ap = inPlace ? af : buf.a;
                        int ao = inPlace ? (int) (a.offset() + (long) pm * lda) + k0 : q * MR * kc;
                        int rowStride = inPlace ? lda : 1;
                        int kStride = inPlace ? 1 : MR;
                        if (rows == MR && cols == NR) {
                            kernel(kc, ap, ao, rowStride, kStride, buf.b, p * NR * kc, c, cOff + pm * ldc + pn, ldc);
                        } else {
                            // Edge tile: the same kernel into a zeroed scratch tile, then C = tile + C.
                            float[] t = buf.tile;
                            java.util.Arrays.fill(t, 0f);
                            kernel(kc, ap, ao, rowStride, kStride, buf.b, p * NR * kc, t, 0, NR);
                            for (int r = 0; r < rows; r++) {
                                int co = cOff + (pm + r) * ldc + pn;
                                for (int j = 0; j < cols; j++) {
                                    c[co + j] = t[r * NR + j] + c[co + j];
                                }
                            }
                        }
                    }
                }
            }
        }
        if (bias != null) {
            for (int m = m0; m < m1; m++) {
                int co = cOff + m * ldc;
                for (int n = n0; n < n1; n++) {
                    c[co + n] = c[co + n] + bias[biasOff + n];
                }
            }
        }
    }

    /**
     * Packs rows {@code [r0, r0 + valid)} of {@code src}, columns {@code [k0, k0 + kc)}, interleaved:
     * {@code dst[dOff + k*R + r]}; rows beyond {@code valid} are zeros.
     */
    private static void packInterleaved(Operand src, int r0, int valid, int R, int k0, int kc, float[] dst, int dOff,
                                        float[] row) {
        float[] f = src.heapF32();
        for (int r = 0; r < valid; r++) {
            if (f != null) {
                int so = (int) (src.offset() + (long) (r0 + r) * src.stride()) + k0;
                for (int k = 0; k < kc; k++) {
                    dst[dOff + k * R + r] = f[so + k];
                }
            } else {
                src.readRow(r0 + r, k0, row, 0, kc);
                for (int k = 0; k < kc; k++) {
                    dst[dOff + k * R + r] = row[k];
                }
            }
        }
        for (int r = valid; r < R; r++) {
            for (int k = 0; k < kc; k++) {
                dst[dOff + k * R + r] = 0f;
            }
        }
    }

    /** Packs a k-major B block: {@code dst[dOff + k*NR + j] = B[k0+k][n0+j]}, zeros beyond {@code valid} columns. */
    private static void packKMajor(Operand src, int n0, int valid, int k0, int kc, float[] dst, int dOff, float[] row) {
        float[] f = src.heapF32();
        for (int k = 0; k < kc; k++) {
            int d = dOff + k * NR;
            if (f != null) {
                System.arraycopy(f, (int) (src.offset() + (long) (k0 + k) * src.stride()) + n0, dst, d, valid);
            } else {
                src.readRow(k0 + k, n0, dst, d, valid);
            }
            for (int j = valid; j < NR; j++) {
                dst[d + j] = 0f;
            }
        }
    }

    /**
     * The 6 x 2-vector micro-kernel: {@code acc = sum_k a[k][r] * b[k][j]} (fused multiply-adds, k ascending, from
     * +0), then {@code C = acc + C}. The first k-chunk adds to a zeroed C, which gives exactly {@code acc} (a sum of
     * products started from +0 is never -0), so every chunk runs the same code. No calls: C2 keeps all twelve
     * accumulators in registers. A is a packed panel: {@code ap[ao + k*MR + r]}.
     */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        kernel(kc, ap, ao, 1, MR, bp, bo, c, co, ldc);
    }

    /**
     * The micro-kernel with A element {@code (r, k)} at {@code a[ao + r*rowStride + k*kStride]}: a packed panel
     * ({@code 1, MR}) or the rows of a heap fp32 matrix read in place ({@code lda, 1}, which saves packing A once per
     * block of columns). The same values are broadcast in the same order either way, so the bits are the same.
     */
    private static void kernel(int kc, float[] ap, int ao, int rowStride, int kStride, float[] bp, int bo, float[] c,
                               int co, int ldc) {
        int a1 = ao + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        int a4 = a3 + rowStride;
        int a5 = a4 + rowStride;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            bo += NR;
            int k0 = k * kStride;
            FloatVector x = FloatVector.broadcast(S, ap[ao + k0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a1 + k0]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a2 + k0]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a3 + k0]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a4 + k0]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a5 + k0]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c01.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
        co += ldc;
        c10.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c11.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
        co += ldc;
        c20.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c21.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
        co += ldc;
        c30.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c31.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
        co += ldc;
        c40.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c41.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
        co += ldc;
        c50.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c51.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
    }

    // ------------------------------------------------------------------ row-dot path (small M, n-major B)

    private static void dotUnit(int u, int M, int N, int K, Operand a, Operand b, float[] c, int cOff, int ldc,
                                float[] bias, int biasOff) {
        int n0 = u * DOT_UNIT;
        int n1 = Math.min(N, n0 + DOT_UNIT);
        float[] x = a.heapF32();
        int xOff = (int) a.offset();
        int lda = a.stride();
        float[] wf = b.heapF32();
        DType half = halfType(b.store());
        Buffers buf = wf == null ? BUFFERS.get() : null;
        for (int n = n0; n < n1; n += 4) {
            int rowsN = Math.min(4, n1 - n);
            if (half != null && rowsN == 4) {
                // bfloat16 weights: widened in registers inside the dot kernels, read from memory once.
                short[] h;
                int hOff;
                int ldh;
                if (b.store() instanceof Store.Half hs) {
                    h = hs.a();
                    hOff = (int) (b.offset() + (long) n * b.stride());
                    ldh = b.stride();
                } else {
                    if (buf.h.length < 4 * K) {
                        buf.h = new short[4 * K];
                    }
                    h = buf.h;
                    hOff = 0;
                    ldh = K;
                    MemorySegment seg = ((Store.Mapped) b.store()).segment();
                    for (int r = 0; r < 4; r++) {
                        MemorySegment.copy(seg, Store.LE_SHORT, 2 * (b.offset() + (long) (n + r) * b.stride()), h,
                                r * K, K);
                    }
                }
                int m = 0;
                for (; m + 4 <= M; m += 4) {
                    dot4x4(K, x, xOff + m * lda, lda, h, hOff, ldh, half, c, cOff + m * ldc + n, ldc);
                }
                for (; m < M; m++) {
                    dot1x4(K, x, xOff + m * lda, h, hOff, ldh, half, c, cOff + m * ldc + n);
                }
            } else {
                float[] w;
                int wOff;
                int ldw;
                if (wf != null) {
                    w = wf;
                    wOff = (int) (b.offset() + (long) n * b.stride());
                    ldw = b.stride();
                } else {
                    if (buf.w.length < 4 * K) {
                        buf.w = new float[4 * K];
                    }
                    w = buf.w;
                    wOff = 0;
                    ldw = K;
                    for (int r = 0; r < rowsN; r++) {
                        b.readRow(n + r, 0, w, r * K, K);
                    }
                }
                int m = 0;
                if (rowsN == 4) {
                    for (; m + 4 <= M; m += 4) {
                        dot4x4(K, x, xOff + m * lda, lda, w, wOff, ldw, c, cOff + m * ldc + n, ldc);
                    }
                    for (; m < M; m++) {
                        dot1x4(K, x, xOff + m * lda, w, wOff, ldw, c, cOff + m * ldc + n);
                    }
                } else {
                    for (; m < M; m++) {
                        for (int r = 0; r < rowsN; r++) {
                            c[cOff + m * ldc + n + r] = dot(K, x, xOff + m * lda, w, wOff + r * ldw);
                        }
                    }
                }
            }
            if (bias != null) {
                for (int mm = 0; mm < M; mm++) {
                    for (int r = 0; r < rowsN; r++) {
                        int i = cOff + mm * ldc + n + r;
                        c[i] = c[i] + bias[biasOff + n + r];
                    }
                }
            }
        }
    }

    /**
     * BF16 if the store holds bfloat16 weights, which the dot kernels widen in registers (a shift); else null. fp16
     * rows are widened into a scratch row first by the hardware conversion loop, which is faster than widening fp16
     * in Vector API registers.
     */
    private static DType halfType(Store store) {
        if (!Halfs.VECTOR_WIDEN) {
            return null;
        }
        return switch (store) {
            case Store.Half h when h.dtype() == DType.BF16 -> DType.BF16;
            case Store.Mapped m when m.dtype() == DType.BF16 -> DType.BF16;
            default -> null;
        };
    }

    /** As {@link #finish(FloatVector, float[], int, float[], int, int, int)} with a 16-bit weight row. */
    private static float finish(FloatVector acc, float[] x, int xo, short[] w, int wo, DType dt, int k0, int K) {
        float s = Simd.sum(acc);
        for (int k = k0; k < K; k++) {
            s = Math.fma(x[xo + k], Halfs.widen(w[wo + k], dt), s);
        }
        return s;
    }

    private static void dot1x4(int K, float[] x, int xo, short[] w, int wo, int ldw, DType dt, float[] c, int co) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int w1 = wo + ldw;
        int w2 = wo + 2 * ldw;
        int w3 = wo + 3 * ldw;
        int bound = K - K % L;
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + k);
            a0 = xv.fma(Halfs.load(w, wo + k, dt), a0);
            a1 = xv.fma(Halfs.load(w, w1 + k, dt), a1);
            a2 = xv.fma(Halfs.load(w, w2 + k, dt), a2);
            a3 = xv.fma(Halfs.load(w, w3 + k, dt), a3);
        }
        c[co] = finish(a0, x, xo, w, wo, dt, k, K);
        c[co + 1] = finish(a1, x, xo, w, w1, dt, k, K);
        c[co + 2] = finish(a2, x, xo, w, w2, dt, k, K);
        c[co + 3] = finish(a3, x, xo, w, w3, dt, k, K);
    }

    private static void dot4x4(int K, float[] x, int xo, int ldx, short[] w, int wo, int ldw, DType dt, float[] c,
                               int co, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int x1 = xo + ldx;
        int x2 = xo + 2 * ldx;
        int x3 = xo + 3 * ldx;
        int w1 = wo + ldw;
        int w2 = wo + 2 * ldw;
        int w3 = wo + 3 * ldw;
        int bound = K - K % L;
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector v0 = Halfs.load(w, wo + k, dt);
            FloatVector v1 = Halfs.load(w, w1 + k, dt);
            FloatVector v2 = Halfs.load(w, w2 + k, dt);
            FloatVector v3 = Halfs.load(w, w3 + k, dt);
            FloatVector xv = FloatVector.fromArray(S, x, xo + k);
            a00 = xv.fma(v0, a00);
            a01 = xv.fma(v1, a01);
            a02 = xv.fma(v2, a02);
            a03 = xv.fma(v3, a03);
            xv = FloatVector.fromArray(S, x, x1 + k);
            a10 = xv.fma(v0, a10);
            a11 = xv.fma(v1, a11);
            a12 = xv.fma(v2, a12);
            a13 = xv.fma(v3, a13);
            xv = FloatVector.fromArray(S, x, x2 + k);
            a20 = xv.fma(v0, a20);
            a21 = xv.fma(v1, a21);
            a22 = xv.fma(v2, a22);
            a23 = xv.fma(v3, a23);
            xv = FloatVector.fromArray(S, x, x3 + k);
            a30 = xv.fma(v0, a30);
            a31 = xv.fma(v1, a31);
            a32 = xv.fma(v2, a32);
            a33 = xv.fma(v3, a33);
        }
        c[co] = finish(a00, x, xo, w, wo, dt, k, K);
        c[co + 1] = finish(a01, x, xo, w, w1, dt, k, K);
        c[co + 2] = finish(a02, x, xo, w, w2, dt, k, K);
        c[co + 3] = finish(a03, x, xo, w, w3, dt, k, K);
        co += ldc;
        c[co] = finish(a10, x, x1, w, wo, dt, k, K);
        c[co + 1] = finish(a11, x, x1, w, w1, dt, k, K);
        c[co + 2] = finish(a12, x, x1, w, w2, dt, k, K);
        c[co + 3] = finish(a13, x, x1, w, w3, dt, k, K);
        co += ldc;
        c[co] = finish(a20, x, x2, w, wo, dt, k, K);
        c[co + 1] = finish(a21, x, x2, w, w1, dt, k, K);
        c[co + 2] = finish(a22, x, x2, w, w2, dt, k, K);
        c[co + 3] = finish(a23, x, x2, w, w3, dt, k, K);
        co += ldc;
        c[co] = finish(a30, x, x3, w, wo, dt, k, K);
        c[co + 1] = finish(a31, x, x3, w, w1, dt, k, K);
        c[co + 2] = finish(a32, x, x3, w, w2, dt, k, K);
        c[co + 3] = finish(a33, x, x3, w, w3, dt, k, K);
    }

    /** Lanes are summed in the fixed pairwise order of {@link Simd#sum}, then the scalar tail is added (fused). */
    private static float finish(FloatVector acc, float[] x, int xo, float[] w, int wo, int k0, int K) {
        float s = Simd.sum(acc);
        for (int k = k0; k < K; k++) {
            s = Math.fma(x[xo + k], w[wo + k], s);
        }
        return s;
    }

    static float dot(int K, float[] x, int xo, float[] w, int wo) {
        FloatVector acc = FloatVector.zero(S);
        int k = 0;
        int bound = K - K % L;
        for (; k < bound; k += L) {
            acc = FloatVector.fromArray(S, x, xo + k).fma(FloatVector.fromArray(S, w, wo + k), acc);
        }
        return finish(acc, x, xo, w, wo, k, K);
    }

    private static void dot1x4(int K, float[] x, int xo, float[] w, int wo, int ldw, float[] c, int co) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int w1 = wo + ldw;
        int w2 = wo + 2 * ldw;
        int w3 = wo + 3 * ldw;
        int bound = K - K % L;
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + k);
            a0 = xv.fma(FloatVector.fromArray(S, w, wo + k), a0);
            a1 = xv.fma(FloatVector.fromArray(S, w, w1 + k), a1);
            a2 = xv.fma(FloatVector.fromArray(S, w, w2 + k), a2);
            a3 = xv.fma(FloatVector.fromArray(S, w, w3 + k), a3);
        }
        c[co] = finish(a0, x, xo, w, wo, k, K);
        c[co + 1] = finish(a1, x, xo, w, w1, k, K);
        c[co + 2] = finish(a2, x, xo, w, w2, k, K);
        c[co + 3] = finish(a3, x, xo, w, w3, k, K);
    }

    private static void dot4x4(int K, float[] x, int xo, int ldx, float[] w, int wo, int ldw, float[] c, int co,
                               int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int x1 = xo + ldx;
        int x2 = xo + 2 * ldx;
        int x3 = xo + 3 * ldx;
        int w1 = wo + ldw;
        int w2 = wo + 2 * ldw;
        int w3 = wo + 3 * ldw;
        int bound = K - K % L;
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector v0 = FloatVector.fromArray(S, w, wo + k);
            FloatVector v1 = FloatVector.fromArray(S, w, w1 + k);
            FloatVector v2 = FloatVector.fromArray(S, w, w2 + k);
            FloatVector v3 = FloatVector.fromArray(S, w, w3 + k);
            FloatVector xv = FloatVector.fromArray(S, x, xo + k);
            a00 = xv.fma(v0, a00);
            a01 = xv.fma(v1, a01);
            a02 = xv.fma(v2, a02);
            a03 = xv.fma(v3, a03);
            xv = FloatVector.fromArray(S, x, x1 + k);
            a10 = xv.fma(v0, a10);
            a11 = xv.fma(v1, a11);
            a12 = xv.fma(v2, a12);
            a13 = xv.fma(v3, a13);
            xv = FloatVector.fromArray(S, x, x2 + k);
            a20 = xv.fma(v0, a20);
            a21 = xv.fma(v1, a21);
            a22 = xv.fma(v2, a22);
            a23 = xv.fma(v3, a23);
            xv = FloatVector.fromArray(S, x, x3 + k);
            a30 = xv.fma(v0, a30);
            a31 = xv.fma(v1, a31);
            a32 = xv.fma(v2, a32);
            a33 = xv.fma(v3, a33);
        }
        c[co] = finish(a00, x, xo, w, wo, k, K);
        c[co + 1] = finish(a01, x, xo, w, w1, k, K);
        c[co + 2] = finish(a02, x, xo, w, w2, k, K);
        c[co + 3] = finish(a03, x, xo, w, w3, k, K);
        co += ldc;
        c[co] = finish(a10, x, x1, w, wo, k, K);
        c[co + 1] = finish(a11, x, x1, w, w1, k, K);
        c[co + 2] = finish(a12, x, x1, w, w2, k, K);
        c[co + 3] = finish(a13, x, x1, w, w3, k, K);
        co += ldc;
        c[co] = finish(a20, x, x2, w, wo, k, K);
        c[co + 1] = finish(a21, x, x2, w, w1, k, K);
        c[co + 2] = finish(a22, x, x2, w, w2, k, K);
        c[co + 3] = finish(a23, x, x2, w, w3, k, K);
        co += ldc;
        c[co] = finish(a30, x, x3, w, wo, k, K);
        c[co + 1] = finish(a31, x, x3, w, w1, k, K);
        c[co + 2] = finish(a32, x, x3, w, w2, k, K);
        c[co + 3] = finish(a33, x, x3, w, w3, k, K);
    }
}
