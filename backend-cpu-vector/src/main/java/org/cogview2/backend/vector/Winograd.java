package org.cogview2.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * 3x3, stride-1, padding-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms
 * for Convolutional Neural Networks", 2016): every 2x2 block of outputs (a <em>tile</em>) is read from a 4x4 input
 * patch, and the 9 multiply-adds per output and input channel become 4. These are nearly all the arithmetic of the
 * VQ-VAE.
 *
 * <p>With {@code U = G g G^T} (each 3x3 filter to 4x4), {@code V = B^T d B} (each 4x4 patch to 4x4) and the output
 * {@code Y = A^T M A}, the sum over input channels becomes, for each of the 16 positions {@code xi} of the 4x4
 * transform, one matrix product {@code M[xi][d][t] = sum_c U[xi][d][c] V[xi][c][t]}: sixteen independent GEMMs on
 * the micro-kernel of {@link Gemm}. The transforms use only additions, subtractions and halvings (exact in binary),
 * so the result differs from a direct convolution by ordinary fp32 rounding of a sum of sums.
 *
 * <h2>Layouts</h2>
 * The transforms write straight into the panel layouts the micro-kernel reads, so the products pack nothing:
 * {@code U} in panels of {@link Gemm#MR} output channels ({@code [xi][d / MR][c][d % MR]}, zero rows past D),
 * {@code V} in panels of {@link Gemm#NR} tiles ({@code [xi][t / NR][c][t % NR]}). Each tile row is padded to a
 * multiple of the vector length, so the transforms run in whole vectors (the padding tiles see zeros and their
 * products are never read), and {@code M} is {@code [xi][d][t]} with the padded widths.
 *
 * <h2>Blocks and threads</h2>
 * Tiles are processed a block of whole tile rows at a time, the block sized so that the transformed input and output
 * of one block stay near {@value #BLOCK_FLOATS} floats. Within a block the input transform runs one unit per input
 * channel, the sixteen products one unit each, the output transform one unit per output channel. Block and unit
 * boundaries depend only on the shapes, so results are bit-identical for every thread count. The buffers are kept
 * per calling thread and reused, so a convolution allocates nothing once they have grown.
 */
final class Winograd {

    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;
    private static final int MR = Gemm.MR;
    private static final int NR = Gemm.NR;
    /** Positions of the 4x4 transform. */
    private static final int XI = 16;
    /** Floats of the transformed input (and of the transformed output) of one block, at most (unless one row is more). */
    static final int BLOCK_FLOATS = 1 << 20;

    private Winograd() {
    }

    /** Whether {@code conv2d} with this kernel and spec is one this class computes. */
    static boolean applies(int kh, int kw, org.cogview2.spi.Conv2dSpec spec) {
        return kh == 3 && kw == 3 && spec.stride() == 1 && spec.padTop() == 1 && spec.padLeft() == 1
                && spec.padBottom() == 1 && spec.padRight() == 1;
    }

    /** Transform buffers of one calling thread: filters, transformed input, transformed output. */
    private static final class CallBuffers {
        float[] u = new float[0];
        float[] v = new float[0];
        float[] m = new float[0];
    }

    /** Scratch of one thread running units: de-interleaved input rows or output rows, and one filter. */
    private static final class RowBuffers {
        float[] rows = new float[0];
        float[] filter = new float[0];
    }

    private static final ThreadLocal<CallBuffers> CALL = ThreadLocal.withInitial(CallBuffers::new);
    private static final ThreadLocal<RowBuffers> ROWS = ThreadLocal.withInitial(RowBuffers::new);

    /** The shapes of one convolution and of its blocks. */
    private record Plan(int channels, int outChannels, int height, int width, int tilesX, int tilesY, int rowTiles,
                        int rowsPerBlock, int paddedOut) {

        static Plan of(int channels, int outChannels, int height, int width, int blockFloats) {
            int tilesX = (width + 1) / 2;
            int tilesY = (height + 1) / 2;
            int rowTiles = (tilesX + L - 1) / L * L;
            int widest = Math.max(channels, outChannels);
            int rows = Math.max(1, Math.min(tilesY, blockFloats / (XI * widest * rowTiles)));
            return new Plan(channels, outChannels, height, width, tilesX, tilesY, rowTiles, rows,
                    (outChannels + MR - 1) / MR * MR);
        }

        /** Tiles of a block of {@code rows} tile rows, padded to whole panels. */
        int paddedTiles(int rows) {
            return (rows * rowTiles + NR - 1) / NR * NR;
        }
    }

    /**
     * {@code y[b][d][oy][ox] = sum_{c,i,j} w[d][c][i][j] x[b][c][oy+i-1][ox+j-1]} (zeros outside the picture), without
     * bias, for {@code x [batch, C, H, W]} at {@code x[xOff..]} and {@code y [batch, D, H, W]} from element 0.
     */
    static void conv3x3(Workers workers, boolean mayShare, float[] x, int xOff, int batch, int channels, int height,
                        int width, VTensor weight, int outChannels, float[] y) {
        conv3x3(workers, mayShare, x, xOff, batch, channels, height, width, weight, outChannels, y, BLOCK_FLOATS);
    }

    /** As above with another block bound (tests use small ones to cut small pictures into many blocks). */
    static void conv3x3(Workers workers, boolean mayShare, float[] x, int xOff, int batch, int channels, int height,
                        int width, VTensor weight, int outChannels, float[] y, int blockFloats) {
        Plan plan = Plan.of(channels, outChannels, height, width, blockFloats);
        int maxTiles = plan.paddedTiles(plan.rowsPerBlock());
        CallBuffers buf = CALL.get();
        buf.u = grown(buf.u, XI * plan.paddedOut() * channels);
        buf.v = grown(buf.v, XI * channels * maxTiles);
        buf.m = grown(buf.m, XI * plan.paddedOut() * maxTiles);
        float[] u = buf.u;
        float[] v = buf.v;
        float[] m = buf.m;
        int rowPanels = plan.paddedOut() / MR;
        workers.run(rowPanels, (long) outChannels * channels * 48, mayShare, q -> transformFilters(weight, q, plan, u));
        for (int b = 0; b < batch; b++) {
            int plane = xOff + b * channels * height * width;
            int outBase = b * outChannels * height * width;
            for (int ty0 = 0; ty0 < plan.tilesY(); ty0 += plan.rowsPerBlock()) {
                int ty1 = Math.min(plan.tilesY(), ty0 + plan.rowsPerBlock());
                int tiles = plan.paddedTiles(ty1 - ty0);
                int firstRow = ty0;
                workers.run(channels, (long) channels * tiles * 48, c -> transformInput(x, plane + c * height * width,
                        plan, firstRow, ty1, tiles, v, c));
                long work = (long) plan.paddedOut() * channels * tiles;
                workers.run(XI, XI * work, xi -> product(xi, plan, tiles, u, v, m));
                workers.run(outChannels, (long) outChannels * tiles * 48, d -> transformOutput(m, d, plan, firstRow,
                        ty1, tiles, y, outBase + d * height * width));
            }
        }
    }

    private static float[] grown(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    /**
     * {@code U[xi]} for output channels {@code [q MR, q MR + MR)}, {@code (G g G^T)[xi]} of each filter {@code g} of
     * such a channel, zeros for the rows past D.
     */
    private static void transformFilters(VTensor weight, int q, Plan plan, float[] u) {
        int channels = plan.channels();
        int panelFloats = channels * MR;
        int plane = plan.paddedOut() * channels;
        RowBuffers rb = ROWS.get();
        int n = channels * 9;
        rb.filter = grown(rb.filter, n);
        float[] g = rb.filter;
        for (int r = 0; r < MR; r++) {
            int d = q * MR + r;
            int at = q * panelFloats + r;
            if (d >= plan.outChannels()) {
                for (int xi = 0; xi < XI; xi++) {
                    for (int c = 0; c < channels; c++) {
                        u[xi * plane + at + c * MR] = 0f;
                    }
                }
                continue;
            }
            Halfs.read(weight.store(), weight.offset() + (long) d * n, g, 0, n);
            for (int c = 0; c < channels; c++) {
                int o = c * 9;
                // G g: rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2, for each of the 3 columns; then the same on columns.
                float a00 = g[o], a01 = g[o + 1], a02 = g[o + 2];
                float a10 = g[o + 3], a11 = g[o + 4], a12 = g[o + 5];
                float a20 = g[o + 6], a21 = g[o + 7], a22 = g[o + 8];
                float r10 = (a00 + a10 + a20) * 0.5f, r11 = (a01 + a11 + a21) * 0.5f, r12 = (a02 + a12 + a22) * 0.5f;
                float r20 = (a00 - a10 + a20) * 0.5f, r21 = (a01 - a11 + a21) * 0.5f, r22 = (a02 - a12 + a22) * 0.5f;
                int cell = at + c * MR;
                filterRow(u, cell, plane, 0, a00, a01, a02);
                filterRow(u, cell, plane, 4, r10, r11, r12);
                filterRow(u, cell, plane, 8, r20, r21, r22);
                filterRow(u, cell, plane, 12, a20, a21, a22);
            }
        }
    }

    /** One row of {@code (G g) G^T}: {@code [t0, (t0+t1+t2)/2, (t0-t1+t2)/2, t2]} at positions xi0..xi0+3. */
    private static void filterRow(float[] u, int at, int plane, int xi0, float t0, float t1, float t2) {
        u[xi0 * plane + at] = t0;
        u[(xi0 + 1) * plane + at] = (t0 + t1 + t2) * 0.5f;
        u[(xi0 + 2) * plane + at] = (t0 - t1 + t2) * 0.5f;
        u[(xi0 + 3) * plane + at] = t2;
    }

    /**
     * {@code M[xi] = U[xi] V[xi]} for one block on the calling thread: k in chunks of {@link Gemm#KC}, and per chunk
     * every panel of tiles against every panel of output channels (the tile panel stays in L1, the filter chunk in
     * L2).
     */
    private static void product(int xi, Plan plan, int tiles, float[] u, float[] v, float[] m) {
        int channels = plan.channels();
        int rows = plan.paddedOut();
        int aBase = xi * rows * channels;
        int bBase = xi * channels * tiles;
        int cBase = xi * rows * tiles;
        Arrays.fill(m, cBase, cBase + rows * tiles, 0f);
        for (int k0 = 0; k0 < channels; k0 += Gemm.KC) {
            int kc = Math.min(Gemm.KC, channels - k0);
            for (int p = 0; p < tiles / NR; p++) {
                int bo = bBase + p * channels * NR + k0 * NR;
                for (int q = 0; q < rows / MR; q++) {
                    Gemm.kernel(kc, u, aBase + q * channels * MR + k0 * MR, v, bo, m, cBase + q * MR * tiles + p * NR,
                            tiles);
                }
            }
        }
    }

    /**
     * {@code V[xi][c][t] = (B^T d B)[xi]} for the tiles of rows {@code [ty0, ty1)} of channel c. Each of the four input
     * rows of a tile row is split into its even and odd columns first, so that the four columns of every tile's patch
     * are the same-index lanes of four shifted vectors: {@code x[2t-1] = odd[t]}, {@code x[2t] = even[t]},
     * {@code x[2t+1] = odd[t+1]}, {@code x[2t+2] = even[t+1]} (with {@code odd[k] = x[2k-1]}, zeros outside).
     */
    private static void transformInput(float[] x, int plane, Plan plan, int ty0, int ty1, int tiles, float[] v, int c) {
        RowBuffers rb = ROWS.get();
        int rowTiles = plan.rowTiles();
        int span = rowTiles + 1;
        rb.rows = grown(rb.rows, 8 * span);
        float[] r = rb.rows;
        int channels = plan.channels();
        int plane16 = channels * tiles;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int i = 0; i < 4; i++) {
                splitRow(x, plane, plan.height(), plan.width(), 2 * ty - 1 + i, rowTiles, r, 2 * i * span,
                        (2 * i + 1) * span);
            }
            for (int tx = 0; tx < rowTiles; tx += L) {
                int t = (ty - ty0) * rowTiles + tx;
                transformInputLanes(r, span, tx, v, plane16, (t / NR) * channels * NR + c * NR + t % NR);
            }
        }
        // Tiles past the last row of the block, up to a whole panel, are zeros.
        for (int t = (ty1 - ty0) * rowTiles; t < tiles; t += L) {
            int at = (t / NR) * channels * NR + c * NR + t % NR;
            for (int xi = 0; xi < XI; xi++) {
                Arrays.fill(v, xi * plane16 + at, xi * plane16 + at + L, 0f);
            }
        }
    }

    /** {@code even[k] = x[row][2k]}, {@code odd[k] = x[row][2k-1]} for k in [0, rowTiles], zeros outside the picture. */
    private static void splitRow(float[] x, int plane, int height, int width, int row, int rowTiles, float[] r,
                                 int even, int odd) {
        if (row < 0 || row >= height) {
            Arrays.fill(r, even, even + rowTiles + 1, 0f);
            Arrays.fill(r, odd, odd + rowTiles + 1, 0f);
            return;
        }
        int src = plane + row * width;
        int k = 0;
        // Whole vectors: 2L consecutive inputs split into L evens and L odds by two-vector permutes.
        for (; 2 * (k + L) <= width; k += L) {
            FloatVector lo = FloatVector.fromArray(S, x, src + 2 * k);
            FloatVector hi = FloatVector.fromArray(S, x, src + 2 * k + L);
            EVENS.selectFrom(lo, hi).intoArray(r, even + k);
            ODDS.selectFrom(lo, hi).intoArray(r, odd + k + 1);
        }
        int evens = (width + 1) / 2;
        for (int e = k; e < evens; e++) {
            r[even + e] = x[src + 2 * e];
        }
        Arrays.fill(r, even + evens, even + rowTiles + 1, 0f);
        int odds = width / 2;
        r[odd] = 0f;
        for (int o = k + 1; o <= odds; o++) {
            r[odd + o] = x[src + 2 * o - 1];
        }
        Arrays.fill(r, odd + odds + 1, odd + rowTiles + 1, 0f);
    }

    private static void transformInputLanes(float[] r, int span, int tx, float[] v, int plane16, int at) {
        // Rows i = 0..3 of the patch, each as (d B): [d0 - d2, d1 + d2, d2 - d1, d1 - d3].
        FloatVector e, o, e1, o1;
        e = FloatVector.fromArray(S, r, tx);
        o = FloatVector.fromArray(S, r, span + tx);
        e1 = FloatVector.fromArray(S, r, tx + 1);
        o1 = FloatVector.fromArray(S, r, span + tx + 1);
        FloatVector p00 = o.sub(o1), p01 = e.add(o1), p02 = o1.sub(e), p03 = e.sub(e1);
        e = FloatVector.fromArray(S, r, 2 * span + tx);
        o = FloatVector.fromArray(S, r, 3 * span + tx);
        e1 = FloatVector.fromArray(S, r, 2 * span + tx + 1);
        o1 = FloatVector.fromArray(S, r, 3 * span + tx + 1);
        FloatVector p10 = o.sub(o1), p11 = e.add(o1), p12 = o1.sub(e), p13 = e.sub(e1);
        e = FloatVector.fromArray(S, r, 4 * span + tx);
        o = FloatVector.fromArray(S, r, 5 * span + tx);
        e1 = FloatVector.fromArray(S, r, 4 * span + tx + 1);
        o1 = FloatVector.fromArray(S, r, 5 * span + tx + 1);
        FloatVector p20 = o.sub(o1), p21 = e.add(o1), p22 = o1.sub(e), p23 = e.sub(e1);
        e = FloatVector.fromArray(S, r, 6 * span + tx);
        o = FloatVector.fromArray(S, r, 7 * span + tx);
        e1 = FloatVector.fromArray(S, r, 6 * span + tx + 1);
        o1 = FloatVector.fromArray(S, r, 7 * span + tx + 1);
        FloatVector p30 = o.sub(o1), p31 = e.add(o1), p32 = o1.sub(e), p33 = e.sub(e1);
        // Columns: B^T (d B) = [p0 - p2, p1 + p2, p2 - p1, p1 - p3].
        p00.sub(p20).intoArray(v, at);
        p01.sub(p21).intoArray(v, plane16 + at);
        p02.sub(p22).intoArray(v, 2 * plane16 + at);
        p03.sub(p23).intoArray(v, 3 * plane16 + at);
        p10.add(p20).intoArray(v, 4 * plane16 + at);
        p11.add(p21).intoArray(v, 5 * plane16 + at);
        p12.add(p22).intoArray(v, 6 * plane16 + at);
        p13.add(p23).intoArray(v, 7 * plane16 + at);
        p20.sub(p10).intoArray(v, 8 * plane16 + at);
        p21.sub(p11).intoArray(v, 9 * plane16 + at);
        p22.sub(p12).intoArray(v, 10 * plane16 + at);
        p23.sub(p13).intoArray(v, 11 * plane16 + at);
        p10.sub(p30).intoArray(v, 12 * plane16 + at);
        p11.sub(p31).intoArray(v, 13 * plane16 + at);
        p12.sub(p32).intoArray(v, 14 * plane16 + at);
        p13.sub(p33).intoArray(v, 15 * plane16 + at);
    }

    /**
     * {@code Y = A^T M A} for the tiles of rows {@code [ty0, ty1)} of output channel d, written into its output plane
     * at {@code y[out..]}: rows {@code (A^T M) = [m0 + m1 + m2, m1 - m2 - m3]}, then the same on columns. The four
     * outputs of each tile go to four row buffers first and are interleaved into the plane, clipped at odd sizes.
     */
    private static void transformOutput(float[] m, int d, Plan plan, int ty0, int ty1, int tiles, float[] y, int out) {
        int rowTiles = plan.rowTiles();
        int width = plan.width();
        RowBuffers rb = ROWS.get();
        rb.rows = grown(rb.rows, 4 * rowTiles);
        float[] r = rb.rows;
        int p = plan.paddedOut() * tiles;
        for (int ty = ty0; ty < ty1; ty++) {
            int at = d * tiles + (ty - ty0) * rowTiles;
            for (int tx = 0; tx < rowTiles; tx += L) {
                int a = at + tx;
                FloatVector m0 = FloatVector.fromArray(S, m, a), m1 = FloatVector.fromArray(S, m, p + a);
                FloatVector m2 = FloatVector.fromArray(S, m, 2 * p + a), m3 = FloatVector.fromArray(S, m, 3 * p + a);
                FloatVector m4 = FloatVector.fromArray(S, m, 4 * p + a), m5 = FloatVector.fromArray(S, m, 5 * p + a);
                FloatVector m6 = FloatVector.fromArray(S, m, 6 * p + a), m7 = FloatVector.fromArray(S, m, 7 * p + a);
                FloatVector m8 = FloatVector.fromArray(S, m, 8 * p + a), m9 = FloatVector.fromArray(S, m, 9 * p + a);
                FloatVector m10 = FloatVector.fromArray(S, m, 10 * p + a), m11 = FloatVector.fromArray(S, m, 11 * p + a);
                FloatVector m12 = FloatVector.fromArray(S, m, 12 * p + a), m13 = FloatVector.fromArray(S, m, 13 * p + a);
                FloatVector m14 = FloatVector.fromArray(S, m, 14 * p + a), m15 = FloatVector.fromArray(S, m, 15 * p + a);
                FloatVector s0 = m0.add(m4).add(m8), s1 = m1.add(m5).add(m9);
                FloatVector s2 = m2.add(m6).add(m10), s3 = m3.add(m7).add(m11);
                FloatVector t0 = m4.sub(m8).sub(m12), t1 = m5.sub(m9).sub(m13);
                FloatVector t2 = m6.sub(m10).sub(m14), t3 = m7.sub(m11).sub(m15);
                s0.add(s1).add(s2).intoArray(r, tx);
                s1.sub(s2).sub(s3).intoArray(r, rowTiles + tx);
                t0.add(t1).add(t2).intoArray(r, 2 * rowTiles + tx);
                t1.sub(t2).sub(t3).intoArray(r, 3 * rowTiles + tx);
            }
            int oy = 2 * ty;
            interleave(r, 0, rowTiles, y, out + oy * width, width);
            if (oy + 1 < plan.height()) {
                interleave(r, 2 * rowTiles, rowTiles, y, out + (oy + 1) * width, width);
            }
        }
    }

    /** {@code y[row + 2k] = r[left + k]}, {@code y[row + 2k + 1] = r[left + rowTiles + k]}, within the width. */
    private static void interleave(float[] r, int left, int rowTiles, float[] y, int row, int width) {
        int pairs = width / 2;
        int k = 0;
        for (; k + L <= pairs; k += L) {
            FloatVector a = FloatVector.fromArray(S, r, left + k);
            FloatVector b = FloatVector.fromArray(S, r, left + rowTiles + k);
            LOW_PAIRS.selectFrom(a, b).intoArray(y, row + 2 * k);
            HIGH_PAIRS.selectFrom(a, b).intoArray(y, row + 2 * k + L);
        }
        for (; k < pairs; k++) {
            y[row + 2 * k] = r[left + k];
            y[row + 2 * k + 1] = r[left + rowTiles + k];
        }
        if (width % 2 == 1) {
            y[row + width - 1] = r[left + pairs];
        }
    }

    /** Lane indices into two concatenated vectors: the even, the odd lanes; and interleavings of their halves. */
    private static final FloatVector EVENS = indices(i -> 2 * i);
    private static final FloatVector ODDS = indices(i -> 2 * i + 1);
    private static final FloatVector LOW_PAIRS = indices(i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final FloatVector HIGH_PAIRS = indices(i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);

    private static FloatVector indices(java.util.function.IntUnaryOperator lane) {
        float[] v = new float[L];
        for (int i = 0; i < L; i++) {
            v[i] = lane.applyAsInt(i);
        }
        return FloatVector.fromArray(S, v, 0);
    }
}
