package io.conifer.store;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.search.SearcherManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a read refreshes the near-real-time searcher. A refresh flushes the writer's buffer into a new
 * segment: refreshing for every read under a stream of writes makes queries queue behind flushes and
 * the index hundreds of tiny segments. So:
 * <ul>
 *   <li>realtime reads (fetch by id, the read behind an update by filter) refresh first whenever
 *       something was written since the last refresh, as Elasticsearch's realtime get: they see every
 *       write acknowledged before they started;
 *   <li>other reads (query, list, stats) do the same when the index is write-idle: no write in
 *       progress and none started within the quiet window after the last one ended (a read arriving
 *       sooner waits out that window, so a client that writes and then reads sees its write). The
 *       window is {@link #QUIET_NANOS}, or {@link #STREAM_QUIET_NANOS} while most writes start with
 *       another already in progress (more than half of the recent ones, {@link #RECENT_WRITES} weighing
 *       most): clients writing as fast as they can on a busy machine leave gaps of several
 *       milliseconds between their requests (each waits for a core), and a read that took such a gap
 *       for the end of the writes flushed a small segment on the query's own thread, two a second
 *       under the mixed benchmark. Writers that pause between requests rarely overlap, so reads among
 *       them keep the short window and never wait long. A client that loads in parallel batches and
 *       then queries still sees every batch, its first query up to the long window later. Such
 *       refreshes are shared: one that started after a read arrived serves it. While writes keep
 *       coming (one in progress, or one starting within the window) these reads use the current
 *       searcher and never wait for a refresh: once it is older than the refresh interval they hand a
 *       refresh to a background thread (one at a time per index). They may miss writes acknowledged up
 *       to one interval plus one refresh earlier. The LSN says what they see.
 * </ul>
 */
final class RefreshPolicy {
    /** How long after a write ends a read waits for the next one before it treats the index as idle. */
    static final long QUIET_NANOS = 3_000_000L;
    /** The quiet window while writes keep overlapping: clients writing as fast as they can. */
    static final long STREAM_QUIET_NANOS = 50_000_000L;
    /** About how many of the latest writes decide whether writes keep overlapping. */
    static final int RECENT_WRITES = 16;
    private static final Logger log = LoggerFactory.getLogger(RefreshPolicy.class);
    /** Runs the refreshes of every index that reads ask for under writes, so no read pays for one. */
    private static final Executor BACKGROUND = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conifer-refresh");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong writeVersion = new AtomicLong();
    private final AtomicLong refreshedVersion = new AtomicLong();
    private final AtomicInteger writing = new AtomicInteger();
    /** Writes started so far: a read waiting out the quiet window learns from it that writes go on. */
    private final AtomicLong writesStarted = new AtomicLong();
    private final AtomicInteger quietWaiters = new AtomicInteger();
    private final ReentrantLock quiet = new ReentrantLock();
    private final Condition writeCame = quiet.newCondition();
    private final ReentrantLock sharedRefresh = new ReentrantLock();
    /** Set while this index has a refresh waiting for or running on the background thread. */
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final long intervalNanos;
    private final long quietNanos;
    private final long streamQuietNanos;
    private final WriteGovernor governor;
    private volatile long lastWriteEndedNanos = System.nanoTime();
    /**
     * The share of recent writes that started while another was in progress (a moving average over
     * about {@link #RECENT_WRITES}). Updated without a lock: an update lost to a race only delays
     * the average by one write.
     */
    private volatile double overlapping;
    private volatile long lastRefreshNanos = System.nanoTime();
    /** When the last refresh that completed had started: it sees every write acknowledged before then. */
    private volatile long completedRefreshNanos = lastRefreshNanos;

    /** {@code governor}: charged with the background refreshes' flushes, which are writes' work. */
    RefreshPolicy(long intervalMillis, WriteGovernor governor) {
        this(intervalMillis, QUIET_NANOS, governor);
    }

    RefreshPolicy(long intervalMillis, long quietNanos, WriteGovernor governor) {
        this(intervalMillis, quietNanos, STREAM_QUIET_NANOS, governor);
    }

    RefreshPolicy(long intervalMillis, long quietNanos, long streamQuietNanos, WriteGovernor governor) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.quietNanos = quietNanos;
        this.streamQuietNanos = Math.max(quietNanos, streamQuietNanos);
        this.governor = governor;
    }

    void writeStarted() {
        double overlap = writing.incrementAndGet() > 1 ? 1 : 0;
        overlapping += (overlap - overlapping) / RECENT_WRITES;
        writesStarted.incrementAndGet();
        if (quietWaiters.get() == 0) return;
        quiet.lock();
        try {
            writeCame.signalAll();
        } finally {
            quiet.unlock();
        }
    }

    /**
     * Call before the write is marked applied in the log: a read that sees its sequence as applied
     * also sees the version change, so it refreshes rather than keep a searcher without it.
     */
    void writeApplied() {
        writeVersion.incrementAndGet();
    }

    void writeEnded() {
        lastWriteEndedNanos = System.nanoTime();
        writing.decrementAndGet();
    }

    /** Something other than a write changed what the writer holds (a reopened writer): refresh before the next read. */
    void invalidate() {
        writeVersion.incrementAndGet();
    }

    /** Whether {@link #beforeRead} would return at once: the searcher holds every applied write. */
    boolean current() {
        return refreshedVersion.get() >= writeVersion.get();
    }

    /** Refreshes {@code searchers} before a read if this policy says so. */
    void beforeRead(SearcherManager searchers, boolean realtime) throws IOException {
        long arrived = System.nanoTime();
        if (current()) return;
        if (realtime) {
            refresh(searchers);
        } else if (writeIdle()) {
            sharedRefresh(searchers, arrived);
        } else if (System.nanoTime() - lastRefreshNanos >= intervalNanos && refreshQueued.compareAndSet(false, true)) {
            BACKGROUND.execute(() -> refreshInBackground(searchers));
        }
    }

    /**
     * A failure is left to the store's maintenance, which refreshes every second too and takes the
     * engine out of service on the same failure; the reads meanwhile keep the current searcher.
     */
    private void refreshInBackground(SearcherManager searchers) {
        try (KeyLocks.Held flushing = governor.background()) {
            refresh(searchers);
        } catch (IOException | RuntimeException e) {
            log.debug("A background refresh failed; maintenance retries it", e);
        } finally {
            refreshQueued.set(false);
        }
    }

    /** No write in progress, and none starts within the quiet window after the last one ended. */
    private boolean writeIdle() {
        if (writing.get() > 0) return false;
        long started = writesStarted.get();
        long now = System.nanoTime();
        long window = overlapping > 0.5 ? streamQuietNanos : quietNanos;
        long left = lastWriteEndedNanos + window - now;
        if (left <= 0) return writing.get() == 0;
        quietWaiters.incrementAndGet();
        quiet.lock();
        try {
            while (left > 0 && writesStarted.get() == started) left = writeCame.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            quiet.unlock();
            quietWaiters.decrementAndGet();
        }
        return writesStarted.get() == started;
    }

    /** A refresh that started after {@code arrived}, this thread's or another's. */
    private void sharedRefresh(SearcherManager searchers, long arrived) throws IOException {
        sharedRefresh.lock();
        try {
            if (completedRefreshNanos - arrived >= 0) return;
            refresh(searchers);
        } finally {
            sharedRefresh.unlock();
        }
    }

    private void refresh(SearcherManager searchers) throws IOException {
        long v = writeVersion.get();
        long started = System.nanoTime();
        lastRefreshNanos = started;
        searchers.maybeRefreshBlocking();
        refreshedVersion.accumulateAndGet(v, Math::max);
        synchronized (this) {
            if (started - completedRefreshNanos > 0) completedRefreshNanos = started;
        }
    }
}
