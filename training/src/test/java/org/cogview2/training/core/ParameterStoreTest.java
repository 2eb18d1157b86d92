package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParameterStoreTest {

    private static NDManager root;

    @BeforeAll
    static void engine() {
        root = TrainingRuntime.newManager(1);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    @Test
    void copiesIntoItsOwnManagerAndTracksDecay() {
        try (ParameterStore store = new ParameterStore(root)) {
            NDArray w;
            try (NDManager caller = root.newSubManager()) {
                NDArray w0 = caller.create(new float[]{1, 2, 3, 4}, new Shape(2, 2));
                w = store.addParameter("fc.weight", w0, true);
                store.addParameter("fc.bias", caller.create(new float[]{0, 0}), false);
                store.addBuffer("stats", caller.create(new int[]{1, 2})); // converted to fp32
                assertNotSame(w0, w);
            } // the store's copies outlive the caller's arrays
            assertArrayEquals(new float[]{1, 2, 3, 4}, w.toFloatArray());
            assertTrue(w.hasGradient());
            assertTrue(store.decays("fc.weight"));
            assertFalse(store.decays("fc.bias"));
            assertEquals(List.of("fc.weight", "fc.bias"), List.copyOf(store.parameters().keySet()));
            assertEquals(List.of("stats"), List.copyOf(store.buffers().keySet()));
            assertArrayEquals(new float[]{1, 2}, store.get("stats").toFloatArray());
            assertFalse(store.get("stats").hasGradient());
            assertEquals(6, store.parameterCount());
            assertThrows(IllegalArgumentException.class, () -> store.addBuffer("fc.bias", root.create(1f)));
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> store.get("nope"));
            assertTrue(missing.getMessage().contains("fc.weight"), missing.getMessage());
        }
    }

    /**
     * set copies into the tensor's own (64-byte aligned, libtorch-allocated) memory; NDArray.set(Buffer) would
     * re-point it at a Java buffer.
     */
    @Test
    void setCopiesInPlaceKeepingMemoryAndGradient() {
        try (ParameterStore store = new ParameterStore(root)) {
            NDArray w = store.addParameter("w", root.create(new float[6], new Shape(2, 3)), true);
            NDArray s = store.addBuffer("scalar", root.create(0f));
            long before = address(w);
            long scalarBefore = address(s);
            store.set("w", new float[]{1, 2, 3, 4, 5, 6});
            store.set("scalar", new float[]{7});
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, w.toFloatArray());
            assertEquals(new Shape(2, 3), w.getShape());
            assertEquals(7f, s.getFloat());
            assertEquals(new Shape(), s.getShape());
            assertEquals(before, address(w), "same memory");
            assertEquals(scalarBefore, address(s));
            assertEquals(0, before % 64, "libtorch's alignment");
            assertTrue(w.hasGradient());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.set("w", new float[5]));
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    private static long address(NDArray a) {
        return MemorySegment.ofBuffer(a.toByteBuffer(true)).address();
    }
}
