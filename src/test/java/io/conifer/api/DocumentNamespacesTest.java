package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.Backups;
import io.conifer.proto.CreateNamespaceRequest;
import io.conifer.proto.MetadataFieldProperties;
import io.conifer.proto.MetadataSchema;
import io.conifer.proto.NamespaceDescription;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The namespace operations on a document index (the 2026-07 spec keeps them there): create_namespace
 * makes an empty namespace that exists until it is deleted, durably, through backups too, with the
 * vector indexes' name rules; a metadata schema is refused, since a document index indexes every
 * metadata field. Every refused call is followed by a check that it created nothing.
 */
class DocumentNamespacesTest {
    static final String V7 = "2026-07";
    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;
    static String host;
    static Http data;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        control = new Http(server.url(), TestServer.KEY);
        Http.Response r = control.send("POST", "/indexes", """
                {"name":"docns","schema":{"fields":{
                  "title":{"type":"string","full_text_search":{"language":"en"}},
                  "emb":{"type":"dense_vector","dimension":2,"metric":"cosine"}}}}""", V7);
        assertEquals(201, r.status(), r.toString());
        host = r.json().get("host").asText();
        data = control.forHost(host);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Response create(String body) {
        return data.send("POST", "/namespaces", body, V7);
    }

    static Http.Response describe(String namespace) {
        return data.send("GET", "/namespaces/" + namespace, null, V7);
    }

    static long records(String namespace) {
        Http.Response r = describe(namespace);
        assertEquals(200, r.status(), r.toString());
        return Long.parseLong(r.json().get("record_count").asText());
    }

