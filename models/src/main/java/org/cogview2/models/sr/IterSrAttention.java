package org.cogview2.models.sr;

import org.cogview2.models.transformer.LayerAttention;
import org.cogview2.models.transformer.LayerWeights;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * Iterative SR's attention hook ({@code ItersrModel.attention_forward} with {@code sparse_attention_2d_text}, spec 02
 * §5.4, §5.6): one QKV projection for all 3616 positions; the 16 text slots attend among themselves (pads masked);
 * each 60x60 cell attends, in one softmax, to every text key (pads at -10000) and a 9x5 window of the grid; one
 * dense projection for all positions.
 */
record IterSrAttention(SatTransformer transformer, Tensor textKeyMask, Tensor levelZeroMask) implements LayerAttention {

    static final LocalWindow SELF_WINDOW = LocalWindow.of(9, 5);

    @Override
    public Tensor apply(TensorScope s, int layer, LayerWeights w, Tensor a) {
        Kernels k = transformer.kernels();
        int heads = transformer.config().numAttentionHeads();
        try (TensorScope tmp = s.backend().newScope()) {
            SatTransformer.QueryKeyValue qkv = transformer.queryKeyValue(tmp, a, w.queryKeyValue());
            int t = IterSrLayout.TEXT_SLOTS;
            int cells = IterSrLayout.CELLS;
            Tensor q0 = k.slice(tmp, qkv.query(), 1, 0, t);
            Tensor k0 = k.slice(tmp, qkv.key(), 1, 0, t);
            Tensor v0 = k.slice(tmp, qkv.value(), 1, 0, t);
            Tensor q1 = k.slice(tmp, qkv.query(), 1, t, cells);
            Tensor k1 = k.slice(tmp, qkv.key(), 1, t, cells);
            Tensor v1 = k.slice(tmp, qkv.value(), 1, t, cells);

            Tensor context0 = k.attention(tmp, q0, k0, v0, heads, t, levelZeroMask, null);
            Tensor context1 = k.gridAttention(tmp, q1, k1, v1, heads, IterSrLayout.SIDE, SELF_WINDOW,
                    new GridContext.GlobalKeys(k0, v0, textKeyMask));
            return transformer.linear(s, k.concat(tmp, 1, context0, context1), w.attentionDense());
        }
    }
}
