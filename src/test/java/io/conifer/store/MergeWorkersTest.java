package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Where a merge's tasks run: on a helper thread only while nothing reads (queries keep the cores),
 * on the merge's own thread otherwise, and charged to the write governor wherever they run.
 */
class MergeWorkersTest {
    private static final long MS = 1_000_000L;
    private static final BooleanSupplier NOT_READ = () -> false;

    /** Runs {@code task} through {@code merge} and returns the name of the thread it ran on. */
    private static String threadOf(Executor merge) throws Exception {
        CompletableFuture<String> ran = new CompletableFuture<>();
        merge.execute(() -> ran.complete(Thread.currentThread().getName()));
        return ran.get(10, TimeUnit.SECONDS);
    }

    /** A task that runs {@code first}, signals {@code started} and holds its thread until {@code release}. */
    private static Runnable holding(Runnable first, CountDownLatch started, CountDownLatch release) {
        return () -> {
            first.run();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void withNothingReadingAMergeTaskRunsOnAHelper() throws Exception {
        MergeWorkers workers = new MergeWorkers(1);
        String thread = threadOf(workers.forMerge(new WriteGovernor(2, new WriteGovernorTest.SimulatedClocks()), NOT_READ));
        assertTrue(thread.startsWith("conifer-merge-helper-"), "ran on " + thread);
        assertEquals(1, workers.helped());
    }

    @Test
    void whileReadsAreInFlightOrTheIndexWasJustReadATaskStaysOnTheMergeThread() throws Exception {
        MergeWorkers workers = new MergeWorkers(1);
        WriteGovernor governor = new WriteGovernor(2, new WriteGovernorTest.SimulatedClocks());
        String merging = Thread.currentThread().getName();
        try (KeyLocks.Held reading = governor.read()) {
            assertEquals(merging, threadOf(workers.forMerge(governor, NOT_READ)), "a read in flight in any index");
        }
        assertEquals(merging, threadOf(workers.forMerge(governor, () -> true)), "this index read a moment ago");
        assertEquals(0, workers.helped());
    }

    @Test
    void whenEveryHelperIsBusyATaskRunsOnTheMergeThread() throws Exception {
        MergeWorkers workers = new MergeWorkers(1);
        Executor merge = workers.forMerge(new WriteGovernor(2, new WriteGovernorTest.SimulatedClocks()), NOT_READ);
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        merge.execute(holding(() -> {}, started, release));
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS), "the first task got the helper");
            assertEquals(Thread.currentThread().getName(), threadOf(merge));
            assertEquals(1, workers.helped());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aHelperThatKeepsItsTaskWhenReadsStartIsChargedAsItRuns() throws Exception {
        WriteGovernorTest.SimulatedClocks clocks = new WriteGovernorTest.SimulatedClocks();
        WriteGovernor governor = new WriteGovernor(2, clocks);
        MergeWorkers workers = new MergeWorkers(1);
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        // A graph worker: one core busy for as long as the merge lasts.
        workers.forMerge(governor, NOT_READ).execute(holding(() -> clocks.busy.put(Thread.currentThread().threadId(), 1.0), started, release));
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS), "the task started");
            assertEquals(1, workers.helped(), "on a helper");
            try (KeyLocks.Held reading = governor.read()) {
                clocks.pass(100 * MS);
                assertTrue(governor.admit(), "a write while reads are in flight is governed");
                long charged = governor.charged()[1];
                assertTrue(charged >= 100 * MS, "the helper's 100 ms of CPU under reads was charged: " + charged / 1e6 + " ms");
            }
        } finally {
            release.countDown();
        }
    }
}
