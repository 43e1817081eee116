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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Would a scalar-quantized index (issue 13's optional lever: int8 or 7-bit codes in the HNSW graph, the
 * float vectors kept for rescoring) answer queries faster at equal recall than the server's float index?
 * Builds each as one segment, flushed once, with the server's document layout on the benchmark's data,
 * then runs the same queries on one thread, round by round in turn after a warm-up, so a shared
 * machine's load falls on all alike. The quantized rows search the codes with k = 100 (the server's ef)
 * and rescore those 100 with the float vectors, as the server would. Prints QPS, thread CPU per query,
 * recall@topK against exact cosine, and each row's QPS over the float row's.
 * {@code ./conifer bench quantized [VECTORS DIM ROUNDS]}, default 100000 768 8.
 */
public final class QuantizedSearch {
    private static final ThreadMXBean THREADS = OneSegmentBench.THREADS;
    private static final int K = 100, TOP_K = OneSegmentBench.TOP_K, PASSES_PER_ROUND = 3;

    public static void main(String[] args) throws IOException {
        Dataset data = OneSegmentBench.data(args);
        int rounds = OneSegmentBench.rounds(args);
        Path root = Files.createTempDirectory("quantized");
        try (Directory floats = FSDirectory.open(root.resolve("float")); Directory bytes = FSDirectory.open(root.resolve("u8"));
                Directory sevens = FSDirectory.open(root.resolve("s7"))) {
            build("float (the server's codec)", floats, data, BenchAccess.codec());
            build("int8 (UNSIGNED_BYTE)", bytes, data, quantized(ScalarEncoding.UNSIGNED_BYTE));
            build("7-bit (SEVEN_BIT)", sevens, data, quantized(ScalarEncoding.SEVEN_BIT));
            try (DirectoryReader f = DirectoryReader.open(floats); DirectoryReader u = DirectoryReader.open(bytes);
                    DirectoryReader s = DirectoryReader.open(sevens)) {
                List<Side> sides = List.of(
                        new Side("(a) float, k 100", f, q -> knn(q)),
                        new Side("(b) int8, k 100, rescored", u, QuantizedSearch::rescored),
                        new Side("(c) int8, k 100, not rescored", u, q -> knn(q)),
                        new Side("(d) 7-bit, k 100, rescored", s, QuantizedSearch::rescored));
                for (int w = 0; w < 3; w++) { // warm-up: the JIT compiles every path
                    for (Side side : sides) side.round(data, false);
                }
                for (int r = 0; r < rounds; r++) {
                    // A different side first each round, so none always follows another.
                    for (int i = 0; i < sides.size(); i++) sides.get((r + i) % sides.size()).round(data, true);
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", r + 1));
                    for (Side side : sides) line.append(String.format(Locale.ROOT, " %s %.0f QPS", side.what.substring(0, 3), side.lastQps));
                    System.out.println(line);
                }
                for (Side side : sides) side.report(data);
                for (Side side : sides.subList(1, sides.size())) {
                    System.out.printf(Locale.ROOT, "%s / (a): QPS %.3f, CPU per query %.3f (medians), recall %.4f vs %.4f%n",
                            side.what.substring(0, 3), side.median(side.qps) / sides.get(0).median(sides.get(0).qps),
                            side.median(side.cpuUs) / sides.get(0).median(sides.get(0).cpuUs), side.recall, sides.get(0).recall);
                }
            }
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    private static Query knn(float[] q) {
        return new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, q, K);
    }

    private static Query rescored(float[] q) {
        return RescoreTopNQuery.createFullPrecisionRescorerQuery(knn(q), q, BenchAccess.VECTOR_FIELD, K);
    }

    /** Lucene's codec with the quantized HNSW format, maxConn and beamWidth as the server's. */
    private static Codec quantized(ScalarEncoding encoding) {
        KnnVectorsFormat format = new Lucene104HnswScalarQuantizedVectorsFormat(encoding, 16, 100);
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    private static void build(String what, Directory dir, Dataset data, Codec codec) throws IOException {
        VectorSpace space = new VectorSpace(VectorType.DENSE, data.dim, Metric.COSINE, null);
        OneSegmentBench.build(what, dir, data, codec, i -> BenchAccess.document(Integer.toString(i), data.vectors[i], space));
    }

    private static final class Side {
        final String what;
        final IndexSearcher searcher;
        final Function<float[], Query> query;
        final List<Double> qps = new ArrayList<>(), cpuUs = new ArrayList<>();
        double lastQps, recall;

        Side(String what, DirectoryReader reader, Function<float[], Query> query) {
            this.what = what;
            this.searcher = new IndexSearcher(reader);
            this.query = query;
        }

        /** Three passes over the queries, reading the top ids as the server does. */
        void round(Dataset data, boolean record) throws IOException {
            long wall = System.nanoTime(), cpu = THREADS.getCurrentThreadCpuTime();
            for (int p = 0; p < PASSES_PER_ROUND; p++) {
                for (float[] q : data.queries) ids(q);
            }
            int count = PASSES_PER_ROUND * data.queries.length;
            lastQps = count / ((System.nanoTime() - wall) / 1e9);
            if (record) {
                qps.add(lastQps);
                cpuUs.add((THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / count);
            }
        }

        int[] ids(float[] q) throws IOException {
            return TopIds.of(searcher, searcher.search(query.apply(q), TOP_K), TOP_K);
        }

        void report(Dataset data) throws IOException {
            long hits = 0;
            for (int q = 0; q < data.queries.length; q++) hits += data.hits(q, ids(data.queries[q]));
            recall = hits / (double) (data.queries.length * TOP_K);
            System.out.printf(Locale.ROOT, "%-32s median %.0f QPS (min %.0f, max %.0f), median %.0f us CPU per query, recall@%d %.4f%n",
                    what, median(qps), qps.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    qps.stream().mapToDouble(Double::doubleValue).max().orElse(0), median(cpuUs), TOP_K, recall);
        }

        double median(List<Double> xs) {
            double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
    }
}
