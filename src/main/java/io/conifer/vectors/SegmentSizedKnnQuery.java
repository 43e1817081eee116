package io.conifer.vectors;

import java.io.IOException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnCollectorManager;

/**
 * Lucene's k-nearest-neighbour query, searching each segment whichever way costs less there: HNSW in
 * large segments, every vector (exact) in small ones. Under writes a query searches several small
 * fresh segments beside the big one; HNSW with the full candidate list visits a large share of a
 * small segment's nodes anyway, each visit a graph lookup, a random read and a heap update, while an
 * exact search scores the vectors in order. Exact results in those segments also cost no recall.
 */
final class SegmentSizedKnnQuery extends KnnFloatVectorQuery {
    /**
     * Candidates per wanted neighbour below which a segment is searched exactly: with k = 100 (the
     * server's ef), segments of up to {@code EXACT_DOCS_PER_K * 100} vectors.
     */
    static final int EXACT_DOCS_PER_K = 20;

    SegmentSizedKnnQuery(String field, float[] target, int k, Query filter) {
        super(field, target, k, filter);
    }

    /** Whether a segment with {@code candidates} vectors that may match is cheaper to search exactly for {@code k}. */
    static boolean exact(long candidates, int k) {
        return candidates <= (long) EXACT_DOCS_PER_K * k;
    }

    @Override
    protected TopDocs approximateSearch(LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit,
            KnnCollectorManager manager) throws IOException {
        if (exact(Math.min(acceptDocs.cost(), context.reader().numDocs()), k)) {
            return exactSearch(context, acceptDocs.iterator(), null);
        }
        return super.approximateSearch(context, acceptDocs, visitedLimit, manager);
    }
}
