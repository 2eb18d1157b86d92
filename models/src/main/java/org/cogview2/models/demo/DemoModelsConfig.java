package org.cogview2.models.demo;

import org.cogview2.api.SpecialToken;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TransformerConfig;

import java.util.Map;

/** The hyper-parameters of the demo transformers: the released architecture at 2 layers, hidden 64, 4 heads. */
public final class DemoModelsConfig {

    private DemoModelsConfig() {
    }

    public static TransformerConfig transformer() {
        int vocab = 20000 + DemoTokenizer.model().pieces().size() + SpecialToken.values().length;
        return new TransformerConfig(2, 64, 4, vocab, 1024, LayerNormOrder.SANDWICH, 256, 16, Map.of());
    }
}
