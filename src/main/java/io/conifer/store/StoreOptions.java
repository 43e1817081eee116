package io.conifer.store;

/**
 * {@code maxReplayMillis}: checkpoint once the writes since the last one would take this long to
 * replay (0: no such bound).
 */
public record StoreOptions(double ramBufferMb, double maxSegmentMb, int efSearch, long checkpointLogBytes,
        long maxReplayMillis) {
    public static StoreOptions defaults() {
        return new StoreOptions(64, 2048, 100, 256L * 1024 * 1024, 5_000);
    }

    public StoreOptions withMaxReplayMillis(long millis) {
        return new StoreOptions(ramBufferMb, maxSegmentMb, efSearch, checkpointLogBytes, millis);
    }
}
