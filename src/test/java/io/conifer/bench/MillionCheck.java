package io.conifer.bench;

import io.conifer.Http;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads N clustered vectors into a running server over REST and then queries it: with the server
 * started as {@code CONIFER_JAVA_OPTS=-Xmx1g ./conifer serve}, this checks that 1,000,000 x 768
 * vectors are served within a 1 GB heap (vectors and HNSW graphs live off-heap, memory-mapped).
 *
 * <p>Run: {@code java -cp ... io.conifer.bench.MillionCheck http://localhost:5080 KEY [N] [DIM]}.
 */
public final class MillionCheck {
    private MillionCheck() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String key = args[1];
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int dim = args.length > 3 ? Integer.parseInt(args[3]) : 768;
        Http control = new Http(url, key);
        Http data = control.forHost(control.createDense("million", dim, "cosine"));
        BackupBenchmark.Clusters clusters = new BackupBenchmark.Clusters(dim, 1000, 42);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        int threads = 3;
        int batch = 200;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            workers.add(Thread.ofPlatform().start(() -> {
                Random r = new Random(thread + 1);
                for (int from = thread * batch; from < n; from += threads * batch) {
                    StringBuilder b = new StringBuilder(batch * 9000).append("{\"vectors\":[");
                    for (int i = from; i < Math.min(n, from + batch); i++) {
                        b.append(i == from ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":")
                                .append(Arrays.toString(clusters.next(r))).append('}');
                    }
                    Http.Response resp = data.post("/vectors/upsert", b.append("]}").toString());
                    if (resp.status() != 200) throw new IllegalStateException("upsert failed: " + resp);
                    long d = done.addAndGet(Math.min(n, from + batch) - from);
                    if (d % 100_000 < batch) {
                        System.out.printf(Locale.ROOT, "%,d vectors in %.0f s%n", d, (System.nanoTime() - start) / 1e9);
                    }
                }
            }));
        }
        for (Thread w : workers) w.join();
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        long total = data.post("/describe_index_stats", "{}").json().get("totalVectorCount").asLong();
        Random q = new Random(7);
        long qs = System.nanoTime();
        int queries = 200;
        for (int i = 0; i < queries; i++) {
            Http.Response resp = data.post("/query", "{\"vector\":" + Arrays.toString(clusters.next(q)) + ",\"topK\":10}");
            if (resp.status() != 200 || resp.json().get("matches").size() != 10) throw new IllegalStateException("query: " + resp);
        }
        double qps = queries / ((System.nanoTime() - qs) / 1e9);
        System.out.printf(Locale.ROOT, "loaded %,d x %d in %.0f s (%.0f vectors/s); stats total %,d; %d queries at %.0f QPS%n",
                n, dim, loadSeconds, n / loadSeconds, total, queries, qps);
        if (total != n) throw new IllegalStateException("expected " + n + " records, stats say " + total);
    }
}
