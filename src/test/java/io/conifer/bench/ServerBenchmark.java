package io.conifer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.auth.ApiKeys;
import io.conifer.files.DurableFiles;
import io.conifer.index.IndexManager;
import io.conifer.store.RecordStore;
import io.conifer.store.StorageEngine;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.BenchAccess;
import io.conifer.vectors.Metric;
import io.conifer.vectors.QuerySpec;
import io.conifer.vectors.ScoredRecord;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.QueryResponse;
import io.pinecone.proto.ScoredVector;
import io.pinecone.proto.VectorServiceGrpc;
import io.pinecone.unsigned_indices_model.QueryResponseWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The figures of the performance issues: Conifer's upsert throughput and query QPS through the
 * server (REST, and gRPC through the official Java SDK) against raw in-process Lucene on the same
 * vectors with the same codec, similarity and HNSW parameters, at the same recall.
 *
 * <p>Run it with {@code ./conifer bench [options]} (or {@code scripts/bench.sh}); see docs/BENCHMARKS.md.
 * Everything runs in this JVM: the server is a real {@link io.conifer.server.ConiferServer} on free
 * local ports (the same wiring as {@code conifer serve}), the clients talk to it over loopback TCP.
 * Request bodies are serialised before the clock starts, so client-side JSON/proto encoding is
 * not measured; the REST client is a minimal keep-alive HTTP/1.1 socket client.
 */
@Command(name = "conifer bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmarks Conifer (REST and gRPC) against raw in-process Lucene and prints the ratios.")
public final class ServerBenchmark implements Callable<Integer> {
    private static final String KEY = TestServer.KEY;
    private static final Set<String> PHASES = Set.of("raw", "store", "rest", "grpc", "mixed");
    private static final List<String> DEFAULT_PHASES = List.of("raw", "rest", "grpc", "mixed");
    private static final double JIT_WINDOW_SECONDS = 5;

    @Option(names = "--vectors", defaultValue = "100000", description = "Vectors to index (default ${DEFAULT-VALUE}).")
    int vectors;

    @Option(names = "--dim", defaultValue = "768", description = "Dimension (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--metric", defaultValue = "cosine", description = "cosine, dotproduct or euclidean (default ${DEFAULT-VALUE}).")
    String metricName;

    @Option(names = "--clusters", defaultValue = "50", description = "Gaussian clusters (default ${DEFAULT-VALUE}: few, large "
            + "clusters make HNSW at ef 100 miss some true neighbours, so recall/speed trade-offs show).")
    int clusters;

    @Option(names = "--spread", defaultValue = "0.5",
            description = "Std-dev of each coordinate around its centroid, centroids being N(0,1) (default ${DEFAULT-VALUE}).")
    double spread;

    @Option(names = "--seed", defaultValue = "42", description = "Data seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--queries", defaultValue = "300", description = "Query vectors with brute-force ground truth (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--top-k", defaultValue = "10", description = "topK of every query; recall is recall@topK (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--ef", description = "HNSW candidates k for raw Lucene (default: the server's efSearch, "
            + "so both search with the same ef). The server's own ef is not configurable.")
    Integer ef;

