package io.conifer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.documents.DocumentFields;
import io.conifer.documents.TextAnalyzers;
import io.conifer.files.DurableFiles;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.store.RecordQueries;
import io.conifer.vectors.BenchAccess;
import io.conifer.vectors.Metric;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * Documents through the server against raw Lucene doing the same work on the same machine in the same
 * run: indexing generated documents (English-like text drawn from a Zipf vocabulary, two full-text
 * fields with the server's analyzers, a dense field, metadata) and answering the same BM25 query with
 * one client. Prints documents/s and queries/s of each and their ratios, and the latency of a hybrid
 * search: dense nearest neighbours restricted by a text match ({@code $match_all} of two body words).
 *
 * <p>Run: {@code ./conifer bench documents [--docs 100000] [--queries 2000] [--clients 2] [--dim 64]}.
 */
public final class DocumentsBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "bench";
    private static final int BATCH = 100;
    private static final int TOP_K = 10;
    private static final String V7 = "X-Pinecone-Api-Version: 2026-07\r\n";

    private DocumentsBenchmark() {}

    public static void main(String[] args) throws Exception {
        int docs = BackupBenchmark.intArg(args, "--docs", 100_000);
        int queries = BackupBenchmark.intArg(args, "--queries", 2_000);
        int clients = BackupBenchmark.intArg(args, "--clients", 2);
        int dim = BackupBenchmark.intArg(args, "--dim", 64);
        Corpus corpus = new Corpus(docs, dim, 42);
        long g0 = System.nanoTime();
        List<Corpus.Doc> documents = corpus.all();
        System.out.printf(Locale.ROOT, "generated %,d documents in %.1f s (not timed below)%n", documents.size(), BackupBenchmark.seconds(g0));
        List<String> textQueries = corpus.queries(queries, new Random(7));
        Path root = Files.createTempDirectory("conifer-documents-bench");
        try {
            Rates raw = raw(root.resolve("raw"), corpus, documents, textQueries, clients);
            Rates server = server(root.resolve("server"), corpus, documents, textQueries, clients, queries);
            double sameFiles = onServerFiles(root.resolve("server"), dim, textQueries);
            System.out.println();
            System.out.printf(Locale.ROOT, "%,d documents (title ~7 words, body ~100 words from a %,d-word Zipf vocabulary,"
                    + " %d-d dense field, 2 metadata fields), batches of %d, %d writers; %,d two-word BM25 queries on body,"
                    + " top_k %d, 1 client; JVM %s, %d cores%n", docs, Corpus.VOCABULARY, dim, BATCH, clients, queries, TOP_K,
                    Runtime.version(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%-46s %14s %14s%n", "", "documents/s", "text QPS");
            System.out.printf(Locale.ROOT, "%-46s %,14.0f %,14.0f%n", "raw Lucene (IndexWriter + commit; IndexSearcher)", raw.upsert(), raw.search());
            System.out.printf(Locale.ROOT, "%-46s %,14.0f %,14.0f%n", "Conifer REST (upsert 202; search)", server.upsert(), server.search());
            System.out.printf(Locale.ROOT, "%-46s %14s %,14.0f%n", "raw Lucene on the server's index files", "", sameFiles);
            System.out.printf(Locale.ROOT, "%-46s %14.2f %14.2f   (targets >= 0.70)%n", "ratio Conifer / raw Lucene",
                    server.upsert() / raw.upsert(), server.search() / raw.search());
            System.out.printf(Locale.ROOT, "%-46s %14s %14.2f%n", "ratio Conifer / raw Lucene on the same files", "",
                    server.search() / sameFiles);
            System.out.printf(Locale.ROOT, "hybrid: dense top_%d on 'embedding' filtered by body $match_all of two words: p50 %.2f ms,"
                    + " p99 %.2f ms (%,d searches, 1 client)%n", TOP_K, server.hybridP50(), server.hybridP99(), queries);
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    record Rates(double upsert, double search, double hybridP50, double hybridP99) {}

    /** The schema both sides index: what the server is created with, and what raw Lucene's analyzer is built from. */
    static IndexSchema schema(int dim) {
        Map<String, SchemaField> fields = new LinkedHashMap<>();
        fields.put("title", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", true, true, null)));
        fields.put("body", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", true, true, null)));
        fields.put("embedding", new SchemaField.DenseVector(dim, Metric.COSINE, null));
        return new IndexSchema(fields);
    }

    // ------------------------------------------------------------------ raw Lucene

    private static Rates raw(Path dir, Corpus corpus, List<Corpus.Doc> documents, List<String> queries, int threads) throws Exception {
        Analyzer analyzer = TextAnalyzers.forSchema(schema(corpus.dim));
        IndexWriterConfig config = new IndexWriterConfig(analyzer).setCodec(BenchAccess.codec());
        double upsert;
        try (FSDirectory directory = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(directory, config)) {
            long t0 = System.nanoTime();
            parallel(threads, corpus.size / BATCH, batch -> {
                for (int i = batch * BATCH; i < (batch + 1) * BATCH; i++) {
                    Corpus.Doc d = documents.get(i);
                    Document doc = new Document();
                    doc.add(new StringField(BenchAccess.ID_FIELD, d.id(), Field.Store.YES));
                    doc.add(new TextField(DocumentFields.text("title"), d.title(), Field.Store.NO));
                    doc.add(new TextField(DocumentFields.text("body"), d.body(), Field.Store.NO));
                    doc.add(new KnnFloatVectorField(DocumentFields.dense("embedding"), d.embedding(), VectorSimilarityFunction.COSINE));
                    doc.add(new StringField("category", d.category(), Field.Store.NO));
                    doc.add(new StoredField(DocumentFields.SOURCE, d.json()));
                    writer.updateDocument(new Term(BenchAccess.ID_FIELD, d.id()), doc);
                }
            });
            writer.commit();
            upsert = corpus.size / BackupBenchmark.seconds(t0);
            System.out.printf(Locale.ROOT, "raw Lucene: indexed %,d documents at %,.0f/s%n", corpus.size, upsert);
            try (DirectoryReader reader = DirectoryReader.open(writer)) {
                double qps = queries(reader, analyzer, queries, "raw Lucene", null);
                return new Rates(upsert, qps, 0, 0);
            }
        }
    }

    /** One client's BM25 queries per second on {@code reader}, after a warm-up; {@code scope} null or a FILTER clause. */
    private static double queries(DirectoryReader reader, Analyzer analyzer, List<String> queries, String who, Query scope)
            throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        String field = DocumentFields.text("body");
        for (int i = 0; i < Math.min(200, queries.size()); i++) top(searcher, scoped(bm25(analyzer, field, queries.get(i)), scope));
        long s0 = System.nanoTime();
        long hits = 0;
        for (String q : queries) hits += top(searcher, scoped(bm25(analyzer, field, q), scope));
        double qps = queries.size() / BackupBenchmark.seconds(s0);
        System.out.printf(Locale.ROOT, "%s: %,.0f queries/s (%,d hits returned, %d segments)%n", who, qps, hits, reader.leaves().size());
        return qps;
    }

    /** Raw Lucene's queries on the files the server wrote (its segments as they are), the server stopped. */
    private static double onServerFiles(Path serverData, int dim, List<String> queries) throws IOException {
        Path lucene;
        try (var dirs = Files.walk(serverData.resolve("indexes"))) {
            lucene = dirs.filter(p -> p.getFileName().toString().equals("lucene")).findFirst().orElseThrow();
        }
        try (FSDirectory directory = FSDirectory.open(lucene); DirectoryReader reader = DirectoryReader.open(directory)) {
            Analyzer analyzer = TextAnalyzers.forSchema(schema(dim));
            // The store's query shape too (BM25 as MUST, its namespace as FILTER), to tell the query from the path.
            queries(reader, analyzer, queries, "raw Lucene on the server's files, scoped to the namespace",
                    RecordQueries.namespaceQuery(NAMESPACE));
            return queries(reader, analyzer, queries, "raw Lucene on the server's files", null);
        }
    }

    /** What a {@code text} clause on one field is: the analysed words of the query, any of them, BM25-scored. */
    private static BooleanQuery bm25(Analyzer analyzer, String field, String query) throws IOException {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        try (TokenStream ts = analyzer.tokenStream(field, query)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) b.add(new TermQuery(new Term(field, term.toString())), BooleanClause.Occur.SHOULD);
            ts.end();
        }
        return b.build();
    }

    private static Query scoped(Query q, Query scope) {
        return scope == null ? q : new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST).add(scope, BooleanClause.Occur.FILTER).build();
    }

    /** Top hits with their ids read, as the server reads each hit's id for its answer. */
    private static int top(IndexSearcher searcher, Query q) throws IOException {
        TopDocs top = searcher.search(q, TOP_K);
        StoredFields stored = searcher.storedFields();
        int n = 0;
        for (ScoreDoc sd : top.scoreDocs) n += stored.document(sd.doc).get(BenchAccess.ID_FIELD) != null ? 1 : 0;
        return n;
    }

    // ------------------------------------------------------------------ server

    private static Rates server(Path dir, Corpus corpus, List<Corpus.Doc> documents, List<String> queries, int clients,
            int hybridCount) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            URI host = URI.create(create(control, corpus.dim));
            String hostHeader = host.getHost() + ":" + host.getPort();
            String upsertPath = "/namespaces/" + NAMESPACE + "/documents/upsert";
            byte[][] requests = new byte[corpus.size / BATCH][];
            for (int b = 0; b < requests.length; b++) {
                StringBuilder body = new StringBuilder("{\"documents\":[");
                for (int i = b * BATCH; i < (b + 1) * BATCH; i++) body.append(i == b * BATCH ? "" : ",").append(documents.get(i).json());
                requests[b] = RawHttp.post(hostHeader, upsertPath, TestServer.KEY, body.append("]}").toString()
                        .getBytes(StandardCharsets.UTF_8), V7);
            }
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < clients; c++) {
                Thread t = new Thread(() -> {
                    try (RawHttp http = new RawHttp(host.getHost(), host.getPort())) {
                        for (int b = next.getAndIncrement(); b < requests.length; b = next.getAndIncrement()) http.exchange(requests[b]);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                t.start();
                writers.add(t);
            }
            for (Thread t : writers) t.join();
            if (!failures.isEmpty()) throw new IllegalStateException("upsert failed", failures.get(0));
            double upsert = corpus.size / BackupBenchmark.seconds(t0);
            System.out.printf(Locale.ROOT, "Conifer: upserted %,d documents at %,.0f/s%n", corpus.size, upsert);
            // Queries then run on the segments the same-files baseline reads (the index settled, its
            // merges done and picked up), not on a half-merged index with merges competing for the cores.
            System.out.printf(Locale.ROOT, "Conifer: waited %.1f s for the index to settle after the upsert%n",
                    BackupBenchmark.waitUntilSettled());

            String searchPath = "/namespaces/" + NAMESPACE + "/documents/search";
            try (RawHttp http = new RawHttp(host.getHost(), host.getPort())) {
                List<byte[]> text = new ArrayList<>();
                for (String q : queries) {
                    text.add(RawHttp.post(hostHeader, searchPath, TestServer.KEY, textSearch(q), V7));
                }
                for (int i = 0; i < Math.min(200, text.size()); i++) http.exchange(text.get(i)); // warm-up
                long s0 = System.nanoTime();
                long hits = 0;
                for (byte[] r : text) hits += JSON.readTree(http.exchange(r)).get("matches").size();
                double qps = text.size() / BackupBenchmark.seconds(s0);
                System.out.printf(Locale.ROOT, "Conifer: %,.0f queries/s (%,d hits returned)%n", qps, hits);

                Random random = new Random(11);
                long[] nanos = new long[hybridCount];
                for (int i = 0; i < hybridCount; i++) {
                    byte[] req = RawHttp.post(hostHeader, searchPath, TestServer.KEY,
                            hybridSearch(corpus.embedding(random), queries.get(i % queries.size())), V7);
                    long h0 = System.nanoTime();
                    http.exchange(req);
                    nanos[i] = System.nanoTime() - h0;
                }
                Arrays.sort(nanos);
                return new Rates(upsert, qps, nanos[nanos.length / 2] / 1e6, nanos[(int) Math.min(nanos.length - 1,
                        Math.ceil(nanos.length * 0.99) - 1)] / 1e6);
            }
        }
    }

    /** Creates the index; on a machine so busy that the request times out (503), tries again until it exists. */
    private static String create(Http control, int dim) throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            Http.Response r = control.send("POST", "/indexes", createRequest(dim), "2026-07");
            if (r.status() == 201) return r.json().get("host").asText();
            if (r.status() == 409) { // an earlier attempt's create finished after all
                Http.Response d = control.send("GET", "/indexes/docbench", null, "2026-07");
                if (d.status() == 200 && d.json().get("status").get("ready").asBoolean()) return d.json().get("host").asText();
            } else if (r.status() != 503) {
                throw new IllegalStateException("create failed: " + r);
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("create kept timing out");
    }

    private static String createRequest(int dim) {
        String text = "{\"type\":\"string\",\"full_text_search\":{\"language\":\"en\",\"stemming\":true,\"stop_words\":true}}";
        return "{\"name\":\"docbench\",\"schema\":{\"fields\":{\"title\":" + text + ",\"body\":" + text
                + ",\"embedding\":{\"type\":\"dense_vector\",\"dimension\":" + dim + ",\"metric\":\"cosine\"}}}}";
    }

    private static byte[] textSearch(String query) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode clause = n.putArray("score_by").addObject().put("type", "text").put("query", query);
        clause.putArray("fields").add("body");
        n.put("top_k", TOP_K);
        return JSON.writeValueAsBytes(n);
    }

    private static byte[] hybridSearch(float[] vector, String words) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode clause = n.putArray("score_by").addObject().put("type", "dense_vector");
        clause.putArray("fields").add("embedding");
        ArrayNode values = clause.putArray("values");
        for (float f : vector) values.add(f);
        n.put("top_k", TOP_K);
        n.putObject("filter").putObject("body").put("$match_all", words);
        return JSON.writeValueAsBytes(n);
    }

    interface Task {
        void run(int item) throws Exception;
    }

    private static void parallel(int threads, int items, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < items; i = next.getAndIncrement()) task.run(i);
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Generated documents, the same on both sides: words from a vocabulary of English stop words then
     * generated syllable words, drawn with Zipf weights (s = 1.07, as word frequencies in English text);
     * each document is made from its own seed, so the corpus is the same whatever order it is made in.
     */
    static final class Corpus {
        static final int VOCABULARY = 30_000;
        private static final String[] STOP = {"the", "of", "and", "a", "to", "in", "is", "for", "on", "with", "that", "as",
            "by", "it", "at", "from", "this", "be", "are", "or"};
        private static final String[] SYLLABLES = {"ka", "lo", "mi", "ran", "te", "sun", "ver", "dal", "pi", "no", "gor",
            "shi", "ba", "tem", "lu", "qua", "zen", "fa", "ro", "cel", "min", "do", "var", "is", "ton", "ep", "ul", "tra"};
        private static final String[] CATEGORIES = new String[30];

        final int size;
        final int dim;
        private final long seed;
        private final String[] words = new String[VOCABULARY];
        private final double[] cumulative = new double[VOCABULARY];

        Corpus(int size, int dim, long seed) {
            this.size = size - size % BATCH;
            this.dim = dim;
            this.seed = seed;
            for (int i = 0; i < CATEGORIES.length; i++) CATEGORIES[i] = "category-" + i;
            System.arraycopy(STOP, 0, words, 0, STOP.length);
            Random r = new Random(seed);
            java.util.Set<String> taken = new java.util.HashSet<>(Arrays.asList(STOP));
            for (int i = STOP.length; i < VOCABULARY; ) {
                StringBuilder w = new StringBuilder();
                int syllables = 2 + r.nextInt(3);
                for (int s = 0; s < syllables; s++) w.append(SYLLABLES[r.nextInt(SYLLABLES.length)]);
                if (taken.add(w.toString())) words[i++] = w.toString();
            }
            double sum = 0;
            for (int i = 0; i < VOCABULARY; i++) cumulative[i] = sum += 1 / Math.pow(i + 1, 1.07);
            for (int i = 0; i < VOCABULARY; i++) cumulative[i] /= sum;
        }

        record Doc(String id, String title, String body, String category, int year, float[] embedding, String json) {}

        Doc doc(int i) {
            Random r = new Random(seed * 1_000_003L + i);
            String title = text(r, 4 + r.nextInt(7));
            String body = text(r, 50 + r.nextInt(101));
            String category = CATEGORIES[r.nextInt(CATEGORIES.length)];
            int year = 1950 + r.nextInt(75);
            float[] embedding = embedding(r);
            ObjectNode n = JSON.createObjectNode();
            String id = String.format(Locale.ROOT, "doc-%07d", i);
            n.put("_id", id).put("title", title).put("body", body).put("category", category).put("year", year);
            ArrayNode e = n.putArray("embedding");
            for (float f : embedding) e.add(f);
            return new Doc(id, title, body, category, year, embedding, n.toString());
        }

        List<Doc> all() {
            List<Doc> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) out.add(doc(i));
            return out;
        }

        float[] embedding(Random r) {
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) v[d] = (float) r.nextGaussian();
            return v;
        }

        private String text(Random r, int n) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < n; w++) sb.append(w == 0 ? "" : " ").append(word(r));
            return sb.toString();
        }

        private String word(Random r) {
            int i = Arrays.binarySearch(cumulative, r.nextDouble());
            return words[Math.min(VOCABULARY - 1, i < 0 ? -i - 1 : i)];
        }

        /** Two words of middle frequency (ranks 50 to 3,000): selective, yet each matching many documents. */
        List<String> queries(int n, Random r) {
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(words[50 + r.nextInt(2950)] + " " + words[50 + r.nextInt(2950)]);
            return out;
        }
    }
}
