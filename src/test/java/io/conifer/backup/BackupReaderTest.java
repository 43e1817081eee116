package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restoring files through the page cache with the device writing behind: exact bytes across flush windows, damage refused. */
class BackupReaderTest {
    private static final int WINDOW = (int) BackupReader.FLUSH_EVERY;

    @TempDir
    Path dir;

    @Test
    void restoresFilesAcrossFlushWindowsExactly() throws Exception {
        int[] sizes = {0, 5, WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW + 12_345};
        Random random = new Random(3);
        List<byte[]> contents = new ArrayList<>();
        List<BackupManifest.FileEntry> files = new ArrayList<>();
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            for (int size : sizes) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                contents.add(data);
                files.add(stored(repo, "_" + size + ".vec", data));
            }
            AtomicLong reported = new AtomicLong();
            Path target = dir.resolve("restored");
            new BackupReader(repo, Throttle.UNLIMITED).materialize(S3BackupRepositoryTest.manifestOf(files), target, reported::addAndGet);
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(contents.get(i), Files.readAllBytes(target.resolve(files.get(i).name())), files.get(i).name());
            }
            long total = 0;
            for (int size : sizes) total += size;
            assertEquals(total, reported.get(), "every byte reported as progress once");
        }
    }

    @Test
    void aBlobDamagedPastTheFirstFlushesFailsTheRestoreByName() throws Exception {
        byte[] data = new byte[2 * WINDOW + 100];
        new Random(4).nextBytes(data);
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            BackupManifest.FileEntry entry = stored(repo, "_0.vec", data);
            try (RandomAccessFile blob = new RandomAccessFile(repo.describe(entry.sha256()), "rw")) {
                blob.seek(2L * WINDOW + 50);
                blob.write(data[2 * WINDOW + 50] ^ 1);
            }
            BackupReader.DamagedFileException e = assertThrows(BackupReader.DamagedFileException.class,
                    () -> new BackupReader(repo, Throttle.UNLIMITED).materialize(
                            S3BackupRepositoryTest.manifestOf(List.of(entry)), dir.resolve("restored"), n -> {}));
            assertTrue(e.getMessage().contains("File _0.vec is corrupt"), e.getMessage());
            assertFalse(repo.hasBlob(entry.sha256()), "quarantined, so the next backup stores it afresh");
        }
    }

    private BackupManifest.FileEntry stored(LocalBackupRepository repo, String name, byte[] data) throws Exception {
        Path source = Files.write(dir.resolve("src-" + name), data);
        BackupRepository.StagedBlob staged = repo.stage(source, Throttle.UNLIMITED);
        repo.publish(staged);
        return S3BackupRepositoryTest.entry(name, staged);
    }
}
