package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The 2D local attention of the super-resolution models (spec 02 §5: the Image-Local-Attention CUDA kernel that
 * CogView2 calls, which has no CPU version) in libtorch ops, for the 60x60 grid: each query cell {@code (r, c)} sees
 * its 9x5 self window {@code (r + dr, c + dc)}, {@code |dr| <= 4, |dc| <= 2}, plus, in the same softmax, either a 5x5
 * window of the 20x20 low-resolution grid around {@code (r / 3, c / 3)} (direct SR) or the 16 text keys with their key
 * mask (iterative SR). Window cells outside a grid score exactly -10000, as the kernel's "fill -10000".
 *
 * <p><b>How.</b> The grid is cut into 6x6 query tiles (100 tiles). A tile's 36 queries share one key block: the
 * 14x10 cells their self windows cover (140 keys) and, for direct SR, the 6x6 low-resolution cells their cross
 * windows cover (36 keys). Index tables built once gather those blocks from the keys and values (padded with one
 * zero row that stands for every cell outside the grid); then each tile is a small dense attention, batched over
 * heads and tiles in one {@code matmul}: {@code [B, H, 100, 36, d] x [B, H, 100, d, 140 + 36]}. An additive bias built
 * once makes it exact: 0 for a key in the query's window and in the grid, -10000 for a window cell outside the
 * grid (its zero key scores 0, so the score is exactly -10000), and -inf for a key of the block outside the query's
 * own window (weight exactly 0, as if absent).
 *
 * <p><b>Why this formulation.</b> Compared with gathering every query's own 45 (+25) keys and values
 * ({@code unfold} style), the tiles gather about 3.9 self key rows per query instead of 45 (and 1 cross row instead
 * of 25), so they move about 10x fewer bytes, and the products are small GEMMs instead of 3600 x heads
 * matrix-vector products; they compute about 3x more scores than needed, which costs far less than the gathers
 * save. Dense attention over all 4000 keys with a mask computes about 57x more scores than needed and materialises
 * 14.4M scores per head. Measured numbers are in {@link LibtorchSuperResolution}: tiles were 8x faster than
 * per-query windows and 17x faster than dense attention.
 */
final class LibtorchSrLocalAttention {

    static final int SIDE = 60;
    static final int LOW_SIDE = 20;
    /** Query tiles are TILE x TILE cells; 60 is a multiple, and so is the 3-to-1 ratio of the cross window. */
    static final int TILE = 6;
    static final int TILES_PER_SIDE = SIDE / TILE;
    static final int TILES = TILES_PER_SIDE * TILES_PER_SIDE;
    static final int QUERIES = TILE * TILE;

    /** Self window 9 rows x 5 columns; cross window 5 x 5 into the 20x20 grid. */
    static final int SELF_ROWS = 9;
    static final int SELF_COLS = 5;
    static final int CROSS_SIDE = 5;
    static final int RATIO = SIDE / LOW_SIDE;

    static final int SELF_BLOCK_ROWS = TILE + SELF_ROWS - 1;
    static final int SELF_BLOCK_COLS = TILE + SELF_COLS - 1;
    static final int SELF_KEYS = SELF_BLOCK_ROWS * SELF_BLOCK_COLS;
    static final int CROSS_BLOCK = TILE / RATIO + CROSS_SIDE - 1;
    static final int CROSS_KEYS = CROSS_BLOCK * CROSS_BLOCK;

    /** int64 {@code [TILES * SELF_KEYS]}: grid cell of each key of each tile's block, or 3600 (the zero row). */
    private final NDArray selfIndex;
    /** fp32 {@code [TILES, QUERIES, SELF_KEYS]}: 0, -10000 or -inf (see the class comment). */
    private final NDArray selfBias;
    /** int64 {@code [TILES * CROSS_KEYS]}: low-resolution cell of each cross key, or 400 (the zero row). */
    private final NDArray crossIndex;
    /** fp32 {@code [TILES, QUERIES, CROSS_KEYS]}. */
    private final NDArray crossBias;

