package io.conifer.store;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.MergePolicy.OneMerge;

/**
 * Lucene's concurrent merges, each charged to the {@link WriteGovernor} as it runs (the merge thread,
 * and the {@link MergeWorkers} building its HNSW graph alongside): merges are writes' work, and on few
 * cores they take more CPU than applying the writes did.
 */
final class GovernedMergeScheduler extends ConcurrentMergeScheduler {
    private final WriteGovernor governor;
    private final Executor helpers;

    /** {@code readRecently}: whether queries search the merging index now or did a moment ago. */
    GovernedMergeScheduler(WriteGovernor governor, MergeWorkers workers, BooleanSupplier readRecently) {
        this.governor = governor;
        this.helpers = workers.forMerge(governor, readRecently);
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
}
