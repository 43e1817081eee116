package io.conifer.vectors;

import io.conifer.error.ConiferException;
import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;

/**
 * Runs a vector query on one searcher: HNSW for dense vectors (with the exact sparse dot product added
 * for hybrid queries), exhaustive {@link SparseSearch} for sparse ones, scores in Pinecone's terms.
 */
final class VectorQueries {
    private final VectorSpace space;
    private final int efSearch;

    VectorQueries(VectorSpace space, int efSearch) {
        this.space = space;
        this.efSearch = efSearch;
    }

    /** {@code q} has been validated except for what depends on the index's kind. */
    List<ScoredRecord> run(IndexSearcher s, String ns, QuerySpec q, Query filter, SparseVector sparse) throws IOException {
        float[] vector = q.vector() != null && q.vector().length > 0 ? q.vector() : null;
        if (q.id() != null && !q.id().isEmpty()) {
            Limits.id(q.id());
            List<Integer> docs = RecordQueries.matchingDocs(s, new TermQuery(RecordFields.keyTerm(ns, q.id())));
            if (docs.isEmpty()) return List.of();
            VectorRecord source = StoredRecords.load(s, docs, true, false).values().iterator().next();
            vector = source.values();
            if (space.isSparse()) sparse = source.sparse();
        }
        List<ScoreDoc> hits;
        if (space.isSparse()) {
            if (vector != null) throw ConiferException.invalid("This is a sparse index: query with sparseVector, not vector");
            if (sparse == null) throw ConiferException.invalid("A query on a sparse index needs a sparseVector or an id");
            hits = SparseSearch.topK(s, RecordLayout.SPARSE, RecordLayout.SPARSE_TERMS, RecordQueries.inNamespace(ns, filter),
                    sparse, q.topK());
        } else {
            if (vector == null) {
                throw ConiferException.invalid("A query on a dense index needs a vector of dimension "
                        + space.dimension() + " or an id");
            }
            Limits.dense(vector, space, "the query");
            if (sparse != null && space.metric() != Metric.DOTPRODUCT) {
                throw ConiferException.invalid("Hybrid queries with sparseVector need an index with the dotproduct metric");
            }
            hits = denseSearch(s, ns, filter, vector, sparse, q.topK());
        }
        Map<Integer, VectorRecord> loaded = StoredRecords.loadMatches(s, docsOf(hits), q.includeValues(), q.includeMetadata());
        List<ScoredRecord> out = new ArrayList<>(hits.size());
        for (ScoreDoc h : hits) {
            VectorRecord r = loaded.get(h.doc);
            out.add(new ScoredRecord(r.id(), h.score, r.values(), r.sparse(), r.metadata()));
        }
        return out;
    }

    private List<ScoreDoc> denseSearch(IndexSearcher s, String ns, Query filter, float[] vector, SparseVector sparse, int topK)
            throws IOException {
        List<ScoreDoc> hits = DenseSearch.nearest(s, RecordLayout.VECTOR, vector, space.metric(), RecordQueries.scope(s, ns, filter),
                Math.max(topK, efSearch));
        if (sparse != null) {
            // Hybrid: add the exact sparse dot product to each dense candidate and re-rank.
            Map<Integer, VectorRecord> sparseOf = StoredRecords.load(s, docsOf(hits), true, false);
            for (ScoreDoc h : hits) {
                SparseVector sv = sparseOf.get(h.doc).sparse();
                if (sv != null) h.score += sv.dot(sparse);
            }
            hits.sort((a, b) -> Float.compare(b.score, a.score));
        }
        return hits.subList(0, Math.min(topK, hits.size()));
    }

    private static List<Integer> docsOf(List<ScoreDoc> hits) {
        List<Integer> docs = new ArrayList<>(hits.size());
        for (ScoreDoc h : hits) docs.add(h.doc);
        return docs;
    }
}
