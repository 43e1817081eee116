package io.conifer.store;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.search.SearcherManager;

/**
 * When a read refreshes the near-real-time searcher. A refresh flushes the writer's buffer into a new
 * segment: refreshing for every read under a stream of writes makes queries queue behind flushes and
 * the index hundreds of tiny segments. So:
 * <ul>
 *   <li>realtime reads (fetch by id, the read behind an update by filter) refresh first whenever
 *       something was written since the last refresh, as Elasticsearch's realtime get: they see every
 *       write acknowledged before they started;
 *   <li>other reads (query, list, stats) do the same when no write is in progress on the index at that
 *       moment, so a client that writes and then reads sees its write; such refreshes are shared (one
 *       refresh that started after a read arrived serves it) and start at most every
 *       {@link #MIN_GAP_NANOS} (a read waits for the next one rather than read stale). While writes are
 *       in progress these reads use the current searcher, and refresh it themselves (without waiting
 *       for a refresh another thread runs) once it is older than the refresh interval: they may miss
 *       writes acknowledged up to one interval plus one refresh earlier. The LSN says what they see.
 * </ul>
 */
final class RefreshPolicy {
    static final long MIN_GAP_NANOS = 100_000_000L;
    private final AtomicLong writeVersion = new AtomicLong();
    private final AtomicLong refreshedVersion = new AtomicLong();
    private final AtomicInteger writing = new AtomicInteger();
    private final ReentrantLock sharedRefresh = new ReentrantLock();
    private final long intervalNanos;
    private volatile long lastRefreshNanos = System.nanoTime() - MIN_GAP_NANOS;
    /** When the last refresh that completed had started: it sees every write acknowledged before then. */
    private volatile long completedRefreshNanos = lastRefreshNanos;

    RefreshPolicy(long intervalMillis) {
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    void writeStarted() {
        writing.incrementAndGet();
    }

    /**
     * Call before the write is marked applied in the log: a read that sees its sequence as applied
     * also sees the version change, so it refreshes rather than keep a searcher without it.
     */
    void writeApplied() {
        writeVersion.incrementAndGet();
    }

    void writeEnded() {
        writing.decrementAndGet();
    }

    /** Something other than a write changed what the writer holds (a reopened writer): refresh before the next read. */
    void invalidate() {
        writeVersion.incrementAndGet();
    }

    /** Refreshes {@code searchers} before a read if this policy says so. */
    void beforeRead(SearcherManager searchers, boolean realtime) throws IOException {
        long arrived = System.nanoTime();
        if (refreshedVersion.get() >= writeVersion.get()) return;
        if (realtime) {
            refresh(searchers, true);
        } else if (writing.get() == 0) {
            sharedRefresh(searchers, arrived);
        } else if (arrived - lastRefreshNanos >= intervalNanos) {
            refresh(searchers, false);
        }
    }

    /** A refresh that started after {@code arrived}, this thread's or another's, at most one per gap. */
    private void sharedRefresh(SearcherManager searchers, long arrived) throws IOException {
        sharedRefresh.lock();
        try {
            if (completedRefreshNanos - arrived >= 0) return;
            long wait = lastRefreshNanos + MIN_GAP_NANOS - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            refresh(searchers, true);
        } finally {
            sharedRefresh.unlock();
        }
    }

    private void refresh(SearcherManager searchers, boolean wait) throws IOException {
        long v = writeVersion.get();
        long started = System.nanoTime();
        lastRefreshNanos = started;
        if (wait) searchers.maybeRefreshBlocking();
        else if (!searchers.maybeRefresh()) return;
        refreshedVersion.accumulateAndGet(v, Math::max);
        synchronized (this) {
            if (started - completedRefreshNanos > 0) completedRefreshNanos = started;
        }
    }
}
