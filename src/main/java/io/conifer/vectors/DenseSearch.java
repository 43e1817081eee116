package io.conifer.vectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
        if (metric == Metric.EUCLIDEAN) hits.sort((a, b) -> Float.compare(a.score, b.score));
        return hits;
    }
}
