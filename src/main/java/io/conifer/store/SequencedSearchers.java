package io.conifer.store;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;

/**
 * Near-real-time searchers that each know the highest log sequence number they see. Before every
 * refresh (whoever triggers it, and however often) the store's applied sequence is sampled: every
 * write up to it is already in the IndexWriter, so the reader opened next sees all of them. That
 * sample, not the time of the query, is what a searcher reports, so the figure stays true when
 * refreshes are decoupled from reads.
 */
public final class SequencedSearchers {
    private SequencedSearchers() {}

    private static final class Searcher extends IndexSearcher {
        private volatile long lsn;
        private final long bytes;
        private final Executor executor;

        Searcher(IndexReader reader, long lsn, Executor executor) {
            super(reader, executor);
            this.lsn = lsn;
            this.bytes = bytes(reader);
            this.executor = executor;
        }

        /** Unknown (a file's size unreadable) counts as too large, never as a reason to fail the refresh. */
        private static long bytes(IndexReader reader) {
            long sum = 0;
            try {
                for (LeafReaderContext leaf : reader.leaves()) {
                    if (FilterLeafReader.unwrap(leaf.reader()) instanceof SegmentReader segment) sum += segment.getSegmentInfo().sizeInBytes();
                }
            } catch (IOException e) {
                return Long.MAX_VALUE;
            }
            return sum;
        }
    }

    /**
     * {@code appliedSeq}: the highest sequence S such that every write up to S has been applied.
     * {@code executor}: searches segments in parallel (null: on the querying thread).
     */
    static SearcherManager open(IndexWriter writer, LongSupplier appliedSeq, Executor executor) throws IOException {
        long[] sampled = {appliedSeq.getAsLong()};
        SearcherManager manager = new SearcherManager(writer, new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                return new Searcher(reader, sampled[0], executor);
            }
        });
        // Refreshes run one at a time under the manager's refresh lock: before, factory, after.
        manager.addListener(new ReferenceManager.RefreshListener() {
            @Override
            public void beforeRefresh() {
                sampled[0] = appliedSeq.getAsLong();
            }

            @Override
            public void afterRefresh(boolean didRefresh) throws IOException {
                if (didRefresh) return;
                // Nothing changed since the current reader was opened, so it sees everything sampled.
                Searcher current = (Searcher) manager.acquire();
                try {
                    current.lsn = Math.max(current.lsn, sampled[0]);
                } finally {
                    manager.release(current);
                }
            }
        });
        return manager;
    }

    /** Searchers of a directory's last commit (no writer), which holds every write up to {@code committedSeq}. */
    static SearcherManager open(Directory directory, long committedSeq, Executor executor) throws IOException {
        return new SearcherManager(directory, new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                return new Searcher(reader, committedSeq, executor);
            }
        });
    }

    /** The size on disk of the segments {@code searcher} reads. */
    static long bytes(IndexSearcher searcher) {
        return ((Searcher) searcher).bytes;
    }

    /**
     * The executor {@code searcher} searches its segments with (null: the querying thread), for a searcher
     * made over another view of its reader to search as it would.
     */
    public static Executor executor(IndexSearcher searcher) {
        return searcher instanceof Searcher s ? s.executor : null;
    }

    /** The highest log sequence number whose write, and every earlier one, {@code searcher} sees. */
    public static long lsn(IndexSearcher searcher) {
        return ((Searcher) searcher).lsn;
    }
}
