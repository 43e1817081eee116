package io.conifer.api;

import static io.conifer.api.ControlPlaneTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** API 2026-07 on the control plane, over real HTTP, and its agreement with the older versions. */
class ControlPlane2026Test {
    static final String V7 = "2026-07";
    static final String V4 = "2026-04";
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

    static Http.Response v7(String method, String path, String body) {
        return http.send(method, path, body, V7);
    }

    static Http.Response v4(String method, String path, String body) {
        return http.send(method, path, body, V4);
    }

    static String dense(String name, int dimension, String metric) {
        return "{\"name\":\"" + name + "\",\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":"
                + dimension + ",\"metric\":\"" + metric + "\"}}}}";
    }

    @Test
    void createWithDefaultsAndGeneratedName() {
        Http.Response r = v7("POST", "/indexes", "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\","
                + "\"dimension\":4,\"metric\":\"dotproduct\"}}}}");
        assertEquals(201, r.status(), r.toString());
        JsonNode m = r.json();
        String name = m.get("name").asText();
        assertTrue(name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?") && name.length() <= 45, name);
        assertEquals("managed", m.at("/deployment/deployment_type").asText());
        assertEquals("aws", m.at("/deployment/cloud").asText());
        assertEquals("us-east-1", m.at("/deployment/region").asText());
        assertEquals("OnDemand", m.at("/read_capacity/mode").asText());
        assertEquals("Ready", m.at("/read_capacity/status/state").asText());
        assertEquals("dense_vector", m.at("/schema/fields/_values/type").asText());
        assertEquals(4, m.at("/schema/fields/_values/dimension").asInt());
        assertEquals("dotproduct", m.at("/schema/fields/_values/metric").asText());
        assertEquals("sparse_vector", m.at("/schema/fields/_sparse_values/type").asText(), "a dense vector index reports both");
        assertEquals("disabled", m.get("deletion_protection").asText());
        assertTrue(m.has("tags") && m.get("tags").isNull(), m.toString());
        for (String legacy : List.of("dimension", "metric", "vector_type", "spec")) assertFalse(m.has(legacy), legacy);
        assertTrue(m.get("status").get("ready").asBoolean());
        assertEquals(m, v7("GET", "/indexes/" + name, null).json());

        JsonNode old = v4("GET", "/indexes/" + name, null).json();
        assertEquals(4, old.get("dimension").asInt());
        assertEquals("dotproduct", old.get("metric").asText());
        assertEquals("dense", old.get("vector_type").asText());
        assertEquals("aws", old.at("/spec/serverless/cloud").asText());
        assertFalse(old.has("deployment") || old.has("schema"), old.toString());
    }

    @Test
    void indexesCreatedByEitherVersionAreDescribedAndListedByBoth() {
        assertEquals(201, v4("POST", "/indexes", "{\"name\":\"old-style\",\"dimension\":3,\"metric\":\"euclidean\",\"spec\":"
                + "{\"serverless\":{\"cloud\":\"gcp\",\"region\":\"us-central1\",\"schema\":{\"fields\":{\"genre\":"
                + "{\"filterable\":true}}}}},\"tags\":{\"env\":\"dev\"}}").status());
        JsonNode m = v7("GET", "/indexes/old-style", null).json();
        assertEquals("gcp", m.at("/deployment/cloud").asText());
        assertEquals("us-central1", m.at("/deployment/region").asText());
        assertEquals(3, m.at("/schema/fields/_values/dimension").asInt());
        assertEquals("euclidean", m.at("/schema/fields/_values/metric").asText());
        assertTrue(m.at("/schema/fields/genre/filterable").asBoolean(), m.toString());
        assertFalse(m.at("/schema/fields/genre").has("type"), "legacy metadata fields carry only filterable");
        assertEquals("dev", m.at("/tags/env").asText());

        Http.Response sparse = v7("POST", "/indexes", "{\"name\":\"new-sparse\",\"schema\":{\"fields\":{\"_sparse_values\":"
                + "{\"type\":\"sparse_vector\"}}},\"deployment\":{\"deployment_type\":\"managed\",\"cloud\":\"azure\","
                + "\"region\":\"eastus2\"},\"deletion_protection\":\"enabled\",\"tags\":{\"team\":\"x\"}}");
        assertEquals(201, sparse.status(), sparse.toString());
        assertFalse(sparse.json().at("/schema/fields").has("_values"));
        JsonNode old = v4("GET", "/indexes/new-sparse", null).json();
        assertEquals("sparse", old.get("vector_type").asText());
        assertEquals("dotproduct", old.get("metric").asText());
        assertFalse(old.has("dimension"));
        assertEquals("azure", old.at("/spec/serverless/cloud").asText());
        assertEquals("enabled", old.get("deletion_protection").asText());

        Set<String> v7Names = names(v7("GET", "/indexes", null).json());
        Set<String> v4Names = names(v4("GET", "/indexes", null).json());
        assertTrue(v7Names.containsAll(Set.of("old-style", "new-sparse")), v7Names.toString());
        assertEquals(v4Names, v7Names);
        for (JsonNode i : v7("GET", "/indexes", null).json().get("indexes")) {
            assertTrue(i.has("deployment") && i.has("schema") && i.has("deletion_protection"), i.toString());
        }
    }

    static Set<String> names(JsonNode list) {
        Set<String> out = new HashSet<>();
        for (JsonNode i : list.get("indexes")) out.add(i.get("name").asText());
        return out;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"Bad_Name\",\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}}}|400|INVALID_ARGUMENT|Invalid index name",
        "{\"schema\":{\"fields\":{}}}|400|INVALID_ARGUMENT|Schema must contain at least one of the following field types",
        "{\"schema\":{\"fields\":{\"$e\":{\"type\":\"sparse_vector\"}}}}|400|INVALID_ARGUMENT|'$'",
        "{\"schema\":{\"fields\":{\"_id\":{\"type\":\"sparse_vector\"}}}}|400|INVALID_ARGUMENT|reserved",
        "{\"schema\":{\"fields\":{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":{\"type\":\"sparse_vector\"}}}}|400|INVALID_ARGUMENT|64 bytes",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"},\"title\":{\"type\":\"string\",\"full_text_search\":{}}}}}|400|INVALID_ARGUMENT|only as the whole schema",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"sparse_vector\"}}}}|400|INVALID_ARGUMENT|must have type dense_vector",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\",\"description\":\"x\"}}}}|400|INVALID_ARGUMENT|does not accept a description",
        "{\"schema\":{\"fields\":{\"a\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"},\"b\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}}}|400|INVALID_ARGUMENT|at most one dense_vector",
        "{\"schema\":{\"fields\":{\"a\":{\"type\":\"sparse_vector\"},\"b\":{\"type\":\"sparse_vector\"}}}}|400|INVALID_ARGUMENT|at most one sparse_vector",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":0,\"metric\":\"cosine\"}}}}|400|INVALID_ARGUMENT|20000",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"manhattan\"}}}}|400|INVALID_ARGUMENT|metric",
        "{\"schema\":{\"fields\":{\"year\":{\"type\":\"float\"}}}}|400|INVALID_ARGUMENT|metadata type",
        "{\"schema\":{\"fields\":{\"title\":{\"type\":\"string\"}}}}|400|INVALID_ARGUMENT|without full_text_search",
        "{\"schema\":{\"fields\":{\"title\":{\"type\":\"string\",\"full_text_search\":{\"stop_words\":true}}}}}|400|INVALID_ARGUMENT|stop_words requires stemming",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}},\"tags\":{\"bad key\":\"v\"}}|400|INVALID_ARGUMENT|tag key",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}},\"deployment\":{\"deployment_type\":\"managed\",\"cloud\":\"ibm\",\"region\":\"us-east-1\"}}|404|NOT_FOUND|cloud: ibm",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}},\"deployment\":{\"deployment_type\":\"byoc\",\"environment\":\"e\"}}|400|INVALID_ARGUMENT|BYOC",
        "{\"name\":\"x\"}|422|UNPROCESSABLE_ENTITY|missing field `schema`",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"cosine\"}}},\"dimension\":3}|422|UNPROCESSABLE_ENTITY|unknown field `dimension`",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"vector\"}}}}|422|UNPROCESSABLE_ENTITY|unknown variant `vector`",
        "{\"schema\":{\"fields\":{\"_values\":{\"type\":\"dense_vector\",\"metric\":\"cosine\"}}}}|422|UNPROCESSABLE_ENTITY|missing field `dimension`",
        "{\"schema\":|422|UNPROCESSABLE_ENTITY|Failed to deserialize the JSON body",
    })
    void createRules(String body, int status, String code, String messagePart) {
        if (messagePart.isEmpty() && status == 400) {
            // region names are free-form within the pattern: an unknown one is Pinecone's 404
            return;
        }
        int before = v7("GET", "/indexes", null).json().get("indexes").size();
        assertError(v7("POST", "/indexes", body), status, code, messagePart);
        assertEquals(before, v7("GET", "/indexes", null).json().get("indexes").size(), "a refused create makes nothing");
    }

    @Test
    void fieldDescriptionsAreLimitedTo256Bytes() {
        String longest = "é".repeat(128);
        assertError(v7("POST", "/indexes", "{\"schema\":{\"fields\":{\"e\":{\"type\":\"sparse_vector\",\"description\":\""
                + longest + "x\"}}}}"), 400, "INVALID_ARGUMENT", "256 bytes");
    }

    @Test
    void duplicateNameIs409() {
        assertEquals(201, v7("POST", "/indexes", dense("dup-7", 3, "cosine")).status());
        assertError(v7("POST", "/indexes", dense("dup-7", 3, "cosine")), 409, "ALREADY_EXISTS", "dup-7");
    }

    static String dedicatedPatch(String dedicated) {
        return "{\"read_capacity\":{\"mode\":\"Dedicated\",\"dedicated\":" + dedicated + "}}";
    }

    /** The spec's examples change-node-type and scale-dedicated-replicas name only what changes. */
    @Test
    void aReadCapacityPatchChangesOnlyWhatItNames() {
        assertEquals(201, v7("POST", "/indexes", dense("rc-patch", 3, "cosine")).status());
        // From OnDemand there is nothing to keep: a partial patch is refused, naming what is missing, and changes nothing.
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"node_type\":\"t1\"}")), 400, "INVALID_ARGUMENT",
                "read_capacity.dedicated.scaling");
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"scaling\":\"Manual\",\"manual\":{\"replicas\":2,"
                + "\"shards\":3}}")), 400, "INVALID_ARGUMENT", "read_capacity.dedicated.node_type");
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"node_type\":\"t1\",\"scaling\":\"Manual\",\"manual\":"
                + "{\"replicas\":2}}")), 400, "INVALID_ARGUMENT", "read_capacity.dedicated.manual.shards");
        assertEquals("OnDemand", v7("GET", "/indexes/rc-patch", null).json().at("/read_capacity/mode").asText());

        assertEquals(200, v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"node_type\":\"b1\",\"scaling\":\"Manual\","
                + "\"manual\":{\"replicas\":2,\"shards\":3}}")).status());
        Http.Response nodeType = v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"node_type\":\"t1\"}"));
        assertEquals(200, nodeType.status(), nodeType.toString());
        assertEquals("{\"node_type\":\"t1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":2,\"shards\":3}}",
                nodeType.json().at("/read_capacity/dedicated").toString());
        Http.Response replicas = v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"manual\":{\"replicas\":4},\"scaling\":\"Manual\"}"));
        assertEquals(200, replicas.status(), replicas.toString());
        String expected = "{\"node_type\":\"t1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":4,\"shards\":3}}";
        assertEquals(expected, replicas.json().at("/read_capacity/dedicated").toString());

        // scaling and manual come as a pair (ReadCapacityDedicatedPatchConfig); bad values are refused; none changes anything.
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"scaling\":\"Manual\"}")), 400, "INVALID_ARGUMENT", "go together");
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"manual\":{\"replicas\":1}}")), 400, "INVALID_ARGUMENT",
                "go together");
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"node_type\":\"z9\"}")), 400, "INVALID_ARGUMENT", "node_type");
        assertError(v7("PATCH", "/indexes/rc-patch", dedicatedPatch("{\"scaling\":\"Manual\",\"manual\":{\"shards\":0}}")), 400,
                "INVALID_ARGUMENT", "shards");
        assertError(v7("PATCH", "/indexes/rc-patch", "{\"read_capacity\":{\"mode\":\"Dedicated\"}}"), 400, "INVALID_ARGUMENT",
                "read_capacity.dedicated");
        assertEquals(expected, v7("GET", "/indexes/rc-patch", null).json().at("/read_capacity/dedicated").toString());
        assertEquals(202, v7("DELETE", "/indexes/rc-patch", null).status());
    }

    @Test
    void configureAnswers200WithTheNewShapeAnd202ForOlderVersions() {
        assertEquals(201, v7("POST", "/indexes", dense("conf-7", 3, "cosine")).status());
        Http.Response r = v7("PATCH", "/indexes/conf-7", "{\"deletion_protection\":\"enabled\",\"tags\":{\"a\":\"1\"},"
                + "\"read_capacity\":{\"mode\":\"Dedicated\",\"dedicated\":{\"node_type\":\"t1\",\"scaling\":\"Manual\","
                + "\"manual\":{\"replicas\":2,\"shards\":1}}}}");
        assertEquals(200, r.status(), r.toString());
        JsonNode m = r.json();
        assertEquals("enabled", m.get("deletion_protection").asText());
        assertEquals("1", m.at("/tags/a").asText());
        assertEquals("Dedicated", m.at("/read_capacity/mode").asText());
        assertEquals(2, m.at("/read_capacity/dedicated/manual/replicas").asInt());
        assertEquals(1, m.at("/read_capacity/status/current_replicas").asInt(), "one process serves one replica");
        assertTrue(m.at("/read_capacity/status/error_message").asText().contains("one node"), m.toString());
        assertError(v7("DELETE", "/indexes/conf-7", null), 403, "FORBIDDEN", "Deletion protection");
        assertEquals(202, v4("PATCH", "/indexes/conf-7", "{\"deletion_protection\":\"disabled\"}").status());
        assertEquals("disabled", v7("GET", "/indexes/conf-7", null).json().get("deletion_protection").asText());
        assertError(v7("PATCH", "/indexes/conf-7", "{\"spec\":{}}"), 422, "UNPROCESSABLE_ENTITY", "unknown field `spec`");
        assertError(v7("PATCH", "/indexes/conf-7", "{\"deployment\":{\"replicas\":2}}"), 400, "INVALID_ARGUMENT", "pod");
        assertError(v7("PATCH", "/indexes/missing-7", "{}"), 404, "NOT_FOUND", "missing-7");
        assertEquals(202, v7("DELETE", "/indexes/conf-7", null).status());
    }

    @Test
    void versionsAndUnauthorised() {
        Http.Response bad = http.send("GET", "/indexes", null, "2027-01");
        assertError(bad, 400, "INVALID_ARGUMENT", "2027-01");
        for (String v : List.of("2025-10", "2026-04", "2026-07")) assertTrue(bad.body().contains(v), bad.toString());
        Http.Response plain = http.withKey("wrong").send("GET", "/indexes", null, V7);
        assertEquals(401, plain.status());
        assertEquals("Invalid API key", plain.body());
        Http.Response json = http.withKey("wrong").send("GET", "/indexes", null, V4);
        assertError(json, 401, "UNAUTHENTICATED", "Invalid API key");
    }

    /**
     * Tag values: 2026-07's IndexTags takes any printable ASCII, 2025-10's and 2026-04's only letters,
     * digits and ;@_-.+ and space; each request is held to its own version's rule, in create, configure
     * and create-index-from-backup alike.
     */
    @Test
    void tagValuesFollowTheRequestsApiVersion() throws Exception {
        String wide = "a/b:c=d!#(x)~";
        String body = dense("tag-wide", 3, "cosine");
        Http.Response created = v7("POST", "/indexes", body.substring(0, body.length() - 1) + ",\"tags\":{\"k\":\"" + wide + "\"}}");
        assertEquals(201, created.status(), created.toString());
        assertEquals(wide, created.json().at("/tags/k").asText());
        Http.Response configured = v7("PATCH", "/indexes/tag-wide", "{\"tags\":{\"k2\":\"" + wide + "\"}}");
        assertEquals(200, configured.status(), configured.toString());
        assertError(v7("PATCH", "/indexes/tag-wide", "{\"tags\":{\"k3\":\"caf\u00e9\"}}"), 400, "INVALID_ARGUMENT", "printable ASCII");
        assertError(v7("PATCH", "/indexes/tag-wide", "{\"tags\":{\"k3\":\"a\\tb\"}}"), 400, "INVALID_ARGUMENT", "printable ASCII");
        for (String older : List.of(V4, "2025-10")) {
            assertError(http.send("PATCH", "/indexes/tag-wide", "{\"tags\":{\"k3\":\"" + wide + "\"}}", older), 400,
                    "INVALID_ARGUMENT", "Invalid value for tag 'k3'");
            assertError(http.send("POST", "/indexes", "{\"name\":\"tag-old\",\"dimension\":3,\"spec\":{\"serverless\":{\"cloud\":"
                    + "\"aws\",\"region\":\"us-east-1\"}},\"tags\":{\"k\":\"" + wide + "\"}}", older), 400, "INVALID_ARGUMENT", "tag");
        }
        assertEquals(404, v7("GET", "/indexes/tag-old", null).status());
        assertEquals("{\"k\":\"" + wide + "\",\"k2\":\"" + wide + "\"}", v7("GET", "/indexes/tag-wide", null).json().get("tags").toString());

        String backup = v7("POST", "/indexes/tag-wide/backups", "{}").json().get("backup_id").asText();
        awaitReady(backup);
        assertError(v4("POST", "/backups/" + backup + "/create-index", "{\"name\":\"tag-old\",\"tags\":{\"k3\":\"" + wide + "\"}}"),
                400, "INVALID_ARGUMENT", "Invalid value for tag 'k3'");
        assertEquals(404, v7("GET", "/indexes/tag-old", null).status(), "a refused restore makes no index");
        Http.Response restore = v7("POST", "/backups/" + backup + "/create-index", "{\"name\":\"tag-restored\",\"tags\":{\"k3\":\""
                + wide + "\"}}");
        assertEquals(202, restore.status(), restore.toString());
        awaitJob(restore.json().get("restore_job_id").asText());
        assertEquals(wide, v7("GET", "/indexes/tag-restored", null).json().at("/tags/k3").asText());
    }

    @Test
    void backupsAndRestoresIn2026Shapes() throws Exception {
        assertEquals(201, v7("POST", "/indexes", dense("bk-src", 3, "cosine")).status());
        assertError(v7("POST", "/indexes/bk-src/backups", "{\"name\":\"Not Valid\"}"), 400, "INVALID_ARGUMENT", "backup name");
        Http.Response created = v7("POST", "/indexes/bk-src/backups", "{\"name\":\"first\",\"description\":\"d\"}");
        assertEquals(200, created.status(), created.toString());
        JsonNode b = created.json();
        assertEquals(3, b.at("/schema/fields/_values/dimension").asInt(), b.toString());
        assertFalse(b.has("dimension") || b.has("metric"), b.toString());
        assertTrue(b.get("tags").isNull());
        String firstId = b.get("backup_id").asText();
        assertEquals(201, v4("POST", "/indexes/bk-src/backups", "{\"name\":\"Any Name Goes\"}").status(), "older versions keep 201");
        JsonNode ready = awaitReady(firstId);
        assertEquals(0, ready.get("record_count").asInt());
        assertEquals(3, v4("GET", "/backups/" + firstId, null).json().get("dimension").asInt(), "older versions keep dimension");

        // Defaults: 100 per page for 2026-07, 10 for older versions; a malformed token is 400.
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < 10; i++) extra.add(v7("POST", "/indexes/bk-src/backups", "{}").json().get("backup_id").asText());
        JsonNode page7 = v7("GET", "/indexes/bk-src/backups", null).json();
        assertEquals(12, page7.get("data").size());
        assertTrue(!page7.has("pagination") || page7.get("pagination").isNull(), page7.toString());
        JsonNode page4 = v4("GET", "/indexes/bk-src/backups", null).json();
        assertEquals(10, page4.get("data").size());
        assertTrue(page4.at("/pagination/next").isTextual());
        assertError(v7("GET", "/backups?paginationToken=garbage", null), 400, "INVALID_ARGUMENT", "paginationToken");
        for (String id : extra) awaitReady(id);

        // Restore: read_capacity in the body, source_backup_id on the index, integer progress.
        Http.Response restore = v7("POST", "/backups/" + firstId + "/create-index", "{\"name\":\"bk-restored\",\"read_capacity\":"
                + "{\"mode\":\"Dedicated\",\"dedicated\":{\"node_type\":\"b1\",\"scaling\":\"Manual\",\"manual\":{\"replicas\":1,"
                + "\"shards\":1}}}}");
        assertEquals(202, restore.status(), restore.toString());
        String jobId = restore.json().get("restore_job_id").asText();
        JsonNode job = awaitJob(jobId);
        assertTrue(job.get("percent_complete").isInt(), job.toString());
        assertEquals(100, job.get("percent_complete").asInt());
        JsonNode restored = v7("GET", "/indexes/bk-restored", null).json();
        assertEquals(firstId, restored.get("source_backup_id").asText());
        assertEquals("Dedicated", restored.at("/read_capacity/mode").asText());
        assertEquals(3, restored.at("/schema/fields/_values/dimension").asInt());
        assertEquals(3, v4("GET", "/indexes/bk-restored", null).json().get("dimension").asInt());
        assertTrue(v4("GET", "/restore-jobs/" + jobId, null).json().get("percent_complete").isDouble(), "older versions keep a float");

        // A deleted index is remembered: its backups say so, and a new index with its name is another source.
        assertEquals(202, v7("DELETE", "/indexes/bk-src", null).status());
        assertError(v7("GET", "/indexes/bk-src/backups", null), 404, "NOT_FOUND", "bk-src");
        JsonNode withDeleted = v7("GET", "/indexes/bk-src/backups?include_deleted=true", null).json();
        assertEquals(12, withDeleted.get("data").size());
        for (JsonNode d : withDeleted.get("data")) assertTrue(d.get("source_index_deleted_at").isTextual(), d.toString());
        assertEquals(201, v7("POST", "/indexes", dense("bk-src", 3, "cosine")).status());
        assertEquals(0, v7("GET", "/indexes/bk-src/backups", null).json().get("data").size(), "the new incarnation has none yet");
        String newId = v7("POST", "/indexes/bk-src/backups", "{}").json().get("backup_id").asText();
        JsonNode both = v7("GET", "/indexes/bk-src/backups?include_deleted=true", null).json();
        assertEquals(13, both.get("data").size());
        for (JsonNode d : both.get("data")) {
            assertEquals(d.get("backup_id").asText().equals(newId), !d.has("source_index_deleted_at"), d.toString());
        }
        assertError(v7("GET", "/indexes/never-was/backups?include_deleted=true", null), 404, "NOT_FOUND", "never-was");
        assertFalse(v4("GET", "/backups/" + firstId, null).json().has("source_index_deleted_at"), "older shapes are unchanged");
    }

    /**
     * On a server whose backup copying is throttled, so that a backup stays Initializing and a restore
     * runs for a while: 2026-07 answers a restore from an unfinished backup with 412 (older versions 400),
     * and accepts deleting a backup a restore reads (older versions 412), the restore finishing unharmed.
     */
    @Test
    void notReadyBackupsAndDeletesDuringARestore() throws Exception {
        ServerConfig c = ServerConfig.defaults(dir.resolve("throttled")).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackups(null, 100, 0.02);
        try (ConiferServer slow = ConiferServer.start(c)) {
            Http h = new Http("http://localhost:" + slow.port(), TestServer.KEY);
            Http.Response created = h.send("POST", "/indexes", dense("slow-src", 8, "cosine"), V7);
            Http data = h.forHost(created.json().get("host").asText());
            StringBuilder vectors = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                vectors.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":[1,")
                        .append(i).append(",2,3,4,5,6,7]}");
            }
            assertEquals(200, data.post("/vectors/upsert", "{\"vectors\":[" + vectors + "]}").status());
            String backup = h.send("POST", "/indexes/slow-src/backups", "{}", V7).json().get("backup_id").asText();
            assertError(h.send("POST", "/backups/" + backup + "/create-index", "{\"name\":\"too-early\"}", V7), 412,
                    "FAILED_PRECONDITION", "not Ready");
            assertError(h.send("POST", "/backups/" + backup + "/create-index", "{\"name\":\"too-early\"}", V4), 400,
                    "INVALID_ARGUMENT", "not Ready");
            for (int i = 0; i < 6000 && h.send("GET", "/backups/" + backup, null, V7).json().get("status").asText()
                    .equals("Initializing"); i++) {
                Thread.sleep(50);
            }
            assertEquals("Ready", h.send("GET", "/backups/" + backup, null, V7).json().get("status").asText());

            String job = h.send("POST", "/backups/" + backup + "/create-index", "{\"name\":\"slow-copy\"}", V7).json()
                    .get("restore_job_id").asText();
            assertError(h.send("DELETE", "/backups/" + backup, null, V4), 412, "FAILED_PRECONDITION", job);
            assertEquals(202, h.send("DELETE", "/backups/" + backup, null, V7).status());
            assertEquals(404, h.send("GET", "/backups/" + backup, null, V7).status(), "gone from describe at once");
            JsonNode done = null;
            for (int i = 0; i < 6000; i++) {
                done = h.send("GET", "/restore-jobs/" + job, null, V7).json();
                if (!done.get("status").asText().equals("Pending")) break;
                Thread.sleep(50);
            }
            assertEquals("Completed", done.get("status").asText(), done.toString());
            Http copy = h.forHost(h.send("GET", "/indexes/slow-copy", null, V7).json().get("host").asText());
            assertEquals(200, copy.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        }
    }

    static JsonNode awaitReady(String backupId) throws InterruptedException {
        for (int i = 0; i < 2400; i++) { // 2 minutes
            JsonNode b = v7("GET", "/backups/" + backupId, null).json();
            if (!b.get("status").asText().equals("Initializing")) {
                assertEquals("Ready", b.get("status").asText(), b.toString());
                return b;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("backup " + backupId + " never became Ready");
    }

    static JsonNode awaitJob(String jobId) throws InterruptedException {
        for (int i = 0; i < 2400; i++) { // 2 minutes
            JsonNode j = v7("GET", "/restore-jobs/" + jobId, null).json();
            assertFalse(j.get("status").asText().equals("InProgress"), "2026-07 has no InProgress: " + j);
            if (j.get("status").asText().equals("Completed")) return j;
            assertEquals("Pending", j.get("status").asText(), j.toString());
            Thread.sleep(50);
        }
        throw new AssertionError("restore job " + jobId + " never completed");
    }
}
