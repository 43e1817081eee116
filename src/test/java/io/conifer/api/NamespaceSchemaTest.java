package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.Backups;
import io.conifer.proto.CreateNamespaceRequest;
import io.conifer.proto.MetadataFieldProperties;
import io.conifer.proto.MetadataSchema;
import io.conifer.proto.QueryRequest;
import io.conifer.store.RecordQueries;
import io.conifer.vectors.MetadataFields;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace's metadata schema applies to its records as an index's schema does: only the fields it
 * declares are indexed, and a filter in that namespace naming another field is a 400 naming the
 * namespace's schema (REST and gRPC); namespaces without one index every field. The schema lasts
 * through a crash, a clean restart and a backup restored into a new index, and ends with its namespace.
 */
class NamespaceSchemaTest {
    static final String YEAR = "{\"year\":{\"$gte\":2000}}";
    static final String GENRE_SCHEMA = "{\"fields\":{\"genre\":{\"filterable\":true}}}";
    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        control = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void upsert(Http d, String namespace, String... ids) {
        StringBuilder b = new StringBuilder("{\"namespace\":\"" + namespace + "\",\"vectors\":[");
        for (int i = 0; i < ids.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i]).append("\",\"values\":[1,").append(i + 1)
                    .append("],\"metadata\":{\"genre\":\"").append(i == 0 ? "jazz" : "rock").append("\",\"year\":").append(2001 + i)
                    .append("}}");
        }
        Http.Response r = d.post("/vectors/upsert", b + "]}");
        assertEquals(200, r.status(), r.toString());
    }

    static Http.Response query(Http d, String namespace, String filter) {
        return d.post("/query", "{\"namespace\":\"" + namespace + "\",\"vector\":[1,1],\"topK\":10,\"filter\":" + filter + "}");
    }

    static List<String> ids(Http.Response r) {
        assertEquals(200, r.status(), r.toString());
        List<String> out = new ArrayList<>();
        r.json().get("matches").forEach(m -> out.add(m.get("id").asText()));
        out.sort(null);
        return out;
    }

    /** A 400 in the data plane's shape naming the field and the namespace whose schema leaves it out. */
    static void assertLeftOutBy(Http.Response r, String namespace) {
        assertEquals(400, r.status(), r.toString());
        JsonNode body = r.json();
        assertEquals(3, body.get("code").asInt(), r.toString());
        assertTrue(body.get("details").isArray(), r.toString());
        assertTrue(body.get("message").asText().contains("metadata field 'year' is not filterable; the schema of namespace '"
                + namespace + "'"), r.toString());
    }

    /** Records of {@code namespace} whose {@code field} is indexed for filtering, read from the index itself. */
    static long indexedWith(String index, String namespace, String field) {
        return server.server().indexes().vectors("default", index).engine()
                .read(s -> (long) s.count(RecordQueries.inNamespace(namespace, new TermQuery(new Term(MetadataFields.KEYS, field)))))
                .result();
    }

    @Test
    void filtersInANamespaceMayNameOnlyTheFieldsItsSchemaDeclares() {
        String host = control.createDense("nss-filters", 2, "cosine");
        Http d = control.forHost(host);
        assertEquals(200, d.post("/namespaces", "{\"name\":\"films\",\"schema\":" + GENRE_SCHEMA + "}").status());
        upsert(d, "films", "a", "b");
        upsert(d, "", "a", "b");

        assertEquals(List.of("a"), ids(query(d, "films", "{\"genre\":\"jazz\"}")));
        assertLeftOutBy(query(d, "films", YEAR), "films");
        assertLeftOutBy(query(d, "films", "{\"$or\":[{\"genre\":\"jazz\"},{\"$and\":[{\"year\":2001}]}]}"), "films");
        assertLeftOutBy(d.post("/vectors/fetch_by_metadata", "{\"namespace\":\"films\",\"filter\":" + YEAR + "}"), "films");
        assertLeftOutBy(d.post("/vectors/update", "{\"namespace\":\"films\",\"filter\":" + YEAR + ",\"setMetadata\":{\"seen\":true}}"),
                "films");
        assertLeftOutBy(d.post("/vectors/update", "{\"namespace\":\"films\",\"filter\":" + YEAR + ",\"dryRun\":true}"), "films");
        assertLeftOutBy(d.post("/vectors/delete", "{\"namespace\":\"films\",\"filter\":" + YEAR + "}"), "films");
        // The refused writes changed nothing; the metadata is stored whole though indexed in part.
        JsonNode films = d.get("/vectors/fetch?namespace=films&ids=a&ids=b").json().get("vectors");
        assertEquals(2, films.size(), films.toString());
        assertEquals("{\"genre\":\"jazz\",\"year\":2001}", films.get("a").get("metadata").toString());
        assertEquals("{\"genre\":\"rock\",\"year\":2002}", films.get("b").get("metadata").toString());
        assertEquals(0, indexedWith("nss-filters", "films", "year"), "films indexes genre alone");
        assertEquals(2, indexedWith("nss-filters", "films", "genre"));

        // The default namespace has no schema: every field is indexed and filters.
        assertEquals(List.of("a", "b"), ids(query(d, "", YEAR)));
        assertEquals(2, indexedWith("nss-filters", "", "year"));
        // Stats filter every namespace at once, so a field one of them leaves out is refused (older API
        // versions; 2026-07 refuses any stats filter).
        assertLeftOutBy(d.post("/describe_index_stats", "{\"filter\":" + YEAR + "}"), "films");
        JsonNode stats = d.post("/describe_index_stats", "{\"filter\":{\"genre\":\"jazz\"}}").json();
        assertEquals(1, stats.at("/namespaces/films/vectorCount").asInt(), stats.toString());
        assertEquals(1, stats.at("/namespaces//vectorCount").asInt(), stats.toString());

        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", URI.create(host).getPort()).usePlaintext().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> DataPlane2026Test.grpc(channel, "2025-10")
                    .query(QueryRequest.newBuilder().setNamespace("films").setTopK(1).addVector(1f).addVector(1f)
                            .setFilter(Struct.newBuilder().putFields("year", Value.newBuilder().setNumberValue(2001).build())).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("the schema of namespace 'films'"), e.toString());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theSchemaLastsThroughACrashAndARestartAndEndsWithItsNamespace() {
        Http d = control.forHost(control.createDense("nss-durable", 2, "cosine"));
        assertEquals(200, d.post("/namespaces", "{\"name\":\"films\",\"schema\":" + GENRE_SCHEMA + "}").status());
        upsert(d, "films", "a", "b");

        // Replayed from the log after a crash; loaded from the Lucene commit after a clean restart, which
        // leaves nothing in the log to replay.
        server.crashAndRestart();
        assertLeftOutBy(query(d, "films", YEAR), "films");
        server.restart();
        assertLeftOutBy(query(d, "films", YEAR), "films");
        assertEquals(GENRE_SCHEMA, d.get("/namespaces/films").json().get("schema").toString());
        upsert(d, "films", "c");
        assertEquals(0, indexedWith("nss-durable", "films", "year"), "a record written after the restart follows the schema");
        assertEquals(List.of("a", "c"), ids(query(d, "films", "{\"genre\":\"jazz\"}")));

        // Deleted and created again without a schema, the namespace indexes every field.
        assertEquals(200, d.delete("/namespaces/films").status());
        assertEquals(200, d.post("/namespaces", "{\"name\":\"films\"}").status());
        assertFalse(d.get("/namespaces/films").json().has("schema"));
        upsert(d, "films", "a", "b");
        assertEquals(List.of("a", "b"), ids(query(d, "films", YEAR)));
        assertEquals(2, indexedWith("nss-durable", "films", "year"));
        server.restart();
        assertEquals(List.of("a", "b"), ids(query(d, "films", YEAR)), "and still after a restart");
    }

    /**
     * At most 50 fields (the spec's maxProperties), over REST and gRPC alike; names starting with '_',
     * which only an index's schema reserves, are accepted. A refused schema creates no namespace.
     */
    @Test
    void aSchemaDeclaresAtMostFiftyFields() {
        String host = control.createDense("nss-fifty", 2, "cosine");
        Http d = control.forHost(host);
        Http.Response fifty = d.post("/namespaces", "{\"name\":\"fifty\",\"schema\":" + ControlPlaneTest.schemaOf(50) + "}");
        assertEquals(200, fifty.status(), fifty.toString());
        assertEquals(50, fifty.json().at("/schema/fields").size(), fifty.toString());
        Http.Response over = d.post("/namespaces", "{\"name\":\"over\",\"schema\":" + ControlPlaneTest.schemaOf(51) + "}");
        assertEquals(400, over.status(), over.toString());
        assertEquals(3, over.json().get("code").asInt(), over.toString());
        assertTrue(over.json().get("message").asText().contains("at most 50 fields; this one declares 51"), over.toString());
        assertEquals(404, d.get("/namespaces/over").status());
        assertEquals(200, d.post("/namespaces", "{\"name\":\"under\",\"schema\":{\"fields\":{\"_private\":{\"filterable\":true}}}}")
                .status());
        Http.Response unset = d.post("/namespaces", "{\"name\":\"unset\",\"schema\":{\"fields\":{\"genre\":{}}}}");
        assertEquals(400, unset.status(), unset.toString());
        assertTrue(unset.json().get("message").asText()
                .contains("Field 'genre' is set to filterable: false. Only filterable: true is supported."), unset.toString());

        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", URI.create(host).getPort()).usePlaintext().build();
        try {
            MetadataSchema.Builder schema = MetadataSchema.newBuilder();
            for (int i = 0; i < 51; i++) schema.putFields("field" + i, MetadataFieldProperties.newBuilder().setFilterable(true).build());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> DataPlane2026Test.grpc(channel, "2025-10")
                    .createNamespace(CreateNamespaceRequest.newBuilder().setName("over-grpc").setSchema(schema).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("at most 50 fields; this one declares 51"), e.toString());
            assertEquals(404, d.get("/namespaces/over-grpc").status());
            schema.removeFields("field50");
            assertEquals(50, DataPlane2026Test.grpc(channel, "2025-10")
                    .createNamespace(CreateNamespaceRequest.newBuilder().setName("fifty-grpc").setSchema(schema).build())
                    .getSchema().getFieldsCount());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void anEmptySchemaIsNoSchema() {
        Http d = control.forHost(control.createDense("nss-empty", 2, "cosine"));
        Http.Response created = d.post("/namespaces", "{\"name\":\"films\",\"schema\":{\"fields\":{}}}");
        assertEquals(200, created.status(), created.toString());
        assertFalse(created.json().has("schema"), created.toString());
        upsert(d, "films", "a", "b");
        assertEquals(List.of("a", "b"), ids(query(d, "films", YEAR)));
        server.restart();
        assertFalse(d.get("/namespaces/films").json().has("schema"), "described as it was created");
        assertEquals(List.of("a", "b"), ids(query(d, "films", YEAR)));
    }

    @Test
    void aRestoredIndexKeepsItsNamespacesSchemas() throws Exception {
        Http d = control.forHost(control.createDense("nss-src", 2, "cosine"));
        assertEquals(200, d.post("/namespaces", "{\"name\":\"films\",\"schema\":" + GENRE_SCHEMA + "}").status());
        assertEquals(200, d.post("/namespaces", "{\"name\":\"empty\",\"schema\":" + GENRE_SCHEMA + "}").status());
        upsert(d, "films", "a", "b");
        String backup = control.post("/indexes/nss-src/backups", "{}").json().get("backup_id").asText();
        Backups.awaitStatus(control, backup, "Ready");
        JsonNode job = Backups.restore(control, backup, "nss-copy");
        assertEquals("Completed", job.get("status").asText(), job.toString());

        Http copy = control.forHost(control.get("/indexes/nss-copy").json().get("host").asText());
        assertEquals(GENRE_SCHEMA, copy.get("/namespaces/films").json().get("schema").toString());
        assertEquals(GENRE_SCHEMA, copy.get("/namespaces/empty").json().get("schema").toString());
        assertEquals(0, copy.get("/namespaces/empty").json().get("record_count").asInt());
        assertEquals(List.of("a"), ids(query(copy, "films", "{\"genre\":\"jazz\"}")));
        assertLeftOutBy(query(copy, "films", YEAR), "films");
        assertLeftOutBy(query(copy, "empty", YEAR), "empty");
        upsert(copy, "empty", "a");
        assertEquals(0, indexedWith("nss-copy", "empty", "year"), "writes to the restored index follow the schema");
    }
}
