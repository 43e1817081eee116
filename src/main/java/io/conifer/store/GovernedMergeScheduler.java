package io.conifer.store;

import java.io.IOException;
import java.util.concurrent.Executor;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.MergePolicy.OneMerge;

/**
 * Lucene's concurrent merges, each charged to the {@link WriteGovernor} as it runs (the merge thread,
 * and the threads building its HNSW graph alongside): merges are writes' work, and on few cores they
 * take more CPU than applying the writes did.
 */
final class GovernedMergeScheduler extends ConcurrentMergeScheduler {
    private final WriteGovernor governor;

    GovernedMergeScheduler(WriteGovernor governor) {
        this.governor = governor;
    }

    @Override
    protected void doMerge(MergeSource mergeSource, OneMerge merge) throws IOException {
        try (KeyLocks.Held merging = governor.background()) {
            super.doMerge(mergeSource, merge);
        }
    }

    @Override
    public Executor getIntraMergeExecutor(OneMerge merge) {
        Executor threads = super.getIntraMergeExecutor(merge);
        return task -> threads.execute(() -> {
            try (KeyLocks.Held merging = governor.background()) {
                task.run();
            }
        });
    }
}
