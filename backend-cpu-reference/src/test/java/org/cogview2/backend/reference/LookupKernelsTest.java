package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LookupKernelsTest extends KernelTestBase {

    @Test
    void embeddingCopiesRowsForAnyIdShape() {
        Tensor table = t(s(3, 2), 0, 1, 10, 11, 20, 21);
        Tensor y = k.embedding(scope, table, ints(s(2, 2), 2, 0, 1, 2));
        assertEquals(s(2, 2, 2), y.shape());
        Expect.exact(f(20, 21, 0, 1, 10, 11, 20, 21), read(y));
        Tensor half = half(DType.BF16, s(2, 1), 0.1f, -3);
        Expect.exact(f(-3, Float.intBitsToFloat(0x3DCD0000)), read(k.embedding(scope, half, ints(s(2), 1, 0))));
    }

    @Test
    void embeddingRejectsIdsOutsideTheTable() {
        Tensor table = t(s(3, 2), 0, 1, 10, 11, 20, 21);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.embedding(scope, table, ints(s(2), 0, 3)));
        assertTrue(e.getMessage().contains("embedding") && e.getMessage().contains("id 3"), e.getMessage());
    }

    @Test
    void nearestCodeMinimisesDistanceWithTiesToLowestIndex() {
        Tensor codebook = t(s(4, 2), 0, 0, 1, 1, -1, 2, 1, 1);
        Tensor z = t(s(3, 2), 0.9f, 1.2f, -0.4f, 0.9f, 0.1f, -0.1f);
        // row 0 nearest (1, 1) at index 1 (index 3 is the same code: the lower index wins)
        // row 1: distances to (0,0) 0.97, (1,1) 1.97, (-1,2) 1.57 -> index 0; row 2 -> index 0
        assertArrayEquals(new int[]{1, 0, 0}, scope.readInts(k.nearestCode(scope, z, codebook)));
        // exactly halfway between codes 0 and 1: a tie, the lower index wins
        assertArrayEquals(new int[]{0}, scope.readInts(k.nearestCode(scope, t(s(1, 2), 0.5f, 0.5f), codebook)));
    }
}
