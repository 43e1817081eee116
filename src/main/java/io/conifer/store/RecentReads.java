package io.conifer.store;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether queries search one index now or did a moment ago. Merging segments under writes only pays
 * while someone searches them; a bulk load nobody reads leaves its segments to the settle merge.
 */
final class RecentReads {
    /** How long after the last read ended an index still counts as being read. */
    static final long RECENT_READ_NANOS = 5_000_000_000L;
    private final AtomicInteger reading = new AtomicInteger();
    private volatile long lastReadNanos = System.nanoTime() - RECENT_READ_NANOS;

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
}
