package io.conifer.vectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Exact dot product over every record sharing a dimension with the query (sparse search is
 * exhaustive), for any sparse field laid out by {@link RecordLayout#addSparse}.
 */
public final class SparseSearch {
    private SparseSearch() {}

    /**
     * The best {@code topK} of the records matching {@code scope} whose {@code termsField} holds a
     * dimension of {@code q}, by descending score then doc id.
     */
    public static List<ScoreDoc> topK(IndexSearcher s, String valuesField, String termsField, Query scope,
            SparseVector q, int topK) throws IOException {
        return topK(s, valuesField, sharingADimension(termsField, q), scope, q, topK);
    }

    /** The records whose {@code termsField} holds a dimension of {@code q}: the only ones it can score above 0. */
    public static Query sharingADimension(String termsField, SparseVector q) {
        List<BytesRef> dims = new ArrayList<>(q.indices().length);
        for (int i : q.indices()) dims.add(new BytesRef(Integer.toUnsignedString(i)));
        return new TermInSetQuery(termsField, dims);
    }

    /** Like the above, over the records matching {@code candidates} and {@code scope}, each one decoded. */
    static List<ScoreDoc> topK(IndexSearcher s, String valuesField, Query candidates, Query scope, SparseVector q, int topK)
            throws IOException {
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(candidates, Occur.FILTER);
        if (scope != null) b.add(scope, Occur.FILTER);
        Weight w = s.createWeight(s.rewrite(b.build()), ScoreMode.COMPLETE_NO_SCORES, 1f);
        PriorityQueue<ScoreDoc> best = new PriorityQueue<>((x, y) -> x.score != y.score
                ? Float.compare(x.score, y.score) : Integer.compare(y.doc, x.doc));
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = w.scorer(leaf);
            if (scorer == null) continue;
            Bits live = leaf.reader().getLiveDocs();
            BinaryDocValues values = leaf.reader().getBinaryDocValues(valuesField);
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live != null && !live.get(doc)) continue;
                if (values == null || !values.advanceExact(doc)) continue;
                float score = RecordLayout.decodeSparse(values.binaryValue()).dot(q);
                best.add(new ScoreDoc(leaf.docBase + doc, score));
                if (best.size() > topK) best.poll();
            }
        }
        List<ScoreDoc> hits = new ArrayList<>(best);
        hits.sort((x, y) -> x.score != y.score ? Float.compare(y.score, x.score) : Integer.compare(x.doc, y.doc));
        return hits;
    }
}
