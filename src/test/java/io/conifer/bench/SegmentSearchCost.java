package io.conifer.bench;

import io.conifer.files.DurableFiles;
import io.conifer.vectors.BenchAccess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * CPU per query of one segment's k-nearest-neighbour search, HNSW against exact, by segment size, and
 * of HNSW in a segment with a quarter of its documents deleted: what decides which way a segment is
 * searched. One thread, thread CPU time, so a loaded machine changes little.
 * {@code ./conifer bench segments DIM K SIZE...}, e.g. {@code 128 100 40000 500 1000 2000 4000 8000}.
 */
public final class SegmentSearchCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws IOException {
        int dim = Integer.parseInt(args[0]), k = Integer.parseInt(args[1]);
        int total = 0;
        for (int a = 2; a < args.length; a++) total += Integer.parseInt(args[a]);
        Dataset data = Dataset.generate(total, dim, 50, 0.5, 200, 10, 42);
        Path dir = Files.createTempDirectory("segment-cost");
        int next = 0;
        try (Directory d = FSDirectory.open(dir)) {
            IndexWriterConfig config = new IndexWriterConfig().setCodec(BenchAccess.codec()).setMergePolicy(NoMergePolicy.INSTANCE)
                    .setRAMBufferSizeMB(1024);
            try (IndexWriter w = new IndexWriter(d, config)) {
                for (int a = 2; a < args.length; a++) {
                    int n = Integer.parseInt(args[a]);
                    for (int i = 0; i < n; i++, next++) {
                        Document doc = new Document();
                        doc.add(new StringField("id", "r" + next, Field.Store.NO));
                        doc.add(new KnnFloatVectorField("v", data.vectors[next], VectorSimilarityFunction.COSINE));
                        w.addDocument(doc);
                    }
                    w.flush();
                }
                w.commit();
                report(d, data, k, "");
                // A quarter of every segment's documents deleted, as re-upserts leave the segments they replace.
                for (int i = 0; i < next; i += 4) w.deleteDocuments(new Term("id", "r" + i));
                w.commit();
                report(d, data, k, ", 25% deleted");
            }
        } finally {
            DurableFiles.deleteTree(dir);
        }
    }

    private static void report(Directory d, Dataset data, int k, String what) throws IOException {
        try (DirectoryReader r = DirectoryReader.open(d)) {
            for (LeafReaderContext leaf : r.leaves()) {
                IndexSearcher s = new IndexSearcher(leaf.reader());
                long[] hnsw = new long[2], exact = new long[1];
                for (int round = 0; round < 2; round++) { // the first round warms up
                    hnsw[0] = hnsw[1] = exact[0] = 0;
                    for (float[] q : data.queries) {
                        long t = cpu();
                        s.search(new Probe(q, k, hnsw, false), k);
                        hnsw[0] += cpu() - t;
                        t = cpu();
                        s.search(new Probe(q, k, hnsw, true), k);
                        exact[0] += cpu() - t;
                    }
                }
                int n = data.queries.length;
                System.out.printf(Locale.ROOT, "segment of %,d docs%s: HNSW %.0f us (visited %.0f), exact %.0f us per query (k %d)%n",
                        leaf.reader().maxDoc(), what, hnsw[0] / 1e3 / n, (double) hnsw[1] / n, exact[0] / 1e3 / n, k);
            }
            // The whole index as a query searches it: Lucene sizes each segment's share of k.
            IndexSearcher all = new IndexSearcher(r);
            long[] whole = new long[2];
            for (int round = 0; round < 2; round++) {
                whole[0] = whole[1] = 0;
                for (float[] q : data.queries) {
                    long t = cpu();
                    all.search(new Probe(q, k, whole, false), k);
                    whole[0] += cpu() - t;
                }
            }
            System.out.printf(Locale.ROOT, "all %d segments%s: HNSW %.0f us (visited %.0f) per query%n", r.leaves().size(), what,
                    whole[0] / 1e3 / data.queries.length, (double) whole[1] / data.queries.length);
        }
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static final class Probe extends KnnFloatVectorQuery {
        private final long[] visited;
        private final boolean exact;

        Probe(float[] q, int k, long[] visited, boolean exact) {
            super("v", q, k);
            this.visited = visited;
            this.exact = exact;
        }

        @Override
        protected TopDocs approximateSearch(LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit,
                KnnCollectorManager manager) throws IOException {
            if (exact) return exactSearch(context, acceptDocs.iterator(), null);
            TopDocs top = super.approximateSearch(context, acceptDocs, visitedLimit, manager);
            visited[1] += top.totalHits.value();
            return top;
        }
    }
}
