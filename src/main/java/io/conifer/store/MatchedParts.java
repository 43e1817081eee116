package io.conifer.store;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;

/**
 * The live documents a query matches in a {@link PinnedSearcher}, read in doc order a part at a time,
 * each part as a read of its own: a request that reads and writes every match (update by filter) holds
 * one part in memory, not every match. Walking it again reads the same parts, since the view is pinned.
 */
public final class MatchedParts<T> {
    /**
     * Bytes one part may hold, about (records' values and metadata, documents' encoded source): well
     * above what 1000 records of common dimensions take, so those parts still hold the 1000 a log
     * record may, and far below what 1000 records of the largest allowed size would.
     */
    public static final long MAX_BYTES = 16L << 20;

    /** What a part of the matches was read as, and how many of the docs offered it took (at least one). */
    public record Part<T>(T value, int docs) {}

    /** Reads a part from docs (in increasing order), taking a prefix of them: all, or fewer once they hold {@link #MAX_BYTES}. */
    @FunctionalInterface
    public interface Loader<T> {
        Part<T> load(IndexSearcher s, List<Integer> docs) throws IOException;
    }

    private final PinnedSearcher pinned;
    private final Query query;
    private final int maxDocs;
    private final Loader<T> loader;
    /** The last doc a part took: the next starts after it. */
    private int after = -1;

    MatchedParts(PinnedSearcher pinned, Query query, int maxDocs, Loader<T> loader) {
        this.pinned = pinned;
        this.query = query;
        this.maxDocs = maxDocs;
        this.loader = loader;
    }

    /** The next part of at most {@code maxDocs} matches, or null once every match has been read. */
    public Part<T> next() {
        return pinned.read(s -> {
            List<Integer> docs = RecordQueries.matchingDocs(s, query, after, maxDocs);
            if (docs.isEmpty()) return null;
            Part<T> part = loader.load(s, docs);
            if (part.docs() < 1 || part.docs() > docs.size()) {
                throw new IllegalStateException("A part took " + part.docs() + " of the " + docs.size() + " docs offered");
            }
            after = docs.get(part.docs() - 1);
            return part;
        });
    }
}
