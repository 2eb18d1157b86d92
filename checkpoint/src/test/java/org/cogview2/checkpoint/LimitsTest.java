package org.cogview2.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounds of {@link Limits} hold, and pickles built to sit just inside the default bounds stay within the
 * stated worst-case heap allocation ({@link #WORST_CASE_ALLOCATION}) and finish quickly (no quadratic path).
 */
class LimitsTest {

    /** Stated bound on the heap one open may allocate for any input within the default limits. */
    static final long WORST_CASE_ALLOCATION = 256L << 20;

    private static long allocated(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long a0 = mx.getCurrentThreadAllocatedBytes();
        r.run();
        return mx.getCurrentThreadAllocatedBytes() - a0;
    }

    @Test
    void opcodeLimitStopsARunawayPickle() {
        PickleEmitter p = new PickleEmitter().proto(2);
        for (int i = 0; i < 2000; i++) {
            p.none().raw('0');
        }
        byte[] zip = Ckpt.zip(p.none().stop().toByteArray());
        CheckpointLimitException e = assertThrows(CheckpointLimitException.class,
                () -> Ckpt.parse(zip, PickleAllowList.weightsOnly(), Limits.DEFAULT.withMaxOpcodes(1000)));
        assertEquals("maxOpcodes", e.limit());
        assertTrue(e.getMessage().contains("more than 1000 opcodes"), e.getMessage());
        try (TorchCheckpoint c = Ckpt.parse(zip)) {
            assertEquals(null, c.root());
        }
    }

    @Test
    void pickleSizeLimitIsCheckedBeforeParsing() {
        byte[] zip = Ckpt.zip(new PickleEmitter().proto(2).string("x".repeat(500)).stop().toByteArray());
        CheckpointLimitException e = assertThrows(CheckpointLimitException.class,
                () -> Ckpt.parse(zip, PickleAllowList.weightsOnly(), Limits.DEFAULT.withMaxPickleBytes(100)));
        assertEquals("maxPickleBytes", e.limit());
    }

    /** Opcodes a legitimate checkpoint needs are far below the limit: the golden coglm uses about 1 500. */
    @Test
    void limitsLeaveLargeHeadroomForRealCheckpoints() {
        assertTrue(Limits.DEFAULT.maxOpcodes() >= 1_000_000);
        assertTrue(Limits.DEFAULT.maxPickleBytes() >= 8L << 20);
    }

    private record Worst(String name, Supplier<byte[]> zip) {
    }

    @Test
    @Timeout(60)
    void picklesAtTheDefaultLimitsStayWithinTheStatedAllocationBound() {
        int ops = (int) Limits.DEFAULT.maxOpcodes() - 16;
        List<Worst> cases = List.of(
                new Worst("one list of ~1M empty lists", () -> {
                    PickleEmitter p = new PickleEmitter().proto(2).emptyList();
                    for (int i = 0; i < ops / 2 - 2; i++) {
                        p.emptyList().append();
                    }
                    return Ckpt.zip(p.stop().toByteArray());
                }),
                new Worst("~100k references to one tensor (accepted)", () -> {
                    PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyList().mark();
                    Ckpt.tensor(p, "FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1}).put(1000);
                    for (int i = 0; i < Limits.DEFAULT.maxTensors() - 2; i++) {
                        p.get(1000);
                    }
                    return Ckpt.zip(p.appends().setitem().stop().toByteArray(), Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4)));
                }),
                new Worst("~1M references to one tensor (rejected)", () -> {
                    PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyList().mark();
                    Ckpt.tensor(p, "FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1}).put(1000);
                    for (int i = 0; i < ops - 64; i++) {
                        p.get(1000);
                    }
                    return Ckpt.zip(p.appends().setitem().stop().toByteArray(), Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4)));
                }),
                new Worst("~1M one-character strings", () -> {
                    PickleEmitter p = new PickleEmitter().proto(2).emptyList().mark();
                    for (int i = 0; i < ops - 8; i++) {
                        p.raw(0x8c, 1, 'a' + i % 26);
                    }
                    return Ckpt.zip(p.appends().stop().toByteArray());
                }),
                new Worst("one string filling the pickle-size limit", () -> {
                    int n = (int) Limits.DEFAULT.maxPickleBytes() - 64;
                    PickleEmitter p = new PickleEmitter().proto(2).raw('X').le(n, 4);
                    p.bytes("é".repeat(n / 2).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    return Ckpt.zip(p.stop().toByteArray());
                }),
                new Worst("~1M memo entries", () -> {
                    PickleEmitter p = new PickleEmitter().proto(2).none();
                    for (int i = 0; i < Limits.DEFAULT.maxMemoEntries() - 1 && i < ops - 8; i++) {
                        p.put(i);
                    }
                    return Ckpt.zip(p.stop().toByteArray());
                }));
        long worst = 0;
        for (Worst w : cases) {
            byte[] zip = w.zip().get();
            long t0 = System.nanoTime();
            long bytes = allocated(() -> {
                try (TorchCheckpoint c = Ckpt.parse(zip)) {
                    c.root();
                } catch (CheckpointFormatException e) {
                    // limits may reject some of these; what matters is the bound
                }
            });
            System.out.printf("at the limits: %-45s pickle %,d bytes, allocated %,d bytes, %.0f ms%n", w.name(),
                    zip.length, bytes, (System.nanoTime() - t0) / 1e6);
            worst = Math.max(worst, bytes);
            assertTrue(bytes <= WORST_CASE_ALLOCATION, w.name() + " allocated " + bytes + " bytes");
        }
        System.out.printf("at the limits: worst allocation %,d bytes (bound %,d)%n", worst, WORST_CASE_ALLOCATION);
    }
}
