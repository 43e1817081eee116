package io.conifer.store;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor every index's searchers share, so one query can search its segments on several cores.
 * A task goes to a pool thread only if one is idle; otherwise the querying thread runs it itself. With
 * many concurrent queries, when every core is busy anyway, that means no queue and no extra hand-off.
 */
final class SearchExecutor {
    private SearchExecutor() {}

    static final Executor SHARED = create(Runtime.getRuntime().availableProcessors());

    /** {@code cores - 1} pool threads: the querying thread is the other one. */
    static Executor create(int cores) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Math.max(1, cores - 1), 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "conifer-search-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        return pool;
    }
}
