package io.conifer.files;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Gives the fsyncs a client is waiting for (write-ahead log group commits) the disk ahead of bulk
 * background I/O (backup copies). A device flush must also persist whatever background data sits
 * in the device's cache, so a log fsync issued behind a stream of large writes waits for them; bulk
 * writers therefore hold back their next chunk while a foreground fsync is under way.
 *
 * <p>Process-wide on purpose: the thing being shared is the disk under every index and the backup
 * repository of this server.
 */
public final class ForegroundSyncs {
    private static final AtomicInteger running = new AtomicInteger();
    private static volatile long lastEnded = System.nanoTime() - Long.MAX_VALUE / 2;

    private ForegroundSyncs() {}

    /** Marks the start of an fsync a client waits for; pair with {@link #end()}. */
    public static void begin() {
        running.incrementAndGet();
    }

    public static void end() {
        lastEnded = System.nanoTime();
        running.decrementAndGet();
    }

    /** Whether a foreground fsync is running or ended within the last {@code nanos}: clients are writing. */
    public static boolean recentlyActive(long nanos) {
        return running.get() > 0 || System.nanoTime() - lastEnded < nanos;
    }

    /**
     * Waits until no foreground fsync is running, at most {@code maxNanos}, so background work still
     * moves under a constant stream of writes.
     */
    public static void awaitIdle(long maxNanos) {
        long deadline = System.nanoTime() + maxNanos;
        while (running.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
    }
}
