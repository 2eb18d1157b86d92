package org.cogview2.models.pipeline;

import org.cogview2.api.CancellationToken;
import org.cogview2.api.GenerationCancelledException;
import org.cogview2.api.StageResidency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stage residency policies with stand-in models that record when they are loaded and released. */
@Timeout(20)
class ResidentStagesTest {

    /** What happened, in order: "load A", "close A", ... */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private ResidentStages.Slot<String> stage(ResidentStages stages, String name) {
        return stages.add(name, () -> {
            events.add("load " + name);
            return () -> events.add("close " + name);
        }, model -> "component " + name);
    }

    @Test
    void all_stages_are_loaded_up_front_and_released_only_at_close() {
        ResidentStages stages = new ResidentStages(StageResidency.ALL_STAGES);
        ResidentStages.Slot<String> a = stage(stages, "A");
        ResidentStages.Slot<String> b = stage(stages, "B");
        stages.loadAll();
        assertEquals(List.of("load A", "load B"), events);
        try (var la = stages.acquire(a, CancellationToken.create()); var lb = stages.acquire(b, CancellationToken.create())) {
            assertEquals("component A", la.get());
            assertEquals("component B", lb.get());
        }
        assertEquals(2, events.size(), "no loading or releasing between stages");
        stages.close();
        assertEquals(List.of("load A", "load B", "close B", "close A"), events);
    }

    @Test
    void one_stage_loads_on_first_use_and_releases_the_previous_stage_first() {
        ResidentStages stages = new ResidentStages(StageResidency.ONE_STAGE);
        ResidentStages.Slot<String> a = stage(stages, "A");
        ResidentStages.Slot<String> b = stage(stages, "B");
        stages.loadAll();
        assertTrue(events.isEmpty(), "nothing loaded before use: " + events);
        try (var la = stages.acquire(a, CancellationToken.create())) {
            assertEquals("component A", la.get());
        }
        try (var la = stages.acquire(a, CancellationToken.create())) {
            assertEquals(List.of("load A"), events, "a loaded stage is reused");
        }
        try (var lb = stages.acquire(b, CancellationToken.create())) {
            assertEquals("component B", lb.get());
        }
        assertEquals(List.of("load A", "close A", "load B"), events);
        assertFalse(stages.isLoaded(a));
        assertTrue(stages.isLoaded(b));
        stages.close();
        assertEquals(List.of("load A", "close A", "load B", "close B"), events);
    }

    @Test
    void another_stage_waits_until_the_loaded_one_has_no_users() throws Exception {
        ResidentStages stages = new ResidentStages(StageResidency.ONE_STAGE);
        ResidentStages.Slot<String> a = stage(stages, "A");
        ResidentStages.Slot<String> b = stage(stages, "B");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            var la = stages.acquire(a, CancellationToken.create());
            CountDownLatch started = new CountDownLatch(1);
            Future<String> other = pool.submit(() -> {
                started.countDown();
                try (var lb = stages.acquire(b, CancellationToken.create())) {
                    return lb.get();
                }
            });
            started.await();
            Thread.sleep(200);
            assertFalse(other.isDone(), "B must not load while A is in use");
            assertEquals(List.of("load A"), events);
            la.close();
            assertEquals("component B", other.get(5, TimeUnit.SECONDS));
            assertEquals(List.of("load A", "close A", "load B"), events);
        } finally {
            pool.shutdownNow();
            stages.close();
        }
    }

    @Test
    void new_users_of_the_loaded_stage_let_a_waiting_stage_go_first() throws Exception {
        ResidentStages stages = new ResidentStages(StageResidency.ONE_STAGE);
        ResidentStages.Slot<String> a = stage(stages, "A");
        ResidentStages.Slot<String> b = stage(stages, "B");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var first = stages.acquire(a, CancellationToken.create());
            Future<?> wantsB = pool.submit(() -> {
                try (var lb = stages.acquire(b, CancellationToken.create())) {
                    events.add("used B");
                }
            });
            while (!stages.hasWaiters(b)) {
                Thread.sleep(5);
            }
            Future<?> wantsAAgain = pool.submit(() -> {
                try (var la = stages.acquire(a, CancellationToken.create())) {
                    events.add("used A again");
                }
            });
            Thread.sleep(200);
            assertFalse(wantsAAgain.isDone(), "a new user of A waits behind the request for B");
            first.close();
            wantsB.get(5, TimeUnit.SECONDS);
            wantsAAgain.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("load A", "close A", "load B", "used B", "close B", "load A", "used A again"), events);
        } finally {
            pool.shutdownNow();
            stages.close();
        }
    }

    @Test
    void waiting_for_a_stage_can_be_cancelled() throws Exception {
        ResidentStages stages = new ResidentStages(StageResidency.ONE_STAGE);
        ResidentStages.Slot<String> a = stage(stages, "A");
        ResidentStages.Slot<String> b = stage(stages, "B");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (var la = stages.acquire(a, CancellationToken.create())) {
            CancellationToken token = CancellationToken.create();
            Future<?> waiting = pool.submit(() -> stages.acquire(b, token));
            Thread.sleep(100);
            token.cancel();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof GenerationCancelledException, e.toString());
            assertFalse(stages.hasWaiters(b));
            assertEquals(List.of("load A"), events, "B was never loaded");
        } finally {
            pool.shutdownNow();
            stages.close();
        }
    }

    @Test
    void a_stage_that_fails_to_load_reports_it_and_can_be_tried_again() {
        ResidentStages stages = new ResidentStages(StageResidency.ONE_STAGE);
        int[] tries = {0};
        ResidentStages.Slot<String> flaky = stages.add("flaky", () -> {
            if (tries[0]++ == 0) {
                throw new IllegalStateException("disk gone");
            }
            return () -> { };
        }, model -> "ok");
        assertThrows(IllegalStateException.class, () -> stages.acquire(flaky, CancellationToken.create()));
        try (var lease = stages.acquire(flaky, CancellationToken.create())) {
            assertEquals("ok", lease.get());
        }
        stages.close();
        assertThrows(IllegalStateException.class, () -> stages.acquire(flaky, CancellationToken.create()));
    }
}
