package org.cogview2.checkpoint;

/**
 * Where a SAT transformer layer applies its LayerNorms ({@code layernorm_order} in {@code model_config.json}).
 * CogView2's models use {@link #SANDWICH}, which adds {@code third_layernorm} and {@code fourth_layernorm}.
 */
public enum LayerNormOrder {
    /** {@code 'pre'}: normalise the input of attention and MLP (SAT's default). */
    PRE("pre"),
    /** {@code 'post'}: SAT's variant whose residuals start from the normalised tensors. */
    POST("post"),
    /** {@code 'sandwich'}: pre-LN plus a LayerNorm on the attention and MLP outputs (Sandwich-LN). */
    SANDWICH("sandwich");

    private final String jsonName;

    LayerNormOrder(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The value as written in {@code model_config.json}. */
    public String jsonName() {
        return jsonName;
    }

    /** The order for a {@code model_config.json} value, or {@code null} if it is none of the three. */
    public static LayerNormOrder fromJson(String value) {
        for (LayerNormOrder o : values()) {
            if (o.jsonName.equals(value)) {
                return o;
            }
        }
        return null;
    }
}
