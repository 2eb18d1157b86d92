package org.cogview2.training.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class BatchLoaderTest {

    @Test
    void deliversBatchesInOrderFromTheFirstIndex() {
        try (BatchLoader<String> loader = new BatchLoader<>((seed, i) -> seed + ":" + i, 9, 5, 2, "test")) {
            for (long i = 5; i < 40; i++) {
                assertEquals("9:" + i, loader.next());
            }
            assertEquals(40, loader.nextIndex());
        }
    }

    @Test
    void surfacesTheSourcesExceptionAfterTheBatchesBeforeIt() {
        IOException broken = new IOException("unreadable picture");
        try (BatchLoader<Long> loader = new BatchLoader<>((seed, i) -> {
            if (i == 3) {
                throw broken;
            }
            return i;
        }, 0, 0, 4, "test")) {
            assertEquals(0L, loader.next());
            assertEquals(1L, loader.next());
            assertEquals(2L, loader.next());
            BatchLoadingException e = assertThrows(BatchLoadingException.class, loader::next);
            assertSame(broken, e.getCause());
            assertEquals(3, e.index());
            assertTrue(e.getMessage().contains("unreadable picture"), e.getMessage());
            assertThrows(BatchLoadingException.class, loader::next, "and keeps failing");
        }
    }

    @Test
    void closeStopsAThreadWaitingForRoomOrInsideTheSource() throws InterruptedException {
        AtomicLong made = new AtomicLong();
        BatchLoader<Long> full = new BatchLoader<>((seed, i) -> made.incrementAndGet(), 0, 0, 2, "full");
        while (made.get() < 3) {
            Thread.sleep(5); // two in the queue, the third waits for room
        }
        full.close();
        assertFalse(full.isAlive());

        CountDownLatch entered = new CountDownLatch(1);
        BatchLoader<Long> slow = new BatchLoader<>((seed, i) -> {
            entered.countDown();
            Thread.sleep(60_000);
            return i;
        }, 0, 0, 2, "slow");
        entered.await();
        slow.close();
        assertFalse(slow.isAlive());
        assertThrows(IllegalStateException.class, slow::next);
    }
}
