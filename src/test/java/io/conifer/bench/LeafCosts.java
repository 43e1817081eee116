package io.conifer.bench;

import io.conifer.store.StorageEngine;
import io.conifer.vectors.BenchAccess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FilteredDocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnCollectorManager;
import org.apache.lucene.util.Bits;

/**
 * Where a query's search cost goes under writes, sampled with the server's own searcher: per segment
 * (the largest apart from the rest) the nodes HNSW visits and the CPU time it takes (one thread), and
 * what an exact (brute-force) search of the smaller segments would take instead.
 */
final class LeafCosts {
    private long queries, leaves, bigDocs, bigDeleted, smallDocs, smallDeleted;
    private long bigVisited, smallVisited, bigNanos, smallNanos, smallExactNanos, wholeNanos;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** This thread's CPU time: the machine is shared, so wall time would measure the other processes too. */
    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    void sample(StorageEngine<?> engine, float[][] vectors, int k) {
        engine.search(s -> {
            for (float[] v : vectors) probe(s, v, k);
            return null;
        });
    }

    private void probe(IndexSearcher s, float[] vector, int k) throws IOException {
        LeafReaderContext big = null;
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            if (big == null || leaf.reader().maxDoc() > big.reader().maxDoc()) big = leaf;
        }
        ProbeQuery query = new ProbeQuery(vector, k, big);
        long started = cpu();
        new IndexSearcher(s.getIndexReader()).search(query, k);
        long whole = cpu() - started;
        long exact = query.exactOfOthers(s);
        synchronized (this) {
            wholeNanos += whole;
            smallExactNanos += exact;
            queries++;
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                leaves++;
                int docs = leaf.reader().maxDoc(), deleted = leaf.reader().numDeletedDocs();
                if (leaf == big) {
                    bigDocs += docs;
                    bigDeleted += deleted;
                } else {
                    smallDocs += docs;
                    smallDeleted += deleted;
                }
            }
        }
    }

    /** The server's query, counting visited nodes and time per segment. */
    private final class ProbeQuery extends KnnFloatVectorQuery {
        private final LeafReaderContext big;

        ProbeQuery(float[] vector, int k, LeafReaderContext big) {
            super(BenchAccess.VECTOR_FIELD, vector, k);
            this.big = big;
        }

        @Override
        protected TopDocs approximateSearch(LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit,
                KnnCollectorManager manager) throws IOException {
            long started = cpu();
            TopDocs top = super.approximateSearch(context, acceptDocs, visitedLimit, manager);
            long used = cpu() - started;
            synchronized (LeafCosts.this) {
                if (context == big) {
                    bigVisited += top.totalHits.value();
                    bigNanos += used;
                } else {
                    smallVisited += top.totalHits.value();
                    smallNanos += used;
                }
            }
            return top;
        }

        /** Nanoseconds a brute-force search of the live documents of every segment but the largest takes. */
        long exactOfOthers(IndexSearcher s) throws IOException {
            long used = 0;
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                if (leaf == big) continue;
                Bits live = leaf.reader().getLiveDocs();
                DocIdSetIterator all = DocIdSetIterator.all(leaf.reader().maxDoc());
                DocIdSetIterator liveDocs = live == null ? all : new FilteredDocIdSetIterator(all) {
                    @Override
                    protected boolean match(int doc) {
                        return live.get(doc);
                    }
                };
                long started = cpu();
                exactSearch(leaf, liveDocs, null);
                used += cpu() - started;
            }
            return used;
        }
    }

    @Override
    public synchronized String toString() {
        if (queries == 0) return "-";
        double q = queries;
        return String.format(Locale.ROOT, "per query (%d probes): %.1f segments; largest %.0f docs %.0f%% deleted, visited %.0f, %.0f us;"
                + " the other %.1f segments %.0f docs %.0f%% deleted, visited %.0f, HNSW %.0f us CPU, exact would be %.0f us;"
                + " whole query %.0f us CPU on one thread", queries, leaves / q, bigDocs / q, 100.0 * bigDeleted / Math.max(1, bigDocs), bigVisited / q,
                bigNanos / q / 1e3, leaves / q - 1, smallDocs / q, 100.0 * smallDeleted / Math.max(1, smallDocs), smallVisited / q,
                smallNanos / q / 1e3, smallExactNanos / q / 1e3, wholeNanos / q / 1e3);
    }
}
