package io.conifer.store;

import java.io.IOException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;

/**
 * How one record shape's writes are logged and applied by the {@link StorageEngine}. Each op must be
 * idempotent and self-contained, so replaying a suffix of the log over a commit that already holds part
 * of it converges to the acknowledged state.
 */
public interface RecordShape<O> {
    byte[] encode(O op);

    O decode(byte[] payload) throws IOException;

    void apply(IndexWriter writer, O op) throws IOException;

    /**
     * Called with the index as its last commit left it, before the log replays into it (at open, and when
     * a failed writer reopens): a shape that keeps state beside the index, which {@link #apply} keeps up
     * to date, rebuilds it here.
     */
    default void reload(Directory lastCommit) throws IOException {}
}
