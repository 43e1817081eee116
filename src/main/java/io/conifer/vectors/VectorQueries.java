package io.conifer.vectors;

import io.conifer.error.ConiferException;
import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;

/**
 * Runs a vector query on one searcher: HNSW for dense vectors (joined by the exact sparse top records
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
        int candidates = Math.max(topK, efSearch);
        List<ScoreDoc> hits = DenseSearch.nearest(s, RecordLayout.VECTOR, vector, space.metric(), RecordQueries.scope(s, ns, filter),
                candidates);
        if (sparse != null) {
            hits = hybrid(s, ns, filter, vector, sparse, hits, candidates); // scored exactly already
            return hits.subList(0, Math.min(topK, hits.size()));
        }
        return DenseSearch.exact(s, RecordLayout.VECTOR, vector, space.metric(), hits.subList(0, Math.min(topK, hits.size())));
    }

    /**
     * Pinecone scores a hybrid query as one vector over all records, so a record with a weak dense but
     * a strong sparse score must be found too: the dense candidates are joined by the exact sparse top
     * ones, and every candidate is scored exactly, dense and sparse, so its score does not depend on
     * which search found it. The sparse side looks at the records sharing a dimension with the query,
     * and at those written before dense indexes kept sparse terms ({@link #untermedSparse}).
     */
    private static List<ScoreDoc> hybrid(IndexSearcher s, String ns, Query filter, float[] vector, SparseVector sparse,
            List<ScoreDoc> dense, int candidates) throws IOException {
        Set<Integer> docs = new LinkedHashSet<>(docsOf(dense));
        Query sparseCandidates = SparseSearch.sharingADimension(RecordLayout.SPARSE_TERMS, sparse);
        if (holdsUntermedSparse(s)) {
            sparseCandidates = new BooleanQuery.Builder().add(sparseCandidates, Occur.SHOULD).add(untermedSparse(), Occur.SHOULD)
                    .build();
        }
        for (ScoreDoc h : SparseSearch.topK(s, RecordLayout.SPARSE, sparseCandidates, RecordQueries.inNamespace(ns, filter),
                sparse, candidates)) {
            docs.add(h.doc);
        }
        Map<Integer, VectorRecord> records = StoredRecords.load(s, new ArrayList<>(docs), true, false);
        List<ScoreDoc> hits = new ArrayList<>(docs.size());
        for (int doc : docs) {
            VectorRecord r = records.get(doc);
            float score = r.values() == null ? 0f : Metric.DOTPRODUCT.exactScore(vector, r.values());
            if (r.sparse() != null) score += r.sparse().dot(sparse);
            hits.add(new ScoreDoc(doc, score));
        }
        hits.sort((x, y) -> x.score != y.score ? Float.compare(y.score, x.score) : Integer.compare(x.doc, y.doc));
        return hits;
    }

    /** Records with sparse values but no sparse terms: written before dense indexes kept them. */
    /**
     * Whether a segment holds such records: fewer documents marked as having sparse terms than documents
     * with sparse values (both counts from the segment's metadata, deleted documents included alike), so
     * an index written since pays nothing for the scan.
     */
    private static boolean holdsUntermedSparse(IndexSearcher s) throws IOException {
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            BinaryDocValues values = leaf.reader().getBinaryDocValues(RecordLayout.SPARSE);
            if (values == null) continue;
            Terms marked = leaf.reader().terms(RecordLayout.SPARSE_TERMED);
            if (marked == null || marked.getDocCount() < values.cost()) return true;
        }
        return false;
    }

    private static Query untermedSparse() {
        return new BooleanQuery.Builder()
                .add(new FieldExistsQuery(RecordLayout.SPARSE), Occur.FILTER)
                .add(new TermQuery(new Term(RecordLayout.SPARSE_TERMED, "1")), Occur.MUST_NOT)
                .build();
    }

    private static List<Integer> docsOf(List<ScoreDoc> hits) {
        List<Integer> docs = new ArrayList<>(hits.size());
        for (ScoreDoc h : hits) docs.add(h.doc);
        return docs;
    }
}