    @Option(names = "--ef-sweep", split = ",", description = "Extra ef values to measure raw Lucene at (recall/QPS curve), e.g. 20,50,200.")
    List<Integer> efSweep = new ArrayList<>();

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent upsert clients for store/REST/gRPC (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--batch", defaultValue = "100", description = "Vectors per REST (and in-process store) upsert (default ${DEFAULT-VALUE}; REST bodies must stay under 2 MB).")
    int batch;

    @Option(names = "--grpc-batch", defaultValue = "100", description = "Vectors per gRPC upsert (default ${DEFAULT-VALUE}).")
    int grpcBatch;

    @Option(names = "--raw-threads", defaultValue = "2", description = "Raw Lucene indexing threads (default ${DEFAULT-VALUE}).")
    int rawThreads;

    @Option(names = "--raw-ram-mb", description = "Raw Lucene IndexWriter RAM buffer (default: the server's, 64).")
    Double rawRamMb;

    @Option(names = "--concurrent-clients", defaultValue = "4",
            description = "Query clients of the gRPC throughput row; its baseline is raw Lucene on --raw-query-threads (default ${DEFAULT-VALUE}).")
    int concurrentClients;

    @Option(names = "--raw-query-threads", defaultValue = "2",
            description = "Threads of the raw Lucene throughput baseline (default ${DEFAULT-VALUE}).")
    int rawQueryThreads;

    @Option(names = "--settle-quiet", defaultValue = "15",
            description = "Seconds without a merge or a change of segments after which an index counts as settled (default ${DEFAULT-VALUE}).")
    double settleQuietSeconds;

    @Option(names = "--settle-timeout", defaultValue = "300",
            description = "Longest wait for the server's index to settle after a load (default ${DEFAULT-VALUE} s).")
    double settleTimeoutSeconds;

    @Option(names = "--mixed-vectors", defaultValue = "50000", description = "Vectors of the mixed read/write index (default ${DEFAULT-VALUE}).")
    int mixedVectors;

    @Option(names = "--mixed-dim", defaultValue = "128", description = "Dimension of the mixed read/write index (default ${DEFAULT-VALUE}).")
    int mixedDim;

    @Option(names = "--mixed-query-clients", defaultValue = "16", description = "Query clients of the mixed row (default ${DEFAULT-VALUE}).")
    int mixedQueryClients;

    @Option(names = "--raw-mixed", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After the mixed row, raw Lucene under writes at the rate the server acknowledged (the engine's own M1; default on).")
    boolean rawMixed;

    @Option(names = "--mixed-upsert-clients", defaultValue = "4",
            description = "Unthrottled upsert clients of the mixed row, re-upserting the same vectors (default ${DEFAULT-VALUE}).")
    int mixedUpsertClients;

    @Option(names = "--warmup", defaultValue = "10", description = "Least seconds of query warm-up per row (default ${DEFAULT-VALUE}); "
            + "it goes on while the JIT compiler is still busy, up to --warmup-max.")
    double warmupSeconds;

    @Option(names = "--warmup-max", defaultValue = "60",
            description = "Most seconds of query warm-up per row, if the JIT compiler has not gone quiet before (default ${DEFAULT-VALUE}).")
    double warmupMaxSeconds;

    @Option(names = "--jit-quiet", defaultValue = "0.03", description = "Warm-up ends once the JIT compiler threads used at most this "
            + "share of one core over the last 5 s (default ${DEFAULT-VALUE}): the timed window then measures compiled code.")
    double jitQuietShare;

    @Option(names = "--seconds", defaultValue = "15", description = "Seconds of timed queries per target (default ${DEFAULT-VALUE}).")
    double measureSeconds;

    @Option(names = "--only", split = ",", description = "Phases to run, of raw,store,rest,grpc,mixed (default raw,rest,grpc,mixed). "
            + "raw is the baseline of every ratio; store is the server's VectorStore in-process (no network); mixed is "
            + "queries under unthrottled upserts on its own smaller index.")
    List<String> only;

    @Option(names = "--rest-client", defaultValue = "socket", description = "socket (minimal keep-alive HTTP/1.1) or jdk (java.net.http) (default ${DEFAULT-VALUE}).")
    String restClient;

    @Option(names = "--work-dir", description = "Where the indexes go (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--keep", description = "Keep the work directory afterwards.")
    boolean keep;

    private Metric metric;
    private VectorSimilarityFunction similarity;
    private Dataset data;
    private final List<UpsertResult> upserts = new ArrayList<>();
    private final List<QueryResult> queryResults = new ArrayList<>();
    private final List<String> profiles = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private UpsertResult rawUpsert, restUpsert, grpcUpsert;
    private QueryResult rawMerged, rawMergedThreads, restQuery, grpcQuery, grpcConcurrent, mixedQuiet, mixedLoaded;
    /** Raw Lucene's queries under writes at the server's write rate (the engine's own M1), null when not run. */
    private QueryResult rawMixedQuiet, rawMixedLoaded;
    /** Upserts per second the server acknowledged under the mixed row's reads; raw Lucene's writes are held to it. */
    private double mixedUpsertRate;
    private String rawMixedLayout = "";
    /** The raw Lucene index after its forceMerge(1), kept for the equal-recall baselines measured after each server index. */
    private Path rawMergedDir;
    private EqualRecall restEqual, grpcEqual;
    private String mixedSegments = "";
    private double rawForceMergeSeconds;

    /** {@code settleSeconds}: from the last acknowledgement until the index stopped changing (its merges done). */
    record UpsertResult(String what, int count, double seconds, double commitSeconds, double settleSeconds, int segments) {
        double perSecond() {
            return count / (seconds + commitSeconds);
        }
    }

    /** {@code cpuMicros}: process CPU per query of the timed window (every thread: clients, server, JIT, GC). */
    record QueryResult(String what, int clients, int count, double seconds, double recall, double p50, double p99, int segments,
            double cpuMicros) {
        double qps() {
            return count / seconds;
        }
    }

    /** A connection that answers query {@code q} of the data set; one per client thread. */
    interface QueryClient extends AutoCloseable {
        Object query(int q) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        metric = Metric.fromApi(metricName);
        if (metric == null) throw new CommandLine.ParameterException(new CommandLine(this), "Unknown metric " + metricName);
        similarity = metric.similarity();
        int serverEf = StoreOptions.defaults().efSearch();
        if (ef == null) ef = serverEf;
        if (rawRamMb == null) rawRamMb = StoreOptions.defaults().ramBufferMb();
        Set<String> phases = new LinkedHashSet<>(only == null || only.isEmpty() ? DEFAULT_PHASES : only);
        for (String p : phases) {
            if (!PHASES.contains(p)) throw new CommandLine.ParameterException(new CommandLine(this), "Unknown phase " + p);
        }
        quietLogs();
        System.out.println(header(serverEf));

        long t0 = System.nanoTime();
        Dataset main = Dataset.generate(vectors, dim, clusters, spread, queries, topK, seed);
        double gen = seconds(t0);
        t0 = System.nanoTime();
        main.computeTruth(similarity);
        data = main;
        System.out.printf(Locale.ROOT, "Generated %,d vectors (%.0f MB) in %.1f s; ground truth of %d queries by brute force in %.1f s%n%n",
                vectors, data.bytes() / 1e6, gen, queries, seconds(t0));

        Path root = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("conifer-bench");
        try {
            if (phases.contains("raw")) runRaw(root.resolve("raw"));
            if (phases.contains("store")) runStore(root.resolve("store"));
            if (phases.contains("rest") || phases.contains("grpc") || phases.contains("mixed")) {
                try (TestServer server = TestServer.start(root.resolve("server"))) {
                    if (phases.contains("rest")) runRest(server, root.resolve("server"));
                    if (phases.contains("grpc")) runGrpc(server, root.resolve("server"));
                    if (phases.contains("mixed")) {
                        data = Dataset.generate(mixedVectors, mixedDim, clusters, spread, queries, topK, seed);
                        data.computeTruth(similarity);
                        runMixed(server, root.resolve("server"));
                        if (rawMixed) runRawMixed(root.resolve("raw-mixed"));
                        data = main;
                    }
                }
            }
        } finally {
            if (!keep) DurableFiles.deleteTree(root);
            else System.out.println("Kept " + root);
        }
        System.out.println(summary(serverEf));
        return 0;
    }

    // ------------------------------------------------------------------ raw Lucene

    private void runRaw(Path dir) throws Exception {
        phase("raw Lucene: IndexWriter, " + rawThreads + " threads, the server's codec, documents and upsert by id, RAM buffer " + rawRamMb + " MB");
        try (Directory d = FSDirectory.open(dir)) {
            IndexWriterConfig cfg = new IndexWriterConfig()
                    .setCodec(BenchAccess.codec())
                    .setRAMBufferSizeMB(rawRamMb)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
            TieredMergePolicy merges = new TieredMergePolicy();
            merges.setMaxMergedSegmentMB(StoreOptions.defaults().maxSegmentMb());
            cfg.setMergePolicy(merges);
            IndexWriter writer = new IndexWriter(d, cfg);
            int chunk = 100;
            int tasks = (vectors + chunk - 1) / chunk;
            CpuMeter cpu = CpuMeter.start();
            // The same work as the server's Lucene part: its document (key, namespace, id, vector) and an
            // upsert by id, which must look for an older record to replace.
            VectorSpace space = new VectorSpace(VectorType.DENSE, dim, metric, null);
            double add = runParallel("raw-indexer", rawThreads, tasks, () -> task -> {
                for (int i = task * chunk; i < Math.min(vectors, (task + 1) * chunk); i++) {
                    String id = Integer.toString(i);
                    writer.updateDocument(BenchAccess.idTerm(id), BenchAccess.document(id, data.vectors[i], space));
                }
            });
            long c = System.nanoTime();
            writer.commit();
            double commit = seconds(c);
            profile("raw Lucene indexing + commit", cpu, vectors);
            long m = System.nanoTime();
            CpuMeter tail = CpuMeter.start();
            writer.close(); // waits for the merges the commit left running
            double mergeTail = seconds(m);
            profile("raw Lucene merges left running after the commit (not in vectors/s)", tail, vectors);
            try (DirectoryReader reader = DirectoryReader.open(d)) {
                rawUpsert = new UpsertResult("raw Lucene updateDocument, " + rawThreads + " threads, + commit", vectors, add, commit,
                        mergeTail, reader.leaves().size());
                upserts.add(rawUpsert);
                printUpsert(rawUpsert);
                luceneQueries("raw Lucene k=" + ef + " as built (diagnostic)", reader, ef, 1);
            }
            // The baseline of every query ratio: one segment, the layout a settled server index should search like.
            IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setCodec(BenchAccess.codec())
                    .setOpenMode(IndexWriterConfig.OpenMode.APPEND));
            long f = System.nanoTime();
            CpuMeter merge = CpuMeter.start();
            w.forceMerge(1);
            w.close();
            profile("raw Lucene forceMerge(1) (not in vectors/s)", merge, vectors);
            rawForceMergeSeconds = seconds(f);
            notes.add(String.format(Locale.ROOT, "Raw Lucene forceMerge(1) took %.1f s (not counted in any throughput).", rawForceMergeSeconds));
            rawMergedDir = dir;
            try (DirectoryReader reader = DirectoryReader.open(d)) {
                QueryResult first = luceneQueries("raw Lucene k=" + ef + " force-merged, 1 thread", reader, ef, 1);
                rawMergedThreads = luceneQueries("raw Lucene k=" + ef + " force-merged, " + rawQueryThreads + " threads", reader, ef,
                        rawQueryThreads);
                // Measured twice, the faster one the baseline: once a quiet run's first 1-thread row, right
                // after forceMerge, ran at twice the CPU per query of the 2-thread row after it (JIT quiet,
                // code compiled from the merge's profile), which made every 1-client ratio look met.
                QueryResult again = luceneQueries("raw Lucene k=" + ef + " force-merged, 1 thread, again", reader, ef, 1);
                rawMerged = again.qps() > first.qps() ? again : first;
                for (int e : efSweep) luceneQueries("raw Lucene k=" + e + " force-merged, 1 thread", reader, e, 1);
            }
        }
    }

    /**
     * Raw Lucene at equal recall: the baseline of a query ratio is raw Lucene over the force-merged copy
     * at the ef where it finds what {@code server} found (see {@link RecallCalibration}), 1 thread (the
     * faster of two rows, as at the server's ef) and, if {@code withThreads}, the threads of Q3.
     */
    private EqualRecall equalRecall(String of, QueryResult server, boolean withThreads) throws Exception {
        if (rawMergedDir == null || server == null) return null;
        try (Directory d = FSDirectory.open(rawMergedDir); DirectoryReader reader = DirectoryReader.open(d)) {
            RecallCalibration.Calibrated at = new RecallCalibration(reader, data, topK).efFor(server.recall(), ef, 8 * ef);
            System.out.printf(Locale.ROOT, "  raw Lucene reaches %s recall@%d %.4f at ef %d (%.4f over every query once)%n", of, topK,
                    server.recall(), at.ef(), at.recall());
            if (at.ef() == ef) return new EqualRecall(at, rawMerged, rawMergedThreads);
            String what = "raw Lucene k=" + at.ef() + " force-merged (" + of + " recall), ";
            QueryResult first = luceneQueries(what + "1 thread", reader, at.ef(), 1);
            QueryResult threads = withThreads ? luceneQueries(what + rawQueryThreads + " threads", reader, at.ef(), rawQueryThreads) : null;
            QueryResult again = luceneQueries(what + "1 thread, again", reader, at.ef(), 1);
            return new EqualRecall(at, again.qps() > first.qps() ? again : first, threads);
        }
    }

    /** The baselines of one server index's query ratios; {@code threads} null when not measured. */
    record EqualRecall(RecallCalibration.Calibrated at, QueryResult oneThread, QueryResult threads) {}

    private QueryResult luceneQueries(String what, DirectoryReader reader, int k, int threads) throws Exception {
        IndexSearcher searcher = new IndexSearcher(reader);
        return measureQueries(what, threads, reader.leaves().size(), () -> q -> {
            return TopIds.of(searcher, searcher.search(new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, data.queries[q], k), k), topK);
        }, r -> (int[]) r);
    }

    // ------------------------------------------------------------------ VectorStore in-process

    private void runStore(Path dir) throws Exception {
        phase("VectorStore in-process (WAL + Lucene, no network), " + clients + " threads x batch " + batch);
        VectorSpace space = new VectorSpace(VectorType.DENSE, dim, metric, null);
        try (VectorStore store = VectorStore.open(dir, space, StoreOptions.defaults())) {
            List<List<VectorRecord>> batches = new ArrayList<>();
            for (int start = 0; start < vectors; start += batch) {
                List<VectorRecord> b = new ArrayList<>();
                for (int i = start; i < Math.min(vectors, start + batch); i++) {
                    b.add(new VectorRecord(Integer.toString(i), data.vectors[i], null, null));
                }
                batches.add(b);
            }
            CpuMeter cpu = CpuMeter.start();
            double t = runParallel("bench-client", clients, batches.size(), () -> i -> store.upsert("", batches.get(i)));
            long lastAck = System.nanoTime();
            long c = System.nanoTime();
            store.checkpoint();
            double commit = seconds(c);
            profile("VectorStore.upsert in-process + checkpoint", cpu, vectors);
            Path luceneDir = dir.resolve("lucene");
            // The store is not in a server here: nothing calls maintain(), so this loop does what the index manager does.
            Thread maintainer = Thread.ofPlatform().daemon().name("bench-maintain").start(() -> {
                try {
                    while (true) {
                        store.maintain(false);
                        Thread.sleep(1000);
                    }
                } catch (InterruptedException stop) {
                    // done
                }
            });
            try {
                UpsertResult r = new UpsertResult("VectorStore.upsert in-process, " + clients + " threads x " + batch,
                        vectors, t, commit, awaitSettled(luceneDir, lastAck), segmentsOf(store, luceneDir));
                upserts.add(r);
                printUpsert(r);
                measureQueries("VectorStore.query in-process", 1, r.segments(), () -> q -> storeQuery(store, q), ServerBenchmark::storeIds);
            } finally {
                maintainer.interrupt();
                maintainer.join();
            }
        }
    }

    private Object storeQuery(VectorStore store, int q) {
        return store.query(new QuerySpec("", topK, data.queries[q], null, null, null, false, false)).result();
    }

    private static int[] storeIds(Object r) {
        @SuppressWarnings("unchecked")
        List<ScoredRecord> hits = (List<ScoredRecord>) r;
        return hits.stream().mapToInt(h -> Integer.parseInt(h.id())).toArray();
    }

    // ------------------------------------------------------------------ REST

    private void runRest(TestServer server, Path dataDir) throws Exception {
        phase("REST through the server: " + clients + " clients x batch " + batch + " (" + restClient + " HTTP/1.1 client)");
        Http control = new Http(server.url(), KEY);
        // host:port, for the Host header and raw request lines (describe_index gives it with a scheme).
        String host = createIndex(control, "bench-rest", dim).replaceFirst("^https?://", "");
        int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
        IndexManager.OpenIndex index = openIndex(server, "bench-rest");

        byte[][] requests = new byte[(vectors + batch - 1) / batch][];
        for (int b = 0; b < requests.length; b++) {
            StringBuilder json = new StringBuilder(batch * dim * 12);
            json.append("{\"vectors\":[");
            for (int i = b * batch; i < Math.min(vectors, (b + 1) * batch); i++) {
                if (i > b * batch) json.append(',');
                json.append("{\"id\":\"").append(i).append("\",\"values\":");
                appendFloats(json, data.vectors[i]);
                json.append('}');
            }
            json.append("],\"namespace\":\"\"}");
            byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
            if (body.length > 2 * 1024 * 1024) {
                throw new IllegalArgumentException("A REST upsert body of " + batch + " vectors is " + body.length
                        + " bytes, over the 2 MB limit: use a smaller --batch");
            }
            requests[b] = restClient.equals("jdk") ? body : RawHttp.post(host, "/vectors/upsert", KEY, body);
        }
        CpuMeter cpu = CpuMeter.start();
        double t = runParallel("bench-client", clients, requests.length, restWorker(host, port, "/vectors/upsert", requests));
        long lastAck = System.nanoTime();
        requests = null;
        long c = System.nanoTime();
        index.store().checkpoint();
        double commit = seconds(c);
        profile("REST upsert (server) + checkpoint", cpu, vectors);
        byte[][] queryRequests = restQueryRequests(host);
        Path luceneDir = luceneDir(dataDir, index);
        CpuMeter settling = CpuMeter.start();
        double settled = awaitSettled(luceneDir, lastAck);
        profile("REST index settling after the last ack (not in vectors/s)", settling, vectors);
        restUpsert = new UpsertResult("REST /vectors/upsert, " + clients + " clients x " + batch, vectors, t, commit, settled,
                segmentsOf(index.store(), luceneDir));
        upserts.add(restUpsert);
        printUpsert(restUpsert);

        WorkerFactory<RestWorker> queryWorkers = restWorker(host, port, "/query", queryRequests);
        restQuery = measureQueries("REST /query, 1 client", 1, restUpsert.segments(), () -> {
            RestWorker w = queryWorkers.create();
            return new QueryClient() {
                @Override
                public Object query(int q) throws Exception {
                    return w.exchange(q);
                }

                @Override
                public void close() throws Exception {
                    w.close();
                }
            };
        }, r -> {
            JsonNode matches = Http.JSON.readTree((byte[]) r).get("matches");
            int[] ids = new int[matches.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = Integer.parseInt(matches.get(i).get("id").asText());
            return ids;
        });
        measureQueries("VectorStore.query, same index, in-process (diagnostic)", 1, restUpsert.segments(),
                () -> q -> storeQuery((VectorStore) index.store(), q), ServerBenchmark::storeIds);
        restEqual = equalRecall("the REST index's", restQuery, false);
        Http.Response del = control.delete("/indexes/bench-rest");
        if (del.status() != 202 && del.status() != 200) System.out.println("  (could not delete bench-rest: " + del + ")");
    }

    private byte[][] restQueryRequests(String host) {
        byte[][] queryRequests = new byte[queries][];
        for (int q = 0; q < queries; q++) {
            StringBuilder json = new StringBuilder(dim * 12);
            json.append("{\"vector\":");
            appendFloats(json, data.queries[q]);
            json.append(",\"topK\":").append(topK).append(",\"includeValues\":false,\"includeMetadata\":false,\"namespace\":\"\"}");
            byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
            queryRequests[q] = restClient.equals("jdk") ? body : RawHttp.post(host, "/query", KEY, body);
        }
        return queryRequests;
    }

    interface RestWorker extends Worker {
        byte[] exchange(int i) throws Exception;

        @Override
        default void run(int i) throws Exception {
            exchange(i);
        }
    }

    private WorkerFactory<RestWorker> restWorker(String host, int port, String path, byte[][] requests) {
        if (restClient.equals("jdk")) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://" + host + path);
            return () -> i -> {
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json").header("Api-Key", KEY)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(requests[i])).build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
                return r.body();
            };
        }
        if (!restClient.equals("socket")) throw new IllegalArgumentException("--rest-client is socket or jdk");
        return () -> {
            RawHttp http = new RawHttp("localhost", port);
            return new RestWorker() {
                @Override
                public byte[] exchange(int i) throws Exception {
                    return http.exchange(requests[i]);
                }

                @Override
                public void close() throws IOException {
                    http.close();
                }
            };
        };
    }

    private static void appendFloats(StringBuilder json, float[] v) {
        json.append('[');
        for (int d = 0; d < v.length; d++) {
            if (d > 0) json.append(',');
            json.append(v[d]); // Float.toString: the shortest decimal that reads back as the same float
        }
        json.append(']');
    }

    // ------------------------------------------------------------------ gRPC through the Java SDK

    private List<List<VectorWithUnsignedIndices>> grpcBatches() {
        List<List<VectorWithUnsignedIndices>> batches = new ArrayList<>();
        for (int start = 0; start < data.vectors.length; start += grpcBatch) {
            List<VectorWithUnsignedIndices> b = new ArrayList<>();
            for (int i = start; i < Math.min(data.vectors.length, start + grpcBatch); i++) {
                b.add(new VectorWithUnsignedIndices(Integer.toString(i), new FloatList(data.vectors[i])));
            }
            batches.add(b);
        }
        return batches;
    }

    private List<List<Float>> grpcQueryVectors() {
        List<List<Float>> queryLists = new ArrayList<>();
        for (float[] q : data.queries) queryLists.add(new FloatList(q));
        return queryLists;
    }

    private static int[] sdkIds(Object r) {
        return ((QueryResponseWithUnsignedIndices) r).getMatchesList().stream()
                .map(ScoredVectorWithUnsignedIndices::getId).mapToInt(Integer::parseInt).toArray();
    }

    private void runGrpc(TestServer server, Path dataDir) throws Exception {
        phase("gRPC through the official Java SDK (pinecone-client 6.1.0): " + clients + " clients x batch " + grpcBatch);
        Http control = new Http(server.url(), KEY);
        createIndex(control, "bench-grpc", dim);
        IndexManager.OpenIndex index = openIndex(server, "bench-grpc");
        Pinecone pinecone = new Pinecone.Builder(KEY).withHost(server.url()).withTlsEnabled(false).build();
        Index sdk = pinecone.getIndexConnection("bench-grpc");
        try {
            List<List<VectorWithUnsignedIndices>> batches = grpcBatches();
            CpuMeter cpu = CpuMeter.start();
            double t = runParallel("bench-client", clients, batches.size(), () -> i -> sdk.upsert(batches.get(i), ""));
            long lastAck = System.nanoTime();
            long c = System.nanoTime();
            index.store().checkpoint();
            double commit = seconds(c);
            profile("gRPC SDK upsert (server) + checkpoint", cpu, vectors);
            List<List<Float>> queryLists = grpcQueryVectors();
            Path luceneDir = luceneDir(dataDir, index);
            CpuMeter settling = CpuMeter.start();
            double settled = awaitSettled(luceneDir, lastAck);
            profile("gRPC index settling after the last ack (not in vectors/s)", settling, vectors);
            grpcUpsert = new UpsertResult("gRPC SDK Index.upsert, " + clients + " clients x " + grpcBatch, vectors, t, commit,
                    settled, segmentsOf(index.store(), luceneDir));
            upserts.add(grpcUpsert);
            printUpsert(grpcUpsert);

            int searched = grpcUpsert.segments();
            grpcQuery = measureQueries("gRPC SDK Index.query, 1 client", 1, searched, sdkClients(sdk, queryLists), ServerBenchmark::sdkIds);
            grpcConcurrent = measureQueries("gRPC SDK Index.query, " + concurrentClients + " clients", concurrentClients, searched,
                    sdkClients(sdk, queryLists), ServerBenchmark::sdkIds);

            // The SDK's own stub with requests built in advance: the server's share without the SDK's conversions.
            java.lang.reflect.Field f = Index.class.getDeclaredField("blockingStub");
            f.setAccessible(true);
            VectorServiceGrpc.VectorServiceBlockingStub stub = (VectorServiceGrpc.VectorServiceBlockingStub) f.get(sdk);
            QueryRequest[] prebuilt = new QueryRequest[queries];
            for (int q = 0; q < queries; q++) {
                prebuilt[q] = QueryRequest.newBuilder().setTopK(topK).addAllVector(queryLists.get(q)).setNamespace("")
                        .setIncludeValues(false).setIncludeMetadata(false).build();
            }
            measureQueries("gRPC SDK stub, prebuilt QueryRequest (diagnostic)", 1, searched, () -> q -> stub.query(prebuilt[q]),
                    r -> ((QueryResponse) r).getMatchesList().stream().map(ScoredVector::getId).mapToInt(Integer::parseInt).toArray());
            try (Directory d = FSDirectory.open(luceneDir); DirectoryReader reader = DirectoryReader.open(d)) {
                luceneQueries("raw Lucene k=" + ef + " on the gRPC index's last commit (diagnostic)", reader, ef, 1);
            }
            grpcEqual = equalRecall("the gRPC index's", grpcQuery, true);
        } finally {
            sdk.close();
        }
        Http.Response del = control.delete("/indexes/bench-grpc");
        if (del.status() != 202 && del.status() != 200) System.out.println("  (could not delete bench-grpc: " + del + ")");
    }

    /**
     * Query clients over one SDK index connection: the SDK keeps one gRPC channel per index name (closing
     * any Index closes it), so concurrent clients are concurrent HTTP/2 streams, as threads of one
     * application would be.
     */
    private ClientFactory sdkClients(Index sdk, List<List<Float>> queryLists) {
        return () -> q -> sdk.query(topK, queryLists.get(q), null, null, null, "", null, false, false);
    }

    // ------------------------------------------------------------------ queries under writes

    /**
     * Its own smaller index ({@code --mixed-vectors x --mixed-dim}): loaded and settled, then
     * {@code --mixed-query-clients} gRPC clients query it alone, then again while
     * {@code --mixed-upsert-clients} clients re-upsert the same records (same values, so the ground
     * truth holds) back to back, as fast as the server acknowledges them.
     */
    private void runMixed(TestServer server, Path dataDir) throws Exception {
        phase(String.format(Locale.ROOT, "Queries under writes: %,d x %d, %d gRPC query clients, %d unthrottled upsert clients x %d",
                data.vectors.length, data.dim, mixedQueryClients, mixedUpsertClients, grpcBatch));
        Http control = new Http(server.url(), KEY);
        createIndex(control, "bench-mixed", data.dim);
        IndexManager.OpenIndex index = openIndex(server, "bench-mixed");
        Pinecone pinecone = new Pinecone.Builder(KEY).withHost(server.url()).withTlsEnabled(false).build();
        Index sdk = pinecone.getIndexConnection("bench-mixed");
        try {
            List<List<VectorWithUnsignedIndices>> batches = grpcBatches();
            double t = runParallel("bench-client", mixedUpsertClients, batches.size(), () -> i -> sdk.upsert(batches.get(i), ""));
            long lastAck = System.nanoTime();
            Path luceneDir = luceneDir(dataDir, index);
            double settled = awaitSettled(luceneDir, lastAck);
            System.out.printf(Locale.ROOT, "  loaded %,d vectors in %.1f s (%.0f vectors/s); settled %.1f s after the last ack, %d segments%n",
                    data.vectors.length, t, data.vectors.length / t, settled, segmentsOf(index.store(), luceneDir));
            ClientFactory clientsOfMixed = sdkClients(sdk, grpcQueryVectors());
            int before = segmentsOf(index.store(), luceneDir);
            float[][] probes = Arrays.copyOf(data.queries, Math.min(2, data.queries.length));
            mixedQuiet = measureQueries("gRPC SDK query, " + mixedQueryClients + " clients, no writes", mixedQueryClients, before,
                    clientsOfMixed, ServerBenchmark::sdkIds);
            // After the row's warm-up, so the probes run compiled code (before it, on a JVM that ran no other
            // phase, they measured the interpreter: 5 ms a query).
            probeQuiet("search cost without writes, ", index, probes);

            AtomicInteger upserted = new AtomicInteger();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < mixedUpsertClients; w++) {
                int first = w;
                writers.add(Thread.ofPlatform().name("bench-writer-" + w).start(() -> {
                    try {
                        for (int i = first; !stop.get(); i += mixedUpsertClients) {
                            List<VectorWithUnsignedIndices> b = batches.get(i % batches.size());
                            sdk.upsert(b, "");
                            upserted.addAndGet(b.size());
                        }
                    } catch (Throwable e) {
                        writeFailure.compareAndSet(null, e);
                    } finally {
                        CpuMeter.threadEnding();
                    }
                }));
            }
            int[] maxSegments = {before};
            SearchedLayout searched = new SearchedLayout();
            LeafCosts costs = new LeafCosts();
            Thread sampler = Thread.ofPlatform().daemon().name("bench-segments").start(() -> {
                try {
                    for (int round = 0; !stop.get(); round++) {
                        maxSegments[0] = Math.max(maxSegments[0], segmentFiles(luceneDir).size());
                        searched.sample(index.store().engine());
                        // Every 2 s: a probe costs the CPU of a few queries, which the timed row should not lose.
                        if (round % 4 == 0) costs.sample(index.store().engine(), probes, StoreOptions.defaults().efSearch());
                        Thread.sleep(500);
                    }
                } catch (InterruptedException | IOException | RuntimeException ignored) {
                    // sampling ends with the row
                }
            });
            long writesStart = System.nanoTime();
            long[] governedBefore = StorageEngine.governedWriteCpu();
            try {
                // The no-writes row warmed the same query path; under writes merges keep the JIT busy, so
                // waiting for it to go quiet would only let the writes run longer before the timed window.
                mixedLoaded = measureQueries("gRPC SDK query, " + mixedQueryClients + " clients, " + mixedUpsertClients
                        + " upsert clients", mixedQueryClients, -1, clientsOfMixed, ServerBenchmark::sdkIds, warmupSeconds);
            } finally {
                stop.set(true);
                for (Thread w : writers) w.join();
                sampler.join();
            }
            double writeSeconds = seconds(writesStart);
            long[] governed = StorageEngine.governedWriteCpu();
            double applyCpu = (governed[0] - governedBefore[0]) / 1e9, backgroundCpu = (governed[1] - governedBefore[1]) / 1e9;
            if (writeFailure.get() != null) throw new IllegalStateException("An upsert failed during the mixed row", writeFailure.get());
            int after = segmentFiles(luceneDir).size();
            mixedSegments = String.format(Locale.ROOT, "segments %d before the writes; on disk at most %d during them, %d at the end; "
                    + "searched %s; %,d vectors re-upserted meanwhile, %.0f upserts/s acknowledged under the write governor, "
                    + "whose writes' CPU was %.1f s applying + %.1f s merging and flushing = %.2f cores", before, maxSegments[0], after,
                    searched, upserted.get(), upserted.get() / writeSeconds, applyCpu, backgroundCpu, (applyCpu + backgroundCpu) / writeSeconds);
            System.out.println("  " + mixedSegments);
            mixedUpsertRate = upserted.get() / writeSeconds;
            System.out.println("  search cost under writes, " + costs);
            // Diagnostic: once the index has settled again, do queries cost what they did before the writes?
            // If not, the writes left something behind (e.g. the JIT's code for the search, compiled under
            // merges), not only a layout that the settle merge undoes.
            double resettled = awaitSettled(luceneDir, System.nanoTime());
            int again = segmentsOf(index.store(), luceneDir);
            System.out.printf(Locale.ROOT, "  settled again %.1f s after the writes, %d segments%n", resettled, again);
            measureQueries("gRPC SDK query, " + mixedQueryClients + " clients, no writes, settled again (diagnostic)", mixedQueryClients,
                    again, clientsOfMixed, ServerBenchmark::sdkIds);
            probeQuiet("search cost settled again, ", index, probes);
        } finally {
            sdk.close();
        }
        Http.Response del = control.delete("/indexes/bench-mixed");
        if (del.status() != 202 && del.status() != 200) System.out.println("  (could not delete bench-mixed: " + del + ")");
    }

