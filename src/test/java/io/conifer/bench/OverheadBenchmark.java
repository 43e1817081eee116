package io.conifer.bench;

import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.auth.ApiKeys;
import io.conifer.files.DurableFiles;
import io.conifer.vectors.QuerySpec;
import io.conifer.vectors.VectorStore;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.VectorServiceGrpc;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What the server adds per request over the engine: one client sends the same small query back to
 * back to a tiny index over REST (a pre-serialised request on a keep-alive socket) and over gRPC (the
 * Java SDK's own stub with requests built in advance), and calls {@code VectorStore.query} in process.
 * Prints µs per request, each protocol's overhead over the engine, REST ÷ gRPC, the time the REST JSON
 * (reading the body, writing the answer) takes per request, and the CPU by thread group of each phase.
 *
 * <p>Run: {@code ./conifer bench overhead [--vectors 1000] [--dim 64] [--seconds 10] [--warmup 5]}.
 */
public final class OverheadBenchmark {
    private static final String KEY = TestServer.KEY;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private OverheadBenchmark() {}

    /** {@code serverCpu}: CPU seconds of every thread but the one sending the requests (server, JIT, GC). */
    record Rate(String name, long requests, double seconds, double serverCpu, String cpu) {
        double micros() {
            return seconds * 1e6 / requests;
        }

        double cpuMicros() {
            return serverCpu * 1e6 / requests;
        }
    }

    public static void main(String[] args) throws Exception {
        int vectors = BackupBenchmark.intArg(args, "--vectors", 1000);
        int dim = BackupBenchmark.intArg(args, "--dim", 64);
        int seconds = BackupBenchmark.intArg(args, "--seconds", 10);
        int warmup = BackupBenchmark.intArg(args, "--warmup", 5);
        Path root = Files.createTempDirectory("conifer-overhead-bench");
        try (TestServer server = TestServer.start(root)) {
            Http control = new Http(server.url(), KEY);
            String host = control.createDense("overhead", dim, "cosine");
            Http data = control.forHost(host);
            Random random = new Random(42);
            for (int start = 0; start < vectors; start += 100) {
                StringBuilder body = new StringBuilder("{\"vectors\":[");
                for (int i = start; i < Math.min(vectors, start + 100); i++) {
                    body.append(i == start ? "" : ",").append("{\"id\":\"").append(i).append("\",\"values\":").append(json(vector(random, dim)))
                            .append(",\"metadata\":{\"n\":").append(i).append("}}");
                }
                Http.Response r = data.post("/vectors/upsert", body + "]}");
                if (r.status() != 200) throw new IllegalStateException(r.toString());
            }
            List<float[]> queries = new ArrayList<>();
            for (int i = 0; i < 64; i++) queries.add(vector(random, dim));
            int port = URI.create(host).getPort();

            VectorStore store = server.server().indexes().vectors(ApiKeys.parse(KEY).projectOf(KEY), "overhead");
            Rate engine = measure("VectorStore.query in process", seconds, warmup,
                    i -> store.query(new QuerySpec("", 10, queries.get(i % queries.size()), null, "", null, false, false)));

            List<byte[]> rest = new ArrayList<>();
            for (float[] q : queries) {
                rest.add(RawHttp.post("127.0.0.1:" + port, "/query", KEY, ("{\"vector\":" + json(q)
                        + ",\"topK\":10,\"includeValues\":false,\"includeMetadata\":false,\"namespace\":\"\"}").getBytes(StandardCharsets.UTF_8)));
            }
            Rate restRate;
            try (RawHttp http = new RawHttp("127.0.0.1", port)) {
                restRate = measure("REST /query (socket client, prebuilt request)", seconds, warmup,
                        i -> http.exchange(rest.get(i % rest.size())));
            }

            Pinecone pinecone = new Pinecone.Builder(KEY).withHost(server.url()).withTlsEnabled(false).build();
            Index sdk = pinecone.getIndexConnection("overhead");
            Rate grpcRate;
            try {
                java.lang.reflect.Field f = Index.class.getDeclaredField("blockingStub");
                f.setAccessible(true);
                VectorServiceGrpc.VectorServiceBlockingStub stub = (VectorServiceGrpc.VectorServiceBlockingStub) f.get(sdk);
                List<QueryRequest> grpc = new ArrayList<>();
                for (float[] q : queries) grpc.add(QueryRequest.newBuilder().setTopK(10).addAllVector(new FloatList(q)).setNamespace("").build());
                grpcRate = measure("gRPC SDK stub (prebuilt QueryRequest)", seconds, warmup, i -> stub.query(grpc.get(i % grpc.size())));
            } finally {
                sdk.close();
            }
            double json = restJsonMicros(rest, seconds, warmup);

            System.out.println();
            System.out.printf(Locale.ROOT, "Per-request overhead: %,d x %d vectors, topK 10, 1 client; JVM %s, %d cores%n", vectors, dim,
                    Runtime.version(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%-48s %12s %10s %14s %16s%n", "", "requests/s", "µs/req", "over engine",
                    "server CPU/req*");
            for (Rate r : List.of(engine, restRate, grpcRate)) {
                System.out.printf(Locale.ROOT, "%-48s %12.0f %10.1f %11.1f µs %13.1f µs%n", r.name(), r.requests() / r.seconds(),
                        r.micros(), r.micros() - engine.micros(), r.cpuMicros());
            }
            System.out.println("  * CPU of every thread but the client's, per request (server threads, JIT, GC); in process: the"
                    + " engine's background threads only");
            double restOver = restRate.micros() - engine.micros();
            double grpcOver = grpcRate.micros() - engine.micros();
            System.out.printf(Locale.ROOT, "REST ÷ gRPC: %.2f per request, %.2f in overhead over the engine, %.2f in server CPU%n",
                    restRate.micros() / grpcRate.micros(), restOver / grpcOver, restRate.cpuMicros() / grpcRate.cpuMicros());
            if (json >= 0) {
                System.out.printf(Locale.ROOT, "REST JSON per request (read the body + write the answer, in process): %.1f µs = %.0f%% of REST's "
                        + "server CPU per request%n", json, 100 * json / restRate.cpuMicros());
            }
            System.out.println("CPU by thread group:");
            for (Rate r : List.of(engine, restRate, grpcRate)) System.out.print("  " + r.name() + ": " + r.cpu());
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    @FunctionalInterface
    interface Call {
        void run(int i) throws Exception;
    }

    private static Rate measure(String name, int seconds, int warmup, Call call) throws Exception {
        System.err.println("bench: " + name);
        long end = System.nanoTime() + warmup * 1_000_000_000L;
        int i = 0;
        while (System.nanoTime() < end) call.run(i++);
        CpuMeter cpu = CpuMeter.start();
        long process = OS.getProcessCpuTime();
        long own = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        end = start + seconds * 1_000_000_000L;
        long n = 0;
        while (System.nanoTime() < end) call.run((int) n++);
        double wall = (System.nanoTime() - start) / 1e9;
        double others = ((OS.getProcessCpuTime() - process) - (THREADS.getCurrentThreadCpuTime() - own)) / 1e9;
        return new Rate(name, n, wall, others, cpu.stop());
    }

    /**
     * The REST JSON of one query in process: reading a request body into the request message and
     * writing a 10-match answer, with the server's own reader and writer ({@code api.data.ProtoJson}).
     * Returns -1 when that class is absent (a build before it).
     */
    private static double restJsonMicros(List<byte[]> requests, int seconds, int warmup) throws Exception {
        Class<?> protoJson;
        try {
            protoJson = Class.forName("io.conifer.api.data.ProtoJson");
        } catch (ClassNotFoundException e) {
            return -1;
        }
        // The server reads a body's bytes (ProtoJson.read(byte[], ...)); builds before that read its String.
        Method read;
        boolean fromBytes = true;
        try {
            read = protoJson.getDeclaredMethod("read", byte[].class, com.google.protobuf.Message.Builder.class);
        } catch (NoSuchMethodException e) {
            read = protoJson.getDeclaredMethod("read", String.class, com.google.protobuf.Message.Builder.class);
            fromBytes = false;
        }
        Method write = protoJson.getDeclaredMethod("write", com.google.protobuf.Message.class, boolean.class);
        read.setAccessible(true);
        write.setAccessible(true);
        List<String> bodies = new ArrayList<>();
        List<Object> served = new ArrayList<>();
        for (byte[] r : requests) {
            String s = new String(r, StandardCharsets.UTF_8);
            bodies.add(s.substring(s.indexOf("\r\n\r\n") + 4));
            served.add(fromBytes ? bodies.getLast().getBytes(StandardCharsets.UTF_8) : bodies.getLast());
        }
        Method serverRead = read;
        io.conifer.proto.QueryResponse.Builder answer = io.conifer.proto.QueryResponse.newBuilder().setNamespace("")
                .setUsage(io.conifer.proto.Usage.newBuilder().setReadUnits(1));
        for (int m = 0; m < 10; m++) answer.addMatches(io.conifer.proto.ScoredVector.newBuilder().setId(Integer.toString(m * 97)).setScore(0.9f - m / 100f));
        io.conifer.proto.QueryResponse response = answer.build();
        Rate r = measure("REST JSON in process", Math.max(1, seconds / 2), Math.max(1, warmup / 2), i -> {
            serverRead.invoke(null, served.get(i % served.size()), io.conifer.proto.QueryRequest.newBuilder());
            write.invoke(null, response, false);
        });
        // What HTTP/JSON transcoding did with the same body before: a Jackson tree, written back out,
        // parsed again by the same marshaller.
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        org.curioswitch.common.protobuf.json.MessageMarshaller marshaller = org.curioswitch.common.protobuf.json.MessageMarshaller
                .builder().register(io.conifer.proto.QueryRequest.getDefaultInstance()).ignoringUnknownFields(true).build();
        Rate before = measure("transcoding's reads in process", Math.max(1, seconds / 2), Math.max(1, warmup / 2), i -> {
            byte[] again = mapper.writeValueAsBytes(mapper.readTree(bodies.get(i % bodies.size())));
            marshaller.mergeValue(again, io.conifer.proto.QueryRequest.newBuilder());
        });
        Rate after = measure("one read in process", Math.max(1, seconds / 2), Math.max(1, warmup / 2),
                i -> serverRead.invoke(null, served.get(i % served.size()), io.conifer.proto.QueryRequest.newBuilder()));
        System.out.printf(Locale.ROOT, "Reading one query body in process: transcoding's three passes %.1f µs, one streaming pass %.1f µs"
                + " (%.1fx)%n", before.micros(), after.micros(), before.micros() / after.micros());
        return r.micros();
    }

    private static float[] vector(Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    private static String json(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ",").append(v[i]);
        return sb.append(']').toString();
    }
}
