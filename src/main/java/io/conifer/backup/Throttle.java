package io.conifer.backup;

import java.util.function.LongConsumer;

/**
 * Limits backup and restore I/O to a rate so they do not starve the index they copy. Shared by all
 * concurrent copies; {@link #UNLIMITED} does nothing. Every copy asks it for each chunk it moves, so a
 * {@link #counting} view of it also tells one copy's progress.
 */
public final class Throttle {
    public static final Throttle UNLIMITED = new Throttle(0);
    private final Limit limit;
    private final LongConsumer onBytes;

    /** @param megabytesPerSecond 0 for no limit */
    public Throttle(double megabytesPerSecond) {
        this(new Limit(megabytesPerSecond * 1024 * 1024 / 1e9), n -> {});
    }

    private Throttle(Limit limit, LongConsumer onBytes) {
        this.limit = limit;
        this.onBytes = onBytes;
    }

    /** The same limit (shared with this throttle's other users), also telling {@code onBytes} each chunk's size. */
    public Throttle counting(LongConsumer onBytes) {
        return new Throttle(limit, onBytes);
    }

    public void acquire(int bytes) {
        limit.acquire(bytes);
        onBytes.accept(bytes);
    }

    private static final class Limit {
        private final double bytesPerNano;
        private long nextFreeNanos = System.nanoTime();

        Limit(double bytesPerNano) {
            this.bytesPerNano = bytesPerNano;
        }

        void acquire(int bytes) {
            if (bytesPerNano <= 0) return;
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                if (nextFreeNanos < now) nextFreeNanos = now;
                nextFreeNanos += (long) (bytes / bytesPerNano);
                wait = nextFreeNanos - now;
            }
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
