package io.conifer.store;

/**
 * {@code maxReplayMillis}: checkpoint once the writes since the last one would take this long to
 * replay (0: no such bound). {@code refreshIntervalMillis}: how stale a query may be while writes are
 * in progress ({@link RefreshPolicy}). {@code settleDelayMillis}: how long an index must go without
 * writes before it merges to its settled layout ({@link Settler}). {@code parallelSearch}: whether a
 * query searches its segments on several cores ({@link SearchExecutor}).
 */
public record StoreOptions(double ramBufferMb, double maxSegmentMb, int efSearch, long checkpointLogBytes,
        long maxReplayMillis, long refreshIntervalMillis, long settleDelayMillis, boolean parallelSearch) {
    public StoreOptions(double ramBufferMb, double maxSegmentMb, int efSearch, long checkpointLogBytes, long maxReplayMillis) {
        this(ramBufferMb, maxSegmentMb, efSearch, checkpointLogBytes, maxReplayMillis, 1_000, 5_000, true);
    }

    public static StoreOptions defaults() {
        return new StoreOptions(64, 2048, 100, 256L * 1024 * 1024, 5_000);
    }

    public StoreOptions withMaxReplayMillis(long millis) {
        return new StoreOptions(ramBufferMb, maxSegmentMb, efSearch, checkpointLogBytes, millis, refreshIntervalMillis,
                settleDelayMillis, parallelSearch);
    }

    public StoreOptions withSettleDelayMillis(long millis) {
        return new StoreOptions(ramBufferMb, maxSegmentMb, efSearch, checkpointLogBytes, maxReplayMillis, refreshIntervalMillis,
                millis, parallelSearch);
    }

    public StoreOptions withParallelSearch(boolean parallel) {
        return new StoreOptions(ramBufferMb, maxSegmentMb, efSearch, checkpointLogBytes, maxReplayMillis, refreshIntervalMillis,
                settleDelayMillis, parallel);
    }
}
