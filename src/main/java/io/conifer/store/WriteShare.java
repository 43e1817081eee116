package io.conifer.store;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps reads their share of the cores while writes stream in. Applying a write to Lucene (building
 * its HNSW graph entries) is the CPU-heavy part of a write; unthrottled writers on every core leave
 * queries queued behind them. So while any read is in flight, at most half the cores (at least one)
 * apply writes at once; the rest of a write (decoding, logging, fsync) is not limited. Without reads
 * writes apply on every core. Fewer concurrent appliers also means fewer indexing buffers, so each
 * refresh flushes fewer small segments.
 */
final class WriteShare {
    /** How long after the last read ended an index still counts as being read. */
    static final long RECENT_READ_NANOS = 5_000_000_000L;
    private final Semaphore appliers;
    private final AtomicInteger reading = new AtomicInteger();
    private volatile long lastReadNanos = System.nanoTime() - RECENT_READ_NANOS;

    WriteShare(int cores) {
        this.appliers = new Semaphore(Math.max(1, cores / 2));
    }

    /** A read in flight until closed. */
    KeyLocks.Held read() {
        reading.incrementAndGet();
        return () -> {
            lastReadNanos = System.nanoTime();
            reading.decrementAndGet();
        };
    }

    /** Whether a read is in flight or ended within {@link #RECENT_READ_NANOS}. */
    boolean readRecently() {
        return reading.get() > 0 || System.nanoTime() - lastReadNanos < RECENT_READ_NANOS;
    }

    /** Held while a write applies; waits for a free applier only while reads are in flight. */
    KeyLocks.Held apply() {
        if (reading.get() == 0) return () -> {};
        appliers.acquireUninterruptibly();
        return appliers::release;
    }
}
