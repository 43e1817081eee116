package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conifer.index.CommitGate;
import io.conifer.index.IndexManager;
import io.conifer.vectors.VectorRecord;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob whose publish fails after it is already in place is still removed with its failed backup. It
 * happened in CI: a damaged index file failed a backup, the other files' copies were interrupted, and
 * one of them was interrupted in the directory fsync after its rename, leaving a blob no backup held.
 */
class PublishFailureTest {
    @Test
    void aBlobPublishedByAFailedPublishIsRemovedWithTheFailedBackup(@TempDir Path dir) throws Exception {
        LocalBackupRepository local = new LocalBackupRepository(dir.resolve("repo"));
        AtomicBoolean failNext = new AtomicBoolean(true);
        // Renames the blob into place, then fails as an interrupted directory fsync would.
        BackupRepository failingAfterRename = (BackupRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BackupRepository.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(local, args);
                        if (method.getName().equals("publish") && failNext.getAndSet(false)) {
                            throw new IOException("interrupted after the rename");
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        IndexManager indexes = BackupFixtures.indexes(dir);
        BackupService backups = null;
        try {
            indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
            backups = BackupFixtures.backups(dir, failingAfterRename, indexes, CommitGate.OPEN);

            String id = backups.create("p", "docs", "fails", null).backupId();
            assertEquals(BackupStatus.Failed, BackupFixtures.settled(backups, id));
            assertEquals(Set.of(), local.blobs(), "a blob of the failed backup was left in the repository");

            String next = backups.create("p", "docs", "works", null).backupId();
            assertEquals(BackupStatus.Ready, BackupFixtures.settled(backups, next));
        } finally {
            if (backups != null) backups.close();
            indexes.close();
        }
    }
}
