package io.conifer.vectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;

/** HNSW nearest neighbours in any dense vector field, scored as Pinecone defines the field's metric. */
public final class DenseSearch {
    private DenseSearch() {}

    /**
     * The {@code k} nearest records matching {@code scope} (null: all), best first, with Lucene's own
     * switch to exact search when the scope leaves few candidates.
     */
    public static List<ScoreDoc> nearest(IndexSearcher s, String field, float[] vector, Metric metric, Query scope, int k)
            throws IOException {
        ScoreDoc[] top = s.search(new KnnFloatVectorQuery(field, vector, k, scope), k).scoreDocs;
        List<ScoreDoc> hits = new ArrayList<>(top.length);
        for (ScoreDoc sd : top) hits.add(new ScoreDoc(sd.doc, metric.pineconeScore(sd.score)));
        sortBest(hits, metric);
        return hits;
    }

    /**
     * The same hits scored from their stored vectors, best first. Lucene's score is a transform of the
     * metric (cosine as (1 + c) / 2, a dot product d >= 0 as 1 + d, a squared distance e as 1 / (1 + e)),
     * so inverting it keeps only the float precision of the transformed value: a dot product of 1e-6
     * came back with a 10% error, a distance of 1e-6 as 0 or 1.2e-6. Only the hits a query returns are
     * rescored (at most topK vectors read), so the search itself pays nothing.
     */
    public static List<ScoreDoc> exact(IndexSearcher s, String field, float[] vector, Metric metric, List<ScoreDoc> hits)
            throws IOException {
        List<ScoreDoc> byDoc = new ArrayList<>(hits);
        byDoc.sort(Comparator.comparingInt(h -> h.doc));
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        List<ScoreDoc> out = new ArrayList<>(hits.size());
        int leaf = -1;
        FloatVectorValues values = null;
        KnnVectorValues.DocIndexIterator it = null;
        for (ScoreDoc h : byDoc) {
            int l = ReaderUtil.subIndex(h.doc, leaves);
            if (l != leaf) {
                leaf = l;
                values = leaves.get(l).reader().getFloatVectorValues(field);
                it = values == null ? null : values.iterator();
            }
            int target = h.doc - leaves.get(l).docBase;
            if (it == null || (it.docID() < target ? it.advance(target) : it.docID()) != target) {
                out.add(h); // no stored vector (cannot happen for a hit of the vector field): keep the search's score
                continue;
            }
            out.add(new ScoreDoc(h.doc, metric.exactScore(vector, values.vectorValue(it.index()))));
        }
        sortBest(out, metric);
        return out;
    }

    private static void sortBest(List<ScoreDoc> hits, Metric metric) {
        Comparator<ScoreDoc> best = (a, b) -> Float.compare(b.score, a.score);
        hits.sort(metric == Metric.EUCLIDEAN ? best.reversed() : best);
    }
}
