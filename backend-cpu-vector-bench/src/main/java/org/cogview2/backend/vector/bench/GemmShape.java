package org.cogview2.backend.vector.bench;

import java.util.List;

/**
 * A linear-layer product {@code y[M,N] = x[M,K] . w[N,K]^T} at a shape CogLM runs (hidden size h, FFN 4h, fused QKV
 * 3h): decode steps (1..8 rows), a prefill of the prompt and the 400 image tokens, the 4096-row passes of the
 * super-resolution models, and the 2048^3 square for orientation.
 */
public record GemmShape(String name, int m, int n, int k) {

    public double flops() {
        return 2.0 * m * n * k;
    }

    public static GemmShape parse(String name) {
        return all().stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape " + name + "; known: " + all()));
    }

    public static List<GemmShape> all() {
        return List.of(
                new GemmShape("square2048", 2048, 2048, 2048),
                new GemmShape("decode1_h1024_qkv", 1, 3 * 1024, 1024),
                new GemmShape("decode1_h2048_qkv", 1, 3 * 2048, 2048),
                new GemmShape("decode1_h3072_qkv", 1, 3 * 3072, 3072),
                new GemmShape("decode1_h3072_ffn_in", 1, 4 * 3072, 3072),
                new GemmShape("decode8_h3072_qkv", 8, 3 * 3072, 3072),
                new GemmShape("decode8_h3072_ffn_out", 8, 3072, 4 * 3072),
                new GemmShape("prefill512_h1024_ffn_in", 512, 4 * 1024, 1024),
                new GemmShape("prefill512_h2048_qkv", 512, 3 * 2048, 2048),
                new GemmShape("prefill512_h3072_dense", 512, 3072, 3072),
                new GemmShape("sr4096_h1024_dense", 4096, 1024, 1024),
                new GemmShape("sr4096_h3072_dense", 4096, 3072, 3072));
    }

    @Override
    public String toString() {
        return name + " (M=" + m + " N=" + n + " K=" + k + ")";
    }
}
