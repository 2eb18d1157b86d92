package org.cogview2.spi.support;

import org.cogview2.spi.Kernels;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a backend gets from the support module without writing it: ownership, checks, lifetimes, accounting. */
class SupportPlumbingTest {

    private final ToyBackend backend = new ToyBackend();
    private final Kernels kernels = backend.kernels();

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void kernels_compute_through_the_unchecked_math() {
        try (TensorScope scope = backend.newScope()) {
            Tensor a = scope.fromFloats(new float[]{1, 2, 3, 4}, Shape.of(2, 2));
            Tensor b = scope.fromFloats(new float[]{10, 20}, Shape.of(2));
            Tensor sum = kernels.add(scope, a, b);
            assertArrayEquals(new float[]{11, 22, 13, 24}, scope.readFloats(sum));
            assertEquals(1, backend.mathCalls.get());
        }
    }

    @Test
    void bad_arguments_are_refused_by_name_before_the_math_runs() {
        try (TensorScope scope = backend.newScope()) {
            Tensor a = scope.fromFloats(new float[6], Shape.of(2, 3));
            Tensor b = scope.fromFloats(new float[2], Shape.of(2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernels.add(scope, a, b));
            assertEquals("add: b must have the shape of a [2, 3] or a suffix of it, got F32[2]", e.getMessage());

            Tensor table = scope.fromFloats(new float[6], Shape.of(3, 2));
            Tensor ids = scope.fromInts(new int[]{0, 3}, Shape.of(2));
            e = assertThrows(IllegalArgumentException.class, () -> kernels.embedding(scope, table, ids));
            assertEquals("embedding: id 3 at flat index 1 of ids [2] is outside the 3 rows of the table", e.getMessage());
            assertEquals(0, backend.mathCalls.get());
        }
    }

    @Test
    void a_tensor_of_another_backend_is_refused() {
        try (ToyBackend other = new ToyBackend(); TensorScope mine = backend.newScope(); TensorScope theirs = other.newScope()) {
            Tensor a = mine.fromFloats(new float[2], Shape.of(2));
            Tensor foreign = theirs.fromFloats(new float[2], Shape.of(2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernels.add(mine, a, foreign));
            assertTrue(e.getMessage().startsWith("add: b belongs to another backend"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> kernels.add(theirs, a, a));
            assertEquals("add: destination scope belongs to another backend (" + ToyBackend.ToyScope.class.getName() + ")",
                    e.getMessage());
        }
    }

    @Test
    void views_share_memory_and_die_with_their_base() {
        try (TensorScope scope = backend.newScope()) {
            Tensor base = scope.fromFloats(new float[]{1, 2, 3, 4, 5, 6}, Shape.of(3, 2));
            Tensor rows = scope.narrow(base, 1, 2);
            Tensor flat = scope.reshape(rows, Shape.of(4));
            assertArrayEquals(new float[]{3, 4, 5, 6}, scope.readFloats(flat));
            base.close();
            assertTrue(flat.isClosed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kernels.add(scope, flat, flat));
            assertEquals("add: a F32[4] view has been released (it is a view and its base tensor was closed)", e.getMessage());
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> scope.narrow(scope.zeros(org.cogview2.spi.DType.F32, Shape.of(2)), 1, 2));
            assertEquals("narrow: rows [1, 3) are outside the first dimension of F32[2] (size 2)", range.getMessage());
        }
    }

    @Test
    void memory_is_counted_for_owners_only_and_given_back_on_close() {
        MemoryStats before = backend.memoryStats();
        try (TensorScope scope = backend.newScope()) {
            Tensor t = scope.fromFloats(new float[8], Shape.of(8));
            scope.reshape(t, Shape.of(2, 4));
            MemoryStats during = backend.memoryStats();
            assertEquals(before.liveBytes() + 32, during.liveBytes());
            assertEquals(before.liveTensors() + 1, during.liveTensors());
        }
        MemoryStats after = backend.memoryStats();
        assertEquals(before.liveBytes(), after.liveBytes());
        assertEquals(before.liveTensors(), after.liveTensors());
        assertEquals(32, after.peakBytes());
    }

    @Test
    void a_failing_kernel_releases_its_result() {
        try (TensorScope scope = backend.newScope()) {
            Tensor a = scope.fromFloats(new float[4], Shape.of(4));
            long live = backend.memoryStats().liveTensors();
            backend.failNextMath = true;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kernels.add(scope, a, a));
            assertEquals("toy kernel failed", e.getMessage());
            assertEquals(live, backend.memoryStats().liveTensors());
        }
    }

    @Test
    void closing_the_backend_closes_its_scopes_and_refuses_new_ones() {
        TensorScope scope = backend.newScope();
        Tensor t = scope.fromFloats(new float[2], Shape.of(2));
        backend.close();
        assertTrue(t.isClosed());
        assertTrue(backend.shutDown);
        assertEquals(0, backend.memoryStats().liveBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, backend::newScope);
        assertEquals("the toy backend is closed", e.getMessage());
    }

    @Test
    void transfers_check_sizes_and_a_closed_scope() {
        TensorScope scope = backend.newScope();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scope.fromFloats(new float[3], Shape.of(2, 2)));
        assertEquals("fromFloats: 3 values given for shape [2, 2] of 4 elements", e.getMessage());
        Tensor t = scope.fromFloats(new float[4], Shape.of(4));
        scope.close();
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, () -> scope.fromFloats(new float[1], Shape.of(1)));
        assertSame(backend, scope.backend());
        assertFalse(backend.isClosed());
    }
}
