package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.proto.DescribeIndexStatsRequest;
import io.conifer.proto.DescribeIndexStatsResponse;
import io.conifer.proto.DescribeNamespaceRequest;
import io.conifer.proto.FetchRequest;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.Vector;
import io.conifer.proto.VectorServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vector data plane's 2026-07 differences over REST, each next to the older versions' rule. */
class DataPlane2026Test {
    static final String V7 = "2026-07";
    static final String V4 = "2026-04";
    @TempDir
    static Path dir;
    static TestServer server;
    static Http data;
    static String host;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        Http http = new Http(server.url(), TestServer.KEY);
        Http.Response r = http.send("POST", "/indexes", "{\"name\":\"dp7\",\"schema\":{\"fields\":{\"_values\":"
                + "{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"dotproduct\"}}}}", V7);
        assertEquals(201, r.status(), r.toString());
        host = r.json().get("host").asText();
        data = http.forHost(host);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Response upsert(String version, String id, String values) {
        return data.send("POST", "/vectors/upsert", "{\"namespace\":\"ns\",\"vectors\":[{\"id\":\"" + id + "\",\"values\":"
                + values + "}]}", version);
    }

    static void assertInvalid(Http.Response r, String messagePart) {
        assertEquals(400, r.status(), r.toString());
        assertEquals(3, r.json().get("code").asInt(), r.toString());
        assertTrue(r.json().get("message").asText().contains(messagePart), r.toString());
    }

