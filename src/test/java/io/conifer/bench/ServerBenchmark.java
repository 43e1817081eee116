package io.conifer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.auth.ApiKeys;
import io.conifer.files.DurableFiles;
import io.conifer.index.IndexManager;
import io.conifer.store.RecordStore;
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
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
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
    private static final Set<String> PHASES = Set.of("raw", "store", "rest", "grpc");

    @Option(names = "--vectors", defaultValue = "100000", description = "Vectors to index (default ${DEFAULT-VALUE}).")
    int vectors;

    @Option(names = "--dim", defaultValue = "768", description = "Dimension (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--metric", defaultValue = "cosine", description = "cosine, dotproduct or euclidean (default ${DEFAULT-VALUE}).")
    String metricName;

    @Option(names = "--clusters", defaultValue = "1000", description = "Gaussian clusters (default ${DEFAULT-VALUE}).")
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

    @Option(names = "--force-merge", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also measure raw Lucene force-merged to one segment (baseline 3; the server never force-merges). Default on.")
    boolean forceMerge;

    @Option(names = "--warmup", defaultValue = "10", description = "Seconds of query warm-up per target (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--seconds", defaultValue = "15", description = "Seconds of timed queries per target (default ${DEFAULT-VALUE}).")
    double measureSeconds;

    @Option(names = "--only", split = ",", description = "Phases to run, of raw,store,rest,grpc (default all). "
            + "raw is the baseline of every ratio; store is the server's VectorStore in-process (no network).")
    List<String> only;

    @Option(names = "--rest-client", defaultValue = "socket", description = "socket (minimal keep-alive HTTP/1.1) or jdk (java.net.http) (default ${DEFAULT-VALUE}).")
    String restClient;

    @Option(names = "--query-during-merges", description = "Send one query right after the last upsert ack (as a live "
            + "client would), before the merges it triggered finish; by default queries start once merges are done.")
    boolean queryDuringMerges;

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
    private QueryResult rawQuery, rawMerged, restQuery, grpcQuery, restSameFiles, grpcSameFiles;

    record UpsertResult(String what, int count, double seconds, double commitSeconds, double mergeTailSeconds, int segments) {
        double perSecond() {
            return count / (seconds + commitSeconds);
        }

        double perSecondWithMerges() {
            return count / (seconds + commitSeconds + mergeTailSeconds);
        }
    }

    record QueryResult(String what, int count, double seconds, double recall, double p50, double p99, int segments) {
        double qps() {
            return count / seconds;
        }
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
        Set<String> phases = new LinkedHashSet<>(only == null || only.isEmpty() ? List.of("raw", "store", "rest", "grpc") : only);
        for (String p : phases) {
            if (!PHASES.contains(p)) throw new CommandLine.ParameterException(new CommandLine(this), "Unknown phase " + p);
        }
        quietLogs();
        System.out.println(header(serverEf));

        long t0 = System.nanoTime();
        data = Dataset.generate(vectors, dim, clusters, spread, queries, topK, seed);
        double gen = seconds(t0);
        t0 = System.nanoTime();
        data.computeTruth(similarity);
        System.out.printf(Locale.ROOT, "Generated %,d vectors (%.0f MB) in %.1f s; ground truth of %d queries by brute force in %.1f s%n%n",
                vectors, data.bytes() / 1e6, gen, queries, seconds(t0));

        Path root = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("conifer-bench");
        try {
            if (phases.contains("raw")) runRaw(root.resolve("raw"));
            if (phases.contains("store")) runStore(root.resolve("store"));
            if (phases.contains("rest") || phases.contains("grpc")) {
                try (TestServer server = TestServer.start(root.resolve("server"))) {
                    if (phases.contains("rest")) runRest(server, root.resolve("server"));
                    if (phases.contains("grpc")) runGrpc(server, root.resolve("server"));
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
        phase("raw Lucene: IndexWriter, " + rawThreads + " threads, same codec/similarity, RAM buffer " + rawRamMb + " MB");
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
            double add = runParallel("raw-indexer", rawThreads, tasks, () -> task -> {
                for (int i = task * chunk; i < Math.min(vectors, (task + 1) * chunk); i++) {
                    Document doc = new Document();
                    doc.add(new KnnFloatVectorField(BenchAccess.VECTOR_FIELD, data.vectors[i], similarity));
                    doc.add(new StoredField(BenchAccess.ID_FIELD, Integer.toString(i)));
                    writer.addDocument(doc);
                }
            });
            long c = System.nanoTime();
            writer.commit();
            double commit = seconds(c);
            profile("raw Lucene indexing + commit", cpu);
            long m = System.nanoTime();
            writer.close(); // waits for the merges the commit left running
            double mergeTail = seconds(m);
            try (DirectoryReader reader = DirectoryReader.open(d)) {
                rawUpsert = new UpsertResult("raw Lucene IndexWriter, " + rawThreads + " threads, + commit", vectors, add, commit,
                        mergeTail, reader.leaves().size());
                upserts.add(rawUpsert);
                printUpsert(rawUpsert);
                rawQuery = luceneQueries("raw Lucene KnnFloatVectorQuery k=" + ef + " (as built)", reader, ef);
                for (int e : efSweep) luceneQueries("raw Lucene k=" + e + " (as built)", reader, e);
            }
            if (forceMerge) {
                IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setCodec(BenchAccess.codec())
                        .setOpenMode(IndexWriterConfig.OpenMode.APPEND));
                long f = System.nanoTime();
                w.forceMerge(1);
                w.close();
                notes.add(String.format(Locale.ROOT, "Raw Lucene forceMerge(1) took %.1f s (not counted in any throughput).", seconds(f)));
                try (DirectoryReader reader = DirectoryReader.open(d)) {
                    rawMerged = luceneQueries("raw Lucene k=" + ef + " (force-merged)", reader, ef);
                }
            }
        }
    }

    private QueryResult luceneQueries(String what, DirectoryReader reader, int k) throws Exception {
        IndexSearcher searcher = new IndexSearcher(reader);
        return measureQueries(what, reader.leaves().size(), q -> {
            TopDocs top = searcher.search(new KnnFloatVectorQuery(BenchAccess.VECTOR_FIELD, data.queries[q], k), k);
            int n = Math.min(topK, top.scoreDocs.length);
            int[] ids = new int[n];
            StoredFields stored = searcher.storedFields();
            for (int i = 0; i < n; i++) ids[i] = Integer.parseInt(stored.document(top.scoreDocs[i].doc).get(BenchAccess.ID_FIELD));
            return ids;
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
            long c = System.nanoTime();
            store.checkpoint();
            double commit = seconds(c);
            profile("VectorStore.upsert in-process + checkpoint", cpu);
            int pinned = segmentsOf(dir.resolve("lucene"));
            if (queryDuringMerges) store.query(new QuerySpec("", topK, data.queries[0], null, null, null, false, false));
            double tail = settle(store);
            UpsertResult r = new UpsertResult("VectorStore.upsert in-process, " + clients + " threads x " + batch,
                    vectors, t, commit, tail, segmentsOf(dir.resolve("lucene")));
            upserts.add(r);
            printUpsert(r);
            storeQueries("VectorStore.query in-process", store, queryDuringMerges ? pinned : r.segments());
        }
    }

    private void storeQueries(String what, VectorStore store, int segments) throws Exception {
        measureQueries(what, segments,
                q -> store.query(new QuerySpec("", topK, data.queries[q], null, null, null, false, false)).result(),
                r -> {
                    @SuppressWarnings("unchecked")
                    List<ScoredRecord> hits = (List<ScoredRecord>) r;
                    return hits.stream().mapToInt(h -> Integer.parseInt(h.id())).toArray();
                });
    }

    // ------------------------------------------------------------------ REST

    private void runRest(TestServer server, Path dataDir) throws Exception {
        phase("REST through the server: " + clients + " clients x batch " + batch + " (" + restClient + " HTTP/1.1 client)");
        Http control = new Http(server.url(), KEY);
        // host:port, for the Host header and raw request lines (describe_index gives it with a scheme).
        String host = control.createDense("bench-rest", dim, metric.apiName()).replaceFirst("^https?://", "");
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
        requests = null;
        long c = System.nanoTime();
        index.store().checkpoint();
        double commit = seconds(c);
        profile("REST upsert (server) + checkpoint", cpu);
        byte[][] queryRequests = restQueryRequests(host);
        Path luceneDir = dataDir.resolve("indexes").resolve(index.definition().id()).resolve("lucene");
        int pinned = segmentsOf(luceneDir);
        if (queryDuringMerges) {
            try (RestWorker w = restWorker(host, port, "/query", queryRequests).create()) {
                w.exchange(0);
            }
        }
        double tail = settle(index.store());
        restUpsert = new UpsertResult("REST /vectors/upsert, " + clients + " clients x " + batch, vectors, t, commit, tail,
                segmentsOf(luceneDir));
        upserts.add(restUpsert);
        printUpsert(restUpsert);

        RestWorker worker = restWorker(host, port, "/query", queryRequests).create();
        try {
            restQuery = measureQueries("REST /query (1 client)", queryDuringMerges ? pinned : restUpsert.segments(), worker::exchange, r -> {
                JsonNode matches = Http.JSON.readTree((byte[]) r).get("matches");
                int[] ids = new int[matches.size()];
                for (int i = 0; i < ids.length; i++) ids[i] = Integer.parseInt(matches.get(i).get("id").asText());
                return ids;
            });
        } finally {
            worker.close();
        }
        storeQueries("VectorStore.query, same index, in-process", (VectorStore) index.store(), queryDuringMerges ? pinned : restUpsert.segments());
        try (Directory d = FSDirectory.open(luceneDir); DirectoryReader reader = DirectoryReader.open(d)) {
            restSameFiles = luceneQueries("raw Lucene k=" + ef + " on the REST index's files", reader, ef);
        }
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

    private void runGrpc(TestServer server, Path dataDir) throws Exception {
        phase("gRPC through the official Java SDK (pinecone-client 6.1.0): " + clients + " clients x batch " + grpcBatch);
        Http control = new Http(server.url(), KEY);
        control.createDense("bench-grpc", dim, metric.apiName());
        IndexManager.OpenIndex index = openIndex(server, "bench-grpc");
        Pinecone pinecone = new Pinecone.Builder(KEY).withHost(server.url()).withTlsEnabled(false).build();
        Index sdk = pinecone.getIndexConnection("bench-grpc");
        try {
            List<List<VectorWithUnsignedIndices>> batches = new ArrayList<>();
            for (int start = 0; start < vectors; start += grpcBatch) {
                List<VectorWithUnsignedIndices> b = new ArrayList<>();
                for (int i = start; i < Math.min(vectors, start + grpcBatch); i++) {
                    b.add(new VectorWithUnsignedIndices(Integer.toString(i), new FloatList(data.vectors[i])));
                }
                batches.add(b);
            }
            CpuMeter cpu = CpuMeter.start();
            double t = runParallel("bench-client", clients, batches.size(), () -> i -> sdk.upsert(batches.get(i), ""));
            long c = System.nanoTime();
            index.store().checkpoint();
            double commit = seconds(c);
            profile("gRPC SDK upsert (server) + checkpoint", cpu);
            List<List<Float>> queryLists = new ArrayList<>();
            for (float[] q : data.queries) queryLists.add(new FloatList(q));
            Path luceneDir = dataDir.resolve("indexes").resolve(index.definition().id()).resolve("lucene");
            int pinned = segmentsOf(luceneDir);
            if (queryDuringMerges) sdk.query(topK, queryLists.get(0), null, null, null, "", null, false, false);
            double tail = settle(index.store());
            grpcUpsert = new UpsertResult("gRPC SDK Index.upsert, " + clients + " clients x " + grpcBatch, vectors, t, commit,
                    tail, segmentsOf(luceneDir));
            upserts.add(grpcUpsert);
            printUpsert(grpcUpsert);

            int searched = queryDuringMerges ? pinned : grpcUpsert.segments();
            grpcQuery = measureQueries("gRPC SDK Index.query (1 client)", searched,
                    q -> sdk.query(topK, queryLists.get(q), null, null, null, "", null, false, false),
                    r -> ((QueryResponseWithUnsignedIndices) r).getMatchesList().stream()
                            .map(ScoredVectorWithUnsignedIndices::getId).mapToInt(Integer::parseInt).toArray());

            // The SDK's own stub with requests built in advance: the server's share without the SDK's conversions.
            java.lang.reflect.Field f = Index.class.getDeclaredField("blockingStub");
            f.setAccessible(true);
            VectorServiceGrpc.VectorServiceBlockingStub stub = (VectorServiceGrpc.VectorServiceBlockingStub) f.get(sdk);
            QueryRequest[] prebuilt = new QueryRequest[queries];
            for (int q = 0; q < queries; q++) {
                prebuilt[q] = QueryRequest.newBuilder().setTopK(topK).addAllVector(queryLists.get(q)).setNamespace("")
                        .setIncludeValues(false).setIncludeMetadata(false).build();
            }
            measureQueries("gRPC SDK stub, prebuilt QueryRequest", searched, q -> stub.query(prebuilt[q]),
                    r -> ((QueryResponse) r).getMatchesList().stream().map(ScoredVector::getId).mapToInt(Integer::parseInt).toArray());
            try (Directory d = FSDirectory.open(luceneDir); DirectoryReader reader = DirectoryReader.open(d)) {
                grpcSameFiles = luceneQueries("raw Lucene k=" + ef + " on the gRPC index's files", reader, ef);
            }
        } finally {
            sdk.close();
        }
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

    interface QueryFn {
        Object run(int q) throws Exception;
    }

    interface IdParser {
        int[] ids(Object response) throws Exception;
    }

    /**
     * One untimed pass over every query for recall, then {@link #warmupSeconds} of warm-up, then
     * {@link #measureSeconds} of back-to-back queries on this thread, cycling through the queries.
     */
    private QueryResult measureQueries(String what, int segments, QueryFn fn, IdParser parser) throws Exception {
        int[][] found = new int[queries][];
        for (int q = 0; q < queries; q++) found[q] = parser.ids(fn.run(q));
        double recall = data.recall(found);
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; System.nanoTime() < warmEnd; i++) fn.run(i % queries);
        System.err.println("bench: " + java.time.Instant.now() + " timed queries start: " + what);
        CpuMeter cpu = CpuMeter.start();
        long[] latencies = new long[1 << 16];
        int count = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (measureSeconds * 1e9);
        long now = start;
        while (now < deadline) {
            fn.run(count % queries);
            long after = System.nanoTime();
            if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
            latencies[count++] = after - now;
            now = after;
        }
        double elapsed = (now - start) / 1e9;
        System.err.println("bench: " + java.time.Instant.now() + " timed queries end: " + what);
        profile("queries: " + what, cpu);
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        QueryResult r = new QueryResult(what, count, elapsed, recall, sorted[count / 2] / 1e6,
                sorted[Math.min(count - 1, (int) (count * 0.99))] / 1e6, segments);
        queryResults.add(r);
        System.out.printf(Locale.ROOT, "  %-58s %8.0f QPS  recall@%d %.4f  p50 %.2f ms  p99 %.2f ms  (%d segments)%n",
                r.what(), r.qps(), topK, r.recall(), r.p50(), r.p99(), r.segments());
        return r;
    }

    /**
     * Waits for the merges the last commit started, then checkpoints again so that the commit (which
     * the raw-Lucene-on-the-same-files row opens and the segment count reads) holds the segments the
     * server searches once it refreshes. Returns the seconds spent waiting for merges.
     */
    private static double settle(RecordStore store) throws Exception {
        double tail = waitForMerges();
        store.checkpoint();
        return tail;
    }

    /** Waits until no Lucene merge thread is running (merges started by the last commit), returns the seconds waited. */
    private static double waitForMerges() throws InterruptedException {
        long start = System.nanoTime();
        int quiet = 0;
        while (quiet < 3) {
            boolean merging = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.isAlive() && t.getName().startsWith("Lucene Merge Thread"));
            quiet = merging ? 0 : quiet + 1;
            Thread.sleep(100);
        }
        return seconds(start) - 0.3;
    }

    private static int segmentsOf(Path luceneDir) throws IOException {
        try (Directory d = FSDirectory.open(luceneDir); DirectoryReader r = DirectoryReader.open(d)) {
            return r.leaves().size();
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

    private void profile(String what, CpuMeter cpu) {
        System.err.println("bench: " + java.time.Instant.now() + " end of: " + what);
        profiles.add("  " + what + ": " + cpu.stop());
    }

    private void printUpsert(UpsertResult r) {
        System.out.printf(Locale.ROOT, "  %-58s %8.0f vectors/s  (%.1f s + commit %.1f s; then merges %.1f s; %d segments)%n",
                r.what(), r.perSecond(), r.seconds(), r.commitSeconds(), r.mergeTailSeconds(), r.segments());
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
                        + "Queries: 1 thread, %.0f s warm-up, %.0f s timed%n",
                rawThreads, rawRamMb, clients, batch, clients, grpcBatch, warmupSeconds, measureSeconds));
        return sb.toString();
    }

    private String summary(int serverEf) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n================================================================ RESULTS\n");
        sb.append(String.format(Locale.ROOT, "%-56s %10s %8s %7s %8s %9s %9s%n", "UPSERT (time to last ack + final commit)", "vectors/s",
                "seconds", "vs raw", "merges*", "incl.mrg*", "segments"));
        for (UpsertResult r : upserts) {
            sb.append(String.format(Locale.ROOT, "%-56s %10.0f %8.1f %7s %8.1f %9.0f %9d%n", r.what(), r.perSecond(), r.seconds() + r.commitSeconds(),
                    ratio(r.perSecond(), rawUpsert == null ? 0 : rawUpsert.perSecond()), r.mergeTailSeconds(), r.perSecondWithMerges(),
                    r.segments()));
        }
        sb.append("  * merges: seconds of background merging still running after the final commit (not in vectors/s);\n"
                + "    incl.mrg: vectors/s if those seconds were counted; segments: after those merges.\n");
        sb.append(String.format(Locale.ROOT, "%n%-60s %10s %9s %8s %8s %8s%n", "QUERY (1 thread, topK " + topK + ")", "QPS",
                "recall", "p50 ms", "p99 ms", "segments"));
        for (QueryResult r : queryResults) {
            sb.append(String.format(Locale.ROOT, "%-60s %10.0f %9.4f %8.2f %8.2f %8d%n", r.what(), r.qps(), r.recall(), r.p50(),
                    r.p99(), r.segments()));
        }
        double rawUps = rawUpsert == null ? 0 : rawUpsert.perSecond();
        sb.append(String.format(Locale.ROOT, "%nRATIOS%n  Upsert, baseline: raw Lucene IndexWriter (%d threads, + commit) %s vectors/s%n",
                rawThreads, rawUpsert == null ? "n/a" : String.format(Locale.ROOT, "%.0f", rawUps)));
        sb.append(target("A1 REST upsert / raw Lucene", restUpsert == null ? 0 : restUpsert.perSecond(), rawUps, 0.7, ""));
        sb.append(target("B2 gRPC SDK upsert / raw Lucene", grpcUpsert == null ? 0 : grpcUpsert.perSecond(), rawUps, 0.7, ""));
        sb.append(String.format(Locale.ROOT, "  Query (1 thread, topK %d, ef %d%s). Baseline 1 (headline): raw Lucene over the very same index files,%n"
                + "  i.e. the server's own segments after its merges; same graph, same ef, hence the same recall. This isolates what the%n"
                + "  server adds per query.%n", topK, ef, ef == serverEf ? "" : ", NOT the server's " + serverEf));
        sb.append(target("A2 REST query QPS / raw Lucene, same files", restQuery == null ? 0 : restQuery.qps(),
                restSameFiles == null ? 0 : restSameFiles.qps(), 0.7, recalls(restQuery, restSameFiles)));
        sb.append(target("B1 gRPC SDK query QPS / raw Lucene, same files", grpcQuery == null ? 0 : grpcQuery.qps(),
                grpcSameFiles == null ? 0 : grpcSameFiles.qps(), 0.8, recalls(grpcQuery, grpcSameFiles)));
        if (rawQuery != null) {
            sb.append(String.format(Locale.ROOT, "  Baseline 2: raw Lucene's own index as its IndexWriter left it (%d segments, no force-merge): %.0f QPS, recall %.4f%n",
                    rawQuery.segments(), rawQuery.qps(), rawQuery.recall()));
            sb.append(target("A2' REST query QPS / raw Lucene as built", restQuery == null ? 0 : restQuery.qps(), rawQuery.qps(), 0.7,
                    recalls(restQuery, rawQuery)));
            sb.append(target("B1' gRPC SDK query QPS / raw Lucene as built", grpcQuery == null ? 0 : grpcQuery.qps(), rawQuery.qps(), 0.8,
                    recalls(grpcQuery, rawQuery)));
        }
        if (rawMerged != null) {
            sb.append(String.format(Locale.ROOT, "  Baseline 3: raw Lucene force-merged to 1 segment (the server never force-merges): %.0f QPS, recall %.4f%n",
                    rawMerged.qps(), rawMerged.recall()));
            sb.append(target("A2\" REST query QPS / raw Lucene force-merged", restQuery == null ? 0 : restQuery.qps(), rawMerged.qps(), 0.7, ""));
            sb.append(target("B1\" gRPC SDK query QPS / raw Lucene force-merged", grpcQuery == null ? 0 : grpcQuery.qps(), rawMerged.qps(), 0.8, ""));
        }
        if (queryDuringMerges) {
            notes.add("--query-during-merges: each server searcher was opened right after the last ack, before the merges ended; "
                    + "the segments column of server rows counts the segments of that moment.");
        }
        for (String n : notes) sb.append("  ").append(n).append('\n');
        sb.append("\nCPU BY THREAD GROUP (per phase)\n");
        for (String p : profiles) sb.append(p);
        return sb.toString();
    }

    private String recalls(QueryResult server, QueryResult raw) {
        if (server == null || raw == null) return "";
        return String.format(Locale.ROOT, "recall@%d %.4f vs %.4f%s", topK, server.recall(), raw.recall(),
                server.recall() >= 0.95 && raw.recall() >= 0.95 ? "" : " -- BELOW 0.95");
    }

    private static String target(String what, double value, double base, double goal, String extra) {
        if (value <= 0 || base <= 0) return String.format(Locale.ROOT, "    %-50s    n/a%n", what);
        double r = value / base;
        return String.format(Locale.ROOT, "    %-50s %5.2f  (target >= %.2f: %-7s) %s%n", what, r, goal, r >= goal ? "MET" : "NOT MET", extra);
    }

    private static String ratio(double value, double base) {
        return base <= 0 ? "" : String.format(Locale.ROOT, "%.2f", value / base);
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
