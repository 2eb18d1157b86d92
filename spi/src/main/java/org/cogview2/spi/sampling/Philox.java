package org.cogview2.spi.sampling;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based generator.
 * A draw is a pure function of (key, counter), so the value used for sample {@code i} at step {@code t} does not
 * depend on how samples are batched or on the number of threads.
 */
public final class Philox {

    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    /** The four 32-bit outputs for a 128-bit counter under a 64-bit key. */
    public static int[] block(long key, int c0, int c1, int c2, int c3) {
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return new int[]{c0, c1, c2, c3};
    }

    /** A uniform double in {@code [0, 1)} with 53 random bits, for the counter {@code (a, b, c, d)}. */
    public static double uniform(long key, int a, int b, int c, int d) {
        int[] r = block(key, a, b, c, d);
        long bits = ((long) (r[0] >>> 5) << 26) | (r[1] >>> 6);
        return bits * 0x1.0p-53;
    }
}
