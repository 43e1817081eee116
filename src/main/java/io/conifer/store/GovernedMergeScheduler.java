package io.conifer.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.MergePolicy.OneMerge;
import org.apache.lucene.store.AlreadyClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lucene's concurrent merges, each charged to the {@link WriteGovernor} as it runs (the merge thread,
 * and the {@link MergeWorkers} building its HNSW graph alongside): merges are writes' work, and on few
 * cores they take more CPU than applying the writes did.
 */
final class GovernedMergeScheduler extends ConcurrentMergeScheduler {
    private static final Logger log = LoggerFactory.getLogger(GovernedMergeScheduler.class);
    private final WriteGovernor governor;
    private final Executor helpers;
    private final Path storage;

    /**
     * {@code readRecently}: whether queries search the merging index now or did a moment ago;
     * {@code storage}: the index's directory, which a failed merge's log line names.
     */
    GovernedMergeScheduler(WriteGovernor governor, MergeWorkers workers, BooleanSupplier readRecently, Path storage) {
        this.governor = governor;
        this.helpers = workers.forMerge(governor, readRecently);
        this.storage = storage;
    }

    @Override
    protected void doMerge(MergeSource mergeSource, OneMerge merge) throws IOException {
        try (KeyLocks.Held merging = governor.background()) {
            super.doMerge(mergeSource, merge);
        }
    }

    @Override
    public Executor getIntraMergeExecutor(OneMerge merge) {
        return helpers;
    }

    /**
     * Lucene's default throws a failed merge's exception out of the merge thread, to the JVM's default
     * handler: a raw trace on stderr, beside the log. The writer has dealt with the failure already: Lucene
     * closes it (a tragic event), which the engine's maintenance reports, and it reopens from the last
     * commit and the log. So the failure only needs saying, in the log.
     */
    @Override
    protected void handleMergeException(Throwable exc) {
        if (exc instanceof AlreadyClosedException) {
            log.debug("A merge in index storage {} stopped: its writer closed", storage, exc);
        } else {
            log.warn("A merge in index storage {} failed", storage, exc);
        }
    }
}
