package org.cogview2.models.coglm;

import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.models.transformer.CachedSelfAttention;
import org.cogview2.models.transformer.KvCache;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * SAT's {@code filling_sequence} (spec 02 §2.7) with a KV cache: given a sequence in which -1 marks positions to
 * generate, it runs one prefill up to the first -1 with batch 1 (shared by every sample), then, for each position
 * to generate, one forward pass over the positions not yet in the cache (the last sampled token, plus any provided
 * tokens that followed it) and lets each sample choose its token from the logits of the last position. Provided
 * tokens after the first -1 are fed, not sampled (text-guided completion).
 */
public final class FillingSequence {

    private final SatTransformer transformer;
    private final Backend backend;

    public FillingSequence(SatTransformer transformer, Backend backend) {
        this.transformer = transformer;
        this.backend = backend;
    }

    /**
     * Fills {@code seq} for {@code batch} samples numbered {@code firstSample ..}.
     *
     * @return the completed sequences, {@code [batch][seq.length]}
     */
    public int[][] fill(int[] seq, SequenceLayout layout, long firstSample, int batch, TokenChooser chooser,
                        RunControl control, Stage stage, StepObserver observer) {
        int n = seq.length;
        if (layout.length() != n) {
            throw new IllegalArgumentException("layout of " + layout.length() + " positions for a sequence of " + n);
        }
        int firstFree = 0;
        while (firstFree < n && seq[firstFree] >= 0) {
            firstFree++;
        }
        if (firstFree == 0 || firstFree == n) {
            throw new IllegalArgumentException("the sequence needs given tokens followed by positions to generate (-1)");
        }
        int toGenerate = 0;
        for (int v : seq) {
            if (v < 0) {
                toGenerate++;
            }
        }
        int[][] rows = new int[batch][];
        for (int b = 0; b < batch; b++) {
            rows[b] = seq.clone();
        }
        int layers = transformer.config().numLayers();
        int width = transformer.config().numAttentionHeads() * transformer.config().headDim();
        // The last position is never fed back: the cache holds at most n - 1 positions.
        int capacity = n - 1;
        int step = 0;
        try (TensorScope run = backend.newScope()) {
            control.step(stage, 0, toGenerate);
            KvCache cache;
            float[] logits;
            try (KvCache prefill = new KvCache(run, transformer.kernels(), layers, 1, capacity, width)) {
                logits = forward(prefill, layout, java.util.Arrays.copyOf(seq, firstFree), 0, firstFree, 1);
                cache = prefill.broadcast(run, batch);
            }
            int counter = firstFree - 1;     // last index whose token is known to every row
            int rowsOfLogits = 1;
            while (true) {
                int[] chosen = new int[batch];
                for (int b = 0; b < batch; b++) {
                    chosen[b] = chooser.choose(logits, rowsOfLogits == 1 ? 0 : b * SatTransformer.IMAGE_TOKENS, firstSample + b, step);
                    rows[b][counter + 1] = chosen[b];
                }
                observer.onStep(step, logits, rowsOfLogits, chosen);
                counter++;
                step++;
                int from = counter;
                while (counter + 1 < n && seq[counter + 1] >= 0) {
                    counter++; // a provided token: fed with the next forward pass, never sampled
                    for (int b = 0; b < batch; b++) {
                        rows[b][counter] = seq[counter];
                    }
                }
                if (counter + 1 >= n) {
                    break;
                }
                control.step(stage, step, toGenerate);
                int count = counter - from + 1;
                int[] ids = new int[batch * count];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(rows[b], from, ids, b * count, count);
                }
                logits = forward(cache, layout, ids, from, count, batch);
                rowsOfLogits = batch;
            }
            control.listener().onProgress(stage, toGenerate, toGenerate);
        }
        return rows;
    }

    /**
     * One forward pass over indices {@code [from, from + count)} for every row of the batch, appending to the cache;
     * returns the image logits of the last position, {@code [batch, 20000]}.
     */
    private float[] forward(KvCache cache, SequenceLayout layout, int[] ids, int from, int count, int batch) {
        try (TensorScope step = backend.newScope()) {
            Tensor idTensor = step.fromInts(ids, Shape.of(batch, count));
            Tensor positions = step.fromInts(layout.positions(from, count), Shape.of(count));
            int keys = from + count;
            // A single query row that sees every earlier key needs no mask (SAT skips masking then too).
            Tensor mask = layout.allVisible(from, count) ? null : step.fromFloats(layout.maskRows(from, count), Shape.of(count, keys));
            Tensor bias = step.fromFloats(layout.biasRows(from, count), Shape.of(count, keys));
            Tensor x = transformer.embed(step, idTensor, positions);
            Tensor h = transformer.layers(step, x, new CachedSelfAttention(transformer, cache, mask, bias));
            cache.advance(count);
            Tensor last = count == 1 ? h : transformer.kernels().slice(step, h, 1, count - 1, 1);
            Tensor logits = transformer.imageLogits(step, transformer.finalNorm(step, last));
            return step.readFloats(logits);
        }
    }
}
