package io.conifer.backup;

/**
 * Limits backup and restore I/O to a rate so they do not starve the index they copy. Shared by all
 * concurrent copies; {@link #UNLIMITED} does nothing.
 */
public final class Throttle {
    public static final Throttle UNLIMITED = new Throttle(0);
    private final double bytesPerNano;
    private long nextFreeNanos = System.nanoTime();

    /** @param megabytesPerSecond 0 for no limit */
    public Throttle(double megabytesPerSecond) {
        this.bytesPerNano = megabytesPerSecond * 1024 * 1024 / 1e9;
    }

    public void acquire(int bytes) {
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
