package org.cogview2.models.sr;

import org.cogview2.models.transformer.MixinWeights;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.Refiner;
import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.api.TokenGrid;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sampling.TopKStrategy;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.sampling.RowDraws;

import java.util.ArrayList;
import java.util.List;

/**
 * Stage 3: iterative super-resolution with local parallel autoregression (spec 02 §7). Six passes; pass
 * {@code it} sets the cells of the {@link LoparSchedule} with value {@code >= it} to {@code <start_of_image>}, runs
 * one forward pass and re-samples exactly those cells with top-k sampling. 6 sequential forward passes produce what
 * plain autoregression would need 3600 for.
 */
public final class IterativeSuperResolution implements Refiner {

    public static final int MAX_BATCH = 4;
    private static final int CELLS_PER_BLOCK = 400;

    private final SatTransformer transformer;
    private final MixinWeights weights;
    private final Backend backend;
    private final int startOfImage;

    private final int imageTokens;

    public IterativeSuperResolution(SatTransformer transformer, MixinWeights weights, Backend backend, int startOfImage) {
        this(transformer, weights, backend, startOfImage, SatTransformer.IMAGE_TOKENS);
    }

    /**
     * @param imageTokens ids {@code 0 .. imageTokens-1} are drawn (the image tokenizer's codes: 20000 for the official
     *                    one); the others never are
     */
    public IterativeSuperResolution(SatTransformer transformer, MixinWeights weights, Backend backend, int startOfImage,
                                    int imageTokens) {
        if (imageTokens < 1 || imageTokens > SatTransformer.IMAGE_TOKENS) {
            throw new IllegalArgumentException("image tokens must be in 1.." + SatTransformer.IMAGE_TOKENS + ", got " + imageTokens);
        }
        this.imageTokens = imageTokens;
        this.transformer = transformer;
        this.weights = weights;
        this.backend = backend;
        this.startOfImage = startOfImage;
    }

    /** Sees each pass: its input grids and the argmax of its logits at every cell (tests, traces). */
    @FunctionalInterface
    public interface PassObserver {
        PassObserver NONE = (pass, sample, input, output) -> { };

        void onPass(int pass, long sample, int[] inputGrid, int[] outputGrid);
    }

