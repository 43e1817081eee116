package io.conifer.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.function.IntFunction;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;

/**
 * What the one-segment search comparisons ({@code ./conifer bench cosine}, {@code quantized}) share: their
 * arguments {@code [VECTORS DIM ROUNDS]} with the data of {@code ./conifer bench}, and an index built as
 * one segment flushed once, so their timings compare searches, not merges.
 */
final class OneSegmentBench {
    static final int TOP_K = 10, QUERIES = 300;
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private OneSegmentBench() {}

    /** VECTORS and DIM of {@code args} (default 100000 768) as {@code ./conifer bench}'s data: 50 clusters, spread 0.5, seed 42. */
    static Dataset data(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 768;
        Dataset data = Dataset.generate(n, dim, 50, 0.5, QUERIES, TOP_K, 42);
        data.computeTruth(VectorSimilarityFunction.COSINE);
        return data;
    }

    /** ROUNDS of {@code args}, default 8. */
    static int rounds(String[] args) {
        return args.length > 2 ? Integer.parseInt(args[2]) : 8;
    }

    /** One thread, one segment: {@code document(i)} for every vector, then a commit. */
    static void build(String what, Directory dir, Dataset data, Codec codec, IntFunction<Document> document) throws IOException {
        long wall = System.nanoTime(), cpu = THREADS.getCurrentThreadCpuTime();
        IndexWriterConfig config = new IndexWriterConfig().setCodec(codec).setRAMBufferSizeMB(4096);
        try (IndexWriter w = new IndexWriter(dir, config)) {
            for (int i = 0; i < data.vectors.length; i++) w.addDocument(document.apply(i));
            w.forceMerge(1);
            w.commit();
        }
        System.out.printf(Locale.ROOT, "build %-28s %.1f s wall, %.1f s CPU of the indexing thread%n", what,
                (System.nanoTime() - wall) / 1e9, (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9);
    }
}
