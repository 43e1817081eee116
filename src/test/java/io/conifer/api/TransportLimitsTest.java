package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.error.ErrorCode;
import io.conifer.proto.DescribeIndexStatsRequest;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.Vector;
import io.conifer.proto.VectorServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Requests that break a transport limit (body size, body speed, request line, headers, message
 * nesting) or carry path-hostile ids and namespaces, over real HTTP and real gRPC: each gets its
 * status in Pinecone's shape, is logged as the client's error, and leaves the server serving.
 */
class TransportLimitsTest {
    /** The control plane's {@code error.code} values listed by both the 2025-10 and the 2026-04 spec. */
    static final Set<String> SPEC_CODES = Set.of("OK", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
            "QUOTA_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "FORBIDDEN", "UNPROCESSABLE_ENTITY", "PAYMENT_REQUIRED");
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;
    static int counter;
    static final List<ManagedChannel> CHANNELS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir);
        control = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        CHANNELS.forEach(ManagedChannel::shutdownNow);
        server.close();
    }

    static String newIndex() {
        return control.createDense("limits-" + (++counter), 3, "cosine");
    }

    static void assertControlError(int status, String code, String messagePart, int actualStatus, String body) {
        assertEquals(status, actualStatus, body);
        JsonNode j = new Http.Response(actualStatus, body).json();
        assertEquals(status, j.get("status").asInt(), body);
        assertEquals(code, j.get("error").get("code").asText(), body);
        assertTrue(j.get("error").get("message").asText().contains(messagePart), body);
    }

    static void assertDataError(int status, int grpcCode, String messagePart, Http.Response r) {
        DataPlaneRestTest.assertError(r, status, grpcCode, messagePart);
    }

    /** Log events of level INFO and above while {@code action} runs. */
    static <T> List<ILoggingEvent> logged(Supplier<T> action) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        try {
            action.get();
        } finally {
            root.detachAppender(appender);
        }
        return appender.list;
    }

    /**
     * Only the request threads' events count for WARN: the root logger also hears threads other tests left
     * running in this JVM (merges, refreshes, backups), whose warnings say nothing of these requests.
     */
    static void assertLoggedAsClientError(List<ILoggingEvent> events, String part) {
        assertFalse(events.stream().anyMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN) && onARequestThread(e)),
                () -> "nothing at WARN or ERROR: " + events);
        assertEquals(1, events.stream().filter(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains(part)
                && e.getThrowableProxy() == null).count(), () -> "one INFO line mentioning '" + part + "': " + events);
    }

    private static boolean onARequestThread(ILoggingEvent e) {
        String t = e.getThreadName();
        return t.startsWith("armeria-") || t.startsWith("conifer-query-") || t.startsWith("conifer-search-");
    }

    static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return CLIENT.send(b.header("Api-Key", TestServer.KEY).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void controlPlaneBodyOverTheLimitIs413() {
        byte[] big = ("{\"name\":\"" + "a".repeat(5 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        List<ILoggingEvent> events = logged(() -> {
            HttpResponse<String> sized = send(HttpRequest.newBuilder(URI.create(server.url() + "/indexes"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(big)));
            assertControlError(413, "RESOURCE_EXHAUSTED", "4194304 bytes", sized.statusCode(), sized.body());
            return null;
        });
        assertLoggedAsClientError(events, "413");
        assertEquals(200, control.get("/indexes").status(), "the server keeps serving");
    }

    @Test
    void slowBodiesAre408OnBothPlanes() throws Exception {
        String host = newIndex();
        int dataPort = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
        // Both wait out the server's request timeout (Armeria's 10 s default) at once.
        List<ILoggingEvent> events = logged(() -> {
            String c;
            String d;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<String> controlAnswer = threads.submit(() -> halfSentBody(server.port(), "/indexes"));
                Future<String> dataAnswer = threads.submit(() -> halfSentBody(dataPort, "/vectors/upsert"));
                c = controlAnswer.get();
                d = dataAnswer.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
            assertTrue(c.startsWith("HTTP/1.1 408"), c);
            assertControlError(408, "DEADLINE_EXCEEDED", "request timeout of 10 s", 408, c.substring(c.indexOf("\r\n\r\n") + 4));
            assertTrue(d.startsWith("HTTP/1.1 408"), d);
            assertDataError(408, Status.Code.DEADLINE_EXCEEDED.value(), "request timeout of 10 s",
                    new Http.Response(408, d.substring(d.indexOf("\r\n\r\n") + 4)));
            return null;
        });
        assertLoggedAsClientError(events, "POST /indexes: 408");
        assertLoggedAsClientError(events, "POST /vectors/upsert: 408");
    }

    /**
     * A data-plane request its headers refuse (no key) is answered before its body is read: a chunked body
     * (no Content-Length for the early size check) is not buffered up to the wire limit first. The body
     * here stops after its first chunk, so a server that reads it all never answers.
     */
    @Test
    void aRequestWithoutAKeyIsRefusedBeforeItsBodyIsRead() throws IOException {
        int port = URI.create(newIndex()).getPort();
        for (String path : List.of("/vectors/upsert", "/namespaces/ns/documents/upsert")) {
            try (Socket s = new Socket("localhost", port)) {
                s.setSoTimeout(10_000);
                String chunk = "{\"vectors\":[" + " ".repeat(100_000);
                s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n"
                        + chunk + "\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String answer = readResponse(s.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 401"), path + ": " + answer);
            }
        }
    }

    /** Sends headers promising 100 bytes and only the first, then reads the whole answer. */
    static String halfSentBody(int port, String path) {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nApi-Key: " + TestServer.KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return readResponse(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One HTTP/1.1 response with a Content-Length, without waiting for the server to close. */
    static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed after " + head);
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void controlPlaneLongUriAndHeadersAnswerListedCodes() {
        HttpResponse<String> uri = send(HttpRequest.newBuilder(URI.create(server.url() + "/indexes/" + "a".repeat(10_000))));
        assertControlError(414, "INVALID_ARGUMENT", "4096 bytes", uri.statusCode(), uri.body());
        HttpResponse<String> headers = send(HttpRequest.newBuilder(URI.create(server.url() + "/indexes"))
                .header("X-Padding", "a".repeat(10_000)));
        assertControlError(431, "INVALID_ARGUMENT", "8192 bytes", headers.statusCode(), headers.body());
    }

    @Test
    void everyControlPlaneCodeIsOneTheSpecLists() {
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(SPEC_CODES.contains(code.controlPlaneName()), code + " renders as " + code.controlPlaneName());
        }
        for (int status = 400; status < 600; status++) {
            assertTrue(SPEC_CODES.contains(ErrorCode.forHttpStatus(status).controlPlaneName()), "HTTP " + status);
        }
    }

    @Test
    void fetchTakesAThousandLongIdsInTheQueryString() {
        Http data = control.forHost(newIndex());
        // 512 ASCII characters, a third of which must be percent-encoded in a query string.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) ids.add(String.format("%04d", i) + "/&= ".repeat(127).substring(0, 508));
        StringBuilder upsert = new StringBuilder("{\"vectors\":[");
        for (String id : ids) upsert.append(upsert.length() > 12 ? "," : "").append("{\"id\":\"").append(id).append("\",\"values\":[1,0,0]}");
        Http.Response up = data.post("/vectors/upsert", upsert.append("]}").toString());
        assertEquals(1000, up.json().get("upsertedCount").asInt(), up.toString());

        StringBuilder query = new StringBuilder("/vectors/fetch?namespace=");
        for (String id : ids) query.append("&ids=").append(URLEncoder.encode(id, StandardCharsets.UTF_8));
        assertTrue(query.length() > 1_000_000, "the request line is " + query.length() + " bytes");
        Http.Response fetched = data.get(query.toString());
        assertEquals(200, fetched.status(), () -> fetched.toString().substring(0, 300));
        JsonNode vectors = fetched.json().get("vectors");
        assertEquals(1000, vectors.size());
        for (String id : ids) assertEquals(id, vectors.get(id).get("id").asText());

        // Past the line limit: a client error saying so, not INTERNAL.
        List<ILoggingEvent> events = logged(() -> {
            Http.Response tooLong = data.get("/vectors/fetch?ids=" + "a".repeat(3 * 1024 * 1024));
            assertDataError(414, Status.Code.INVALID_ARGUMENT.value(), "2097152 bytes", tooLong);
            return null;
        });
        assertLoggedAsClientError(events, "414");
    }

    static final List<String> HOSTILE_IDS = List.of("../a", "..", ".", "a/b", "a%2Fb", "%2E%2E", "a/../b", "./x", "x/.",
            "?a=b&c#d", "a\\..\\b", "é/..");

    @Test
    void pathHostileIdsAreServedOnEveryRestPath() {
        Http data = control.forHost(newIndex());
        StringBuilder upsert = new StringBuilder("{\"namespace\":\"ns\",\"vectors\":[");
        for (String id : HOSTILE_IDS) {
            upsert.append(upsert.charAt(upsert.length() - 1) == '[' ? "" : ",")
                    .append("{\"id\":").append(Http.JSON.valueToTree(id).toString()).append(",\"values\":[1,0,0]}");
        }
        assertEquals(HOSTILE_IDS.size(), data.post("/vectors/upsert", upsert.append("]}").toString()).json().get("upsertedCount").asInt());
        for (String id : HOSTILE_IDS) {
            String enc = URLEncoder.encode(id, StandardCharsets.UTF_8);
            Http.Response fetched = data.get("/vectors/fetch?namespace=ns&ids=" + enc);
            assertEquals(200, fetched.status(), id + ": " + fetched);
            assertEquals(id, fetched.json().get("vectors").get(id).get("id").asText(), id);
            Http.Response listed = data.get("/vectors/list?namespace=ns&prefix=" + enc);
            assertEquals(200, listed.status(), id + ": " + listed);
            assertEquals(id, listed.json().get("vectors").get(0).get("id").asText(), id);
            Http.Response updated = data.post("/vectors/update", "{\"namespace\":\"ns\",\"id\":" + Http.JSON.valueToTree(id)
                    + ",\"setMetadata\":{\"k\":\"v\"}}");
            assertEquals(200, updated.status(), id + ": " + updated);
            Http.Response deleted = data.send("DELETE", "/vectors/delete?namespace=ns&ids=" + enc, null);
            assertEquals(200, deleted.status(), id + ": " + deleted);
            assertEquals(0, data.get("/vectors/fetch?namespace=ns&ids=" + enc).json().get("vectors").size(), id);
        }
    }

    @Test
    void namespacesAreServedOnEveryRestPathOrRefusedOnBothProtocols() {
        String host = newIndex();
        Http data = control.forHost(host);
        var grpc = stub(host);
        for (String ns : List.of("..", ".", "../x", "x/..", "a/./b", "a/../b", "a\\..\\b", ".\\x", "..;x")) {
            Http.Response rest = data.post("/vectors/upsert", "{\"namespace\":" + Http.JSON.valueToTree(ns)
                    + ",\"vectors\":[{\"id\":\"a\",\"values\":[1,0,0]}]}");
            assertDataError(400, Status.Code.INVALID_ARGUMENT.value(), "path segment", rest);
            assertDataError(400, Status.Code.INVALID_ARGUMENT.value(), "path segment",
                    data.post("/namespaces", "{\"name\":" + Http.JSON.valueToTree(ns) + "}"));
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> grpc.upsert(UpsertRequest.newBuilder().setNamespace(ns).addVectors(vector("a")).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), ns);
            assertTrue(e.getStatus().getDescription().contains("path segment"), e.getMessage());
        }
        assertEquals(0, data.get("/describe_index_stats").json().get("namespaces").size(), "nothing was written");

        for (String ns : List.of("a/b", "a%2Fb", "%2E%2E", "..x", "a..b", "x y?#&=", "...", "é", ";..;", "a;..", ".x.")) {
            String enc = URLEncoder.encode(ns, StandardCharsets.UTF_8).replace("+", "%20");
            Http.Response up = data.post("/vectors/upsert", "{\"namespace\":" + Http.JSON.valueToTree(ns)
                    + ",\"vectors\":[{\"id\":\"a\",\"values\":[1,0,0]}]}");
            assertEquals(200, up.status(), ns + ": " + up);
            assertEquals(1, data.get("/vectors/fetch?ids=a&namespace=" + enc).json().get("vectors").size(), ns);
            assertEquals(1, data.get("/vectors/list?namespace=" + enc).json().get("vectors").size(), ns);
            Http.Response described = data.get("/namespaces/" + enc);
            assertEquals(200, described.status(), ns + ": " + described);
            assertEquals(ns, described.json().get("name").asText());
            Http.Response deleted = data.delete("/namespaces/" + enc);
            assertEquals(200, deleted.status(), ns + ": " + deleted);
            assertEquals(404, data.get("/namespaces/" + enc).status(), ns);
        }
    }

    static Vector.Builder vector(String id) {
        return Vector.newBuilder().setId(id).addValues(1).addValues(0).addValues(0);
    }

    static VectorServiceGrpc.VectorServiceBlockingStub stub(String host) {
        return VectorServiceGrpc.newBlockingStub(channel(host)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(apiKey()));
    }

    static ManagedChannel channel(String host) {
        int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
        ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        CHANNELS.add(ch);
        return ch;
    }

    static Metadata apiKey() {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER), TestServer.KEY);
        return md;
    }

    @Test
    void grpcMessageOverTheSizeLimitIsResourceExhausted() {
        String host = newIndex();
        var grpc = stub(host);
        UpsertRequest huge = UpsertRequest.newBuilder().setNamespace("n".repeat(17 * 1024 * 1024)).addVectors(vector("a")).build();
        List<ILoggingEvent> events = logged(() -> {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.upsert(huge));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getMessage());
            assertTrue(e.getStatus().getDescription().contains("16777216 bytes"), e.getMessage());
            return null;
        });
        assertLoggedAsClientError(events, "413");
        assertEquals(1, grpc.upsert(UpsertRequest.newBuilder().addVectors(vector("a")).build()).getUpsertedCount());
    }

    /** A filter of {@code depth} nested {@code $and}s around one condition. */
    static Struct nestedFilter(int depth) {
        Struct f = Struct.newBuilder().putFields("genre", Value.newBuilder().setStringValue("x").build()).build();
        for (int i = 0; i < depth; i++) {
            f = Struct.newBuilder().putFields("$and", Value.newBuilder()
                    .setListValue(ListValue.newBuilder().addValues(Value.newBuilder().setStructValue(f))).build()).build();
        }
        return f;
    }

    @Test
    void grpcNestingBeyondTheLimitIsInvalidArgument() throws Exception {
        String host = newIndex();
        var grpc = stub(host);
        grpc.upsert(UpsertRequest.newBuilder().addVectors(vector("a")).build());
        QueryRequest.Builder query = QueryRequest.newBuilder().setTopK(1).addVector(1).addVector(0).addVector(0);
        assertEquals(0, grpc.query(query.setFilter(nestedFilter(19)).build()).getMatchesCount(), "19 levels parse");
        StatusRuntimeException deepFilter = assertThrows(StatusRuntimeException.class,
                () -> grpc.query(query.setFilter(nestedFilter(45)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, deepFilter.getStatus().getCode(), deepFilter.getMessage());
        assertTrue(deepFilter.getStatus().getDescription().contains("100 levels"), deepFilter.getMessage());
        String restFilter = "{\"genre\":\"x\"}";
        for (int i = 0; i < 45; i++) restFilter = "{\"$and\":[" + restFilter + "]}";
        assertDataError(400, Status.Code.INVALID_ARGUMENT.value(), "100 levels",
                control.forHost(host).post("/query", "{\"topK\":1,\"vector\":[1,0,0],\"filter\":" + restFilter + "}"));

        // Metadata nested 5,000 levels deep: too deep for protobuf-java to serialise on the caller's
        // stack, so its bytes are built on a deep one and sent as they are.
        Value.Builder deep = Value.newBuilder().setStringValue("x");
        for (int i = 0; i < 5000; i++) deep = Value.newBuilder().setStructValue(Struct.newBuilder().putFields("a", deep.build()));
        UpsertRequest request = UpsertRequest.newBuilder()
                .addVectors(vector("b").setMetadata(Struct.newBuilder().putFields("m", deep.build()))).build();
        byte[][] bytes = new byte[1][];
        Thread t = new Thread(null, () -> bytes[0] = request.toByteArray(), "serialise", 256L << 20);
        t.start();
        t.join();
        StatusRuntimeException deepMetadata = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(
                        ClientInterceptors.intercept(channel(host), MetadataUtils.newAttachHeadersInterceptor(apiKey())), RAW_UPSERT,
                        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes[0]));
        assertEquals(Status.Code.INVALID_ARGUMENT, deepMetadata.getStatus().getCode(), deepMetadata.getMessage());
        assertTrue(deepMetadata.getStatus().getDescription().contains("100 levels"), deepMetadata.getMessage());
        assertEquals(1, grpc.describeIndexStats(DescribeIndexStatsRequest.getDefaultInstance())
                .getTotalVectorCount(), "only the first upsert was written");
    }

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> RAW_UPSERT = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(VectorServiceGrpc.getUpsertMethod().getFullMethodName())
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
}
