package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LayoutKernelsTest extends KernelTestBase {

    @Test
    void permuteReordersAxes() {
        Tensor x = t(s(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor y = k.permute(scope, x, 1, 0);
        assertEquals(s(3, 2), y.shape());
        Expect.exact(f(1, 4, 2, 5, 3, 6), read(y));
        // [1, 2, 2, 2] -> [1, 2, 2, 2] with axes (0, 3, 1, 2): channels last to channels first
        Tensor z = t(s(1, 2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
        Expect.exact(f(0, 2, 4, 6, 1, 3, 5, 7), read(k.permute(scope, z, 0, 3, 1, 2)));
        Tensor i = k.permute(scope, ints(s(2, 2), 1, 2, 3, 4), 1, 0);
        assertArrayEquals(new int[]{1, 3, 2, 4}, scope.readInts(i));
        assertThrows(IllegalArgumentException.class, () -> k.permute(scope, x, 0, 0));
    }

    @Test
    void concatAndSliceAlongAnyDimension() {
        Tensor a = t(s(2, 1), 1, 2);
        Tensor b = t(s(2, 2), 3, 4, 5, 6);
        Tensor c = k.concat(scope, 1, a, b);
        assertEquals(s(2, 3), c.shape());
        Expect.exact(f(1, 3, 4, 2, 5, 6), read(c));
        Expect.exact(f(1, 2, 1, 2), read(k.concat(scope, 0, a, a)));
        Expect.exact(f(3, 4, 1, 5, 6, 2), read(k.concat(scope, -1, k.slice(scope, c, -1, 1, 2), a)));
        Tensor sl = k.slice(scope, c, 0, 1, 1);
        Expect.exact(f(2, 5, 6), read(sl));
        Tensor h = half(DType.F16, s(2), 1, 2);
        assertEquals(DType.F16, k.concat(scope, 0, h, h).dtype());
        Expect.exact(f(1, 2, 1, 2), read(k.concat(scope, 0, h, h)));
    }

    @Test
    void copyIntoWritesAtOffsetAlongDim() {
        Tensor cache = scope.zeros(DType.F32, s(1, 4, 2));
        k.copyInto(cache, 1, 1, t(s(1, 2, 2), 1, 2, 3, 4));
        k.copyInto(cache, 1, 3, t(s(1, 1, 2), 5, 6));
        Expect.exact(f(0, 0, 1, 2, 3, 4, 5, 6), read(cache));
        Tensor grid = scope.zeros(DType.F32, s(2, 3));
        k.copyInto(grid, 1, 2, t(s(2, 1), 7, 8));
        Expect.exact(f(0, 0, 7, 0, 0, 8), read(grid));
        assertThrows(IllegalArgumentException.class, () -> k.copyInto(grid, 1, 3, t(s(2, 1), 7, 8)));
    }
}
