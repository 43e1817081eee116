package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conifer.store.RecordFields;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * A hybrid query finds its best sparse matches by their sparse terms, which a dense index's records
 * carry only since hybrid queries look for them: records written before (sparse values, no terms) must
 * still be found, by a scan of just those.
 */
class HybridLegacyRecordsTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 2, Metric.DOTPRODUCT, null);
    private static final SparseVector KEYWORD = new SparseVector(new int[] {7}, new float[] {1});

    @Test
    void recordsWrittenWithoutSparseTermsAreStillFound() throws Exception {
        try (Directory dir = new ByteBuffersDirectory(); IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
            for (int i = 0; i < 300; i++) w.addDocument(RecordLayout.toDocument("", new VectorRecord("d" + i, new float[] {1, 0}, null, null), SPACE));
            w.addDocument(RecordLayout.toDocument("", new VectorRecord("new", new float[] {0.01f, 0}, new SparseVector(new int[] {7},
                    new float[] {3}), null), SPACE));
            w.commit(); // the old record in a segment of its own: each segment is asked whether it holds any
            Document legacy = RecordFields.identified("", "legacy"); // the layout before: sparse values, no terms
            legacy.add(new KnnFloatVectorField(RecordLayout.VECTOR, new float[] {0.01f, 0}, SPACE.metric().similarity()));
            legacy.add(new BinaryDocValuesField(RecordLayout.SPARSE, RecordLayout.encodeSparse(new SparseVector(new int[] {7, 9},
                    new float[] {5, 1}))));
            w.addDocument(legacy);
            w.commit();
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                QuerySpec q = new QuerySpec("", 2, new float[] {1, 0}, KEYWORD, null, Map.of(), false, false);
                List<ScoredRecord> hits = new VectorQueries(SPACE, 100).run(new IndexSearcher(reader), "", q, null, KEYWORD);
                assertEquals(List.of("legacy", "new"), hits.stream().map(ScoredRecord::id).toList());
                assertEquals(5.01f, hits.get(0).score(), 1e-6f);
                assertEquals(3.01f, hits.get(1).score(), 1e-6f);
            }
        }
    }
}
