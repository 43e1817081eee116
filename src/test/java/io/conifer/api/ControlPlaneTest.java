package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Await;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlPlaneTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        http = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String body(String name, String extra) {
        return "{\"name\":\"" + name + "\",\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}" + extra + "}";
    }

    static void assertError(Http.Response r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        JsonNode j = r.json();
        assertEquals(status, j.get("status").asInt(), r.toString());
        assertEquals(code, j.get("error").get("code").asText(), r.toString());
        assertTrue(j.get("error").get("message").asText().contains(messagePart),
                "message should mention '" + messagePart + "': " + r);
    }

    @Test
    void createDescribeListDenseIndex() {
        Http.Response r = http.post("/indexes", body("dense-a", ",\"dimension\":8,\"metric\":\"euclidean\","
                + "\"deletion_protection\":\"disabled\",\"tags\":{\"env\":\"dev\",\"team\":\"a-b_c\"}"));
        assertEquals(201, r.status(), r.toString());
        JsonNode m = r.json();
        assertEquals("dense-a", m.get("name").asText());
        assertEquals(8, m.get("dimension").asInt());
        assertEquals("euclidean", m.get("metric").asText());
        assertEquals("dense", m.get("vector_type").asText());
        assertEquals("disabled", m.get("deletion_protection").asText());
        assertEquals("dev", m.get("tags").get("env").asText());
        assertTrue(m.get("status").get("ready").asBoolean());
        assertEquals("Ready", m.get("status").get("state").asText());
        JsonNode serverless = m.get("spec").get("serverless");
        assertEquals(1, m.get("spec").size(), "spec holds only 'serverless'");
        assertEquals("aws", serverless.get("cloud").asText());
        assertEquals("us-east-1", serverless.get("region").asText());
        assertEquals("OnDemand", serverless.get("read_capacity").get("mode").asText());
        assertEquals("Ready", serverless.get("read_capacity").get("status").get("state").asText());
        String host = m.get("host").asText();
        assertTrue(host.matches("http://localhost:\\d+"), "the scheme of a plaintext port, which SDKs resolving by name keep: " + host);
        assertFalse(m.has("private_host"));

        assertEquals(m, http.get("/indexes/dense-a").json());
        boolean listed = false;
        for (JsonNode i : http.get("/indexes").json().get("indexes")) listed |= i.equals(m);
        assertTrue(listed, "list_indexes shows the same model");

        // The host really serves the data plane.
        assertEquals(200, http.forHost(host).post("/describe_index_stats", "{}").status());
    }

    @Test
    void sparseIndexDefaultsAndRules() {
        Http.Response r = http.post("/indexes", body("sparse-a", ",\"vector_type\":\"sparse\""));
        assertEquals(201, r.status(), r.toString());
        assertEquals("dotproduct", r.json().get("metric").asText());
        assertEquals("sparse", r.json().get("vector_type").asText());
        assertFalse(r.json().has("dimension"));
        assertError(http.post("/indexes", body("sparse-b", ",\"vector_type\":\"sparse\",\"dimension\":4")), 400,
                "INVALID_ARGUMENT", "dimension");
        assertError(http.post("/indexes", body("sparse-c", ",\"vector_type\":\"sparse\",\"metric\":\"cosine\"")), 400,
                "INVALID_ARGUMENT", "dotproduct");
    }

    @Test
    void defaultMetricIsCosineAndSchemaIsKept() {
        Http.Response r = http.post("/indexes", "{\"name\":\"schema-a\",\"dimension\":3,\"spec\":{\"serverless\":{"
                + "\"cloud\":\"gcp\",\"region\":\"us-central1\",\"schema\":{\"fields\":{\"genre\":{\"filterable\":true}}}}}}");
        assertEquals(201, r.status(), r.toString());
        assertEquals("cosine", r.json().get("metric").asText());
        assertTrue(r.json().get("spec").get("serverless").get("schema").get("fields").get("genre").get("filterable").asBoolean());
        assertEquals(r.json(), http.get("/indexes/schema-a").json());
        // Only schema fields are filterable.
        Http data = http.forHost(r.json().get("host").asText());
        assertEquals(200, data.post("/query", "{\"vector\":[1,0,0],\"topK\":1,\"filter\":{\"genre\":\"x\"}}").status());
        Http.Response bad = data.post("/query", "{\"vector\":[1,0,0],\"topK\":1,\"filter\":{\"year\":1}}");
        assertEquals(400, bad.status(), bad.toString());
        assertTrue(bad.json().get("message").asText().contains("not filterable"), bad.toString());
    }

    /** {"fields":{...}} declaring field0..field(n-1), each {@code filterable: true}. */
    static String schemaOf(int n) {
        StringBuilder b = new StringBuilder("{\"fields\":{");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("\"field").append(i).append("\":{\"filterable\":true}");
        return b.append("}}").toString();
    }

    static String withSchema(String name, String schema) {
        return "{\"name\":\"" + name + "\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\","
                + "\"schema\":" + schema + "}}}";
    }

    /**
     * The spec's limits on an index's metadata schema (2026-07 MetadataSchema, which states what the older
     * specs leave unsaid): at most 50 fields, none named '$...', each filterable: true. A refused schema
     * creates nothing.
     */
    @Test
    void aMetadataSchemaDeclaresAtMostFiftyFilterableFields() {
        Http.Response fifty = http.post("/indexes", withSchema("schema-fifty", schemaOf(50)));
        assertEquals(201, fifty.status(), fifty.toString());
        assertEquals(50, fifty.json().at("/spec/serverless/schema/fields").size(), fifty.toString());

        assertError(http.post("/indexes", withSchema("schema-51", schemaOf(51))), 400, "INVALID_ARGUMENT",
                "at most 50 fields; this one declares 51");
        // 2026-07 reserves '_...' at index creation, but creates no index with a metadata schema; 2025-10 does, and reserves nothing.
        assertEquals(201, http.post("/indexes", withSchema("schema-under", "{\"fields\":{\"_private\":{\"filterable\":true}}}")).status());
        assertError(http.post("/indexes", withSchema("schema-op", "{\"fields\":{\"$in\":{\"filterable\":true}}}")),
                400, "INVALID_ARGUMENT", "'$in'");
        for (String unset : List.of("{}", "{\"filterable\":null}", "{\"filterable\":false}")) {
            assertError(http.post("/indexes", withSchema("schema-unset", "{\"fields\":{\"genre\":" + unset + "}}")), 400,
                    "INVALID_ARGUMENT", "Field 'genre' is set to filterable: false. Only filterable: true is supported.");
        }
        assertEquals(422, http.post("/indexes", withSchema("schema-type", "{\"fields\":{\"genre\":{\"filterable\":\"yes\"}}}"))
                .status());
        assertEquals(422, http.post("/indexes", withSchema("schema-type", "{\"fields\":{\"genre\":true}}")).status());
        for (String refused : List.of("schema-51", "schema-op", "schema-unset", "schema-type")) {
            assertEquals(404, http.get("/indexes/" + refused).status(), refused + " was not created");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upper", "-lead", "trail-", "has_underscore", "has.dot", "",
            "a234567890123456789012345678901234567890123456"})
    void invalidNamesAre400(String name) {
        assertError(http.post("/indexes", body(name, ",\"dimension\":3")), 400, "INVALID_ARGUMENT", "name");
    }

    @Test
    void validNameEdges() {
        assertEquals(201, http.post("/indexes", body("a", ",\"dimension\":3")).status());
        assertEquals(201, http.post("/indexes", body("a23456789012345678901234567890123456789012345", ",\"dimension\":3")).status());
        assertEquals(201, http.post("/indexes", body("9-x-9", ",\"dimension\":3")).status());
    }

    @Test
    void dimensionAndMetricValidation() {
        assertError(http.post("/indexes", body("dim-0", ",\"dimension\":0")), 400, "INVALID_ARGUMENT", "20000");
        assertError(http.post("/indexes", body("dim-big", ",\"dimension\":20001")), 400, "INVALID_ARGUMENT", "20000");
        assertError(http.post("/indexes", body("dim-none", "")), 400, "INVALID_ARGUMENT", "dimension");
        assertError(http.post("/indexes", body("dim-str", ",\"dimension\":\"8\"")), 422, "UNPROCESSABLE_ENTITY", "dimension");
        assertError(http.post("/indexes", body("metric-x", ",\"dimension\":3,\"metric\":\"manhattan\"")), 400,
                "INVALID_ARGUMENT", "metric");
        assertError(http.post("/indexes", body("vt-x", ",\"dimension\":3,\"vector_type\":\"hybrid\"")), 400,
                "INVALID_ARGUMENT", "vector_type");
        assertEquals(201, http.post("/indexes", body("dim-max", ",\"dimension\":20000")).status());
    }

    @Test
    void bodyShapeErrorsAre422() {
        assertError(http.post("/indexes", "{\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}}"),
                422, "UNPROCESSABLE_ENTITY", "name");
        assertError(http.post("/indexes", "{\"name\":\"nospec\",\"dimension\":3}"), 422, "UNPROCESSABLE_ENTITY", "spec");
        assertError(http.post("/indexes", "{not json"), 422, "UNPROCESSABLE_ENTITY", "JSON");
        assertError(http.post("/indexes", "[1,2]"), 422, "UNPROCESSABLE_ENTITY", "object");
        assertError(http.post("/indexes", "{\"name\":\"x\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"aws\"}}}"),
                422, "UNPROCESSABLE_ENTITY", "region");
    }

    static String dedicated(String nodeType, String scaling, String manual) {
        return ",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\",\"read_capacity\":"
                + "{\"mode\":\"Dedicated\",\"dedicated\":{\"node_type\":\"" + nodeType + "\",\"scaling\":\"" + scaling + "\""
                + (manual == null ? "" : ",\"manual\":" + manual) + "}}}}}";
    }

    @Test
    void dedicatedReadCapacityIsKeptAndItsStatusSaysOneNodeServesIt() {
        Http.Response created = http.post("/indexes", "{\"name\":\"drn\"" + dedicated("t1", "Manual", "{\"replicas\":2,\"shards\":3}"));
        assertEquals(201, created.status(), created.toString());
        String asked = "{\"mode\":\"Dedicated\",\"dedicated\":{\"node_type\":\"t1\",\"scaling\":\"Manual\","
                + "\"manual\":{\"replicas\":2,\"shards\":3}},";
        for (JsonNode model : List.of(created.json(), http.get("/indexes/drn").json())) {
            JsonNode rc = model.get("spec").get("serverless").get("read_capacity");
            assertTrue(rc.toString().startsWith(asked), rc.toString());
            JsonNode status = rc.get("status");
            assertEquals("Ready", status.get("state").asText());
            assertEquals(1, status.get("current_replicas").asInt());
            assertEquals(1, status.get("current_shards").asInt());
            assertTrue(status.get("error_message").asText().contains("one node"), status.toString());
        }
        // Kept in the catalog across a restart.
        server.restart();
        assertTrue(http.get("/indexes/drn").json().get("spec").get("serverless").get("read_capacity").toString().startsWith(asked));
        // Configure changes it, in both directions; one replica and one shard is exactly what is served.
        Http.Response one = http.patch("/indexes/drn", "{\"spec\":{\"serverless\":{\"read_capacity\":{\"mode\":\"Dedicated\","
                + "\"dedicated\":{\"node_type\":\"b1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":1,\"shards\":1}}}}}}");
        assertEquals(202, one.status(), one.toString());
        JsonNode oneStatus = one.json().get("spec").get("serverless").get("read_capacity").get("status");
        assertFalse(oneStatus.has("error_message"), oneStatus.toString());
        assertEquals("b1", http.get("/indexes/drn").json().get("spec").get("serverless").get("read_capacity")
                .get("dedicated").get("node_type").asText());
        Http.Response back = http.patch("/indexes/drn", "{\"spec\":{\"serverless\":{\"read_capacity\":{\"mode\":\"OnDemand\"}}}}");
        assertEquals("{\"mode\":\"OnDemand\",\"status\":{\"state\":\"Ready\"}}",
                back.json().get("spec").get("serverless").get("read_capacity").toString());
        // A patch that does not mention read capacity leaves it alone.
        http.patch("/indexes/drn", "{\"spec\":{\"serverless\":{\"read_capacity\":{\"mode\":\"Dedicated\","
                + "\"dedicated\":{\"node_type\":\"t1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":0,\"shards\":1}}}}}}");
        assertEquals(0, http.patch("/indexes/drn", "{\"tags\":{\"k\":\"v\"}}").json().get("spec").get("serverless")
                .get("read_capacity").get("dedicated").get("manual").get("replicas").asInt());
        // Invalid settings are refused, and change nothing.
        assertError(http.post("/indexes", "{\"name\":\"drn-x\"" + dedicated("z9", "Manual", "{\"replicas\":1,\"shards\":1}")),
                400, "INVALID_ARGUMENT", "node_type");
        assertError(http.post("/indexes", "{\"name\":\"drn-x\"" + dedicated("t1", "Auto", "{\"replicas\":1,\"shards\":1}")),
                400, "INVALID_ARGUMENT", "scaling");
        assertError(http.post("/indexes", "{\"name\":\"drn-x\"" + dedicated("t1", "Manual", null)), 400, "INVALID_ARGUMENT", "manual");
        assertError(http.post("/indexes", "{\"name\":\"drn-x\"" + dedicated("t1", "Manual", "{\"replicas\":1,\"shards\":0}")),
                400, "INVALID_ARGUMENT", "shards");
        assertError(http.post("/indexes", "{\"name\":\"drn-x\"" + dedicated("t1", "Manual", "{\"replicas\":-1,\"shards\":1}")),
                400, "INVALID_ARGUMENT", "replicas");
        assertEquals(404, http.get("/indexes/drn-x").status());
        assertError(http.patch("/indexes/drn", "{\"spec\":{\"serverless\":{\"read_capacity\":{\"mode\":\"Turbo\"}}}}"),
                400, "INVALID_ARGUMENT", "Turbo");
        assertEquals(0, http.get("/indexes/drn").json().get("spec").get("serverless").get("read_capacity")
                .get("dedicated").get("manual").get("replicas").asInt());
        assertEquals(202, http.delete("/indexes/drn").status());
    }

    static String readCapacityPatch(String dedicated) {
        return "{\"spec\":{\"serverless\":{\"read_capacity\":{\"mode\":\"Dedicated\",\"dedicated\":" + dedicated + "}}}}";
    }

    static String dedicatedOf(Http.Response r) {
        return r.json().get("spec").get("serverless").get("read_capacity").get("dedicated").toString();
    }

    @Test
    void aReadCapacityPatchKeepsTheDedicatedSettingsItLeavesOut() {
        assertEquals(201, http.post("/indexes", "{\"name\":\"drn-patch\"" + dedicated("t1", "Manual", "{\"replicas\":2,\"shards\":3}")).status());
        Http.Response nodeType = http.patch("/indexes/drn-patch", readCapacityPatch("{\"node_type\":\"b1\"}"));
        assertEquals(202, nodeType.status(), nodeType.toString());
        assertEquals("{\"node_type\":\"b1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":2,\"shards\":3}}", dedicatedOf(nodeType));
        Http.Response replicas = http.patch("/indexes/drn-patch", readCapacityPatch("{\"manual\":{\"replicas\":5}}"));
        assertEquals(202, replicas.status(), replicas.toString());
        assertEquals("{\"node_type\":\"b1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":5,\"shards\":3}}", dedicatedOf(replicas));
        assertEquals(dedicatedOf(replicas), dedicatedOf(http.get("/indexes/drn-patch")));

        // From OnDemand nothing can be kept: the patch must name every setting, and a partial one changes nothing.
        assertEquals(202, http.patch("/indexes/drn-patch", "{\"spec\":{\"serverless\":{\"read_capacity\":{\"mode\":\"OnDemand\"}}}}").status());
        assertError(http.patch("/indexes/drn-patch", readCapacityPatch("{\"node_type\":\"t1\"}")), 400, "INVALID_ARGUMENT",
                "read_capacity.dedicated.scaling");
        assertError(http.patch("/indexes/drn-patch", readCapacityPatch("{\"node_type\":\"t1\",\"scaling\":\"Manual\",\"manual\":"
                + "{\"replicas\":1}}")), 400, "INVALID_ARGUMENT", "read_capacity.dedicated.manual.shards");
        assertError(http.patch("/indexes/drn-patch", readCapacityPatch("{\"node_type\":\"z9\"}")), 400, "INVALID_ARGUMENT", "node_type");
        assertEquals("OnDemand", http.get("/indexes/drn-patch").json().get("spec").get("serverless").get("read_capacity")
                .get("mode").asText());
        assertEquals(202, http.delete("/indexes/drn-patch").status());
    }

    @Test
    void unsupportedSpecsAreRefusedNotIgnored() {
        assertError(http.post("/indexes", "{\"name\":\"pod-a\",\"dimension\":3,\"spec\":{\"pod\":{\"environment\":\"us-east-1-aws\","
                + "\"pod_type\":\"p1.x1\"}}}"), 400, "INVALID_ARGUMENT", "Pod");
        assertError(http.post("/indexes", body("embed-a", ",\"dimension\":3,\"embed\":{\"model\":\"m\"}")), 400,
                "INVALID_ARGUMENT", "embedding");
        assertError(http.post("/indexes/create-for-model", "{\"name\":\"m\",\"cloud\":\"aws\",\"region\":\"us-east-1\"}"), 400,
                "INVALID_ARGUMENT", "embedding");
        assertError(http.post("/indexes", "{\"name\":\"dedicated\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"aws\","
                + "\"region\":\"us-east-1\",\"read_capacity\":{\"mode\":\"Dedicated\"}}}}"), 400, "INVALID_ARGUMENT", "dedicated");
        assertError(http.post("/indexes", "{\"name\":\"cloudx\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"ibm\","
                + "\"region\":\"us-east-1\"}}}"), 404, "NOT_FOUND", "ibm");
        // A region not named as its cloud names them: another cloud's, or a typo. Pinecone has no such region.
        String[][] misplaced = {{"aws", "mars-1"}, {"aws", "us-central1"}, {"aws", "us-east"}, {"gcp", "us-east-1"}, {"azure", "east-us-2"}};
        for (String[] at : misplaced) {
            assertError(http.post("/indexes", "{\"name\":\"regionx\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\"" + at[0]
                    + "\",\"region\":\"" + at[1] + "\"}}}"), 404, "NOT_FOUND", "Resource cloud: " + at[0] + " region: " + at[1] + " not found.");
        }
        for (String[] at : new String[][] {{"aws", "eu-west-1"}, {"aws", "us-gov-west-1"}, {"gcp", "europe-west4"}, {"azure", "eastus2"}}) {
            assertEquals(201, http.post("/indexes", "{\"name\":\"region-" + at[1] + "\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":\""
                    + at[0] + "\",\"region\":\"" + at[1] + "\"}}}").status(), at[0] + " " + at[1]);
            assertEquals(202, http.delete("/indexes/region-" + at[1]).status());
        }
        for (String name : new String[] {"pod-a", "embed-a", "dedicated", "cloudx", "regionx"}) {
            assertEquals(404, http.get("/indexes/" + name).status(), "a refused create leaves nothing behind");
        }
    }

    /** Collections hold pod indexes: none exist, the list says so, and a create is refused with the reason. */
    @Test
    void collectionsAreAnEmptyListAndACreateIsRefused() {
        Http.Response list = http.get("/collections");
        assertEquals(200, list.status(), list.toString());
        assertEquals(0, list.json().get("collections").size());
        assertError(http.post("/collections", "{\"name\":\"c\",\"source\":\"dense-a\"}"), 400, "INVALID_ARGUMENT",
                "Collections are not supported");
        assertError(http.get("/collections/c"), 404, "NOT_FOUND", "Collection c not found");
        assertError(http.delete("/collections/c"), 404, "NOT_FOUND", "Collection c not found");
        assertEquals(401, http.withKey("wrong").get("/collections").status());
    }

    /** Inference and Assistant, which the SDKs call on this host, are refused by name: the SDKs' 404 shows no message. */
    @Test
    void inferenceAndAssistantAreRefusedByName() {
        for (Http.Response r : List.of(http.post("/embed", "{\"model\":\"m\",\"inputs\":[{\"text\":\"x\"}]}"),
                http.post("/rerank", "{}"), http.get("/models"), http.get("/models/llama-text-embed-v2"))) {
            assertError(r, 400, "INVALID_ARGUMENT", "Pinecone Inference (embed, rerank, models) is not supported");
        }
        for (Http.Response r : List.of(http.get("/assistants"), http.post("/assistants", "{\"name\":\"a\"}"),
                http.delete("/assistants/a"))) {
            assertError(r, 400, "INVALID_ARGUMENT", "Pinecone Assistant is not supported");
        }
        assertError(http.get("/embeddings"), 404, "NOT_FOUND", "/embeddings");
    }

    @Test
    void tagRules() {
        assertError(http.post("/indexes", body("tags-a", ",\"dimension\":3,\"tags\":{\"bad key\":\"v\"}")), 400,
                "INVALID_ARGUMENT", "tag key");
        assertError(http.post("/indexes", body("tags-b", ",\"dimension\":3,\"tags\":{\"k\":\"bad/value\"}")), 400,
                "INVALID_ARGUMENT", "tag");
        assertError(http.post("/indexes", body("tags-c", ",\"dimension\":3,\"tags\":{\"" + "k".repeat(81) + "\":\"v\"}")), 400,
                "INVALID_ARGUMENT", "80");
        assertError(http.post("/indexes", body("tags-d", ",\"dimension\":3,\"tags\":{\"k\":\"" + "v".repeat(121) + "\"}")), 400,
                "INVALID_ARGUMENT", "120");
        assertError(http.post("/indexes", body("tags-e", ",\"dimension\":3,\"tags\":{\"k\":5}")), 422,
                "UNPROCESSABLE_ENTITY", "tags.k");
        Http.Response ok = http.post("/indexes", body("tags-ok", ",\"dimension\":3,\"tags\":{\"k_1-x\":\"a;b@c_d-e.f+g h\"}"));
        assertEquals(201, ok.status(), ok.toString());
        assertEquals("a;b@c_d-e.f+g h", ok.json().get("tags").get("k_1-x").asText());
    }

    @Test
    void duplicateNameIs409AndLeavesOriginal() {
        Http.Response first = http.post("/indexes", body("dup", ",\"dimension\":3"));
        assertEquals(201, first.status());
        assertError(http.post("/indexes", body("dup", ",\"dimension\":5")), 409, "ALREADY_EXISTS", "exists");
        assertEquals(first.json(), http.get("/indexes/dup").json());
    }

    @Test
    void configureTagsAndDeletionProtection() {
        http.post("/indexes", body("conf", ",\"dimension\":3,\"tags\":{\"a\":\"1\",\"b\":\"2\"}"));
        Http.Response r = http.patch("/indexes/conf", "{\"tags\":{\"a\":\"\",\"c\":\"3\"},\"deletion_protection\":\"enabled\"}");
        assertEquals(202, r.status(), r.toString());
        JsonNode tags = r.json().get("tags");
        assertFalse(tags.has("a"), "empty value unsets a tag");
        assertEquals("2", tags.get("b").asText());
        assertEquals("3", tags.get("c").asText());
        assertEquals("enabled", r.json().get("deletion_protection").asText());
        assertEquals(r.json(), http.get("/indexes/conf").json());

        Http.Response refused = http.delete("/indexes/conf");
        assertError(refused, 403, "FORBIDDEN", "Deletion protection");
        assertEquals("Deletion protection is enabled for this index. Disable deletion protection before retrying.",
                refused.json().get("error").get("message").asText(), "Pinecone's exact text, which the SDKs' tests match");
        assertEquals(200, http.get("/indexes/conf").status(), "a refused delete leaves the index");

        assertError(http.patch("/indexes/conf", "{\"deletion_protection\":\"maybe\"}"), 400, "INVALID_ARGUMENT", "deletion_protection");
        assertError(http.patch("/indexes/conf", "{\"tags\":{\"x y\":\"1\"}}"), 400, "INVALID_ARGUMENT", "tag key");
        assertError(http.patch("/indexes/conf", "{\"embed\":{\"model\":\"m\"}}"), 400, "INVALID_ARGUMENT", "embedding");
        assertEquals(r.json(), http.get("/indexes/conf").json(), "failed configures change nothing");

        assertEquals(202, http.patch("/indexes/conf", "{\"deletion_protection\":\"disabled\"}").status());
        assertEquals(202, http.delete("/indexes/conf").status());
        assertEquals(404, http.get("/indexes/conf").status());
        assertError(http.patch("/indexes/nope", "{}"), 404, "NOT_FOUND", "nope");
    }

    @Test
    void deleteFreesStorageAndPort() throws Exception {
        Http.Response r = http.post("/indexes", body("to-delete", ",\"dimension\":3"));
        String host = r.json().get("host").asText();
        int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
        Http data = http.forHost(host);
        assertEquals(200, data.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2,3]}]}").status());
        long dirsBefore = countIndexDirs();
        Http.Response del = http.delete("/indexes/to-delete");
        assertEquals(202, del.status(), del.toString());
        assertEquals("", del.body());
        // The port closes and the files go in the background, right after the answer.
        Await.until("the index directory is gone", () -> countIndexDirs() == dirsBefore - 1);
        Await.until("the port is free again", () -> {
            try (ServerSocket s = new ServerSocket(port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertError(http.get("/indexes/to-delete"), 404, "NOT_FOUND", "to-delete");
        assertError(http.delete("/indexes/to-delete"), 404, "NOT_FOUND", "to-delete");
        // The next index gets a new port, so a client still holding the old host cannot reach it.
        String again = http.post("/indexes", body("reuse-port", ",\"dimension\":3")).json().get("host").asText();
        assertNotEquals(host, again);
    }

    private static long countIndexDirs() {
        try (var s = Files.list(dir.resolve("data").resolve("indexes"))) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void unknownIndexIs404() {
        assertError(http.get("/indexes/missing"), 404, "NOT_FOUND", "Index missing not found.");
        assertError(http.get("/no/such/route"), 404, "NOT_FOUND", "/no/such/route");
    }

    @Test
    void authentication() {
        assertError(http.withKey(null).get("/indexes"), 401, "UNAUTHENTICATED", "API key");
        assertError(http.withKey("wrong").get("/indexes"), 401, "UNAUTHENTICATED", "Invalid API key");
        assertError(http.withKey("wrong").post("/indexes", body("sneaky", ",\"dimension\":3")), 401, "UNAUTHENTICATED", "API key");
        assertEquals(404, http.get("/indexes/sneaky").status(), "an unauthenticated create does nothing");
        assertEquals(200, http.withKey(null).get("/health").status(), "/health needs no key");
    }

    @Test
    void dataPlaneNeedsTheKeyToo() {
        String host = http.createDense("auth-data", 3, "cosine");
        Http.Response r = http.forHost(host).withKey("wrong").post("/describe_index_stats", "{}");
        assertEquals(401, r.status(), r.toString());
        assertEquals(16, r.json().get("code").asInt());
        assertEquals(401, http.forHost(host).withKey(null).post("/vectors/upsert",
                "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2,3]}]}").status());
        assertEquals(0, http.forHost(host).post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
    }

    @Test
    void apiVersions() {
        assertEquals(200, http.send("GET", "/indexes", null, "2025-10").status());
        assertEquals(200, http.send("GET", "/indexes", null, "2026-04").status());
        assertError(http.send("GET", "/indexes", null, "2019-01"), 400, "INVALID_ARGUMENT", "2025-10");
        String host = http.createDense("versions", 3, "cosine");
        Http.Response r = http.forHost(host).send("POST", "/describe_index_stats", "{}", "1999-12");
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().get("message").asText().contains("2026-04"), r.toString());
    }

    @Test
    void projectsAreIsolated() throws Exception {
        try (TestServer multi = TestServer.start(dir.resolve("multi"), "ka:alpha,kb:beta,kc")) {
            Http a = new Http(multi.url(), "ka");
            Http b = new Http(multi.url(), "kb");
            String hostA = a.createDense("shared-name", 3, "cosine");
            assertEquals(404, b.get("/indexes/shared-name").status(), "beta cannot see alpha's index");
            assertEquals(0, b.get("/indexes").json().get("indexes").size());
            assertEquals(404, b.delete("/indexes/shared-name").status());
            assertEquals(200, a.get("/indexes/shared-name").status());
            // The same name may exist in another project.
            assertEquals(201, b.post("/indexes", body("shared-name", ",\"dimension\":3")).status());
            // alpha's data plane refuses beta's key.
            assertEquals(401, b.forHost(hostA).post("/describe_index_stats", "{}").status());
            assertEquals(200, a.forHost(hostA).post("/describe_index_stats", "{}").status());
        }
    }

    @Test
    void refusesToBindBeyondLoopbackWithoutKey() {
        ServerConfig defaults = ServerConfig.defaults(dir.resolve("open"));
        ServerConfig open = new ServerConfig(defaults.dataDir(), 0, null, "0.0.0.0", "localhost",
                TestServer.freePortRange(), 30_000, null, 10, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConiferServer.start(open).close());
        assertTrue(e.getMessage().contains("--api-key"), e.getMessage());
    }

    @Test
    void openServerOnLoopbackAcceptsAnyKey() throws Exception {
        try (TestServer open = TestServer.start(dir.resolve("open-loopback"), null)) {
            assertEquals(200, new Http(open.url(), "anything").get("/indexes").status());
            // The header itself stays required, so another web site cannot make calls (OpenServerTest).
            assertEquals(401, new Http(open.url(), null).get("/indexes").status());
        }
    }

    @Test
    void emptyDescriptionOfMissingIndexHasNoBody() {
        assertNull(http.get("/indexes").json().get("pagination"));
    }
}
