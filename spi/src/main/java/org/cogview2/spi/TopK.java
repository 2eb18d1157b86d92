package org.cogview2.spi;

/**
 * The {@code k} largest entries of each row: {@code values} (F32) and {@code indices} (I32), both of shape
 * {@code [rows..., k]}, sorted descending; equal values keep the lower index first.
 */
public record TopK(Tensor values, Tensor indices) {
}
