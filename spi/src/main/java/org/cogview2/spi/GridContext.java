package org.cogview2.spi;

/**
 * The extra keys a 60x60-grid query attends to besides its local self window, in the same softmax
 * (see {@link Kernels#gridAttention}).
 */
public sealed interface GridContext {

    /**
     * Direct super-resolution ({@code sparse_attention_2d_light}): a local window into a coarser key grid of
     * {@code side x side} cells; query cell {@code (r, c)} of the fine grid is anchored at
     * {@code (r / ratio, c / ratio)} with {@code ratio = fineSide / side}.
     *
     * @param keys   F32 {@code [B, side*side, heads*headDim]}
     * @param values F32, same shape as {@code keys}
     */
    record CrossGrid(Tensor keys, Tensor values, int side, LocalWindow window) implements GridContext {
    }

    /**
     * Iterative super-resolution ({@code sparse_attention_2d_text}): every query also sees all {@code n} text
     * keys, those with {@code keyMask[j] == 0} scoring exactly -10000.
     *
     * @param keys    F32 {@code [B, n, heads*headDim]}
     * @param values  F32, same shape as {@code keys}
     * @param keyMask F32 {@code [n]} of 0/1, or {@code null} when every key is visible
     */
    record GlobalKeys(Tensor keys, Tensor values, Tensor keyMask) implements GridContext {
    }
}
