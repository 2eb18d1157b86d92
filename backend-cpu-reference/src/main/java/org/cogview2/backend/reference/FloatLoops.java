package org.cogview2.backend.reference;

/**
 * The inner loops shared by several kernels. Each output element is one sequential fp32 reduction, index ascending;
 * {@code acc += a * b} is a rounded product followed by a rounded sum (Java never fuses them).
 */
final class FloatLoops {

    /** Columns of {@code c} computed together, so that a block of c and of b stays in the L1 cache. */
    private static final int COLUMN_BLOCK = 512;
    /** Rows of {@code c} computed together, so that each loaded row block of b is used several times. */
    private static final int ROW_BLOCK = 4;

    private FloatLoops() {
    }

    /**
     * {@code c[m][n] = sum_{k=0..K-1} a[m][k] * b[k][n]} (k ascending, starting from +0) for rows
     * {@code m in [from, to)}; a is {@code [M, K]} at {@code aOff}, b is {@code [K, N]} at {@code bOff}, c is
     * {@code [M, N]} at {@code cOff}, all row-major. The loops are ordered so that the innermost one runs over n
     * (vectorisable), which does not change the order in which any single element is accumulated.
     */
    static void matmulRows(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                           int K, int N, int from, int to) {
        for (int n0 = 0; n0 < N; n0 += COLUMN_BLOCK) {
            int n1 = Math.min(N, n0 + COLUMN_BLOCK);
            for (int m0 = from; m0 < to; m0 += ROW_BLOCK) {
                int m1 = Math.min(to, m0 + ROW_BLOCK);
                for (int m = m0; m < m1; m++) {
                    java.util.Arrays.fill(c, cOff + m * N + n0, cOff + m * N + n1, 0f);
                }
                for (int k = 0; k < K; k++) {
                    int bRow = bOff + k * N;
                    for (int m = m0; m < m1; m++) {
                        float av = a[aOff + m * K + k];
                        int cRow = cOff + m * N;
                        for (int n = n0; n < n1; n++) {
                            c[cRow + n] += av * b[bRow + n];
                        }
                    }
                }
            }
        }
    }

    /** {@code sum_{i=0..n-1} x[xOff+i] * y[yOff+i]}, i ascending, starting from +0. */
    static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += x[xOff + i] * y[yOff + i];
        }
        return acc;
    }

    /** {@code acc[accOff+i] += w * v[vOff+i]} for i in {@code [0, n)}. */
    static void axpy(float w, float[] v, int vOff, float[] acc, int accOff, int n) {
        for (int i = 0; i < n; i++) {
            acc[accOff + i] += w * v[vOff + i];
        }
    }

    /**
     * Softmax of {@code s[off .. off+n)} in place: {@code m = max}, {@code e_j = exp(s_j - m)} (the difference and
     * the exponential rounded to fp32), {@code sum = e_0 + ... + e_{n-1}} accumulated in double (j ascending),
     * {@code p_j = e_j / sum} rounded once to fp32.
     */
    static void softmaxInPlace(float[] s, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = exp(s[off + j] - max);
            s[off + j] = e;
            sum += e;
        }
        for (int j = 0; j < n; j++) {
            s[off + j] = (float) (s[off + j] / sum);
        }
    }

    /** The 0/1 masking of SAT: {@code s * m - 10000 * (1 - m)}, each operation in fp32. */
    static float mask(float score, float m) {
        return score * m - 10000f * (1f - m);
    }

    /** fp32 exponential: {@code exp} in double, rounded once. */
    static float exp(float x) {
        return (float) Math.exp(x);
    }
}
