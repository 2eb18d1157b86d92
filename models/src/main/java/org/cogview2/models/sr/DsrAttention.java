package org.cogview2.models.sr;

import org.cogview2.models.transformer.MixinWeights;

import org.cogview2.models.transformer.LayerAttention;
import org.cogview2.models.transformer.LayerWeights;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * DSR's attention hook ({@code DsrModel.attention_forward} with {@code sparse_attention_2d_light}, spec 02 §5.3,
 * §5.6): level 0 (pads, text, 20x20 image; indices below 496) runs standard attention with the layer's own
 * projections and the level-0 mask; level 1 (the 60x60 grid) is projected by {@code attention_plus} and attends,
 * in one softmax, to a 5x5 window of the 20x20 level-0 keys and a 9x5 window of its own grid.
 */
record DsrAttention(SatTransformer transformer, MixinWeights plus, Tensor levelZeroMask) implements LayerAttention {

    static final LocalWindow SELF_WINDOW = LocalWindow.of(9, 5);
    static final LocalWindow CROSS_WINDOW = LocalWindow.of(5, 5);

    @Override
    public Tensor apply(TensorScope s, int layer, LayerWeights w, Tensor a) {
        Kernels k = transformer.kernels();
        int heads = transformer.config().numAttentionHeads();
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor a0 = k.slice(tmp, a, 1, 0, DsrLayout.LEVEL0);
            Tensor a1 = k.slice(tmp, a, 1, DsrLayout.LEVEL0, DsrLayout.LENGTH - DsrLayout.LEVEL0);
            SatTransformer.QueryKeyValue low = transformer.queryKeyValue(tmp, a0, w.queryKeyValue());
            SatTransformer.QueryKeyValue high = transformer.queryKeyValue(tmp, a1, plus.plusQueryKeyValue().get(layer));

            Tensor context0 = k.attention(tmp, low.query(), low.key(), low.value(), heads, DsrLayout.LEVEL0, levelZeroMask, null);
            // The cross window reads the last 400 level-0 keys/values: the 20x20 low-resolution image.
            Tensor imageKeys = k.slice(tmp, low.key(), 1, DsrLayout.TEXT_SLOTS, 400);
            Tensor imageValues = k.slice(tmp, low.value(), 1, DsrLayout.TEXT_SLOTS, 400);
            Tensor context1 = k.gridAttention(tmp, high.query(), high.key(), high.value(), heads, DsrLayout.HIGH_SIDE,
                    SELF_WINDOW, new GridContext.CrossGrid(imageKeys, imageValues, DsrLayout.LOW_SIDE, CROSS_WINDOW));

            Tensor out0 = transformer.linear(tmp, context0, w.attentionDense());
            Tensor out1 = transformer.linear(tmp, context1, plus.plusDense().get(layer));
            return k.concat(s, 1, out0, out1);
        }
    }
}
