package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.ChildServer;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Backups under SIGKILL and under bit rot. */
class BackupCrashTest {
    @TempDir
    Path dir;

    private static void load(Http d, int records, int dim) {
        for (int from = 0; from < records; from += 250) {
            StringBuilder b = new StringBuilder("{\"vectors\":[");
            for (int i = from; i < Math.min(records, from + 250); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[");
                for (int j = 0; j < dim; j++) b.append(j == 0 ? "" : ",").append(((i * 7919L + j * 31L) % 1000) / 100.0 + 0.01);
                b.append("]}");
            }
            assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
        }
    }

    /**
     * Killed, or stopped (SIGTERM: the server closes its services, which interrupts the copy), the server
     * leaves the backup for its next start to mark Failed. A stop says so in its log instead of trying
     * to record the failure through files the interrupt closes.
     */
    @ParameterizedTest(name = "kill {0}")
    @ValueSource(booleans = {true, false})
    void killOrStopDuringABackupLeavesNoCorruptReadyBackup(boolean kill) throws Exception {
        int port = TestServer.freePortRange();
        Path data = dir.resolve(kill ? "kill" : "stop");
        String first;
        String interrupted;
        // A stop closes the control plane first (its graceful shutdown takes seconds): 0.25 MB/s keeps the copy running.
        try (ChildServer server = ChildServer.start(data, port, port + 1, "--backup-max-mbps", kill ? "1" : "0.25")) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("big", 128, "euclidean"));
            load(d, 300, 128);
            first = control.post("/indexes/big/backups", "{\"name\":\"small\"}").json().get("backup_id").asText();
            Backups.awaitStatus(control, first, "Ready");
            load(d, 6000, 128);
            interrupted = control.post("/indexes/big/backups", "{\"name\":\"large\"}").json().get("backup_id").asText();
            // Throttled, the copy of ~3 MB runs for seconds: kill or stop it once some bytes are copied.
            JsonNode midCopy = control.get("/backups/" + interrupted).json();
            for (long deadline = System.nanoTime() + 60_000_000_000L;
                    midCopy.path("bytes_done").asLong() == 0 && System.nanoTime() < deadline;
                    midCopy = control.get("/backups/" + interrupted).json()) {
                Thread.sleep(20);
            }
            assertEquals("Initializing", midCopy.get("status").asText(), "the kill must land mid-copy: " + midCopy);
            assertTrue(midCopy.path("bytes_done").asLong() > 0, midCopy.toString());
            server.killOrStop(kill, "Backup " + interrupted + " of index 'big' stopped with the server");
        }
        try (ChildServer again = ChildServer.start(data, port, port + 1)) {
            Http control = new Http(again.url(), TestServer.KEY);
            JsonNode failed = control.get("/backups/" + interrupted).json();
            assertEquals("Failed", failed.get("status").asText());
            assertTrue(failed.get("failure_reason").asText().contains("Interrupted"), failed.toString());
            assertEquals("Ready", control.get("/backups/" + first).json().get("status").asText());
            LocalBackupRepository repo = new LocalBackupRepository(data.resolve("backups"));
            RepositoryVerifier.Report report = new RepositoryVerifier(repo).verify(null,
                    new RepositoryVerifier.ProgressBar(System.err, false));
            assertTrue(report.clean(), report.problems().toString());
            // Only blobs a Ready backup names remain: the interrupted copy's partial files are gone.
            Set<String> referenced = new HashSet<>();
            for (BackupManifest.FileEntry f : BackupManifest.fromJson(repo.getManifest(first).orElseThrow()).files()) {
                referenced.add(f.sha256());
            }
            assertEquals(referenced, repo.blobs());
            try (Stream<Path> staging = Files.list(data.resolve("backups").resolve("staging"))) {
                assertEquals(0, staging.count());
            }
            try (Stream<Path> staging = Files.list(data.resolve("backup-staging"))) {
                assertEquals(0, staging.count());
            }
            // The index is intact and can be backed up again.
            Http d = control.forHost(control.get("/indexes/big").json().get("host").asText());
            assertEquals(6000, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
            String again2 = control.post("/indexes/big/backups", "{}").json().get("backup_id").asText();
            JsonNode ready = Backups.awaitStatus(control, again2, "Ready");
            assertEquals(6000, ready.get("record_count").asInt());
            assertEquals(202, control.delete("/backups/" + interrupted).status(), "a Failed backup can be deleted");
        }
    }

