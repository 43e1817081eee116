package io.conifer.store;

import java.io.IOException;
import org.apache.lucene.index.IndexWriter;

/**
 * Brings an index that stopped receiving writes to its settled layout ({@link SettlingMergePolicy}):
 * once no write came for the settle delay, each maintenance round either asks the writer for the
 * settle merge or, when a merge has finished, asks for a checkpoint, which frees the merged-away
 * files (until then the disk holds both: the peak is the index plus the segments being merged).
 */
final class Settler {
    private final long delayNanos;
    private volatile long lastWriteNanos = System.nanoTime();

    Settler(long delayMillis) {
        this.delayNanos = delayMillis * 1_000_000L;
    }

    void wrote() {
        lastWriteNanos = System.nanoTime();
    }

    /** No write came for the settle delay. */
    private boolean idle() {
        return System.nanoTime() - lastWriteNanos >= delayNanos;
    }

    /** Returns whether a checkpoint is due: the idle index has changes no commit holds (a finished merge). */
    boolean maintain(IndexWriter writer) throws IOException {
        if (!idle() || writer.hasPendingMerges() || !writer.getMergingSegments().isEmpty()) {
            return false;
        }
        if (writer.hasUncommittedChanges()) return true;
        writer.maybeMerge();
        return false;
    }
}