    static List<String> listed() {
        List<String> out = new ArrayList<>();
        data.send("GET", "/namespaces", null, V7).json().get("namespaces").forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    static void documents(String namespace, String op, String body) {
        Http.Response r = data.send("POST", "/namespaces/" + namespace + "/documents/" + op, body, V7);
        assertTrue(r.status() / 100 == 2, r.toString());
    }

    static void upsertTwo(String namespace) {
        documents(namespace, "upsert", "{\"documents\":[{\"_id\":\"a\",\"title\":\"red fox\",\"year\":2001},"
                + "{\"_id\":\"b\",\"title\":\"blue jay\",\"emb\":[1,0]}]}");
    }

    static void assertError(Http.Response r, int status, int grpcCode, String part) {
        assertEquals(status, r.status(), r.toString());
        JsonNode body = r.json();
        assertEquals(grpcCode, body.get("code").asInt(), r.toString());
        assertTrue(body.get("details").isArray(), r.toString());
        assertTrue(body.get("message").asText().contains(part), "expected '" + part + "' in " + r);
    }

    @Test
    void aCreatedNamespaceExistsEmptyUntilItIsDeleted() {
        Http.Response created = create("{\"name\":\"made\"}");
        assertEquals(200, created.status(), created.toString());
        assertEquals("made", created.json().get("name").asText());
        assertEquals(0, records("made"));
        assertTrue(listed().contains("made"));
        assertFalse(data.send("POST", "/describe_index_stats", "{}", V7).json().get("namespaces").has("made"),
                "stats count documents, and it holds none");
        assertError(create("{\"name\":\"made\"}"), 409, 6, "already exists");

        upsertTwo("made");
        assertEquals(2, records("made"));
        // Emptied, a created namespace stays (as on a vector index); one an upsert made goes with its documents.
        documents("made", "delete", "{\"delete_all\":true}");
        assertEquals(0, records("made"));
        upsertTwo("implicit");
        documents("implicit", "delete", "{\"ids\":[\"a\",\"b\"]}");
        assertEquals(404, describe("implicit").status());
        upsertTwo("made");
        documents("made", "delete", "{\"ids\":[\"a\",\"b\"]}");
        assertEquals(0, records("made"));

        // Replayed from the log after a crash, loaded from the commit after a clean restart.
        server.crashAndRestart();
        assertEquals(0, records("made"));
        server.restart();
        assertEquals(0, records("made"));
        assertError(create("{\"name\":\"made\"}"), 409, 6, "already exists");

        upsertTwo("made");
        assertEquals(200, data.send("DELETE", "/namespaces/made", null, V7).status());
        assertError(describe("made"), 404, 5, "made");
        assertError(data.send("DELETE", "/namespaces/made", null, V7), 404, 5, "made");
        assertFalse(listed().contains("made"));
        assertEquals(0, data.send("POST", "/namespaces/made/documents/list", "{}", V7).json().get("documents").size(),
                "its documents went with it");
        server.restart();
        assertEquals(404, describe("made").status(), "deleted durably");
        assertEquals(200, create("{\"name\":\"made\"}").status(), "and free to create again");
        assertEquals(0, records("made"));
    }

    @Test
    void theVectorIndexesNameRulesHoldAndASchemaIsRefused() {
        assertError(create("{\"name\":\"__default__\"}"), 400, 3, "__default__");
        assertError(create("{\"name\":\"\"}"), 400, 3, "__default__");
        assertError(create("{\"name\":\"a/../b\"}"), 400, 3, "'..'");
        assertError(create("{\"name\":\"" + "n".repeat(513) + "\"}"), 400, 3, "512");
        assertError(create("{\"name\":\"withschema\",\"schema\":{\"fields\":{\"year\":{\"filterable\":true}}}}"), 400, 3,
                "indexes every metadata field");
        assertError(create("{\"name\":\"withschema\",\"schema\":{\"fields\":{\"year\":{\"filterable\":false}}}}"), 400, 3,
                "filterable");
        assertEquals(404, describe("withschema").status(), "nothing was created");
        assertFalse(listed().contains("withschema"));

        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", URI.create(host).getPort()).usePlaintext().build();
        try {
            NamespaceDescription made = DataPlane2026Test.grpc(channel, V7)
                    .createNamespace(CreateNamespaceRequest.newBuilder().setName("over-grpc").build());
            assertEquals("over-grpc", made.getName());
            assertEquals(0, made.getRecordCount());
            StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> DataPlane2026Test.grpc(channel, V7)
                    .createNamespace(CreateNamespaceRequest.newBuilder().setName("over-grpc").build()));
            assertEquals(Status.Code.ALREADY_EXISTS, again.getStatus().getCode());
            MetadataSchema schema = MetadataSchema.newBuilder()
                    .putFields("year", MetadataFieldProperties.newBuilder().setFilterable(true).build()).build();
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> DataPlane2026Test.grpc(channel, V7)
                    .createNamespace(CreateNamespaceRequest.newBuilder().setName("grpc-schema").setSchema(schema).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
        assertEquals(404, describe("grpc-schema").status());
        assertEquals(0, records("over-grpc"));
    }

    @Test
    void aRestoredDocumentIndexKeepsItsEmptyNamespaces() throws Exception {
        Http.Response r = control.send("POST", "/indexes", """
                {"name":"docns-src","schema":{"fields":{"title":{"type":"string","full_text_search":{"language":"en"}}}}}""", V7);
        assertEquals(201, r.status(), r.toString());
        Http src = control.forHost(r.json().get("host").asText());
        assertEquals(200, src.send("POST", "/namespaces", "{\"name\":\"kept\"}", V7).status());
        assertEquals(202, src.send("POST", "/namespaces/full/documents/upsert", "{\"documents\":[{\"_id\":\"a\",\"title\":\"fox\"}]}",
                V7).status());
        String backup = control.post("/indexes/docns-src/backups", "{}").json().get("backup_id").asText();
        assertEquals(2, Backups.awaitStatus(control, backup, "Ready").get("namespace_count").asInt());
        JsonNode job = Backups.restore(control, backup, "docns-copy");
        assertEquals("Completed", job.get("status").asText(), job.toString());

        Http copy = control.forHost(control.get("/indexes/docns-copy").json().get("host").asText());
        JsonNode kept = copy.send("GET", "/namespaces/kept", null, V7).json();
        assertEquals("0", kept.get("record_count").asText(), kept.toString());
        assertEquals(409, copy.send("POST", "/namespaces", "{\"name\":\"kept\"}", V7).status());
        assertEquals("1", copy.send("GET", "/namespaces/full", null, V7).json().get("record_count").asText());
    }
}