    @Test
    void verifyNamesACorruptFile() throws Exception {
        Path data = dir.resolve("verify");
        String id;
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            load(control.forHost(control.createDense("v", 8, "cosine")), 500, 8);
            id = control.post("/indexes/v/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(control, id, "Ready");
        }
        assertEquals(0, Backups.verify("--data-dir", data.toString()).exit());
        BackupManifest.FileEntry victim = flipAByteOfTheLargestFile(data, new LocalBackupRepository(data.resolve("backups")), id);
        Path blob = data.resolve("backups/blobs").resolve(victim.sha256().substring(0, 2)).resolve(victim.sha256());
        Backups.Verified r = Backups.verify("--data-dir", data.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("File " + victim.name() + " is corrupt"), r.out());
        assertTrue(r.out().contains(victim.sha256()), r.out());
        assertTrue(r.out().contains("Backup " + id), r.out());
        // The damaged blob was moved aside, not deleted, and is reported until someone clears it.
        assertFalse(Files.exists(blob));
        assertTrue(r.out().contains("Quarantined at"), r.out());
        try (Stream<Path> q = Files.list(data.resolve("backups/quarantine"))) {
            assertEquals(2, q.filter(p -> p.getFileName().toString().startsWith(victim.sha256())).count(), "the blob and its reason");
        }
        Backups.Verified missing = Backups.verify(id, "--backup-dir", data.resolve("backups").toString());
        assertEquals(1, missing.exit(), missing.out());
        assertTrue(missing.out().contains("File " + victim.name() + " is missing"), missing.out());
        assertTrue(missing.out().contains("quarantined as"), missing.out());
        assertEquals(1, Backups.verify("00000000-0000-0000-0000-000000000000", "--data-dir", data.toString()).exit());
    }

    /**
     * A corrupt blob must not make later backups that share it unrestorable: the next backup finds it
     * damaged (within one run because its stamp changed, after a restart because it is re-read before
     * being trusted), quarantines it and stores its fresh copy; verify then reports the damage found.
     */
    @Test
    void aCorruptBlobIsReplacedByTheNextBackup() throws Exception {
        Path data = dir.resolve("rot");
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            load(control.forHost(control.createDense("rot", 8, "cosine")), 800, 8);
            String a = control.post("/indexes/rot/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(control, a, "Ready");
            BackupRepository repo = server.server().backups().repository();
            BackupManifest.FileEntry victim = flipAByteOfTheLargestFile(data, repo, a);

            String b = control.post("/indexes/rot/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(control, b, "Ready");
            assertRestores(control, b, "rot-b", 800);
            Backups.Verified r = Backups.verify("--data-dir", data.toString());
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("Quarantined at"), r.out());
            assertTrue(r.out().contains("backup " + a + " file " + victim.name()), r.out());
            assertTrue(r.out().contains("A later backup stored this content again"), r.out());

            // After a restart nothing is trusted unread: a blob with the fresh copy's hash is re-read.
            server.restart();
            flipAByteOfTheLargestFile(data, server.server().backups().repository(), b);
            String c = control.post("/indexes/rot/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(control, c, "Ready");
            assertRestores(control, c, "rot-c", 800);
            assertRestores(control, a, "rot-a", 800);
        }
    }

    private static BackupManifest.FileEntry flipAByteOfTheLargestFile(Path data, BackupRepository repo, String backupId)
            throws Exception {
        BackupManifest m = BackupManifest.fromJson(repo.getManifest(backupId).orElseThrow());
        BackupManifest.FileEntry victim = m.files().stream().max((x, y) -> Long.compare(x.length(), y.length())).orElseThrow();
        Path blob = data.resolve("backups/blobs").resolve(victim.sha256().substring(0, 2)).resolve(victim.sha256());
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, victim.length() / 2);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            ch.write(one, victim.length() / 2);
        }
        return victim;
    }

    private static void assertRestores(Http control, String backupId, String target, int records) throws Exception {
        JsonNode j = Backups.restore(control, backupId, target);
        assertEquals("Completed", j.get("status").asText(), j.toString());
        Http d = control.forHost(control.get("/indexes/" + target).json().get("host").asText());
        assertEquals(records, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        JsonNode fetched = d.get("/vectors/fetch?ids=r0&ids=r" + (records - 1)).json().get("vectors");
        assertEquals(2, fetched.size(), fetched.toString());
    }
}
