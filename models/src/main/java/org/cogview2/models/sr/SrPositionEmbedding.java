package org.cogview2.models.sr;

import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * The position hook of both super-resolution models (spec 02 §5.6): sequence indices before {@code split} look up
 * the base table {@code transformer.position_embeddings}; the rest look up the extra table
 * {@code mixins.extra_position_embedding} at {@code position - max_sequence_length} (the 60x60 cells have
 * positions 1024 + k, so with the released 1024-row base table the extra index is the cell index k).
 */
record SrPositionEmbedding(SatTransformer transformer, Tensor extraTable, int split) {

    /** Position embeddings {@code [L, h]} of the given position ids. */
    Tensor embed(TensorScope s, int[] positions) {
        int msl = transformer.config().maxSequenceLength();
        int[] base = new int[split];
        int[] extra = new int[positions.length - split];
        System.arraycopy(positions, 0, base, 0, split);
        for (int i = 0; i < extra.length; i++) {
            extra[i] = positions[split + i] - msl;
            if (extra[i] < 0 || extra[i] >= extraTable.shape().dim(0)) {
                throw new IllegalArgumentException("position " + positions[split + i] + " is outside the extra position table");
            }
        }
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor first = transformer.positionEmbedding(tmp, tmp.fromInts(base, Shape.of(base.length)));
            Tensor second = transformer.kernels().embedding(tmp, extraTable, tmp.fromInts(extra, Shape.of(extra.length)));
            return transformer.kernels().concat(s, 0, first, second);
        }
    }

    /** {@code W_word[ids] + positions}, ids {@code [B, L]}. */
    Tensor embed(TensorScope s, int[] ids, int batch, int[] positions) {
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor word = transformer.wordEmbedding(tmp, tmp.fromInts(ids, Shape.of(batch, positions.length)));
            return transformer.kernels().add(s, word, embed(tmp, positions));
        }
    }
}
