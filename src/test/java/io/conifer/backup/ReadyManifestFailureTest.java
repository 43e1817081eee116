package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.files.DurableFiles;
import io.conifer.index.CommitGate;
import io.conifer.index.Deployment;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexSchema;
import io.conifer.index.ReadCapacity;
import io.conifer.restore.RestoreJob;
import io.conifer.restore.RestoreService;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Ready manifest whose write fails halfway (its first copy in place, the second refused, as on a
 * full disk), with the Failed manifest refused after it: the first copy says Ready and wins at the next
 * start, so at no moment may a manifest copy on disk say Ready while a blob it names is gone.
 */
class ReadyManifestFailureTest {
    @TempDir
    Path dir;

    private IndexManager indexes() throws IOException {
        IndexManager indexes = new IndexManager(dir.resolve("data"), (def, store) -> (Closeable) () -> {},
                InetAddress.getLoopbackAddress(), 40000, (d, space) -> VectorStore.open(d, space, StoreOptions.defaults()),
                CommitGate.OPEN, 30_000);
        indexes.start();
        indexes.create("p", new IndexManager.NewIndex("docs", IndexSchema.vectors(VectorType.DENSE, 2, Metric.COSINE, null),
                Deployment.DEFAULT, ReadCapacity.ON_DEMAND, false, Map.of(), null));
        return indexes;
    }

    private BackupService backups(BackupRepository repository, IndexManager indexes) throws IOException {
        BackupService backups = new BackupService(repository, indexes, dir.resolve("staging"), 100, Throttle.UNLIMITED,
                CommitGate.OPEN);
        backups.start();
        return backups;
    }

    @Test
    void aReadyManifestWrittenHalfwayKeepsItsBlobsAndRestoresAfterARestart() throws Exception {
        Path root = dir.resolve("repo");
        LocalBackupRepository local = new LocalBackupRepository(root);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean full = new AtomicBoolean();
        // Armed, a Ready manifest's first copy is written as LocalBackupRepository writes it, then the
        // second write fails and the disk stays full: every later manifest write fails too.
        BackupRepository failing = (BackupRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BackupRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("putManifest")) {
                        byte[] json = (byte[]) args[1];
                        if (armed.get() && BackupManifest.fromJson(json).status() == BackupStatus.Ready) {
                            DurableFiles.writeAtomically(root.resolve("manifests").resolve(args[0] + ".json"),
                                    ManifestCodec.encode(json));
                            full.set(true);
                        }
                        if (full.get()) throw new IOException("No space left on device");
                    }
                    try {
                        return method.invoke(local, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        IndexManager indexes = indexes();
        BackupService backups = null;
        RestoreService restores = null;
        try {
            VectorStore docs = indexes.vectors("p", "docs");
            docs.upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            backups = backups(failing, indexes);
            String first = backups.create("p", "docs", "first", null).backupId();
            assertEquals(BackupStatus.Ready, settled(backups, first));

            // A new segment: the second backup holds blobs of its own and blobs it shares with the first.
            docs.upsert("", List.of(new VectorRecord("b", new float[] {0, 1}, null, Map.of())));
            armed.set(true);
            String second = backups.create("p", "docs", "second", null).backupId();
            assertEquals(BackupStatus.Failed, settled(backups, second), "this server saw the backup fail");
            assertReadyCopiesHaveTheirBlobs(root, local);

            // Deleting the first backup must not take the blobs the second one's Ready copy names.
            backups.delete("p", first);
            assertReadyCopiesHaveTheirBlobs(root, local);

            backups.close();
            backups = null;
            full.set(false);
            LocalBackupRepository reopened = new LocalBackupRepository(root);
            backups = backups(reopened, indexes);
            assertReadyCopiesHaveTheirBlobs(root, reopened);
            BackupManifest after = backups.describe("p", second);
            if (after.status() != BackupStatus.Ready) {
                assertEquals(BackupStatus.Failed, after.status());
                return;
            }
            restores = new RestoreService(dir.resolve("restore-jobs.json"), backups, indexes, Throttle.UNLIMITED);
            restores.start();
            String job = restores.create("p", second, "restored", null, null, null).restoreJobId();
            assertEquals(RestoreJob.Status.Completed, finished(restores, job), "a Ready backup restores");
            assertEquals(2, indexes.vectors("p", "restored").count(""));
        } finally {
            if (restores != null) restores.close();
            if (backups != null) backups.close();
            indexes.close();
        }
    }

    @Test
    void aReadyManifestWhoseCopiesDisagreeIsFailedAtStartIfABlobIsGone() throws Exception {
        Path root = dir.resolve("repo");
        IndexManager indexes = indexes();
        BackupService backups = null;
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            LocalBackupRepository local = new LocalBackupRepository(root);
            backups = backups(local, indexes);
            String id = backups.create("p", "docs", "b", null).backupId();
            assertEquals(BackupStatus.Ready, settled(backups, id));
            backups.close();
            backups = null;

            // What a server before this fix left: the Ready write's second copy never made, the backup's
            // blobs removed with its failure.
            BackupManifest ready = BackupManifest.fromJson(local.getManifest(id).orElseThrow());
            DurableFiles.writeAtomically(root.resolve("manifests").resolve(id + ".json.copy"),
                    ManifestCodec.encode(ready.withStatus(BackupStatus.Initializing, null).toJson()));
            BackupManifest.FileEntry lost = ready.files().get(0);
            local.deleteBlob(lost.sha256());

            LocalBackupRepository reopened = new LocalBackupRepository(root);
            backups = backups(reopened, indexes);
            BackupManifest after = backups.describe("p", id);
            assertEquals(BackupStatus.Failed, after.status(), "a Ready backup must restore");
            assertTrue(after.failureReason().contains(lost.name()), after.failureReason());
            assertEquals(BackupStatus.Failed, BackupManifest.fromJson(reopened.getManifest(id).orElseThrow()).status());
            BackupService started = backups;
            assertThrows(BackupNotReadyException.class, () -> started.requireReady("p", id));
        } finally {
            if (backups != null) backups.close();
            indexes.close();
        }
    }

    /** Every copy of every manifest on disk that says Ready names only blobs the repository holds. */
    private static void assertReadyCopiesHaveTheirBlobs(Path root, BackupRepository repository) throws IOException {
        int ready = 0;
        try (DirectoryStream<Path> copies = Files.newDirectoryStream(root.resolve("manifests"), "*.{json,json.copy}")) {
            for (Path copy : copies) {
                ManifestCodec.Copy decoded = ManifestCodec.decode(copy.getFileName().toString(), Files.readAllBytes(copy));
                BackupManifest m = BackupManifest.fromJson(decoded.json());
                if (m.status() != BackupStatus.Ready) continue;
                ready++;
                for (BackupManifest.FileEntry f : m.files()) {
                    assertTrue(repository.hasBlob(f.sha256()), copy.getFileName() + " says Ready, but the blob of its file "
                            + f.name() + " is gone");
                }
            }
        }
        assertNotEquals(0, ready, "the half-written Ready copy is on disk");
    }

    /** The backup's status once it is no longer Initializing (or after 60 s). */
    private static BackupStatus settled(BackupService backups, String id) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (backups.describe("p", id).status() == BackupStatus.Initializing && Instant.now().isBefore(until)) {
            Thread.sleep(20);
        }
        return backups.describe("p", id).status();
    }

    private static RestoreJob.Status finished(RestoreService restores, String job) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (restores.describe("p", job).active() && Instant.now().isBefore(until)) Thread.sleep(20);
        return restores.describe("p", job).status();
    }
}
