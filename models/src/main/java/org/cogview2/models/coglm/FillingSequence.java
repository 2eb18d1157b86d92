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
        // Without an observer of the logits, a chooser that can sample on the backend does: only ids come back.
        TokenChooser.OnBackend onBackend = observer == StepObserver.NONE ? chooser.onBackend() : null;
        try (TensorScope run = backend.newScope()) {
            control.step(stage, 0, toGenerate);
            KvCache cache;
            int[] chosen;
            try (KvCache prefill = new KvCache(run, transformer.kernels(), layers, 1, capacity, width)) {
                chosen = forwardAndChoose(run, prefill, layout, java.util.Arrays.copyOf(seq, firstFree), 0, firstFree,
                        1, batch, firstSample, step, chooser, onBackend, observer);
                cache = prefill.broadcast(run, batch);
            }
            int counter = firstFree - 1;     // last index whose token is known to every row
            while (true) {
                for (int b = 0; b < batch; b++) {
                    rows[b][counter + 1] = chosen[b];
                }
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
                chosen = forwardAndChoose(run, cache, layout, ids, from, count, batch, batch, firstSample, step, chooser,
                        onBackend, observer);
            }
            control.listener().onProgress(stage, toGenerate, toGenerate);
        }
        return rows;
    }

    /**
     * One forward pass ({@link #forward}) and each sample's choice from the image logits of the last position: on the
     * backend when {@code onBackend} is given (the shared prefill row repeated for every sample), else on the host
     * from the read-back logits, which the observer then sees.
     */
    private int[] forwardAndChoose(TensorScope run, KvCache cache, SequenceLayout layout, int[] ids, int from, int count,
                                   int rowsOfLogits, int batch, long firstSample, int step, TokenChooser chooser,
                                   TokenChooser.OnBackend onBackend, StepObserver observer) {
        try (TensorScope scope = backend.newScope()) {
            Tensor logits = forward(scope, cache, layout, ids, from, count, rowsOfLogits);
            if (onBackend != null) {
                if (rowsOfLogits < batch) {
                    Tensor[] copies = new Tensor[batch];
                    java.util.Arrays.fill(copies, logits);
                    logits = transformer.kernels().concat(scope, 0, copies);
                }
                return onBackend.choose(run, scope, logits, firstSample, step);
            }
            float[] values = scope.readFloats(logits);
            int[] chosen = new int[batch];
            for (int b = 0; b < batch; b++) {
                chosen[b] = chooser.choose(values, rowsOfLogits == 1 ? 0 : b * SatTransformer.IMAGE_TOKENS, firstSample + b, step);
            }
            observer.onStep(step, values, rowsOfLogits, chosen);
            return chosen;
        }
    }

    /**
     * One forward pass over indices {@code [from, from + count)} for every row of the batch, appending to the cache;
     * returns the image logits of the last position, {@code [batch, 20000]}, in {@code step}.
     */
    private Tensor forward(TensorScope step, KvCache cache, SequenceLayout layout, int[] ids, int from, int count, int batch) {
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
        return step.reshape(logits, Shape.of(batch, SatTransformer.IMAGE_TOKENS));
    }
}
