package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests damaged on disk after they were written (a truncation): one sound copy is enough to
 * recover; with none, the backup shows as Failed with the reason, nothing is garbage-collected while
 * it exists, and deleting it through the API clears it.
 */
class ManifestRecoveryTest {
    @TempDir
    Path dir;

    private static void load(Http d, int from, int to) {
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = from; i < to; i++) {
            b.append(i == from ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[1,").append(i % 13)
                    .append(",").append(i % 7).append(",2]}");
        }
        assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
    }

    private static String backup(Http control, String index) throws InterruptedException {
        String id = control.post("/indexes/" + index + "/backups", "{\"name\":\"n-" + index + "\"}").json()
                .get("backup_id").asText();
        Backups.awaitStatus(control, id, "Ready");
        return id;
    }

    private static void truncateToHalf(Path file) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
    }

    private static RepositoryVerifier.Report verify(BackupRepository repo) throws Exception {
        return new RepositoryVerifier(repo).verify(null, new RepositoryVerifier.ProgressBar(System.err, false));
    }

    @Test
    void aTruncatedManifestIsRecoveredFromItsCopy() throws Exception {
        Path data = dir.resolve("data");
        Path manifests = data.resolve("backups/manifests");
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            load(control.forHost(control.createDense("m", 4, "cosine")), 0, 300);
            String id = backup(control, "m");
            JsonNode before = control.get("/backups/" + id).json();
            Set<String> blobs = server.server().backups().repository().blobs();
            truncateToHalf(manifests.resolve(id + ".json"));
            RepositoryVerifier.Report report = verify(server.server().backups().repository());
            assertTrue(report.problems().toString().contains("recovered from the copy"), report.problems().toString());
            assertEquals(0, report.failed().size());

            server.restart();
            assertEquals(before, control.get("/backups/" + id).json(), "the backup is whole again");
            BackupRepository repo = server.server().backups().repository();
            assertEquals(blobs, repo.blobs());
            assertNull(repo.readManifest(id).orElseThrow().damage(), "both copies were rewritten");
            assertTrue(verify(repo).clean(), verify(repo).problems().toString());
            JsonNode started = control.post("/backups/" + id + "/create-index", "{\"name\":\"m-restored\"}").json();
            assertTrue(started.has("restore_job_id"), started.toString());
        }
    }

    @Test
    void aManifestTheRepositoryDoesNotGiveIsNotCalledDamagedAndIsListedOnceItCanBeRead() throws Exception {
        Path data = dir.resolve("data");
        String id;
        String other;
        JsonNode before;
        Set<String> blobs;
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            load(control.forHost(control.createDense("u", 4, "cosine")), 0, 200);
            id = backup(control, "u");
            load(control.forHost(control.createDense("v", 4, "cosine")), 500, 600);
            other = backup(control, "v");
            before = control.get("/backups/" + id).json();
            blobs = server.server().backups().repository().blobs();
        }
        Path primary = data.resolve("backups/manifests").resolve(id + ".json");
        Path aside = data.resolve("aside.json");
        // Reading it fails as a permission error or an S3 refusal would (the tests run as root, whom modes do not stop).
        Files.move(primary, aside);
        Files.createDirectory(primary);
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http.Response unread = control.get("/backups/" + id);
            assertEquals(503, unread.status(), "not found nor Failed, but unreadable for now: nothing says it is damaged " + unread);
            assertTrue(unread.body().contains("cannot be read now"), unread.body());
            assertEquals(202, control.delete("/backups/" + other).status());
            Set<String> kept = server.server().backups().repository().blobs();
            assertTrue(kept.containsAll(blobs), "while a manifest cannot be read, no blob is collected");

            Files.delete(primary);
            Files.move(aside, primary);
            io.conifer.Await.until("the backup is listed again", () -> control.get("/backups/" + id).status() == 200);
            assertEquals(before, control.get("/backups/" + id).json(), "as it was: Ready");
            JsonNode started = control.post("/backups/" + id + "/create-index", "{\"name\":\"u-restored\"}").json();
            assertTrue(started.has("restore_job_id"), started.toString());
        }
    }

    @Test
    void aStaleCopyIsRewrittenFromTheSoundPrimaryWhichIsLeftAlone() throws Exception {
        Path data = dir.resolve("data");
        Path manifests = data.resolve("backups/manifests");
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            load(control.forHost(control.createDense("s", 4, "cosine")), 0, 50);
            String id = backup(control, "s");
            BackupRepository repo = server.server().backups().repository();
            String ready = new String(repo.readManifest(id).orElseThrow().json(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(ready.contains("\"Ready\""), ready);
            // The copy as another server's Ready write would leave it for a moment: one step behind.
            Files.write(manifests.resolve(id + ".json.copy"), ManifestCodec.encode(ready.replace("\"Ready\"", "\"Initializing\"")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Object primaryFile = Files.getAttribute(manifests.resolve(id + ".json"), "unix:ino");

            server.restart();
            assertEquals("Ready", control.get("/backups/" + id).json().get("status").asText());
            repo = server.server().backups().repository();
            assertNull(repo.readManifest(id).orElseThrow().damage(), "the copy was rewritten");
            // Rewriting the primary too could put back an older manifest over one another server wrote meanwhile.
            assertEquals(primaryFile, Files.getAttribute(manifests.resolve(id + ".json"), "unix:ino"), "the primary is the same file");
        }
    }

    @Test
    void anUnrecoverableManifestShowsAsFailedKeepsEveryBlobAndCanBeDeleted() throws Exception {
        Path data = dir.resolve("data");
        Path manifests = data.resolve("backups/manifests");
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            load(control.forHost(control.createDense("lost", 4, "cosine")), 0, 300);
            Http other = control.forHost(control.createDense("other", 4, "cosine"));
            load(other, 0, 200);
            String damaged = backup(control, "lost");
            String keep = backup(control, "other");
            load(other, 200, 400);
            String later = backup(control, "other");
            Set<String> blobs = server.server().backups().repository().blobs();
            truncateToHalf(manifests.resolve(damaged + ".json"));
            truncateToHalf(manifests.resolve(damaged + ".json.copy"));

            server.restart();
            BackupRepository repo = server.server().backups().repository();
            assertEquals(blobs, repo.blobs(), "no blob is removed while a manifest is unreadable");
            JsonNode failed = control.get("/backups/" + damaged).json();
            assertEquals("Failed", failed.get("status").asText(), failed.toString());
            assertEquals("lost", failed.get("source_index_name").asText(), "what the damaged manifest still holds is shown");
            assertEquals("n-lost", failed.get("name").asText());
            assertTrue(failed.get("failure_reason").asText().contains("Manifest damaged"), failed.toString());
            assertTrue(BackupApiTest.allIds(control, "/backups").contains(damaged), "listed, so it can be found and deleted");
            assertEquals(400, control.post("/backups/" + damaged + "/create-index", "{\"name\":\"nope\"}").status());
            RepositoryVerifier.Report report = verify(repo);
            assertTrue(report.problems().toString().contains("damaged beyond recovery"), report.problems().toString());
            assertTrue(report.problems().toString().contains("DELETE /backups/" + damaged), report.problems().toString());

            // Deleting another backup meanwhile removes its manifest but keeps its blobs.
            assertEquals(202, control.delete("/backups/" + later).status());
            assertEquals(blobs, repo.blobs());

            assertEquals(202, control.delete("/backups/" + damaged).status());
            assertEquals(404, control.get("/backups/" + damaged).status());
            assertFalse(Files.exists(manifests.resolve(damaged + ".json")));
            assertFalse(Files.exists(manifests.resolve(damaged + ".json.copy")));
            Set<String> named = new HashSet<>();
            for (BackupManifest.FileEntry f : BackupManifest.fromJson(repo.getManifest(keep).orElseThrow()).files()) {
                named.add(f.sha256());
            }
            assertEquals(named, repo.blobs(), "once no manifest is unreadable, what nothing names is collected");
            assertTrue(verify(repo).clean(), verify(repo).problems().toString());
            assertEquals(List.of(keep), BackupApiTest.ids(control.get("/backups").json()));
        }
    }
}