    @Override
    public List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean greedy, long seed, RunControl control) {
        return refine(textIds, grids, null, greedy, seed, control);
    }

    @Override
    public List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean[] editable, boolean greedy, long seed, RunControl control) {
        DrawSource draws = greedy ? DrawSource.mode() : DrawSource.seeded(seed, 3);
        return refine(textIds, grids, editable, draws, control, PassObserver.NONE);
    }

    /** With explicit draws and a view of every pass. */
    public List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean[] editable, DrawSource draws,
                                  RunControl control, PassObserver observer) {
        if (editable != null && editable.length != IterSrLayout.CELLS) {
            throw new InvalidInputException("the editable mask needs " + IterSrLayout.CELLS + " flags, got " + editable.length);
        }
        for (int i = 0; i < grids.size(); i++) {
            if (grids.get(i).side() != IterSrLayout.SIDE) {
                throw new InvalidInputException("iterative super-resolution takes 60x60 grids, sample " + i + " is " + grids.get(i));
            }
        }
        IterSrLayout layout = IterSrLayout.of(textIds);
        int chunks = (grids.size() + MAX_BATCH - 1) / MAX_BATCH;
        int total = chunks * LoparSchedule.PASSES;
        List<TokenGrid> out = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            int first = c * MAX_BATCH;
            int batch = Math.min(MAX_BATCH, grids.size() - first);
            int[][] current = new int[batch][];
            for (int b = 0; b < batch; b++) {
                current[b] = grids.get(first + b).ids();
            }
            for (int pass = 1; pass <= LoparSchedule.PASSES; pass++) {
                control.step(Stage.REFINE, c * LoparSchedule.PASSES + pass - 1, total);
                boolean[] remask = new boolean[IterSrLayout.CELLS];
                for (int cell = 0; cell < remask.length; cell++) {
                    remask[cell] = LoparSchedule.remasked(pass, cell, IterSrLayout.SIDE) && (editable == null || editable[cell]);
                }
                for (int[] grid : current) {
                    for (int cell = 0; cell < remask.length; cell++) {
                        if (remask[cell]) {
                            grid[cell] = startOfImage;
                        }
                    }
                }
                current = pass(layout, current, remask, LoparSchedule.topK(pass), pass, first, draws, observer);
            }
            for (int[] grid : current) {
                out.add(TokenGrid.of(IterSrLayout.SIDE, grid));
            }
        }
        control.listener().onProgress(Stage.REFINE, total, total);
        return out;
    }

    /** One forward pass and the re-sampling of the masked cells. */
    private int[][] pass(IterSrLayout layout, int[][] grids, boolean[] remask, int topK, int pass, int firstSample,
                         DrawSource draws, PassObserver observer) {
        int[] masked = java.util.stream.IntStream.range(0, remask.length).filter(i -> remask[i]).toArray();
        int[][] next = new int[grids.length][];
        try (TensorScope scope = backend.newScope()) {
            Tensor hidden = forward(scope, layout, grids);
            for (int b = 0; b < grids.length; b++) {
                next[b] = grids[b].clone();
                long sample = firstSample + b;
                for (int from = 0; from < masked.length; from += CELLS_PER_BLOCK) {
                    int count = Math.min(CELLS_PER_BLOCK, masked.length - from);
                    int[] cells = java.util.Arrays.copyOfRange(masked, from, from + count);
                    long[] samples = new long[count];
                    int[] steps = new int[count];
                    for (int i = 0; i < count; i++) {
                        samples[i] = sample;
                        steps[i] = (pass - 1) * IterSrLayout.CELLS + cells[i];
                    }
                    RowDraws rows = draws.rows(samples, steps);
                    if (rows != null) {
                        // On the backend: only the ids come back.
                        int[] ids = sampleOnBackend(hidden, b, cells, topK, rows);
                        for (int i = 0; i < count; i++) {
                            next[b][cells[i]] = ids[i];
                        }
                        continue;
                    }
                    float[] logits = cellLogits(hidden, b, cells);
                    for (int i = 0; i < count; i++) {
                        next[b][cells[i]] = TopKStrategy.choose(logits, i * SatTransformer.IMAGE_TOKENS,
                                imageTokens, topK, sample, steps[i], draws);
                    }
                }
                observer.onPass(pass, sample, grids[b].clone(), next[b].clone());
            }
        }
        return next;
    }

    /** The model inputs of one grid: ids and positions (3616 each). */
    public int[][] inputs(int[] textIds, int[] grid) {
        IterSrLayout layout = IterSrLayout.of(textIds);
        return new int[][]{layout.ids(grid), layout.positions()};
    }

    /** One forward pass over grids (cells to re-sample already set to {@code <start_of_image>}): final LayerNorm output {@code [b, 3616, h]}. */
    public Tensor forward(TensorScope s, int[] textIds, int[][] grids) {
        return forward(s, IterSrLayout.of(textIds), grids);
    }

    private Tensor forward(TensorScope s, IterSrLayout layout, int[][] grids) {
        int batch = grids.length;
        int[] ids = new int[batch * IterSrLayout.LENGTH];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(layout.ids(grids[b]), 0, ids, b * IterSrLayout.LENGTH, IterSrLayout.LENGTH);
        }
        SrPositionEmbedding positions = new SrPositionEmbedding(transformer, weights.extraPositions(), IterSrLayout.TEXT_SLOTS);
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor keyMask = tmp.fromFloats(layout.textKeyMask(), Shape.of(IterSrLayout.TEXT_SLOTS));
            Tensor mask0 = tmp.fromFloats(layout.levelZeroMask(), Shape.of(IterSrLayout.TEXT_SLOTS, IterSrLayout.TEXT_SLOTS));
            Tensor x = positions.embed(tmp, ids, batch, layout.positions());
            Tensor h = transformer.layers(tmp, x, new IterSrAttention(transformer, keyMask, mask0));
            return transformer.finalNorm(s, h);
        }
    }

    /** Image logits of the given grid cells of sample {@code b} (cell k reads input index 16 + k: no shift). */
    public float[] cellLogits(Tensor hidden, int b, int[] cells) {
        try (TensorScope tmp = backend.newScope()) {
            return tmp.readFloats(logitsOf(tmp, hidden, b, cells));
        }
    }

    private Tensor logitsOf(TensorScope tmp, Tensor hidden, int b, int[] cells) {
        Tensor rows = tmp.reshape(tmp.narrow(hidden, b, 1), Shape.of(IterSrLayout.LENGTH, hidden.shape().dim(2)));
        int[] index = new int[cells.length];
        for (int i = 0; i < cells.length; i++) {
            index[i] = IterSrLayout.TEXT_SLOTS + cells[i];
        }
        Tensor picked = transformer.kernels().embedding(tmp, rows, tmp.fromInts(index, Shape.of(index.length)));
        return transformer.imageLogits(tmp, picked);
    }

    /** The backend's {@code sampleTopK} over the usable image ids of the cells' logits. */
    private int[] sampleOnBackend(Tensor hidden, int b, int[] cells, int topK, RowDraws rows) {
        try (TensorScope tmp = backend.newScope()) {
            Tensor logits = tmp.reshape(logitsOf(tmp, hidden, b, cells), Shape.of(cells.length, SatTransformer.IMAGE_TOKENS));
            if (imageTokens < SatTransformer.IMAGE_TOKENS) {
                logits = transformer.kernels().slice(tmp, logits, 1, 0, imageTokens);
            }
            return tmp.readInts(transformer.kernels().sampleTopK(tmp, logits, topK, rows));
        }
    }
}
