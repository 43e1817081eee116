package io.conifer.store;

import java.io.IOException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One searcher kept open while its holder writes, for a request that reads its matches a part at a
 * time between writes of its own (update by filter, under {@link StorageEngine#lockAll}). It is one
 * unchanging view: the doc ids it found stay valid however many parts are applied meanwhile (its
 * segments do not change, and the deletions those parts make are not in its live docs), and no part
 * waits for a refresh. Held, it keeps its segments' files on disk until closed, as a long query does.
 */
public final class PinnedSearcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PinnedSearcher.class);
    private final IndexSearcher searcher;

    PinnedSearcher(IndexSearcher searcher) {
        this.searcher = searcher;
    }

    /**
     * Runs {@code body} on the pinned searcher. Unlike {@link StorageEngine#read} it is no read in flight
     * to the write governor or the merge policy: it is part of a write, and counted as a query it would
     * have merges run under the very write it belongs to (an update by filter of 100,000 records of 768
     * dimensions spent over twice the CPU so, merging) and hold other indexes' writes to the budget kept
     * for queries.
     */
    public <T> T read(StorageEngine.SearcherRead<T> body) {
        try {
            return body.apply(searcher);
        } catch (IOException e) {
            throw StorageFailures.readFailure(e);
        }
    }

    /** The documents {@code query} matches, walked a part at a time (see {@link MatchedParts}). */
    public <T> MatchedParts<T> parts(Query query, int maxDocs, MatchedParts.Loader<T> loader) {
        return new MatchedParts<>(this, query, maxDocs, loader);
    }

    /**
     * Never throws: it closes after the holder's writes are applied, and a failure to release the view
     * (its files are released either way) must not answer a durable write as failed.
     */
    @Override
    public void close() {
        try {
            searcher.getIndexReader().decRef();
        } catch (IOException | RuntimeException e) {
            log.warn("Releasing a pinned searcher failed; the writes made under it stand", e);
        }
    }
}
