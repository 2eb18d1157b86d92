package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reuse of released activation arrays: same size only, zeroed, bounded, never for views. */
class ArrayPoolTest {

    private static final int N = ArrayPool.MIN_POOLED;

    @Test
    void aGivenArrayIsTakenAgainZeroed() {
        ArrayPool pool = new ArrayPool(new Workers(2), 64L * N);
        float[] a = pool.take(N);
        Arrays.fill(a, 7f);
        pool.give(a);
        assertEquals(4L * N, pool.pooledBytes());
        float[] b = pool.take(N);
        assertSame(a, b);
        for (float f : b) {
            if (f != 0f) {
                throw new AssertionError("a reused array must be zero-filled, found " + f);
            }
        }
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void onlyTheExactSizeIsReused() {
        ArrayPool pool = new ArrayPool(Workers.SERIAL, 64L * N);
        float[] a = new float[N + 1];
        pool.give(a);
        assertNotSame(a, pool.take(N));
        assertSame(a, pool.take(N + 1));
    }

    @Test
    void smallArraysAreNotKept() {
        ArrayPool pool = new ArrayPool(Workers.SERIAL, 64L * N);
        pool.give(new float[N - 1]);
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void theOldestGoWhenTheLimitIsReached() {
        ArrayPool pool = new ArrayPool(Workers.SERIAL, 2L * 4 * N);
        float[] first = new float[N];
        float[] second = new float[N];
        float[] third = new float[N];
        pool.give(first);
        pool.give(second);
        pool.give(third);
        assertEquals(2L * 4 * N, pool.pooledBytes());
        float[] x = pool.take(N);
        float[] y = pool.take(N);
        assertTrue((x == second && y == third) || (x == third && y == second), "the first array was evicted");
        assertNotSame(first, pool.take(N));
    }

    @Test
    void aReleasedTensorsArrayBacksTheNextTensorOfItsSize() {
        try (VectorBackend b = new VectorBackend(1); TensorScope s = b.newScope()) {
            float[] values = new float[N];
            Arrays.fill(values, 3f);
            Tensor t = s.fromFloats(values, Shape.of(N));
            float[] backing = ((VTensor) t).f32();
            Tensor view = s.reshape(t, Shape.of(2, N / 2));
            view.close();
            assertEquals(0, b.pool().pooledBytes(), "closing a view gives nothing back");
            t.close();
            assertEquals(4L * N, b.pool().pooledBytes());
            Tensor next = s.zeros(DType.F32, Shape.of(N / 2, 2));
            assertSame(backing, ((VTensor) next).f32());
            float[] read = s.readFloats(next);
            for (float f : read) {
                assertEquals(0f, f);
            }
        }
    }
}
