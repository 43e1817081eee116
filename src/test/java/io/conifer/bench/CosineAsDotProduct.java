package io.conifer.bench;

import io.conifer.files.DurableFiles;
import io.conifer.vectors.BenchAccess;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

/**
 * Would cosine indexes search faster as DOT_PRODUCT over vectors normalised at write time (what
 * Lucene's docs recommend and Elasticsearch does) than as Lucene's COSINE over the raw vectors?
 * Builds both as one force-merged segment with the server's codec and document layout on the
 * benchmark's data, then runs the same queries on one thread, alternating the two indexes round by
 * round after a warm-up, so a shared machine's load falls on both alike. Prints QPS, thread CPU per
 * query and recall@topK against exact cosine. {@code ./conifer bench cosine [VECTORS DIM ROUNDS]},
 * default 100000 768 8.
 */
public final class CosineAsDotProduct {
    private static final ThreadMXBean THREADS = OneSegmentBench.THREADS;
    private static final int K = 100, TOP_K = OneSegmentBench.TOP_K, QUERIES = OneSegmentBench.QUERIES, PASSES_PER_ROUND = 3;

    public static void main(String[] args) throws IOException {
        Dataset data = OneSegmentBench.data(args);
        int rounds = OneSegmentBench.rounds(args);
        float[][] unitQueries = new float[QUERIES][];
        for (int q = 0; q < QUERIES; q++) unitQueries[q] = VectorUtil.l2normalize(data.queries[q].clone());
        Path root = Files.createTempDirectory("cosine-dot");
        try (Directory cosineDir = FSDirectory.open(root.resolve("cosine")); Directory dotDir = FSDirectory.open(root.resolve("dot"))) {
            build("COSINE, raw vectors", cosineDir, data, false);
            build("DOT_PRODUCT, unit vectors", dotDir, data, true);
            try (DirectoryReader cosine = DirectoryReader.open(cosineDir); DirectoryReader dot = DirectoryReader.open(dotDir)) {
                Side a = new Side("(a) COSINE, raw vectors", cosine, data.queries, false);
                Side b = new Side("(b) DOT_PRODUCT, unit vectors", dot, unitQueries, true);
                for (int w = 0; w < 3; w++) { // warm-up: the JIT compiles both paths
                    a.round(false);
                    b.round(false);
                }
                for (int r = 0; r < rounds; r++) {
                    // Alternate which goes first, so neither always follows the other.
                    if (r % 2 == 0) {
                        a.round(true);
                        b.round(true);
                    } else {
                        b.round(true);
                        a.round(true);
                    }
                    System.out.printf(Locale.ROOT, "round %d: a %.0f QPS %.0f us CPU/query, b %.0f QPS %.0f us CPU/query%n", r + 1,
                            a.lastQps, a.lastCpuUs, b.lastQps, b.lastCpuUs);
                }
                a.report(data);
                b.report(data);
                System.out.printf(Locale.ROOT, "b / a: QPS %.3f, CPU per query %.3f (median rounds)%n",
                        b.medianQps() / a.medianQps(), b.medianCpuUs() / a.medianCpuUs());
            }
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    private static void build(String what, Directory dir, Dataset data, boolean normalise) throws IOException {
        VectorSpace space = new VectorSpace(VectorType.DENSE, data.dim, Metric.COSINE, null);
        OneSegmentBench.build(what, dir, data, BenchAccess.codec(), i -> {
            Document doc = BenchAccess.document(Integer.toString(i), data.vectors[i], space);
            if (normalise) {
                doc.removeField(BenchAccess.VECTOR_FIELD);
                doc.add(new KnnFloatVectorField(BenchAccess.VECTOR_FIELD, VectorUtil.l2normalize(data.vectors[i].clone()),
                        VectorSimilarityFunction.DOT_PRODUCT));
            }
            return doc;
        });
    }

    private static final class Side {
        final String what;
        final IndexSearcher searcher;
        final float[][] queries;
        final boolean normaliseQuery;
        final java.util.List<Double> qps = new java.util.ArrayList<>(), cpuUs = new java.util.ArrayList<>();
        double lastQps, lastCpuUs;

        Side(String what, DirectoryReader reader, float[][] queries, boolean normaliseQuery) {
            this.what = what;
            this.searcher = new IndexSearcher(reader);
            this.queries = queries;
            this.normaliseQuery = normaliseQuery;
        }

        void round(boolean record) throws IOException {
            long wall = System.nanoTime(), cpu = THREADS.getCurrentThreadCpuTime();
            for (int p = 0; p < PASSES_PER_ROUND; p++) {
                for (float[] q : queries) {
                    // The server would normalise each query vector: its cost counts (queries here are raw for b too).
                    float[] v = normaliseQuery ? VectorUtil.l2normalize(q.clone()) : q;
                    searcher.search(new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, v, K), K);
                }
            }
            int count = PASSES_PER_ROUND * queries.length;
            lastQps = count / ((System.nanoTime() - wall) / 1e9);
            lastCpuUs = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / count;
            if (record) {
                qps.add(lastQps);
                cpuUs.add(lastCpuUs);
            }
        }

        void report(Dataset data) throws IOException {
            long hits = 0;
            for (int q = 0; q < queries.length; q++) {
                TopDocs top = searcher.search(new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, queries[q], K), K);
                hits += data.hits(q, TopIds.of(searcher, top, TOP_K));
            }
            System.out.printf(Locale.ROOT, "%-30s median %.0f QPS (min %.0f, max %.0f), median %.0f us CPU per query, recall@%d %.4f%n",
                    what, medianQps(), min(qps), max(qps), medianCpuUs(), TOP_K, hits / (double) (queries.length * TOP_K));
        }

        double medianQps() {
            return median(qps);
        }

        double medianCpuUs() {
            return median(cpuUs);
        }
    }

    private static double median(java.util.List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(java.util.List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(java.util.List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
