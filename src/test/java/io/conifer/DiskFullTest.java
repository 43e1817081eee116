package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupStatus;
import io.conifer.backup.Backups;
import io.conifer.files.DiskSpace;
import io.conifer.files.DurableFiles;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.commons.IndexInterface;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server whose data directory is on a small tmpfs that the test fills: writes are refused with a
 * retriable error and leave nothing behind, reads go on, and everything resumes once space is freed,
 * without a restart. Needs root (to mount); skipped with a message elsewhere.
 */
class DiskFullTest {
    private static final int MOUNT_MB = 32;
    private static final int DIM = 8;
    private static Path mount;
    private Path dataDir;
    private ConiferServer server;

    @BeforeAll
    static void mountTmpfs() throws Exception {
        mount = Files.createTempDirectory("conifer-disk-full");
        int rc;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + MOUNT_MB + "m", "tmpfs", mount.toString())
                    .redirectErrorStream(true).start();
            rc = p.waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        if (rc != 0) Files.deleteIfExists(mount);
        Assumptions.assumeTrue(rc == 0, "Skipped: cannot mount a " + MOUNT_MB + " MB tmpfs here (needs root and mount)");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mount == null || !Files.exists(mount)) return;
        new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start().waitFor();
        Files.deleteIfExists(mount);
    }

    @BeforeEach
    void freshDataDir() throws IOException {
        dataDir = Files.createDirectories(mount.resolve("data"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (server != null) server.close();
        try (Stream<Path> all = Files.list(mount)) {
            for (Path p : all.toList()) DurableFiles.deleteTree(p);
        }
    }

    private Http start() throws IOException {
        server = ConiferServer.start(ServerConfig.defaults(dataDir).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()));
        return new Http("http://localhost:" + server.port(), TestServer.KEY);
    }

    private Http restart() throws IOException {
        ServerConfig config = server.config().withPorts(server.port(), server.config().firstDataPort());
        server.close();
        server = null;
        server = ConiferServer.start(config);
        server.indexes().whenOpened().join(); // indexes open (replay their logs) in the background
        return new Http("http://localhost:" + server.port(), TestServer.KEY);
    }

    private static String vectors(String prefix, int n) {
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(prefix).append(i).append("\",\"values\":[");
            for (int j = 0; j < DIM; j++) b.append(j == 0 ? "" : ",").append((i * 31 + j * 7) % 17 + 1);
            b.append("],\"metadata\":{\"text\":\"").append(java.util.UUID.randomUUID().toString().repeat(4)).append("\"}}");
        }
        return b + "]}";
    }

    /** A new index holding {@code n} records, all in its last commit. */
    private Http committedIndex(Http control, String name, int n) throws IOException {
        Http d = control.forHost(control.createDense(name, DIM, "cosine"));
        assertEquals(200, d.post("/vectors/upsert", vectors("v", n)).status());
        server.indexes().require("default", name).store().checkpoint();
        return d;
    }

    private static long count(Http d) {
        return d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asLong();
    }

    private static String state(Http control, String index) {
        JsonNode status = control.get("/indexes/" + index).json().get("status");
        assertTrue(status.get("ready").asBoolean(), "an index whose writes are refused still serves reads: " + status);
        if (status.get("state").asText().equals("Disabled")) {
            assertTrue(status.path("failure_reason").asText().contains("disk full"), "a disabled index says why: " + status);
        }
        return status.get("state").asText();
    }

    /** Fills the file system until a write fails for lack of space; deleting the file frees it again. */
    private static Path fill(Path dir, long leaveFree) throws IOException {
        Path filler = dir.resolve("filler");
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer mb = ByteBuffer.allocate(1 << 20);
            ByteBuffer page = ByteBuffer.allocate(4096);
            try {
                while (DiskSpace.usable(dir) - leaveFree >= mb.capacity()) ch.write(mb.clear());
                while (DiskSpace.usable(dir) > leaveFree) ch.write(page.clear());
            } catch (IOException e) {
                assertTrue(DiskSpace.isFull(e), "expected a full disk: " + e);
            }
        }
        return filler;
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static long walBytes(Path indexes) throws IOException {
        try (Stream<Path> files = Files.walk(indexes)) {
            return files.filter(p -> p.getFileName().toString().startsWith("wal-")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("Timed out waiting until " + what);
            Thread.sleep(50);
        }
    }

    private static void assertRefusedForSpace(Http.Response r) {
        assertEquals(503, r.status(), r.toString());
        assertEquals(14, r.json().get("code").asInt(), r.toString()); // gRPC UNAVAILABLE, retriable
        assertTrue(r.json().get("message").asText().contains("disk space"), r.toString());
    }

    @Test
    void writesAreRefusedWhileTheDiskIsFullReadsGoOnAndWritesResumeWhenSpaceReturns() throws Exception {
        Http control = start();
        Http full = control.forHost(control.createDense("full", DIM, "cosine"));
        Http other = control.forHost(control.createDense("other", DIM, "cosine"));
        assertEquals(200, full.post("/vectors/upsert", vectors("a", 50)).status());
        assertEquals(200, other.post("/vectors/upsert", vectors("o", 5)).status());
        assertEquals(50, count(full));
        assertEquals(5, count(other));
        long walBefore = walBytes(dataDir.resolve("indexes"));

        // Each refused write is larger than the slack a file system page of the log could still hold.
        Path filler = fill(mount, 0);
        assertRefusedForSpace(full.post("/vectors/upsert", vectors("refused", 20)));
        assertRefusedForSpace(full.post("/vectors/upsert", vectors("refused", 20)));
        assertRefusedForSpace(other.post("/vectors/upsert", vectors("refused", 20)));
        Pinecone sdk = new Pinecone.Builder(TestServer.KEY).withHost("http://localhost:" + server.port())
                .withTlsEnabled(false).build();
        try (Index grpc = sdk.getIndexConnection("full")) {
            List<VectorWithUnsignedIndices> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(IndexInterface.buildUpsertVectorWithUnsignedIndices("grpc" + i,
                        List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, (float) i), null, null, null));
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.upsert(batch, ""));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            assertTrue(e.getStatus().getDescription().contains("disk space"), e.toString());
        }
        assertEquals(walBefore, walBytes(dataDir.resolve("indexes")), "a refused write leaves no bytes in the log");
        assertEquals("Disabled", state(control, "full"));
        assertEquals("Disabled", state(control, "other"));

        // A checkpoint now fails too, taking the Lucene writer down: reads go on from the last searcher.
        assertThrows(IOException.class, () -> server.indexes().require("default", "full").store().checkpoint());
        assertEquals(50, count(full));
        assertEquals(200, full.get("/vectors/fetch?ids=a1&ids=a2").status());
        assertEquals(2, full.get("/vectors/fetch?ids=a1&ids=a2").json().get("vectors").size());
        Http.Response query = full.post("/query", "{\"id\":\"a3\",\"topK\":3}");
        assertEquals(200, query.status(), query.toString());
        assertEquals("a3", query.json().get("matches").get(0).get("id").asText());
        assertEquals(5, count(other));
        assertRefusedForSpace(full.post("/vectors/upsert", vectors("refused", 20)));
        Http.Response backup = control.post("/indexes/full/backups", "{\"name\":\"b\"}");
        assertEquals(503, backup.status(), "a listed index is never 'not found': " + backup);
        assertEquals("UNAVAILABLE", backup.json().get("error").get("code").asText());

        Files.delete(filler);
        await(() -> full.post("/vectors/upsert", vectors("b", 10)).status() == 200, "writes to the full index resume");
        assertEquals(200, other.post("/vectors/upsert", vectors("p", 5)).status());
        assertEquals(60, count(full));
        assertEquals(10, count(other));
        assertEquals("Ready", state(control, "full"));
        assertEquals("Ready", state(control, "other"));

        Http restarted = restart();
        Http again = restarted.forHost(restarted.get("/indexes/full").json().get("host").asText());
        assertEquals(60, count(again), "no refused write reappears after a restart, no acknowledged one is lost");
        assertEquals(0, again.get("/vectors/fetch?ids=refused0").json().get("vectors").size());
    }

    @Test
    void deletingAnIndexOnAFullDiskWorksAndFreesItsSpace() throws Exception {
        Http control = start();
        committedIndex(control, "big", 1000);
        long indexBytes = bytesUnder(dataDir.resolve("indexes"));
        fill(mount, 0);
        long before = DiskSpace.usable(mount);

        Http.Response r = control.delete("/indexes/big");
        assertEquals(202, r.status(), r.toString());
        assertTrue(DiskSpace.usable(mount) - before >= indexBytes / 2, "deleting the index freed its " + indexBytes
                + " bytes: " + before + " -> " + DiskSpace.usable(mount));
        assertEquals(0, control.get("/indexes").json().get("indexes").size());
        assertEquals(404, control.get("/indexes/big").status());

        control = restart();
        assertEquals(0, control.get("/indexes").json().get("indexes").size());
        try (Stream<Path> dirs = Files.list(dataDir.resolve("indexes"))) {
            assertEquals(0, dirs.count(), "nothing of the index is left on disk");
        }
    }

    @Test
    void startingOnAFullDiskServesTheLastCommitAndCatchesUpWhenSpaceReturns() throws Exception {
        Http control = start();
        Http d = committedIndex(control, "idx", 30);
        assertEquals(200, d.post("/vectors/upsert", vectors("logged", 200)).status());
        ServerConfig config = server.config().withPorts(server.port(), server.config().firstDataPort());
        server.crash(); // the 200 records are in the log only: replaying them must flush to disk
        server = null;

        Path filler = fill(mount, 0);
        server = ConiferServer.start(config);
        server.indexes().whenOpened().join(); // indexes open (replay their logs) in the background
        control = new Http("http://localhost:" + server.port(), TestServer.KEY);
        d = control.forHost(control.get("/indexes/idx").json().get("host").asText());
        assertEquals("Disabled", state(control, "idx"));
        assertNotNull(server.indexes().require("default", "idx").store().writesRefused());
        assertEquals(30, count(d), "reads of the last commit are served");
        assertRefusedForSpace(d.post("/vectors/upsert", vectors("refused", 1)));

        Files.delete(filler);
        Http data = d;
        await(() -> data.post("/vectors/upsert", vectors("later", 1)).status() == 200, "the writer opens");
        assertEquals(231, count(d), "the log was replayed once there was room");
        assertEquals("Ready", state(control, "idx"));
    }

    @Test
    void aBackupThatWouldFillTheDiskFailsAndTheIndexGoesOn() throws Exception {
        final Http control = start();
        Http d = committedIndex(control, "src", 300);
        // Room for the backup's files, but not for them and the reserve kept free for live indexes.
        long indexBytes = bytesUnder(dataDir.resolve("indexes"));
        fill(mount, indexBytes + (1 << 20));

        Http.Response r = control.post("/indexes/src/backups", "{\"name\":\"too-big\"}");
        assertEquals(201, r.status(), r.toString());
        String id = r.json().get("backup_id").asText();
        await(() -> !control.get("/backups/" + id).json().get("status").asText().equals("Initializing"), "the backup ends");
        BackupManifest m = server.backups().describe("default", id);
        assertEquals(BackupStatus.Failed, m.status());
        assertTrue(m.failureReason().contains("Not enough free disk space for this backup"), m.failureReason());
        assertTrue(DiskSpace.usable(mount) >= indexBytes, "the failed backup's partial copy was removed");

        assertEquals(200, d.post("/vectors/upsert", vectors("after", 10)).status());
        assertEquals(310, count(d));
        assertEquals("Ready", state(control, "src"));
        assertFalse(d.post("/query", "{\"id\":\"after1\",\"topK\":1}").json().get("matches").isEmpty());
    }

    private static String jobStatus(Http control, String job) {
        return control.get("/restore-jobs/" + job).json().get("status").asText();
    }

    /** A Ready backup of a new committed index {@code src} of {@code thousands} thousand records. */
    private String backupOf(Http control, int thousands) throws Exception {
        Http d = committedIndex(control, "src", 1000);
        for (int i = 1; i < thousands; i++) assertEquals(200, d.post("/vectors/upsert", vectors("more" + i + "-", 1000)).status());
        server.indexes().require("default", "src").store().checkpoint();
        Http.Response r = control.post("/indexes/src/backups", "{\"name\":\"b\"}");
        assertEquals(201, r.status(), r.toString());
        String id = r.json().get("backup_id").asText();
        Backups.awaitStatus(control, id, "Ready");
        return id;
    }

    @Test
    void aRestoreThatFillsTheDiskFailsFreeingItsSpaceItsNameAndTheBackup() throws Exception {
        final Http control = start();
        String backup = backupOf(control, 1);
        // Room to reserve the index and record the job, not for the restored files.
        long leave = bytesUnder(dataDir.resolve("backups").resolve("blobs")) / 2;
        Path filler = fill(mount, leave);

        Http.Response started = control.post("/backups/" + backup + "/create-index", "{\"name\":\"restored\"}");
        assertEquals(202, started.status(), started.toString());
        String job = started.json().get("restore_job_id").asText();
        await(() -> !Set.of("Pending", "InProgress").contains(jobStatus(control, job)), "the restore job ends");
        assertEquals("Failed", jobStatus(control, job));
        String reason = server.restores().describe("default", job).failureReason();
        assertTrue(DiskSpace.isFull(new IOException(reason)), reason);
        assertEquals(404, control.get("/indexes/restored").status(), "the name is free again");
        assertTrue(DiskSpace.usable(mount) >= leave / 2, "the restored files were removed: " + DiskSpace.usable(mount)
                + " bytes free, " + leave + " before the restore");
        assertEquals(202, control.delete("/backups/" + backup).status(), "no job reads the backup any more");

        Files.delete(filler);
        Http again = restart();
        assertEquals("Failed", jobStatus(again, job));
        try (Stream<Path> dirs = Files.list(dataDir.resolve("indexes"))) {
            assertEquals(1, dirs.count(), "nothing of the restored index is left on disk");
        }
    }

    @Test
    void aRestartOnADiskFullOfAStoppedRestoreRemovesItsFilesAndFailsTheJob() throws Exception {
        // Throttled, so that the restore is still copying when the server stops.
        server = ConiferServer.start(ServerConfig.defaults(dataDir).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackups(null, ServerConfig.DEFAULT_BACKUP_QUOTA, 0.1));
        final Http control = new Http("http://localhost:" + server.port(), TestServer.KEY);
        String backup = backupOf(control, 3); // about 700 KB: 7 s to restore
        Http.Response started = control.post("/backups/" + backup + "/create-index", "{\"name\":\"restored\"}");
        assertEquals(202, started.status(), started.toString());
        String job = started.json().get("restore_job_id").asText();
        Path target = dataDir.resolve("indexes").resolve(started.json().get("index_id").asText());
        await(() -> {
            try {
                return Files.exists(target) && bytesUnder(target) > 0;
            } catch (IOException e) {
                return false;
            }
        }, "the restore has written some of its files");
        assertEquals("InProgress", jobStatus(control, job));
        ServerConfig config = server.config().withPorts(server.port(), server.config().firstDataPort());
        server.close(); // interrupts the restore, leaving its files and job for the next start
        server = null;
        assertTrue(bytesUnder(target) > 0);
        fill(mount, 0);

        server = ConiferServer.start(config);
        server.indexes().whenOpened().join();
        Http again = new Http("http://localhost:" + server.port(), TestServer.KEY);
        assertEquals("Failed", jobStatus(again, job));
        assertEquals(404, again.get("/indexes/restored").status());
        assertFalse(Files.exists(target), "the partial files were removed");
        assertTrue(DiskSpace.usable(mount) > 0, "their space is free");
        assertEquals(202, again.delete("/backups/" + backup).status());
    }
}
