package io.conifer.store;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Threads that help merges (Lucene's intra-merge tasks: above all the workers that build a merged
 * segment's HNSW graph), one fewer than the cores and shared by every index, so a merge with all of
 * them builds on every core. Lucene's own intra-merge executor gives a merge no helper unless the merge
 * scheduler may run two threads more than are merging, which on two cores is never: the settle merge
 * built its graph on one core.
 *
 * <p>Helpers only start while no query wants the cores: a task submitted while reads are in flight, or
 * while the merging index was read a moment ago, or when every helper is busy, runs on the merge's own
 * thread as before. A helper started when nothing read keeps its task (a graph worker cannot be paused)
 * if a query arrives meanwhile; like the merge thread, it is charged to the {@link WriteGovernor} as it
 * runs, so writes wait that CPU off.
 */
final class MergeWorkers {
    static final MergeWorkers SHARED = new MergeWorkers(Runtime.getRuntime().availableProcessors() - 1);

    /** Null with a single core: no helper would run beside the merge thread. */
    private final ThreadPoolExecutor helpers;
    private final AtomicLong helped = new AtomicLong();

    MergeWorkers(int threads) {
        if (threads < 1) {
            helpers = null;
            return;
        }
        AtomicInteger numbers = new AtomicInteger();
        // No queue: a task either finds an idle helper (or room for a new one) at once or runs inline.
        helpers = new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread t = new Thread(task, "conifer-merge-helper-" + numbers.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The executor for one merge's tasks in an index: charged to {@code governor} wherever they run,
     * on a helper only while neither {@code governor} has reads in flight nor {@code readRecently} holds.
     */
    Executor forMerge(WriteGovernor governor, BooleanSupplier readRecently) {
        return task -> {
            Runnable charged = () -> {
                try (KeyLocks.Held merging = governor.background()) {
                    task.run();
                }
            };
            if (helpers != null && !governor.readsInFlight() && !readRecently.getAsBoolean()) {
                try {
                    helpers.execute(charged);
                    helped.incrementAndGet();
                    return;
                } catch (RejectedExecutionException busy) {
                    // Every helper is busy with another merge: this one's thread does the task.
                }
            }
            charged.run();
        };
    }

    /** Tasks run on helpers so far (merges' work that would otherwise have waited for their own thread). */
    long helped() {
        return helped.get();
    }
}