    /**
     * The engine's own M1: raw Lucene over the mixed row's data (the server's codec and documents, loaded
     * and force-merged as the server settles it), {@code --mixed-query-clients} threads querying a
     * {@link SearcherManager} refreshed every second as the server refreshes, alone and then while
     * {@code --mixed-upsert-clients} threads re-upsert the same documents in batches at the rate the server
     * acknowledged under reads. No WAL, no network, no write governor: what is left is what writes do to
     * Lucene's searches (segments, deletions, merges, flushes) at that rate.
     */
    private void runRawMixed(Path dir) throws Exception {
        if (mixedUpsertRate <= 0) return;
        phase(String.format(Locale.ROOT, "raw Lucene under writes: %,d x %d, %d query threads, %d writer threads held to %.0f upserts/s",
                data.vectors.length, data.dim, mixedQueryClients, mixedUpsertClients, mixedUpsertRate));
        VectorSpace space = new VectorSpace(VectorType.DENSE, data.dim, metric, null);
        int n = data.vectors.length;
        try (Directory d = FSDirectory.open(dir)) {
            TieredMergePolicy merges = new TieredMergePolicy();
            merges.setMaxMergedSegmentMB(StoreOptions.defaults().maxSegmentMb());
            IndexWriter writer = new IndexWriter(d, new IndexWriterConfig().setCodec(BenchAccess.codec()).setRAMBufferSizeMB(rawRamMb)
                    .setMergePolicy(merges).setOpenMode(IndexWriterConfig.OpenMode.CREATE));
            try {
                int chunk = 100;
                runParallel("raw-indexer", rawThreads, (n + chunk - 1) / chunk, () -> task -> {
                    for (int i = task * chunk; i < Math.min(n, (task + 1) * chunk); i++) {
                        writer.updateDocument(BenchAccess.idTerm(Integer.toString(i)), BenchAccess.document(Integer.toString(i), data.vectors[i], space));
                    }
                });
                writer.forceMerge(1);
                writer.commit();
                SearcherManager searchers = new SearcherManager(writer, null);
                try {
                    java.util.concurrent.atomic.AtomicBoolean stopRefresh = new java.util.concurrent.atomic.AtomicBoolean();
                    Thread refresher = Thread.ofPlatform().daemon().name("raw-refresh").start(() -> {
                        try {
                            while (!stopRefresh.get()) {
                                Thread.sleep(1000);
                                searchers.maybeRefresh();
                            }
                        } catch (InterruptedException | IOException e) {
                            // ends with the row
                        }
                    });
                    int k = StoreOptions.defaults().efSearch();
                    ClientFactory clients = () -> q -> {
                        IndexSearcher s = searchers.acquire();
                        try {
                            return TopIds.of(s, s.search(new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, data.queries[q], Math.max(topK, k)),
                                    Math.max(topK, k)), topK);
                        } finally {
                            searchers.release(s);
                        }
                    };
                    rawMixedQuiet = measureQueries("raw Lucene, " + mixedQueryClients + " threads, no writes", mixedQueryClients, 1, clients,
                            r -> (int[]) r);
                    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                    AtomicInteger written = new AtomicInteger();
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    long start = System.nanoTime();
                    List<Thread> writers = new ArrayList<>();
                    for (int w = 0; w < mixedUpsertClients; w++) {
                        int first = w;
                        writers.add(Thread.ofPlatform().name("raw-writer-" + w).start(() -> {
                            try {
                                for (int b = first; !stop.get(); b += mixedUpsertClients) {
                                    // Held to the server's rate: batch b may start once the rate allows b batches before it.
                                    long due = start + (long) (b * grpcBatch / mixedUpsertRate * 1e9);
                                    long wait = due - System.nanoTime();
                                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                                    int from = (b * grpcBatch) % n;
                                    for (int i = from; i < Math.min(n, from + grpcBatch); i++) {
                                        String id = Integer.toString(i);
                                        writer.updateDocument(BenchAccess.idTerm(id), BenchAccess.document(id, data.vectors[i], space));
                                    }
                                    written.addAndGet(Math.min(n, from + grpcBatch) - from);
                                }
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                            } finally {
                                CpuMeter.threadEnding();
                            }
                        }));
                    }
                    int[] maxSegments = {1};
                    Thread sampler = Thread.ofPlatform().daemon().name("raw-segments").start(() -> {
                        while (!stop.get()) {
                            try {
                                IndexSearcher s = searchers.acquire();
                                try {
                                    maxSegments[0] = Math.max(maxSegments[0], s.getIndexReader().leaves().size());
                                } finally {
                                    searchers.release(s);
                                }
                                Thread.sleep(500);
                            } catch (InterruptedException | IOException e) {
                                return;
                            }
                        }
                    });
                    try {
                        rawMixedLoaded = measureQueries("raw Lucene, " + mixedQueryClients + " threads, " + mixedUpsertClients + " writers",
                                mixedQueryClients, -1, clients, r -> (int[]) r, warmupSeconds);
                    } finally {
                        stop.set(true);
                        for (Thread w : writers) w.join();
                        sampler.join();
                        stopRefresh.set(true);
                        refresher.join();
                    }
                    if (failure.get() != null) throw new IllegalStateException("A raw write failed", failure.get());
                    double seconds = seconds(start);
                    IndexSearcher s = searchers.acquire();
                    int leaves;
                    try {
                        leaves = s.getIndexReader().leaves().size();
                    } finally {
                        searchers.release(s);
                    }
                    rawMixedLayout = String.format(Locale.ROOT, "%,d vectors re-upserted, %.0f upserts/s; segments searched at most %d, %d at the end",
                            written.get(), written.get() / seconds, maxSegments[0], leaves);
                    System.out.println("  " + rawMixedLayout);
                } finally {
                    searchers.close();
                }
            } finally {
                writer.rollback();
            }
        }
    }

    private static void probeQuiet(String what, IndexManager.OpenIndex index, float[][] probes) {
        LeafCosts costs = new LeafCosts();
        for (int i = 0; i < 20; i++) costs.sample(index.store().engine(), probes, StoreOptions.defaults().efSearch());
        System.out.println("  " + what + costs);
    }

    // ------------------------------------------------------------------ measurement

    interface Worker extends AutoCloseable {
        void run(int task) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    interface WorkerFactory<W extends Worker> {
        W create() throws Exception;
    }

    /** Runs tasks 0..tasks-1 on {@code threads} threads (each with its own worker); returns the wall seconds. */
    private static double runParallel(String name, int threads, int tasks, WorkerFactory<? extends Worker> factory) throws Exception {
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) workers.add(factory.create());
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = workers.get(t);
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = next.getAndIncrement(); i < tasks && failure.get() == null; i = next.getAndIncrement()) w.run(i);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    CpuMeter.threadEnding();
                }
            }, name + "-" + t);
            th.start();
            running.add(th);
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread th : running) th.join();
        double elapsed = seconds(start);
        for (Worker w : workers) w.close();
        if (failure.get() != null) {
            if (failure.get() instanceof Exception e) throw e;
            throw new RuntimeException(failure.get());
        }
        return elapsed;
    }

    interface ClientFactory {
        QueryClient create() throws Exception;
    }

    interface IdParser {
        int[] ids(Object response) throws Exception;
    }

    /**
     * {@code clients} threads, each with its own client, query back to back, cycling through the
     * queries (each thread from its own offset): a warm-up ({@link #warmUp}), then {@link #measureSeconds}
     * timed. Every timed response is kept and scored against the ground truth
     * afterwards, so recall is that of the answers the QPS counts (under writes too).
     */
    private QueryResult measureQueries(String what, int clients, int segments, ClientFactory factory, IdParser parser) throws Exception {
        return measureQueries(what, clients, segments, factory, parser, warmupMaxSeconds);
    }

    /** As above, warming up for at most {@code maxWarmupSeconds}. */
    private QueryResult measureQueries(String what, int clients, int segments, ClientFactory factory, IdParser parser,
            double maxWarmupSeconds) throws Exception {
        List<QueryClient> connections = new ArrayList<>();
        for (int c = 0; c < clients; c++) connections.add(factory.create());
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        Object[][] answers = new Object[clients][];
        int[][] asked = new int[clients][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch warm = new CountDownLatch(clients);
        java.util.concurrent.atomic.AtomicBoolean warming = new java.util.concurrent.atomic.AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int me = c;
            QueryClient client = connections.get(c);
            threads.add(Thread.ofPlatform().name(clients == 1 ? "main-query" : "bench-query-" + c).start(() -> {
                try {
                    int next = me * queries / clients;
                    while (warming.get() && failure.get() == null) client.query(next++ % queries);
                    warm.countDown();
                    go.await();
                    long[] lat = new long[1 << 14];
                    Object[] got = new Object[1 << 14];
                    int[] qs = new int[1 << 14];
                    int n = 0;
                    long now = window[0];
                    while (now < window[1]) {
                        int q = next++ % queries;
                        Object r = client.query(q);
                        long after = System.nanoTime();
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                            got = Arrays.copyOf(got, n * 2);
                            qs = Arrays.copyOf(qs, n * 2);
                        }
                        lat[n] = after - now;
                        got[n] = r;
                        qs[n++] = q;
                        now = after;
                    }
                    latencies[me] = Arrays.copyOf(lat, n);
                    answers[me] = got;
                    asked[me] = qs;
                    counts[me] = n;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    warm.countDown();
                } finally {
                    CpuMeter.threadEnding();
                }
            }));
        }
        String warmedUp = warmUp(failure, maxWarmupSeconds);
        warming.set(false);
        warm.await();
        System.err.println("bench: " + java.time.Instant.now() + " timed queries start: " + what + " after " + warmedUp);
        CpuMeter cpu = CpuMeter.start();
        long processCpu = CpuMeter.processNanos();
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (measureSeconds * 1e9);
        go.countDown();
        for (Thread t : threads) t.join();
        double elapsed = seconds(window[0]);
        processCpu = CpuMeter.processNanos() - processCpu;
        for (QueryClient c : connections) c.close();
        if (failure.get() != null) {
            if (failure.get() instanceof Exception e) throw e;
            throw new RuntimeException(failure.get());
        }
        int count = Arrays.stream(counts).sum();
        System.err.println("bench: " + java.time.Instant.now() + " timed queries end: " + what);
        profile("queries: " + what + " (after " + warmedUp + ")", cpu, count);
        long[] sorted = new long[count];
        long hits = 0;
        for (int c = 0, at = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, sorted, at, counts[c]);
            at += counts[c];
            for (int i = 0; i < counts[c]; i++) hits += data.hits(asked[c][i], parser.ids(answers[c][i]));
        }
        Arrays.sort(sorted);
        double recall = count == 0 ? 0 : hits / ((double) count * topK);
        QueryResult r = new QueryResult(what, clients, count, elapsed, recall, sorted[count / 2] / 1e6,
                sorted[Math.min(count - 1, (int) (count * 0.99))] / 1e6, segments, count == 0 ? 0 : processCpu / 1e3 / count);
        queryResults.add(r);
        System.out.printf(Locale.ROOT, "  %-62s %8.0f QPS  recall@%d %.4f  p50 %.2f ms  p99 %.2f ms  (%s segments)%n",
                r.what(), r.qps(), topK, r.recall(), r.p50(), r.p99(), r.segments() < 0 ? "-" : r.segments());
        return r;
    }

    /**
     * Lets the clients query for at least {@link #warmupSeconds}, then until the JIT compiler threads
     * used at most {@link #jitQuietShare} of a core over the last 5 s, for at most {@link #warmupMaxSeconds}
     * (2 s proved too short on a loaded machine: C2 pauses between bursts as methods get hot).
     * A fixed warm-up was too short for the server's rows: its request path (Armeria, Netty's HTTP/2,
     * gRPC, protobuf) is far more code than a raw search, and a JFR recording showed C2 still compiling it
     * through the timed window (JIT ~160 µs of CPU per query on a quiet machine, 746 µs on a loaded one,
     * against 36 µs in the raw row). Every row, raw or not, warms up by the same rule. Returns what it did.
     */
    private String warmUp(AtomicReference<Throwable> failure, double maxSeconds) throws InterruptedException {
        long start = System.nanoTime();
        List<double[]> jit = new ArrayList<>(); // {seconds since start, JIT CPU seconds}, the oldest at least a window back
        double quietShare = Double.NaN;
        while (failure.get() == null) {
            double t = seconds(start);
            jit.add(new double[] {t, CpuMeter.jitSeconds()});
            while (jit.size() > 2 && t - jit.get(1)[0] >= JIT_WINDOW_SECONDS) jit.remove(0);
            double span = t - jit.get(0)[0];
            double share = span < JIT_WINDOW_SECONDS ? Double.NaN : (jit.get(jit.size() - 1)[1] - jit.get(0)[1]) / span;
            if (t >= maxSeconds || (t >= warmupSeconds && share <= jitQuietShare)) {
                quietShare = share;
                break;
            }
            Thread.sleep(100);
        }
        return String.format(Locale.ROOT, "%.0f s warm-up, JIT %s at its end", seconds(start),
                Double.isNaN(quietShare) ? "not measured (shorter than its window)" : String.format(Locale.ROOT, "%.0f%% of a core", 100 * quietShare));
    }

    /**
     * Waits until the index at {@code luceneDir} has settled after a load: no Lucene merge running and
     * the same segment files on disk for {@link #settleQuietSeconds}. Returns the seconds from
     * {@code lastAckNanos} (the last acknowledged write) to the last change seen, i.e. to when the
     * layout queries then search was reached (the server's searcher picks merged segments up within
     * its refresh interval).
     */
    private double awaitSettled(Path luceneDir, long lastAckNanos) throws Exception {
        long deadline = System.nanoTime() + (long) (settleTimeoutSeconds * 1e9);
        long lastChange = lastAckNanos;
        Set<String> seen = segmentFiles(luceneDir);
        while (System.nanoTime() - lastChange < settleQuietSeconds * 1e9) {
            if (System.nanoTime() > deadline) {
                notes.add(String.format(Locale.ROOT, "%s had not settled %.0f s after its load (--settle-timeout).", luceneDir,
                        settleTimeoutSeconds));
                break;
            }
            Thread.sleep(200);
            boolean merging = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.isAlive() && t.getName().startsWith("Lucene Merge Thread"));
            Set<String> now = segmentFiles(luceneDir);
            if (merging || !now.equals(seen)) lastChange = System.nanoTime();
            seen = now;
        }
        return (lastChange - lastAckNanos) / 1e9;
    }

    /** What the queries of the mixed row search, sampled: segments and the share of deleted documents they skip. */
    private static final class SearchedLayout {
        private int samples, maxSegments, sumSegments;
        private double sumDeleted;

        void sample(StorageEngine<?> engine) {
            int[] seen = engine.search(s -> {
                IndexReader r = s.getIndexReader();
                return new int[] {r.leaves().size(), r.maxDoc(), r.numDeletedDocs()};
            }).result();
            samples++;
            maxSegments = Math.max(maxSegments, seen[0]);
            sumSegments += seen[0];
            sumDeleted += seen[1] == 0 ? 0 : (double) seen[2] / seen[1];
        }

        @Override
        public String toString() {
            if (samples == 0) return "-";
            return String.format(Locale.ROOT, "%.1f segments on average, at most %d, %.0f%% of documents deleted", (double) sumSegments / samples,
                    maxSegments, 100 * sumDeleted / samples);
        }
    }

    /** Names of the segment info files on disk: one per segment, written or merged away since the last look. */
    private static Set<String> segmentFiles(Path luceneDir) throws IOException {
        try (var files = Files.list(luceneDir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".si"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    /** Segments the server searches: it checkpoints, so its last commit holds what its writer has. */
    private static int segmentsOf(RecordStore store, Path luceneDir) throws IOException {
        store.checkpoint();
        try (Directory d = FSDirectory.open(luceneDir); DirectoryReader r = DirectoryReader.open(d)) {
            return r.leaves().size();
        }
    }

    private static Path luceneDir(Path dataDir, IndexManager.OpenIndex index) {
        return dataDir.resolve("indexes").resolve(index.definition().id()).resolve("lucene");
    }

    /**
     * Creates a dense index, retrying while the server answers 503 (a create that did not finish in
     * time; on a loaded machine its fsyncs can take that long). Returns its host.
     */
    private String createIndex(Http control, String name, int dimension) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return control.createDense(name, dimension, metric.apiName());
            } catch (AssertionError e) {
                // A create that answered 503 may still have been applied (a loaded machine's fsyncs).
                if (attempt > 1 && e.getMessage().contains(" 409 ")) return control.get("/indexes/" + name).json().get("host").asText();
                if (attempt == 5 || !e.getMessage().contains(" 503 ")) throw e;
                System.out.println("  (create index " + name + ": 503, retrying)");
                Thread.sleep(2000);
            }
        }
    }

    private static IndexManager.OpenIndex openIndex(TestServer server, String name) {
        String project = ApiKeys.parse(KEY).projectOf(KEY);
        return server.server().indexes().require(project, name);
    }

    // ------------------------------------------------------------------ output

    private void phase(String title) {
        System.out.println("== " + title);
    }

    /** {@code operations}: queries or upserted vectors of the phase, for CPU per operation (0: none). */
    private void profile(String what, CpuMeter cpu, long operations) {
        System.err.println("bench: " + java.time.Instant.now() + " end of: " + what);
        profiles.add("  " + what + ": " + cpu.stop(operations));
    }

    private void printUpsert(UpsertResult r) {
        System.out.printf(Locale.ROOT, "  %-58s %8.0f vectors/s  (%.1f s + commit %.1f s; settled %.1f s after the last ack; %d segments)%n",
                r.what(), r.perSecond(), r.seconds(), r.commitSeconds(), r.settleSeconds(), r.segments());
    }

    private String header(int serverEf) {
        Runtime rt = Runtime.getRuntime();
        String cpuModel = "";
        try {
            cpuModel = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
        } catch (IOException ignored) {
            // not Linux
        }
        boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        StringBuilder sb = new StringBuilder();
        sb.append("Conifer benchmark, ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        sb.append(String.format(Locale.ROOT, "Machine: %d cores (%s), load average %.2f at start%n", rt.availableProcessors(), cpuModel,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        sb.append(String.format(Locale.ROOT, "JVM: %s %s, max heap %d MB, jdk.incubator.vector %s, flags %s%n",
                System.getProperty("java.vm.name"), Runtime.version(), rt.maxMemory() >> 20, vectorModule ? "on" : "OFF",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
        sb.append(String.format(Locale.ROOT, "Lucene %s, HNSW maxConn 16 / beamWidth 100 (ConiferCodec); server efSearch %d%n",
                org.apache.lucene.util.Version.LATEST, serverEf));
        sb.append(String.format(Locale.ROOT, "Data: %,d x %d, %s, %d gaussian clusters, spread %.2f, seed %d; %d queries near the clusters, topK %d, raw ef %d%n",
                vectors, dim, metric.apiName(), clusters, spread, seed, queries, topK, ef));
        sb.append(String.format(Locale.ROOT, "Upserts: raw %d threads (RAM buffer %.0f MB); store/REST %d clients x %d; gRPC %d clients x %d. "
                        + "Queries: %.0f-%.0f s warm-up (until the JIT is under %.0f%% of a core), %.0f s timed per row%n",
                rawThreads, rawRamMb, clients, batch, clients, grpcBatch, warmupSeconds, warmupMaxSeconds, 100 * jitQuietShare,
                measureSeconds));
        return sb.toString();
    }

    private String summary(int serverEf) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n================================================================ RESULTS\n");
        sb.append(String.format(Locale.ROOT, "%-56s %10s %8s %7s %8s %9s%n", "UPSERT (time to last ack + final commit)", "vectors/s",
                "seconds", "vs raw", "settled*", "segments"));
        for (UpsertResult r : upserts) {
            sb.append(String.format(Locale.ROOT, "%-56s %10.0f %8.1f %7s %8.1f %9d%n", r.what(), r.perSecond(), r.seconds() + r.commitSeconds(),
                    ratio(r.perSecond(), rawUpsert == null ? 0 : rawUpsert.perSecond()), r.settleSeconds(), r.segments()));
        }
        sb.append(String.format(Locale.ROOT, "  * settled: seconds from the last acknowledged write until the index stopped changing (merges done,%n"
                + "    no segment change for %.0f s); for the raw row, its merges after the commit. segments: then.%n", settleQuietSeconds));
        sb.append(String.format(Locale.ROOT, "%n%-64s %8s %7s %9s %8s %8s %8s%n", "QUERY (topK " + topK + ")", "clients", "QPS",
                "recall", "p50 ms", "p99 ms", "segments"));
        for (QueryResult r : queryResults) {
            sb.append(String.format(Locale.ROOT, "%-64s %8d %7.0f %9.4f %8.2f %8.2f %8s%n", r.what(), r.clients(), r.qps(), r.recall(),
                    r.p50(), r.p99(), r.segments() < 0 ? "-" : Integer.toString(r.segments())));
        }
        double rawUps = rawUpsert == null ? 0 : rawUpsert.perSecond();
        sb.append(String.format(Locale.ROOT, "%nRATIOS%n  Upsert, baseline: raw Lucene updateDocument (%d threads, server's documents, + commit) %s vectors/s%n",
                rawThreads, rawUpsert == null ? "n/a" : String.format(Locale.ROOT, "%.0f", rawUps)));
        sb.append(target("U1 REST upsert / raw Lucene", restUpsert == null ? 0 : restUpsert.perSecond(), rawUps, 0.7, ""));
        sb.append(target("U2 gRPC SDK upsert / raw Lucene", grpcUpsert == null ? 0 : grpcUpsert.perSecond(), rawUps, 0.7, ""));
        // Not a target: what each ratio leaves out. The server defers merges to its settle; raw's forceMerge(1) is its equivalent.
        double rawToOne = rawUpsert == null ? 0 : vectors / (rawUpsert.seconds() + rawUpsert.commitSeconds() + rawForceMergeSeconds);
        sb.append(String.format(Locale.ROOT, "  Until one segment (load + commit + settled*; raw: + forceMerge(1) %.1f s): REST / raw %s, gRPC / raw %s%n",
                rawForceMergeSeconds, ratio(toOneSegment(restUpsert), rawToOne), ratio(toOneSegment(grpcUpsert), rawToOne)));
        sb.append(String.format(Locale.ROOT, "  Query, baseline: raw Lucene over a force-merged copy of the same data (one segment) at the ef%n"
                + "  where it finds what the server's index found (equal recall; the server searches with ef %d), after the%n"
                + "  server's index settled by itself (see settled* above). 'at ef %d': the same ratio against raw at %s.%n",
                serverEf, ef, ef == serverEf ? "the server's ef" : "--ef, NOT the server's ef"));
        sb.append(queryTarget("Q1 gRPC SDK 1 client / raw Lucene 1 thread", grpcQuery, grpcEqual, false, rawMerged, 0.6));
        sb.append(queryTarget("Q2 REST 1 client / raw Lucene 1 thread", restQuery, restEqual, false, rawMerged, 0.55));
        if (rawMerged != null && rawMergedThreads != null) {
            // The same compiled search, one segment: a 1-thread row costing more CPU per query than the
            // 2-thread row is the machine's state (quiet runs showed +40-70 % with the other core idle), and
            // Q1/Q2 move with it; a loaded machine showed no difference.
            sb.append(String.format(Locale.ROOT, "  Raw CPU per query at ef %d: 1 thread %.0f us, %d threads %.0f us (1 thread %+.0f%%); Q1 and Q2"
                    + " move with the 1-thread figure%n", ef, rawMerged.cpuMicros(), rawQueryThreads, rawMergedThreads.cpuMicros(),
                    100 * (rawMerged.cpuMicros() / rawMergedThreads.cpuMicros() - 1)));
        }
        sb.append(queryTarget("Q3 gRPC SDK " + concurrentClients + " clients / raw Lucene " + rawQueryThreads + " threads", grpcConcurrent,
                grpcEqual, true, rawMergedThreads, 0.8));
        if (mixedQuiet != null) {
            sb.append(String.format(Locale.ROOT, "  Queries under writes (%,d x %d): %s%n", mixedVectors, mixedDim, mixedSegments));
            sb.append(target("M1 query QPS under writes / without", qps(mixedLoaded), qps(mixedQuiet), 0.5,
                    String.format(Locale.ROOT, "p99 %.1f ms vs %.1f ms; %s", mixedLoaded.p99(), mixedQuiet.p99(), recalls(mixedLoaded, mixedQuiet))));
            if (rawMixedQuiet != null) {
                sb.append(String.format(Locale.ROOT, "  Raw Lucene, %d threads, under the server's write rate (%.0f upserts/s): %s%n",
                        mixedQueryClients, mixedUpsertRate, rawMixedLayout));
                sb.append(String.format(Locale.ROOT, "  (engine) raw Lucene QPS under writes / without: %.2f (%.0f vs %.0f QPS; p99 %.1f ms vs %.1f ms; %s)%n",
                        rawMixedLoaded.qps() / rawMixedQuiet.qps(), rawMixedLoaded.qps(), rawMixedQuiet.qps(), rawMixedLoaded.p99(),
                        rawMixedQuiet.p99(), recalls(rawMixedLoaded, rawMixedQuiet)));
            }
        }
        for (String n : notes) sb.append("  ").append(n).append('\n');
        sb.append("\nCPU BY THREAD GROUP (per phase; query phases also per query)\n");
        for (String p : profiles) sb.append(p);
        return sb.toString();
    }

    /** Vectors per second from the first write until the index settled (0 if not measured). */
    private static double toOneSegment(UpsertResult r) {
        return r == null ? 0 : r.count() / (r.seconds() + r.commitSeconds() + r.settleSeconds());
    }

    private static double qps(QueryResult r) {
        return r == null ? 0 : r.qps();
    }

    private String recalls(QueryResult server, QueryResult raw) {
        if (server == null || raw == null) return "";
        return String.format(Locale.ROOT, "recall@%d %.4f vs %.4f", topK, server.recall(), raw.recall());
    }

    /** A query ratio against raw Lucene at equal recall, and beside it the same ratio at the server's ef. */
    private String queryTarget(String what, QueryResult server, EqualRecall equal, boolean threads, QueryResult atEf, double goal) {
        if (server == null) return target(what, 0, 0, goal, "");
        QueryResult base = equal == null ? null : threads ? equal.threads() : equal.oneThread();
        String atServerEf = String.format(Locale.ROOT, "at ef %d: %s (%s)", ef, ratio(qps(server), qps(atEf)), recalls(server, atEf));
        if (base == null) return target(what, 0, 0, goal, "") + "      " + atServerEf + "\n";
        return target(what, qps(server), qps(base), goal, recalls(server, base) + " (raw ef " + equal.at().ef() + ")")
                + "      " + atServerEf + "\n";
    }

    private static String target(String what, double value, double base, double goal, String extra) {
        if (value <= 0 || base <= 0) return String.format(Locale.ROOT, "    %-50s    n/a%n", what);
        double r = value / base;
        return String.format(Locale.ROOT, "    %-50s %5.2f  (target >= %.2f: %-7s) %s%n", what, r, goal, r >= goal ? "MET" : "NOT MET", extra);
    }

    private static String ratio(double value, double base) {
        if (base <= 0) return "";
        return value <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", value / base);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void quietLogs() {
        for (String name : List.of("io.conifer", "com.linecorp.armeria", "io.grpc", "io.netty")) {
            org.slf4j.Logger l = org.slf4j.LoggerFactory.getLogger(name);
            if (l instanceof ch.qos.logback.classic.Logger lb) lb.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
