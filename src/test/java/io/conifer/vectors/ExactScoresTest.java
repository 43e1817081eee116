package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * Scores are the metric of the two vectors, not Lucene's transformed score turned back: that keeps only
 * the float precision of values near 0.5 or 1, so small similarities and distances came back 6-20% off.
 */
class ExactScoresTest {
    private static List<ScoredRecord> query(Metric metric, float[] stored, float[] query) throws Exception {
        VectorSpace space = new VectorSpace(VectorType.DENSE, 3, metric, null);
        try (Directory dir = new ByteBuffersDirectory(); IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
            w.addDocument(RecordLayout.toDocument("", new VectorRecord("near", stored, null, null), space));
            w.addDocument(RecordLayout.toDocument("", new VectorRecord("far", new float[] {-5, -5, 5}, null, null), space));
            w.commit();
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                QuerySpec q = new QuerySpec("", 2, query, null, null, Map.of(), false, false);
                return new VectorQueries(space, 100).run(new IndexSearcher(reader), "", q, null, null);
            }
        }
    }

    private static void assertScore(double expected, Metric metric, float[] stored, float[] query) throws Exception {
        List<ScoredRecord> hits = query(metric, stored, query);
        assertEquals("near", hits.get(0).id(), hits.toString());
        assertEquals(expected, hits.get(0).score(), Math.abs(expected) * 1e-5, metric + " of a small value");
    }

    @Test
    void smallScoresKeepTheirPrecision() throws Exception {
        // cosine ~1e-7 (Lucene's (1 + c) / 2 sits at 0.5, where floats are 6e-8 apart)
        assertScore(1e-7 / Math.sqrt(1 + 1e-14), Metric.COSINE, new float[] {1, 0, 0}, new float[] {1e-7f, 1, 0});
        // squared distance 1e-6 (1 / (1 + e) sits just under 1)
        double dy = 1e-3f;
        assertScore(dy * dy, Metric.EUCLIDEAN, new float[] {1, 0, 0}, new float[] {1, 1e-3f, 0});
        // dot product 1e-6 (1 + d sits just over 1, where floats are 1.2e-7 apart)
        double x = 1e-3f;
        assertScore(x * x, Metric.DOTPRODUCT, new float[] {1e-3f, 0, 0}, new float[] {1e-3f, 0, 0});
    }

    @Test
    void hitsStayBestFirstForEveryMetric() throws Exception {
        for (Metric m : Metric.values()) {
            List<ScoredRecord> hits = query(m, new float[] {1, 2, 3}, new float[] {1, 2, 2.5f});
            assertEquals(List.of("near", "far"), hits.stream().map(ScoredRecord::id).toList(), m.toString());
            float[] q = {1, 2, 2.5f};
            assertEquals(m.exactScore(q, new float[] {1, 2, 3}), hits.get(0).score(), 0f, m.toString());
            assertEquals(m.exactScore(q, new float[] {-5, -5, 5}), hits.get(1).score(), 0f, m.toString());
        }
    }
}
