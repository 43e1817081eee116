package io.conifer.store;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.search.SearcherManager;

/**
 * When a read refreshes the near-real-time searcher. A refresh flushes the writer's buffer into a new
 * segment: refreshing for every read under a stream of writes makes every query wait for a flush and
 * the index hundreds of tiny segments. So:
 * <ul>
 *   <li>realtime reads (fetch by id, the read behind an update by filter) refresh first whenever
 *       something was written since the last refresh, as Elasticsearch's realtime get: they see every
 *       acknowledged write;
 *   <li>other reads (query, list, stats) do the same when no write is in progress on the index at that
 *       moment, so a client that writes and then reads sees its write; while writes are in progress
 *       they use the current searcher, and refresh it themselves (without waiting for a refresh
 *       another thread runs) once it is older than the refresh interval. Such a read may miss writes
 *       acknowledged up to one interval plus one refresh before it; its LSN says which it sees.
 * </ul>
 */
final class RefreshPolicy {
    private final AtomicLong writeVersion = new AtomicLong();
    private final AtomicLong refreshedVersion = new AtomicLong();
    private final AtomicInteger writing = new AtomicInteger();
    private final long intervalNanos;
    private volatile long lastRefreshNanos = System.nanoTime();

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
        long v = writeVersion.get();
        if (refreshedVersion.get() >= v) return;
        if (realtime || writing.get() == 0) {
            lastRefreshNanos = System.nanoTime();
            searchers.maybeRefreshBlocking();
            refreshedVersion.accumulateAndGet(v, Math::max);
        } else if (System.nanoTime() - lastRefreshNanos >= intervalNanos) {
            lastRefreshNanos = System.nanoTime();
            if (searchers.maybeRefresh()) refreshedVersion.accumulateAndGet(v, Math::max);
        }
    }
}
