package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small segments are searched exactly, large ones by HNSW. Shown on segments written with a graph too
 * sparse to find the true neighbours (2 links per node): where the answer is the brute-force one, the
 * query read every vector; where it differs from it as plain HNSW's does, it walked the graph.
 */
class SegmentSizedKnnQueryTest {
    private static final int DIM = 64;
    private static final int K = 50;
    private static final String FIELD = "v";

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) v[d] = (float) random.nextGaussian();
        return v;
    }

    /** One segment of {@code count} vectors, its graph built with 2 links per node and a beam of 2. */
    private static float[][] writeSegment(Path dir, int count) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        float[][] vectors = new float[count][];
        IndexWriterConfig config = new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE).setCodec(new Lucene104Codec() {
            private final KnnVectorsFormat sparse = new Lucene99HnswVectorsFormat(2, 2);

            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return sparse;
            }
        });
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, config)) {
            for (int i = 0; i < count; i++) {
                vectors[i] = vector(random);
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, vectors[i], VectorSimilarityFunction.EUCLIDEAN));
                writer.addDocument(doc);
            }
        }
        return vectors;
    }

    private static List<Integer> brute(float[][] vectors, float[] target) {
        return IntStream.range(0, vectors.length).boxed()
                .sorted(Comparator.comparingDouble(i -> -VectorSimilarityFunction.EUCLIDEAN.compare(vectors[i], target)))
                .limit(K).toList();
    }

    private static List<Integer> docs(IndexSearcher s, Query q) throws IOException {
        ScoreDoc[] top = s.search(q, K).scoreDocs;
        return Arrays.stream(top).map(sd -> sd.doc).toList();
    }

    /** For each of 40 queries: [brute force, plain HNSW, this query]. */
    private static List<List<List<Integer>>> answers(Path dir, float[][] vectors) throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        List<List<List<Integer>>> all = new ArrayList<>();
        try (Directory d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
            assertEquals(1, reader.leaves().size());
            IndexSearcher s = new IndexSearcher(reader);
            for (int q = 0; q < 40; q++) {
                float[] target = vector(random);
                all.add(List.of(brute(vectors, target), docs(s, new KnnFloatVectorQuery(FIELD, target, K)),
                        docs(s, new SegmentSizedKnnQuery(FIELD, target, K, null))));
            }
        }
        return all;
    }

    @Test
    void aSmallSegmentIsSearchedExactly(@TempDir Path dir) throws IOException {
        int count = SegmentSizedKnnQuery.EXACT_DOCS_PER_K * K;
        assertTrue(SegmentSizedKnnQuery.exact(count, K));
        List<List<List<Integer>>> answers = answers(dir, writeSegment(dir, count));
        assertTrue(answers.stream().anyMatch(a -> !a.get(0).equals(a.get(1))), "plain HNSW misses neighbours on this graph");
        for (List<List<Integer>> a : answers) assertEquals(a.get(0), a.get(2));
    }

    @Test
    void aLargeSegmentIsSearchedByHnsw(@TempDir Path dir) throws IOException {
        int count = SegmentSizedKnnQuery.EXACT_DOCS_PER_K * K + 1;
        assertFalse(SegmentSizedKnnQuery.exact(count, K));
        List<List<List<Integer>>> answers = answers(dir, writeSegment(dir, count));
        for (List<List<Integer>> a : answers) assertEquals(a.get(1), a.get(2));
        assertTrue(answers.stream().anyMatch(a -> !a.get(0).equals(a.get(2))), "the graph walk misses neighbours an exact search finds");
    }
}