    /** A raw gRPC stub sending {@code version} (the Java SDK always sends 2025-10). */
    static VectorServiceGrpc.VectorServiceBlockingStub grpc(ManagedChannel channel, String version) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER), TestServer.KEY);
        md.put(Metadata.Key.of("x-pinecone-api-version", Metadata.ASCII_STRING_MARSHALLER), version);
        return VectorServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    @Test
    void grpcCallsFollowTheRulesOfTheirVersion() {
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", URI.create(host).getPort())
                .usePlaintext().build();
        try {
            var v7 = grpc(channel, V7);
            var v4 = grpc(channel, V4);
            UpsertRequest nonAscii = UpsertRequest.newBuilder().setNamespace("grpc")
                    .addVectors(Vector.newBuilder().setId("gr\u00fcn").addValues(1).addValues(0).addValues(0)).build();
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> v7.upsert(nonAscii));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("ASCII"), refused.getStatus().toString());
            FetchRequest fetch = FetchRequest.newBuilder().setNamespace("grpc").addIds("gr\u00fcn").build();
            assertEquals(Status.Code.INVALID_ARGUMENT,
                    assertThrows(StatusRuntimeException.class, () -> v7.fetch(fetch)).getStatus().getCode());
            assertEquals(0, v4.fetch(fetch).getVectorsCount(), "a refused upsert wrote");
            UpsertRequest tiny = UpsertRequest.newBuilder().setNamespace("grpc")
                    .addVectors(Vector.newBuilder().setId("tiny").addValues(1e-9f).addValues(0).addValues(0)).build();
            assertEquals(Status.Code.INVALID_ARGUMENT,
                    assertThrows(StatusRuntimeException.class, () -> v7.upsert(tiny)).getStatus().getCode());
            assertEquals(1, v4.upsert(nonAscii).getUpsertedCount(), "older versions accept any id over gRPC too");
            DescribeIndexStatsResponse stats7 = v7.describeIndexStats(DescribeIndexStatsRequest.getDefaultInstance());
            assertTrue(stats7.hasMemoryFullness() && stats7.hasStorageFullness(), stats7.toString());
            assertFalse(v4.describeIndexStats(DescribeIndexStatsRequest.getDefaultInstance()).hasMemoryFullness());
            assertTrue(v7.describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("grpc").build()).hasSizeBytes());
            assertFalse(v4.describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("grpc").build()).hasSizeBytes());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void idsMustBeAsciiIn2026_07Only() {
        assertInvalid(upsert(V7, "caf\u00e9", "[1,0,0]"), "ASCII");
        assertEquals(200, upsert(V4, "caf\u00e9", "[1,0,0]").status(), "older versions accept any id");
        assertInvalid(data.send("GET", "/vectors/fetch?ids=caf%C3%A9&namespace=ns", null, V7), "ASCII");
        assertInvalid(data.send("POST", "/vectors/delete", "{\"namespace\":\"ns\",\"ids\":[\"caf\u00e9\"]}", V7), "ASCII");
        assertEquals(1, data.send("GET", "/vectors/fetch?ids=caf%C3%A9&namespace=ns", null, V4).json().get("vectors").size());
    }

    @Test
    void aVectorWithoutAValueOfMagnitude1e8IsRejectedIn2026_07() {
        assertInvalid(upsert(V7, "tiny", "[1e-9,0,-1e-9]"), "1e-8");
        assertInvalid(data.send("POST", "/query", "{\"namespace\":\"ns\",\"topK\":1,\"vector\":[0,0,0]}", V7), "1e-8");
        assertEquals(200, upsert(V7, "small", "[1e-8,0,0]").status());
        assertEquals(200, upsert(V4, "tiny", "[1e-9,0,-1e-9]").status(), "older versions accept it on a dotproduct index");
    }

    /** `__default__` always exists (2026-07 spec): described before anything is written to it, not a 404. */
    @Test
    void theDefaultNamespaceIsDescribedWhileEmpty() throws Exception {
        try (TestServer empty = TestServer.start(dir.resolve("empty"))) {
            Http http = new Http(empty.url(), TestServer.KEY);
            Http.Response created = http.send("POST", "/indexes", "{\"name\":\"fresh\",\"schema\":{\"fields\":{\"_values\":"
                    + "{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}}}", V7);
            Http index = http.forHost(created.json().get("host").asText());
            for (String version : new String[] {V7, V4}) {
                Http.Response r = index.send("GET", "/namespaces/__default__", null, version);
                assertEquals(200, r.status(), version + ": " + r);
                assertEquals("__default__", r.json().get("name").asText());
                assertEquals(0, r.json().get("record_count").asLong(), r.toString());
            }
            assertEquals(404, index.send("GET", "/namespaces/never-written", null, V7).status());
        }
    }

    @Test
    void statsAndNamespacesIn2026_07Shapes() {
        assertEquals(200, upsert(V4, "n1", "[1,2,3]").status());
        JsonNode stats7 = data.send("POST", "/describe_index_stats", "{}", V7).json();
        assertEquals(0.0, stats7.get("memoryFullness").asDouble());
        assertEquals(0.0, stats7.get("storageFullness").asDouble());
        JsonNode stats4 = data.send("POST", "/describe_index_stats", "{}", V4).json();
        assertFalse(stats4.has("memoryFullness") || stats4.has("storageFullness"), stats4.toString());

        JsonNode ns7 = data.send("GET", "/namespaces/ns", null, V7).json();
        assertTrue(ns7.get("record_count").isTextual(), ns7.toString());
        long records = Long.parseLong(ns7.get("record_count").asText());
        assertTrue(records >= 1, ns7.toString());
        assertEquals(String.valueOf(records * 4 * 3), ns7.get("size_bytes").asText());
        JsonNode listed = data.send("GET", "/namespaces", null, V7).json().get("namespaces").get(0);
        assertTrue(listed.get("record_count").isTextual(), listed.toString());

        JsonNode ns4 = data.send("GET", "/namespaces/ns", null, V4).json();
        assertTrue(ns4.get("record_count").isIntegralNumber(), ns4.toString());
        assertEquals(records, ns4.get("record_count").asLong());
        assertFalse(ns4.has("size_bytes"), ns4.toString());
    }

    /**
     * 2026-07's spec rejects what the older ones leave open: a stats filter, a list page over 100, a
     * query by id that also carries a sparseVector. The older versions keep serving them (the Java SDK's
     * users filter stats and list 1000 ids a page).
     */
    @Test
    void requestsOnly2026_07RejectAreRefusedThereAndServedBefore() {
        Http.Response upserted = data.send("POST", "/vectors/upsert", "{\"namespace\":\"spec7\",\"vectors\":["
                + "{\"id\":\"a\",\"values\":[1,0,0],\"metadata\":{\"k\":\"x\"}},{\"id\":\"b\",\"values\":[0,1,0]}]}", V7);
        assertEquals(200, upserted.status(), upserted.toString());
        String filtered = "{\"filter\":{\"k\":{\"$eq\":\"x\"}}}";
        assertInvalid(data.send("POST", "/describe_index_stats", filtered, V7), "filter");
        assertEquals(200, data.send("POST", "/describe_index_stats", "{\"filter\":{}}", V7).status(), "an empty filter is no filter");
        assertEquals(1, data.send("POST", "/describe_index_stats", filtered, V4).json().at("/namespaces/spec7/vectorCount").asInt());

        for (String list : new String[] {"/vectors/list?namespace=spec7&limit=", "/namespaces?limit="}) {
            assertInvalid(data.send("GET", list + "101", null, V7), "between 1 and 100");
            assertEquals(200, data.send("GET", list + "100", null, V7).status(), list);
            assertEquals(200, data.send("GET", list + "1000", null, V4).status(), list);
        }

        String byIdAndSparse = "{\"namespace\":\"spec7\",\"topK\":2,\"id\":\"a\",\"sparseVector\":{\"indices\":[1],\"values\":[1]}}";
        assertInvalid(data.send("POST", "/query", byIdAndSparse, V7), "sparseVector");
        assertEquals(200, data.send("POST", "/query", byIdAndSparse, V4).status());
        assertEquals(200, data.send("POST", "/query", "{\"namespace\":\"spec7\",\"topK\":2,\"id\":\"a\"}", V7).status());
    }

    @Test
    void unauthorisedIsPlainTextIn2026_07() {
        Http.Response plain = data.withKey("wrong").send("POST", "/describe_index_stats", "{}", V7);
        assertEquals(401, plain.status());
        assertEquals("Unauthorized", plain.body());
        Http.Response json = data.withKey("wrong").send("POST", "/describe_index_stats", "{}", V4);
        assertEquals(401, json.status());
        assertEquals(16, json.json().get("code").asInt(), json.toString());
    }

    @Test
    void anUnsupportedVersionNamesTheSupportedOnes() {
        Http.Response r = data.send("POST", "/describe_index_stats", "{}", "2030-01");
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.body().contains("2026-07") && r.body().contains("2025-10"), r.toString());
    }
}
