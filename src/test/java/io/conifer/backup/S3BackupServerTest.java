package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Conifer servers with their backups in a real S3 protocol server (s3proxy in this JVM): backup,
 * restore, verify, incremental copies and deletion through the API, a second server restoring the
 * first one's backups, and the S3 server failing, slowing down and corrupting data.
 */
class S3BackupServerTest {
    @TempDir
    static Path dir;
    static S3TestServer s3;
    static S3Client client;
    static int prefixes;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(dir.resolve("s3"));
        client = s3.client();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3.close();
    }

    static TestServer server(String name, String prefix, String keys) throws Exception {
        return TestServer.startWith(dir.resolve(name),
                c -> c.withApiKeys(keys).withBackupS3(s3.location(prefix, S3TestServer.quickTuning())));
    }

    static S3BackupRepository repositoryOf(String serverDir, String prefix) throws Exception {
        String id = Files.readString(dir.resolve(serverDir).resolve("server-id")).strip();
        return new S3BackupRepository(s3.location(prefix, S3TestServer.quickTuning()), id);
    }

    static void load(Http d, int from, int to, int dim) {
        for (int start = from; start < to; start += 100) {
            StringBuilder b = new StringBuilder("{\"vectors\":[");
            for (int i = start; i < Math.min(to, start + 100); i++) {
                b.append(i == start ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[");
                for (int j = 0; j < dim; j++) b.append(j == 0 ? "" : ",").append(((i * 7919L + j * 31L) % 1000) / 100.0 + 0.01);
                b.append("]}");
            }
            assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
        }
    }

    static String backup(Http control, String index) throws Exception {
        Http.Response r = control.post("/indexes/" + index + "/backups", "{}");
        assertEquals(201, r.status(), r.toString());
        return r.json().get("backup_id").asText();
    }

    static JsonNode restore(Http control, String backupId, String name) throws Exception {
        Http.Response r = control.post("/backups/" + backupId + "/create-index", "{\"name\":\"" + name + "\"}");
        assertEquals(202, r.status(), r.toString());
        String job = r.json().get("restore_job_id").asText();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode j = control.get("/restore-jobs/" + job).json();
            if (j.get("status").asText().matches("Completed|Failed")) return j;
            Thread.sleep(20);
        }
        throw new AssertionError("restore " + job + " did not finish");
    }

    static int count(Http control, String index) throws Exception {
        Http d = control.forHost(control.get("/indexes/" + index).json().get("host").asText());
        long deadline = System.nanoTime() + 60_000_000_000L;
        Http.Response r = d.post("/describe_index_stats", "{}");
        while (r.status() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            r = d.post("/describe_index_stats", "{}");
        }
        return r.json().get("totalVectorCount").asInt();
    }

    static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        for (JsonNode b : list.get("data")) out.add(b.get("backup_id").asText());
        return out;
    }

    static List<S3Object> objects(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(S3TestServer.BUCKET).prefix(prefix + "/")).contents().stream().toList();
    }

    @Test
    void backupRestoreVerifyIncrementalAndDeleteWorkOnS3() throws Exception {
        String prefix = "s" + (++prefixes);
        try (TestServer a = server("a1", prefix, TestServer.KEY)) {
            Http control = new Http(a.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("src", 16, "cosine"));
            load(d, 0, 3000, 16);
            String full = backup(control, "src");
            Backups.awaitStatus(control, full, "Ready");
            S3BackupRepository repo = repositoryOf("a1", prefix);
            Set<String> afterFull = repo.blobs();
            load(d, 0, 30, 16); // 1% of the records rewritten
            String incremental = backup(control, "src");
            JsonNode ready = Backups.awaitStatus(control, incremental, "Ready");
            assertEquals(3000, ready.get("record_count").asInt());
            Set<String> uploaded = new HashSet<>(repo.blobs());
            uploaded.removeAll(afterFull);
            BackupManifest second = BackupManifest.fromJson(repo.getManifest(incremental).orElseThrow());
            long newBytes = second.files().stream().filter(f -> uploaded.contains(f.sha256())).mapToLong(BackupManifest.FileEntry::length).sum();
            assertTrue(newBytes < second.sizeBytes() / 2, "the second backup uploads only what changed: " + newBytes
                    + " of " + second.sizeBytes() + " bytes");

            assertTrue(new RepositoryVerifier(repo).verify(null, new RepositoryVerifier.ProgressBar(System.err, false)).clean());
            JsonNode job = restore(control, full, "copy");
            assertEquals("Completed", job.get("status").asText(), job.toString());
            assertEquals(3000, count(control, "copy"));

            // Deleting both backups collects every blob.
            assertEquals(202, control.delete("/backups/" + full).status());
            assertEquals(202, control.delete("/backups/" + incremental).status());
            assertEquals(Set.of(), repo.blobs());
            assertEquals(List.of(), repo.manifestIds());
            repo.close();
        }
    }

    @Test
    void aSecondServerListsAndRestoresTheFirstsBackupsAndNeitherCollectsTheOthersBlobs() throws Exception {
        String prefix = "s" + (++prefixes);
        try (TestServer a = server("two-a", prefix, "ka:team,other:elsewhere")) {
            Http controlA = new Http(a.url(), "ka");
            Http dA = controlA.forHost(controlA.createDense("orders", 8, "cosine"));
            load(dA, 0, 1500, 8);
            String first = backup(controlA, "orders");
            Backups.awaitStatus(controlA, first, "Ready");
            try (TestServer b = server("two-b", prefix, "kb:team")) {
                Http controlB = new Http(b.url(), "kb");
                // b, on a fresh data directory, lists a's backup of its project and restores it.
                assertEquals(List.of(first), ids(controlB.get("/backups").json()));
                assertEquals("Ready", controlB.get("/backups/" + first).json().get("status").asText());
                JsonNode job = restore(controlB, first, "orders");
                assertEquals("Completed", job.get("status").asText(), job.toString());
                assertEquals(1500, count(controlB, "orders"));

                // Both back up the same content at once, each into its own blobs.
                Http dB = controlB.forHost(controlB.get("/indexes/orders").json().get("host").asText());
                load(dB, 1500, 1600, 8);
                load(dA, 1500, 1600, 8);
                String fromB = backup(controlB, "orders");
                String fromA = backup(controlA, "orders");
                Backups.awaitStatus(controlB, fromB, "Ready");
                Backups.awaitStatus(controlA, fromA, "Ready");
                // a sees b's backup appear; a's other project sees nothing of team's.
                assertEquals(Set.of(first, fromA, fromB), new HashSet<>(ids(controlA.get("/backups").json())));
                assertEquals(List.of(), ids(new Http(a.url(), "other").get("/backups").json()));

                // a deletes its backups: its garbage collection leaves b's blobs alone, and the reverse.
                assertEquals(202, controlA.delete("/backups/" + first).status());
                assertEquals(202, controlA.delete("/backups/" + fromA).status());
                try (S3BackupRepository repoB = repositoryOf("two-b", prefix); S3BackupRepository repoA = repositoryOf("two-a", prefix)) {
                    // a keeps only blobs whose content a backup of b's names too (blobs are kept by content hash).
                    Set<String> namedByB = new HashSet<>();
                    for (BackupManifest.FileEntry f : BackupManifest.fromJson(repoB.getManifest(fromB).orElseThrow()).files()) {
                        namedByB.add(f.sha256());
                    }
                    assertTrue(namedByB.containsAll(repoA.blobs()), "a collected its own garbage");
                    assertEquals(namedByB, repoB.blobs());
                    assertTrue(new RepositoryVerifier(repoB).verify(fromB, new RepositoryVerifier.ProgressBar(System.err, false)).clean());
                    // b's list no longer shows a's deleted backups; a restart of a (which collects garbage) keeps b's.
                    assertEquals(List.of(fromB), ids(controlB.get("/backups").json()));
                    a.restart();
                    assertTrue(new RepositoryVerifier(repoB).verify(fromB, new RepositoryVerifier.ProgressBar(System.err, false)).clean());
                }
                // a restores b's backup.
                JsonNode back = restore(new Http(a.url(), "ka"), fromB, "from-b");
                assertEquals("Completed", back.get("status").asText(), back.toString());
                assertEquals(1600, count(new Http(a.url(), "ka"), "from-b"));
            }
        }
    }

    @Test
    void theS3ServerStoppingMidUploadFailsTheBackupVisiblyAndARetrySucceedsAfterItsRestart() throws Exception {
        String prefix = "s" + (++prefixes);
        try (TestServer a = server("stop", prefix, TestServer.KEY)) {
            Http control = new Http(a.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("big", 64, "euclidean"));
            load(d, 0, 2500, 64);
            CountDownLatch hold = new CountDownLatch(1);
            String broken = backup(control, "big");
            s3.faults.heldWrites.set(0);
            s3.faults.holdWrites = hold; // the next blob upload waits in the S3 server, which then stops
            try {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (s3.faults.heldWrites.get() == 0) {
                    assertTrue(System.nanoTime() < deadline, "no upload arrived");
                    Thread.sleep(5);
                }
                s3.stop();
            } finally {
                s3.faults.holdWrites = null;
                hold.countDown();
            }
            JsonNode failed = Backups.awaitStatus(control, broken, "Failed");
            assertTrue(failed.get("failure_reason").asText().contains("S3"), failed.toString());
            s3.start();
            // Nothing half-visible: every blob in the bucket is whole (its content hashes to its name).
            for (S3Object o : objects(prefix)) {
                if (!o.key().contains("/blobs/")) continue;
                byte[] content = client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(o.key())).asByteArray();
                String name = o.key().substring(o.key().lastIndexOf('/') + 1);
                assertEquals(name, HexFormat.of().formatHex(LocalBackupRepository.sha256().digest(content)), o.key());
            }
            String retry = backup(control, "big");
            Backups.awaitStatus(control, retry, "Ready");
            JsonNode job = restore(control, retry, "big-copy");
            assertEquals("Completed", job.get("status").asText(), job.toString());
            assertEquals(2500, count(control, "big-copy"));
        }
    }

    @Test
    void aCorruptBlobInTheBucketIsNamedByVerifyAndRefusedByRestore() throws Exception {
        String prefix = "s" + (++prefixes);
        try (TestServer a = server("corrupt", prefix, TestServer.KEY)) {
            Http control = new Http(a.url(), TestServer.KEY);
            load(control.forHost(control.createDense("v", 32, "cosine")), 0, 2000, 32);
            String id = backup(control, "v");
            Backups.awaitStatus(control, id, "Ready");
            try (S3BackupRepository repo = repositoryOf("corrupt", prefix)) {
                BackupManifest m = BackupManifest.fromJson(repo.getManifest(id).orElseThrow());
                BackupManifest.FileEntry victim = m.files().stream().max((x, y) -> Long.compare(x.length(), y.length())).orElseThrow();
                String key = prefix + "/servers/" + Files.readString(dir.resolve("corrupt/server-id")).strip() + "/blobs/"
                        + victim.sha256().substring(0, 2) + "/" + victim.sha256();
                byte[] content = client.getObjectAsBytes(b -> b.bucket(S3TestServer.BUCKET).key(key)).asByteArray();
                content[content.length / 2] ^= 0x10;
                client.putObject(b -> b.bucket(S3TestServer.BUCKET).key(key), RequestBody.fromBytes(content));

                RepositoryVerifier.Report report = new RepositoryVerifier(repo).verify(id,
                        new RepositoryVerifier.ProgressBar(System.err, false));
                assertFalse(report.clean());
                assertTrue(String.join("\n", report.problems()).contains("File " + victim.name() + " is corrupt"),
                        report.problems().toString());
                JsonNode job = restore(control, id, "v-copy");
                assertEquals("Failed", job.get("status").asText(), job.toString());
                assertTrue(job.get("failure_reason").asText().contains(victim.name()), job.toString());
                assertEquals(404, control.get("/indexes/v-copy").status());
            }
        }
    }

    @Test
    void aSlowAndThrottlingS3ServerStillGetsTheBackupWithinTheRetryPolicy() throws Exception {
        String prefix = "s" + (++prefixes);
        try (TestServer a = server("slow", prefix, TestServer.KEY)) {
            Http control = new Http(a.url(), TestServer.KEY);
            load(control.forHost(control.createDense("s", 8, "cosine")), 0, 1000, 8);
            s3.faults.delay = Duration.ofMillis(100);
            s3.faults.throttleNext.set(3);
            try {
                String id = backup(control, "s");
                Backups.awaitStatus(control, id, "Ready");
            } finally {
                s3.faults.delay = Duration.ZERO;
                s3.faults.throttleNext.set(0);
            }
        }
    }
}
