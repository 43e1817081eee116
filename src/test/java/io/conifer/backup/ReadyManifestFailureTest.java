package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.files.DurableFiles;
import io.conifer.index.CommitGate;
import io.conifer.index.IndexManager;
import io.conifer.restore.RestoreJob;
import io.conifer.restore.RestoreService;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorStore;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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

    /** Tells which manifest writes fail halfway. */
    private interface ManifestTest {
        boolean test(byte[] json) throws IOException;
    }

    /**
     * {@code local}, except that while {@code armed}, the next manifest write {@code when} picks writes its
     * first copy as {@link LocalBackupRepository} does and then fails, as on a disk that just filled.
     */
    private BackupRepository halfWrittenOnce(LocalBackupRepository local, Path root, AtomicBoolean armed, ManifestTest when) {
        return (BackupRepository) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BackupRepository.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("putManifest") && armed.get() && when.test((byte[]) args[1])
                            && armed.getAndSet(false)) {
                        DurableFiles.writeAtomically(root.resolve("manifests").resolve(args[0] + ".json"),
                                ManifestCodec.encode((byte[]) args[1]));
                        throw new IOException("No space left on device");
                    }
                    try {
                        return method.invoke(local, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A create whose first manifest write fails halfway fails, and no backup shows after a restart either. */
    @Test
    void aCreateWhoseManifestWriteFailsHalfwayLeavesNoBackup() throws Exception {
        Path root = dir.resolve("repo");
        LocalBackupRepository local = new LocalBackupRepository(root);
        AtomicBoolean failNext = new AtomicBoolean();
        BackupRepository failing = halfWrittenOnce(local, root, failNext, json -> true);
        IndexManager indexes = BackupFixtures.indexes(dir);
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            try (BackupService backups = BackupFixtures.backups(dir, failing, indexes, CommitGate.OPEN)) {
                failNext.set(true);
                assertThrows(IOException.class, () -> backups.create("p", "docs", "refused", null));
                assertEquals(List.of(), backups.list("p"));
            }
            try (BackupService restarted = BackupFixtures.backups(dir, new LocalBackupRepository(root), indexes, CommitGate.OPEN)) {
                assertEquals(List.of(), restarted.list("p"), "the failed create shows a backup after a restart");
            }
        } finally {
            indexes.close();
        }
    }

    /**
     * A delete deferred while a restore reads the backup marks its manifest; a mark written halfway (one
     * copy) by a call that then fails must not be carried out at the next start.
     */
    @Test
    void aDeferredDeleteWhoseMarkFailsHalfwayLeavesTheBackup() throws Exception {
        Path root = dir.resolve("repo");
        LocalBackupRepository local = new LocalBackupRepository(root);
        AtomicBoolean failMark = new AtomicBoolean();
        BackupRepository failing = halfWrittenOnce(local, root, failMark, json -> BackupManifest.fromJson(json).deletionRequested());
        IndexManager indexes = BackupFixtures.indexes(dir);
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            String id;
            try (BackupService backups = BackupFixtures.backups(dir, failing, indexes, CommitGate.OPEN)) {
                id = backups.create("p", "docs", "kept", null).backupId();
                assertEquals(BackupStatus.Ready, BackupFixtures.settled(backups, id));
                backups.setRestoreGuard(backup -> List.of("a-restore-job"));
                failMark.set(true);
                assertThrows(IOException.class, () -> backups.deleteWhenRestoresEnd("p", id));
                assertEquals(BackupStatus.Ready, backups.describe("p", id).status());
            }
            try (BackupService restarted = BackupFixtures.backups(dir, new LocalBackupRepository(root), indexes, CommitGate.OPEN)) {
                assertEquals(BackupStatus.Ready, restarted.describe("p", id).status(), "the failed delete was carried out");
            }
        } finally {
            indexes.close();
        }
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
        IndexManager indexes = BackupFixtures.indexes(dir);
        BackupService backups = null;
        RestoreService restores = null;
        try {
            VectorStore docs = indexes.vectors("p", "docs");
            docs.upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            backups = BackupFixtures.backups(dir, failing, indexes, CommitGate.OPEN);
            String first = backups.create("p", "docs", "first", null).backupId();
            assertEquals(BackupStatus.Ready, BackupFixtures.settled(backups, first));

            // A new segment: the second backup holds blobs of its own and blobs it shares with the first.
            docs.upsert("", List.of(new VectorRecord("b", new float[] {0, 1}, null, Map.of())));
            armed.set(true);
            String second = backups.create("p", "docs", "second", null).backupId();
            assertEquals(BackupStatus.Failed, BackupFixtures.settled(backups, second), "this server saw the backup fail");
            assertReadyCopiesHaveTheirBlobs(root, local);

            // Deleting the first backup must not take the blobs the second one's Ready copy names.
            backups.delete("p", first);
            assertReadyCopiesHaveTheirBlobs(root, local);

            backups.close();
            backups = null;
            full.set(false);
            LocalBackupRepository reopened = new LocalBackupRepository(root);
            backups = BackupFixtures.backups(dir, reopened, indexes, CommitGate.OPEN);
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
        IndexManager indexes = BackupFixtures.indexes(dir);
        BackupService backups = null;
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            LocalBackupRepository local = new LocalBackupRepository(root);
            backups = BackupFixtures.backups(dir, local, indexes, CommitGate.OPEN);
            String id = backups.create("p", "docs", "b", null).backupId();
            assertEquals(BackupStatus.Ready, BackupFixtures.settled(backups, id));
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
            backups = BackupFixtures.backups(dir, reopened, indexes, CommitGate.OPEN);
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

    private static RestoreJob.Status finished(RestoreService restores, String job) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (restores.describe("p", job).active() && Instant.now().isBefore(until)) Thread.sleep(20);
        return restores.describe("p", job).status();
    }
}
