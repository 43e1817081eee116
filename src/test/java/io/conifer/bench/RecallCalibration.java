package io.conifer.bench;

import io.conifer.vectors.BenchAccess;
import java.io.IOException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;

/**
 * Finds the ef at which raw Lucene reaches a given recall, so a query ratio compares two searches that
 * find the same share of the true neighbours. At the same ef the server's index and the force-merged
 * copy do not: their graphs are built differently (the server joins the graphs of many small segments,
 * concurrently; raw Lucene force-merges a few big ones), and which one finds more at ef 100 changes from
 * run to run (raw 0.949-0.967 against the server's 0.962-0.966), and so does what a search costs.
 */
final class RecallCalibration {
    /** The ef found and raw Lucene's recall over every query at it. */
    record Calibrated(int ef, double recall) {}

    /**
     * Recalls this close count as equal: 3 of the 3,000 true neighbours of the default 300 queries. A
     * server row's recall is measured over its timed answers, which ask the queries in turn but not
     * exactly equally often, so it can differ from every query once by about that much.
     */
    static final double TOLERANCE = 0.001;

    private final IndexSearcher searcher;
    private final Dataset data;
    private final int topK;

    RecallCalibration(DirectoryReader reader, Dataset data, int topK) {
        this.searcher = new IndexSearcher(reader);
        this.data = data;
        this.topK = topK;
    }

    /**
     * The ef at which raw Lucene's recall@topK over every query is within {@link #TOLERANCE} of
     * {@code target}: {@code startEf} (the server's) if its recall already is, so two searches that both
     * find every neighbour are compared at the same ef; otherwise the smallest ef from {@code topK} to
     * {@code maxEf} with a recall of at least {@code target - TOLERANCE}, found by bisection (HNSW's
     * recall grows with ef, by steps), or {@code maxEf} if none reaches it. Untimed: each query runs
     * once per ef tried.
     */
    Calibrated efFor(double target, int startEf, int maxEf) throws IOException {
        double atStart = recallAt(startEf);
        if (Math.abs(atStart - target) <= TOLERANCE) return new Calibrated(startEf, atStart);
        double floor = target - TOLERANCE;
        int below; // recall under the floor there (topK - 1: assumed)
        int reaching; // recall at least the floor there
        double reached;
        if (atStart >= floor) {
            below = topK - 1;
            reaching = startEf;
            reached = atStart;
        } else {
            below = startEf;
            reaching = startEf;
            reached = atStart;
            while (reached < floor) {
                if (reaching >= maxEf) return new Calibrated(reaching, reached);
                below = reaching;
                reaching = Math.min(maxEf, reaching * 2);
                reached = recallAt(reaching);
            }
        }
        while (reaching - below > 1) {
            int mid = (below + reaching) >>> 1;
            double r = recallAt(mid);
            if (r >= floor) {
                reaching = mid;
                reached = r;
            } else {
                below = mid;
            }
        }
        return new Calibrated(reaching, reached);
    }

    /** Recall@topK of raw Lucene's search with {@code k = ef} over every query, each once. */
    double recallAt(int ef) throws IOException {
        long hits = 0;
        for (int q = 0; q < data.queries.length; q++) {
            TopDocs top = searcher.search(new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, data.queries[q], ef), ef);
            hits += data.hits(q, TopIds.of(searcher, top, topK));
        }
        return hits / ((double) data.queries.length * topK);
    }
}
