package org.cogview2.models.pipeline;

import org.cogview2.api.InsufficientMemoryException;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.spi.Backend;

import java.util.Locale;

/**
 * What a run will allocate on the backend at its peak, estimated from the model's hyper-parameters before anything
 * is allocated: the KV cache of stage 1, the activations of the widest forward pass (the 4096-position DSR pass, the
 * 3616-position iterative-SR pass, or the VQ-VAE decoder at 480x480) and the logit blocks. Stages run one after
 * another and free their memory, so the run needs the largest of them, not the sum. The estimate errs on the high
 * side (every intermediate of a layer counted as alive at once).
 *
 * @param what  the stage with the largest need
 * @param bytes its estimated peak
 */
public record MemoryEstimate(String what, long bytes) {

    private static final long FLOAT = 4;
    private static final int IMAGE_TOKENS = 20000;

    /** Stage 1 for {@code batch} samples: KV cache of every layer plus one step's activations and logits. */
    static MemoryEstimate stage1(TransformerConfig c, int batch, int promptLength) {
        long positions = promptLength + 400L;
        long cache = 2L * c.numLayers() * batch * positions * c.attentionWidth() * FLOAT;
        long prefill = positions * (c.innerHiddenSize() + 10L * c.hiddenSize()) * FLOAT
                + (long) c.numAttentionHeads() * positions * positions * FLOAT;
        long step = batch * ((c.innerHiddenSize() + 10L * c.hiddenSize()) + 2L * IMAGE_TOKENS) * FLOAT;
        return new MemoryEstimate("stage 1 (KV cache of " + batch + " samples)", cache + Math.max(prefill, step));
    }

    /** One forward pass over {@code positions} positions for {@code batch} samples, plus a 400-row logit block. */
    static MemoryEstimate forward(String what, TransformerConfig c, int batch, int positions) {
        long perPosition = (c.innerHiddenSize() + 12L * c.hiddenSize()) * FLOAT;
        long logits = 400L * IMAGE_TOKENS * FLOAT;
        return new MemoryEstimate(what, batch * positions * perPosition + logits);
    }

    /** The largest of several estimates. */
    static MemoryEstimate largest(MemoryEstimate... estimates) {
        MemoryEstimate best = estimates[0];
        for (MemoryEstimate e : estimates) {
            if (e.bytes > best.bytes) {
                best = e;
            }
        }
        return best;
    }

    /**
     * Refuses the run with the numbers when the backend says it cannot hold it. A JVM heap counts garbage as used,
     * so a collection is requested once before refusing.
     */
    void check(Backend backend, String run) {
        long available = backend.availableBytes();
        if (available < 0 || bytes <= available) {
            return;
        }
        System.gc();
        available = backend.availableBytes();
        if (bytes > available) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT,
                    "%s needs about %.1f MiB on backend %s at its peak (%s) but only %.1f MiB are available; "
                            + "use fewer samples or give the backend more memory (for a JVM backend: a larger -Xmx)",
                    run, bytes / 1048576.0, backend.name(), what, available / 1048576.0));
        }
    }
}