    LibtorchSrLocalAttention(NDManager manager) {
        long[] self = new long[TILES * SELF_KEYS];
        float[] selfB = new float[TILES * QUERIES * SELF_KEYS];
        long[] cross = new long[TILES * CROSS_KEYS];
        float[] crossB = new float[TILES * QUERIES * CROSS_KEYS];
        for (int t = 0; t < TILES; t++) {
            int r0 = (t / TILES_PER_SIDE) * TILE;
            int c0 = (t % TILES_PER_SIDE) * TILE;
            // The self block starts 4 rows above and 2 columns left of the tile.
            int kr0 = r0 - SELF_ROWS / 2;
            int kc0 = c0 - SELF_COLS / 2;
            for (int j = 0; j < SELF_KEYS; j++) {
                int kr = kr0 + j / SELF_BLOCK_COLS;
                int kc = kc0 + j % SELF_BLOCK_COLS;
                self[t * SELF_KEYS + j] = inside(kr, kc, SIDE) ? (long) kr * SIDE + kc : (long) SIDE * SIDE;
            }
            // The cross block starts 2 low-resolution cells before the tile's first anchor.
            int lr0 = r0 / RATIO - CROSS_SIDE / 2;
            int lc0 = c0 / RATIO - CROSS_SIDE / 2;
            for (int j = 0; j < CROSS_KEYS; j++) {
                int lr = lr0 + j / CROSS_BLOCK;
                int lc = lc0 + j % CROSS_BLOCK;
                cross[t * CROSS_KEYS + j] = inside(lr, lc, LOW_SIDE) ? (long) lr * LOW_SIDE + lc : (long) LOW_SIDE * LOW_SIDE;
            }
            for (int u = 0; u < QUERIES; u++) {
                int r = r0 + u / TILE;
                int c = c0 + u % TILE;
                int base = (t * QUERIES + u) * SELF_KEYS;
                for (int j = 0; j < SELF_KEYS; j++) {
                    int kr = kr0 + j / SELF_BLOCK_COLS;
                    int kc = kc0 + j % SELF_BLOCK_COLS;
                    boolean window = Math.abs(kr - r) <= SELF_ROWS / 2 && Math.abs(kc - c) <= SELF_COLS / 2;
                    selfB[base + j] = bias(window, inside(kr, kc, SIDE));
                }
                int crossBase = (t * QUERIES + u) * CROSS_KEYS;
                for (int j = 0; j < CROSS_KEYS; j++) {
                    int lr = lr0 + j / CROSS_BLOCK;
                    int lc = lc0 + j % CROSS_BLOCK;
                    boolean window = Math.abs(lr - r / RATIO) <= CROSS_SIDE / 2 && Math.abs(lc - c / RATIO) <= CROSS_SIDE / 2;
                    crossB[crossBase + j] = bias(window, inside(lr, lc, LOW_SIDE));
                }
            }
        }
        selfIndex = manager.create(self);
        selfBias = manager.create(selfB, new Shape(TILES, QUERIES, SELF_KEYS));
        crossIndex = manager.create(cross);
        crossBias = manager.create(crossB, new Shape(TILES, QUERIES, CROSS_KEYS));
    }

    private static boolean inside(int r, int c, int side) {
        return r >= 0 && r < side && c >= 0 && c < side;
    }

    private static float bias(boolean inWindow, boolean inGrid) {
        if (!inWindow) {
            return Float.NEGATIVE_INFINITY;
        }
        return inGrid ? 0f : -10000f;
    }

