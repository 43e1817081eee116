package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Await;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupApiTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;
    static int counter;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        control = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String newIndexWithRecords(int records) {
        String name = "bk-" + (++counter);
        Http d = control.forHost(control.createDense(name, 4, "cosine"));
        for (int from = 0; from < records; from += 500) {
            StringBuilder b = new StringBuilder("{\"vectors\":[");
            for (int i = from; i < Math.min(records, from + 500); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[1,").append(i % 13)
                        .append(",").append(i % 7).append(",2],\"metadata\":{\"i\":").append(i).append("}}");
            }
            assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
        }
        return name;
    }

    static JsonNode create(String index, String body) {
        Http.Response r = control.post("/indexes/" + index + "/backups", body);
        assertEquals(201, r.status(), r.toString());
        return r.json();
    }

    static void assertError(Http.Response r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(code, r.json().get("error").get("code").asText(), r.toString());
        assertEquals(status, r.json().get("status").asInt());
        assertTrue(r.json().get("error").get("message").asText().contains(messagePart), r.toString());
    }

    @Test
    void lifecycle() throws Exception {
        String index = newIndexWithRecords(120);
        control.patch("/indexes/" + index, "{\"tags\":{\"team\":\"search\"}}");
        JsonNode b = create(index, "{\"name\":\"nightly\",\"description\":\"before the migration\"}");
        String id = b.get("backup_id").asText();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
        assertEquals(index, b.get("source_index_name").asText());
        assertEquals("nightly", b.get("name").asText());
        assertEquals("before the migration", b.get("description").asText());
        assertTrue(List.of("Initializing", "Ready").contains(b.get("status").asText()));
        assertEquals("aws", b.get("cloud").asText());
        assertEquals("us-east-1", b.get("region").asText());
        assertEquals(4, b.get("dimension").asInt());
        assertEquals("cosine", b.get("metric").asText());
        assertEquals("search", b.get("tags").get("team").asText());
        assertTrue(b.get("created_at").asText().endsWith("Z"));
        OffsetDateTime.parse(b.get("created_at").asText());

        JsonNode ready = Backups.awaitStatus(control, id, "Ready");
        assertEquals(120, ready.get("record_count").asInt());
        assertEquals(1, ready.get("namespace_count").asInt());
        assertTrue(ready.get("size_bytes").asLong() > 120 * 16, ready.toString());
        assertEquals(b.get("source_index_id"), ready.get("source_index_id"));
        assertEquals(b.get("created_at"), ready.get("created_at"));

        assertTrue(ids(control.get("/indexes/" + index + "/backups").json()).contains(id));
        assertTrue(allIds("/backups").contains(id));
        Http.Response del = control.delete("/backups/" + id);
        assertEquals(202, del.status(), del.toString());
        assertEquals("", del.body());
        assertError(control.get("/backups/" + id), 404, "NOT_FOUND", "Backup " + id + " not found.");
        assertError(control.delete("/backups/" + id), 404, "NOT_FOUND", id);
        assertFalse(allIds("/backups").contains(id));
    }

    @Test
    void emptyBodyAndValidation() throws Exception {
        String index = newIndexWithRecords(3);
        JsonNode b = create(index, "{}");
        assertFalse(b.has("name"));
        Backups.awaitStatus(control, b.get("backup_id").asText(), "Ready");
        assertEquals(201, control.post("/indexes/" + index + "/backups", "").status(), "no body is {}");
        int before = allIds("/backups").size();
        assertError(control.post("/indexes/" + index + "/backups", "{\"name\":\"" + "n".repeat(101) + "\"}"), 400,
                "INVALID_ARGUMENT", "100");
        assertError(control.post("/indexes/" + index + "/backups", "{\"description\":\"" + "d".repeat(1001) + "\"}"), 400,
                "INVALID_ARGUMENT", "1000");
        assertError(control.post("/indexes/" + index + "/backups", "{\"name\":5}"), 422, "UNPROCESSABLE_ENTITY", "name");
        assertError(control.post("/indexes/" + index + "/backups", "{nope"), 422, "UNPROCESSABLE_ENTITY", "JSON");
        assertEquals(201, control.post("/indexes/" + index + "/backups", "{\"name\":\"" + "n".repeat(100) + "\",\"description\":\""
                + "d".repeat(1000) + "\"}").status());
        assertEquals(before + 1, allIds("/backups").size(), "refused creates create nothing");
    }

    @Test
    void errors() {
        assertError(control.post("/indexes/nope/backups", "{}"), 404, "NOT_FOUND", "Index nope not found.");
        assertError(control.get("/indexes/nope/backups"), 404, "NOT_FOUND", "Index nope not found.");
        assertError(control.get("/backups/00000000-0000-0000-0000-000000000000"), 404, "NOT_FOUND",
                "Backup 00000000-0000-0000-0000-000000000000 not found.");
        assertError(control.get("/backups/not-a-uuid"), 404, "NOT_FOUND", "Backup not-a-uuid not found.");
        assertError(control.delete("/backups/..%2F..%2Fetc"), 400, "INVALID_ARGUMENT", "Invalid request path");
        assertEquals(401, control.withKey("wrong").get("/backups").status());
        assertEquals(401, control.withKey(null).post("/indexes/x/backups", "{}").status());
    }

    @Test
    void paginationIsStableAndTokensAreChecked() throws Exception {
        String index = newIndexWithRecords(2);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(create(index, "{\"name\":\"b" + i + "\"}").get("backup_id").asText());
        }
        for (String id : created) Backups.awaitStatus(control, id, "Ready");
        String path = "/indexes/" + index + "/backups";
        JsonNode p1 = control.get(path + "?limit=3").json();
        assertEquals(created.subList(0, 3), ids(p1), "creation order");
        String t1 = p1.get("pagination").get("next").asText();
        // Between requests: delete an item already served, delete one not yet served, create a new one.
        assertEquals(202, control.delete("/backups/" + created.get(1)).status());
        assertEquals(202, control.delete("/backups/" + created.get(4)).status());
        String late = create(index, "{\"name\":\"late\"}").get("backup_id").asText();
        JsonNode p2 = control.get(path + "?limit=3&paginationToken=" + t1).json();
        assertEquals(List.of(created.get(3), created.get(5), created.get(6)), ids(p2), "no skip, no repeat");
        JsonNode p3 = control.get(path + "?limit=3&paginationToken=" + p2.get("pagination").get("next").asText()).json();
        assertEquals(List.of(late), ids(p3));
        assertNull(p3.get("pagination"), "the last page has no pagination object");
        assertEquals(6, control.get(path).json().get("data").size(), "the default limit of 10 covers all 6");

        assertError(control.get(path + "?limit=0"), 400, "INVALID_ARGUMENT", "limit");
        assertError(control.get(path + "?limit=101"), 400, "INVALID_ARGUMENT", "100");
        assertError(control.get(path + "?limit=ten"), 400, "INVALID_ARGUMENT", "limit");
        assertEquals(200, control.get("/backups?limit=100").status());
        assertError(control.get(path + "?paginationToken=%25%25"), 400, "INVALID_ARGUMENT", "paginationToken");
        assertError(control.get(path + "?paginationToken=abc.def"), 400, "INVALID_ARGUMENT", "paginationToken");
        // A forged token: the key part rewritten to skip ahead, the signature kept.
        String forgedKey = Base64.getUrlEncoder().withoutPadding().encodeToString("9999|x".getBytes(StandardCharsets.UTF_8));
        String forged = forgedKey + t1.substring(t1.indexOf('.'));
        assertError(control.get(path + "?paginationToken=" + forged), 400, "INVALID_ARGUMENT", "paginationToken");
        // A token of another listing.
        assertError(control.get("/backups?paginationToken=" + t1), 400, "INVALID_ARGUMENT", "paginationToken");
    }

    @Test
    void quotaIsPerProject() throws Exception {
        ServerConfig c = ServerConfig.defaults(dir.resolve("quota")).withApiKeys("ka:alpha,kb:beta")
                .withPorts(0, TestServer.freePortRange()).withBackups(null, 2, 0);
        try (ConiferServer s = ConiferServer.start(c)) {
            Http a = new Http("http://localhost:" + s.port(), "ka");
            Http b = new Http("http://localhost:" + s.port(), "kb");
            a.createDense("qa", 2, "cosine");
            b.createDense("qb", 2, "cosine");
            assertEquals(201, a.post("/indexes/qa/backups", "{}").status());
            assertEquals(201, a.post("/indexes/qa/backups", "{}").status());
            Http.Response over = a.post("/indexes/qa/backups", "{}");
            assertError(over, 403, "FORBIDDEN", "2");
            assertEquals(2, a.get("/backups").json().get("data").size());
            assertEquals(201, b.post("/indexes/qb/backups", "{}").status(), "another project has its own quota");
        }
    }

    @Test
    void projectsCannotSeeEachOthersBackups() throws Exception {
        try (TestServer multi = TestServer.start(dir.resolve("projects"), "ka:alpha,kb:beta")) {
            Http a = new Http(multi.url(), "ka");
            Http b = new Http(multi.url(), "kb");
            a.createDense("mine", 2, "cosine");
            String id = a.post("/indexes/mine/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(a, id, "Ready");
            assertError(b.get("/backups/" + id), 404, "NOT_FOUND", id);
            assertError(b.delete("/backups/" + id), 404, "NOT_FOUND", id);
            assertError(b.get("/indexes/mine/backups"), 404, "NOT_FOUND", "mine");
            assertError(b.post("/indexes/mine/backups", "{}"), 404, "NOT_FOUND", "mine");
            assertEquals(0, b.get("/backups").json().get("data").size());
            assertEquals(200, a.get("/backups/" + id).status(), "still there for its owner");
        }
    }

    @Test
    void backupsOutliveTheirIndexAndRestarts() throws Exception {
        String index = newIndexWithRecords(50);
        String id = create(index, "{\"name\":\"keep\"}").get("backup_id").asText();
        JsonNode ready = Backups.awaitStatus(control, id, "Ready");
        assertEquals(202, control.delete("/indexes/" + index).status());
        assertEquals(ready, control.get("/backups/" + id).json());
        assertTrue(allIds("/backups").contains(id));
        assertError(control.get("/indexes/" + index + "/backups"), 404, "NOT_FOUND", "Index " + index + " not found.");
        server.restart();
        assertEquals(ready, control.get("/backups/" + id).json());
    }

    @Test
    void sparseIndexBackupHasNoDimensionAsDescribeIndexShows() throws Exception {
        Http.Response r = control.post("/indexes", "{\"name\":\"bk-sparse\",\"vector_type\":\"sparse\","
                + "\"spec\":{\"serverless\":{\"cloud\":\"gcp\",\"region\":\"europe-west4\",\"schema\":{\"fields\":{\"k\":{\"filterable\":true}}}}}}");
        control.forHost(r.json().get("host").asText()).post("/vectors/upsert",
                "{\"namespace\":\"n\",\"vectors\":[{\"id\":\"s\",\"sparseValues\":{\"indices\":[1],\"values\":[1]}}]}");
        JsonNode b = Backups.awaitStatus(control, create("bk-sparse", "{}").get("backup_id").asText(), "Ready");
        assertFalse(b.has("dimension"), b.toString());
        assertFalse(control.get("/indexes/bk-sparse").json().has("dimension"));
        assertEquals("dotproduct", b.get("metric").asText());
        assertEquals("gcp", b.get("cloud").asText());
        assertEquals("europe-west4", b.get("region").asText());
        assertTrue(b.get("schema").get("fields").get("k").get("filterable").asBoolean());
        assertEquals(1, b.get("record_count").asInt());
    }

    @Test
    void secondBackupCopiesOnlyWhatChanged() throws Exception {
        String index = newIndexWithRecords(4000);
        BackupRepository repo = server.server().backups().repository();
        Set<String> before = repo.blobs();
        JsonNode first = Backups.awaitStatus(control, create(index, "{}").get("backup_id").asText(), "Ready");
        Set<String> afterFirst = repo.blobs();
        long firstNew = newBytes(repo, before, afterFirst);
        assertEquals(first.get("size_bytes").asLong(), firstNew, "a first backup stores all its files");
        // Re-upsert 1% of the records.
        Http d = control.forHost(control.get("/indexes/" + index).json().get("host").asText());
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 40; i++) b.append(i == 0 ? "" : ",").append("{\"id\":\"r").append(i * 97).append("\",\"values\":[2,2,2,2]}");
        d.post("/vectors/upsert", b + "]}");
        JsonNode second = Backups.awaitStatus(control, create(index, "{}").get("backup_id").asText(), "Ready");
        long secondNew = newBytes(repo, afterFirst, repo.blobs());
        assertTrue(secondNew * 10 < second.get("size_bytes").asLong(),
                "the second backup added " + secondNew + " bytes of " + second.get("size_bytes").asLong());
        assertEquals(4000, second.get("record_count").asInt());
        for (BackupManifest.FileEntry f : BackupManifest.fromJson(repo.getManifest(second.get("backup_id").asText()).orElseThrow()).files()) {
            assertEquals("sha256-tree-2m", f.naming(), f.name());
        }
        // Deleting the first keeps every blob the second needs.
        control.delete("/backups/" + first.get("backup_id").asText());
        RepositoryVerifier.Report report = new RepositoryVerifier(repo).verify(second.get("backup_id").asText(),
                new RepositoryVerifier.ProgressBar(System.err, false));
        assertTrue(report.clean(), report.problems().toString());
        assertEquals(second.get("size_bytes").asLong(), report.bytes());
    }

    private static long newBytes(BackupRepository repo, Set<String> before, Set<String> after) throws Exception {
        long total = 0;
        for (String blob : after) if (!before.contains(blob)) total += repo.blobLength(blob);
        return total;
    }

    @Test
    void backupHoldsExactlyTheWritesAcknowledgedBeforeIt() throws Exception {
        String index = "bk-consistency";
        Http d = control.forHost(control.createDense(index, 4, "euclidean"));
        record Write(String id, long sent, long acked) {}
        List<Write> writes = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int seq = 0; !stop.get(); seq++) {
                String id = "seq-" + seq;
                long sent = System.nanoTime();
                Http.Response r = d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"" + id + "\",\"values\":[1,2,3," + seq + "]}]}");
                if (r.status() == 200) writes.add(new Write(id, sent, System.nanoTime()));
            }
        });
        long requestSent;
        long responseReceived;
        JsonNode b;
        try {
            Await.until("300 writes acknowledged", () -> writes.size() >= 300);
            requestSent = System.nanoTime();
            b = create(index, "{}");
            responseReceived = System.nanoTime();
            Await.until("300 more writes acknowledged", () -> writes.size() >= 600);
        } finally {
            stop.set(true);
            writer.join();
        }
        Backups.awaitStatus(control, b.get("backup_id").asText(), "Ready");
        Set<String> inBackup = Backups.idsInBackup(server.server().backups().repository(), b.get("backup_id").asText(),
                dir.resolve("scratch"));
        List<String> lost = new ArrayList<>();
        List<String> leaked = new ArrayList<>();
        for (Write w : writes) {
            if (w.acked() < requestSent && !inBackup.contains(w.id())) lost.add(w.id());
            if (w.sent() > responseReceived && inBackup.contains(w.id())) leaked.add(w.id());
        }
        assertTrue(lost.isEmpty(), "acknowledged before the request but missing: " + lost);
        assertTrue(leaked.isEmpty(), "written after the 201 but present: " + leaked);
        assertEquals(inBackup.size(), b.get("record_count").asInt(), "record_count is the backup's own count");
        assertTrue(inBackup.size() >= 300);
    }

    /**
     * A backup is taken without a commit, so deletes and overwrites of records that already sit in
     * committed segments exist only in memory until the export writes them out; they must be in it.
     */
    @Test
    void backupHoldsDeletesAndOverwritesOfCommittedRecords() throws Exception {
        String index = newIndexWithRecords(200);
        server.server().indexes().require("default", index).store().checkpoint();
        Http d = control.forHost(control.get("/indexes/" + index).json().get("host").asText());
        assertEquals(200, d.post("/vectors/delete", "{\"ids\":[\"r1\",\"r2\",\"r3\"]}").status());
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"r4\",\"values\":[9,9,9,9]},"
                + "{\"id\":\"new\",\"values\":[1,1,1,1]}]}").status());
        JsonNode b = create(index, "{}");
        assertEquals(198, b.get("record_count").asInt());
        Backups.awaitStatus(control, b.get("backup_id").asText(), "Ready");
        List<String> live = Backups.liveIdsInBackup(server.server().backups().repository(), b.get("backup_id").asText(),
                dir.resolve("scratch-deletes"));
        Set<String> ids = new HashSet<>(live);
        assertEquals(ids.size(), live.size(), "one live copy of each record (an overwrite leaves no old copy)");
        assertEquals(198, ids.size());
        assertTrue(ids.containsAll(Set.of("r0", "r4", "r199", "new")));
        assertTrue(Collections.disjoint(ids, Set.of("r1", "r2", "r3")), "deleted records are not in the backup");
    }

    /**
     * Deleting an Initializing backup cancels its copy and removes the blobs only it claimed, while a
     * backup copied at the same time from the same files keeps everything it needs.
     */
    @Test
    void deleteWhileInitializingCancelsTheCopyAndKeepsSharedBlobs() throws Exception {
        ServerConfig c = ServerConfig.defaults(dir.resolve("slow")).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackups(null, 100, 0.2);
        try (ConiferServer s = ConiferServer.start(c)) {
            Http a = new Http("http://localhost:" + s.port(), TestServer.KEY);
            Http d = a.forHost(a.createDense("slow", 64, "cosine"));
            upsert64(d, 0, 600);
            String first = a.post("/indexes/slow/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(a, first, "Ready");
            upsert64(d, 600, 1200);
            String shared = a.post("/indexes/slow/backups", "{}").json().get("backup_id").asText();
            String doomed = a.post("/indexes/slow/backups", "{}").json().get("backup_id").asText();
            assertEquals("Initializing", a.get("/backups/" + doomed).json().get("status").asText());
            assertEquals(202, a.delete("/backups/" + doomed).status());
            assertError(a.get("/backups/" + doomed), 404, "NOT_FOUND", doomed);
            assertFalse(allIds(a, "/backups").contains(doomed));
            JsonNode ready = Backups.awaitStatus(a, shared, "Ready");
            assertEquals(1200, ready.get("record_count").asInt());
            Path staging = c.dataDir().resolve("backup-staging").resolve(doomed);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (Files.exists(staging) && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(Files.exists(staging), "the cancelled copy ended");

            BackupRepository repo = s.backups().repository();
            assertTrue(repo.readManifest(doomed).isEmpty(), "no manifest of the deleted backup is left");
            Set<String> named = new HashSet<>();
            for (String id : List.of(first, shared)) {
                for (BackupManifest.FileEntry f : BackupManifest.fromJson(repo.getManifest(id).orElseThrow()).files()) {
                    named.add(f.sha256());
                }
            }
            assertEquals(named, repo.blobs(), "only the blobs the deleted backup alone claimed are gone");
            RepositoryVerifier.Report report = new RepositoryVerifier(repo).verify(null, new RepositoryVerifier.ProgressBar(System.err, false));
            assertTrue(report.clean(), report.problems().toString());
            assertEquals(2, report.backups());
        }
    }

    private static void upsert64(Http d, int from, int to) {
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = from; i < to; i++) {
            b.append(i == from ? "" : ",").append("{\"id\":\"").append(i).append("\",\"values\":[");
            for (int j = 0; j < 64; j++) b.append(j == 0 ? "" : ",").append((i * 31 + j) % 17 + 1);
            b.append("]}");
        }
        assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
    }

    static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        for (JsonNode b : list.get("data")) out.add(b.get("backup_id").asText());
        return out;
    }

    static Set<String> allIds(String path) {
        return allIds(control, path);
    }

    static Set<String> allIds(Http control, String path) {
        Set<String> out = new HashSet<>();
        String token = null;
        do {
            JsonNode page = control.get(path + "?limit=100" + (token == null ? "" : "&paginationToken=" + token)).json();
            out.addAll(ids(page));
            token = page.has("pagination") ? page.get("pagination").get("next").asText() : null;
        } while (token != null);
        return out;
    }
}
