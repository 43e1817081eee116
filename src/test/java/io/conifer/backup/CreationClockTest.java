package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CreationClockTest {
    @Test
    void timesWithinOneMillisecondStillIncreaseAndCatchUpWithTheClock() {
        Instant t = Instant.parse("2026-11-29T23:59:59.998Z");
        CreationClock same = new CreationClock(Clock.fixed(t, ZoneOffset.UTC));
        assertEquals("2026-11-29T23:59:59.998Z", same.next());
        assertEquals("2026-11-29T23:59:59.999Z", same.next());
        assertEquals("2026-11-30T00:00:00.000Z", same.next());
        assertEquals("2026-11-29T23:59:59.998Z", same.now(), "now() is the clock's, unordered");

        Clock later = Clock.offset(Clock.fixed(t, ZoneOffset.UTC), Duration.ofSeconds(5));
        CreationClock moving = new CreationClock(later);
        assertEquals("2026-11-30T00:00:04.998Z", moving.next());
    }

    @Test
    void concurrentCallersGetDistinctIncreasingTimes() throws Exception {
        CreationClock clock = new CreationClock();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> each = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                each.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < 500; i++) mine.add(clock.next());
                    return mine;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : each) {
                List<String> mine = f.get();
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i - 1).compareTo(mine.get(i)) < 0, mine.get(i - 1) + " then " + mine.get(i));
                }
                all.addAll(mine);
            }
            assertEquals(all.size(), all.stream().distinct().count(), "no two callers got the same time");
        } finally {
            pool.shutdownNow();
        }
    }
}