    /**
     * Direct SR ({@code sparse_attention_2d_light}): queries, keys, values of the grid {@code [B, H, 3600, d]} (queries
     * already scaled), low-resolution keys and values {@code [B, H, 400, d]}; result {@code [B, H, 3600, d]}.
     */
    NDArray crossAndSelf(NDArray q, NDArray k, NDArray v, NDArray lowKeys, NDArray lowValues) {
        NDArray qt = toTiles(q);
        NDArray crossK = gatherBlocks(lowKeys, crossIndex, CROSS_KEYS);
        NDArray crossV = gatherBlocks(lowValues, crossIndex, CROSS_KEYS);
        NDArray crossScores = qt.matMul(crossK.transpose(0, 1, 2, 4, 3)).addi(crossBias);
        NDArray selfK = gatherBlocks(k, selfIndex, SELF_KEYS);
        NDArray selfV = gatherBlocks(v, selfIndex, SELF_KEYS);
        NDArray selfScores = qt.matMul(selfK.transpose(0, 1, 2, 4, 3)).addi(selfBias);
        // One softmax over [cross | self], as the kernel's caller concatenates them.
        NDArray p = crossScores.concat(selfScores, -1).softmax(-1);
        NDArray out = p.get("..., :" + CROSS_KEYS).matMul(crossV)
                .addi(p.get("..., " + CROSS_KEYS + ":").matMul(selfV));
        return fromTiles(out);
    }

    /**
     * Iterative SR ({@code sparse_attention_2d_text}): grid queries, keys, values {@code [B, H, 3600, d]} (queries
     * scaled), text keys and values {@code [B, H, 16, d]}, the text key mask {@code [16]}; result
     * {@code [B, H, 3600, d]}.
     */
    NDArray textAndSelf(NDArray q, NDArray k, NDArray v, NDArray textKeys, NDArray textValues, LibtorchSrOps.Mask textMask) {
        NDArray qt = toTiles(q);
        int text = (int) textKeys.getShape().get(2);
        // [B, H, 1, d, 16]: every tile sees the same text keys (matmul broadcasts over the tile axis).
        NDArray textScores = textMask.apply(qt.matMul(textKeys.transpose(0, 1, 3, 2).expandDims(2)));
        NDArray selfK = gatherBlocks(k, selfIndex, SELF_KEYS);
        NDArray selfV = gatherBlocks(v, selfIndex, SELF_KEYS);
        NDArray selfScores = qt.matMul(selfK.transpose(0, 1, 2, 4, 3)).addi(selfBias);
        NDArray p = textScores.concat(selfScores, -1).softmax(-1);
        NDArray out = p.get("..., :" + text).matMul(textValues.expandDims(2))
                .addi(p.get("..., " + text + ":").matMul(selfV));
        return fromTiles(out);
    }

    /** {@code [B, H, 3600, d]} in raster order to {@code [B, H, 100, 36, d]}, tile by tile. */
    private static NDArray toTiles(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(1);
        long d = s.get(3);
        return x.reshape(b, h, TILES_PER_SIDE, TILE, TILES_PER_SIDE, TILE, d)
                .transpose(0, 1, 2, 4, 3, 5, 6)
                .reshape(b, h, TILES, QUERIES, d);
    }

    /** The inverse of {@link #toTiles}. */
    private static NDArray fromTiles(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(1);
        long d = s.get(4);
        return x.reshape(b, h, TILES_PER_SIDE, TILES_PER_SIDE, TILE, TILE, d)
                .transpose(0, 1, 2, 4, 3, 5, 6)
                .reshape(b, h, (long) SIDE * SIDE, d);
    }

    /**
     * The key blocks of every tile: {@code x} {@code [B, H, n, d]} padded with one zero row (index n, the stand-in for
     * cells outside the grid), rows picked by {@code index}: {@code [B, H, TILES, keys, d]}.
     */
    private static NDArray gatherBlocks(NDArray x, NDArray index, int keys) {
        Shape s = x.getShape();
        NDArray padded = x.concat(x.getManager().zeros(new Shape(s.get(0), s.get(1), 1, s.get(3))), 2);
        return padded.get(new NDIndex(":, :, {}", index)).reshape(s.get(0), s.get(1), TILES, keys, s.get(3));
    }
}
