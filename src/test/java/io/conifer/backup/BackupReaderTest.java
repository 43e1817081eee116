package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
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

    /**
     * A backup taken before backups checked their sources may hold an index file that was already damaged:
     * its blob is intact (CRC32C and hash match), but restore and verify find it against its Lucene footer.
     */
    @Test
    void aFileDamagedBeforeItWasBackedUpIsFoundByRestoreAndVerifyAndNotQuarantined() throws Exception {
        Path files = Files.createDirectories(dir.resolve("index"));
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            Path sound = FooterCheckTest.luceneFile(files, "_0.cfs", 3 * WINDOW / 2, 11);
            Path damaged = FooterCheckTest.luceneFile(files, "_1.cfs", 3 * WINDOW / 2, 12);
            FooterCheckTest.flipByte(damaged, WINDOW);
            BackupManifest.FileEntry good = storedUnchecked(repo, sound);
            BackupManifest.FileEntry bad = storedUnchecked(repo, damaged);
            BackupReader reader = new BackupReader(repo, Throttle.UNLIMITED);

            reader.verify(good, n -> {});
            new BackupReader(repo, Throttle.UNLIMITED).materialize(S3BackupRepositoryTest.manifestOf(List.of(good)),
                    dir.resolve("restored-good"), n -> {});
            assertArrayEquals(Files.readAllBytes(sound), Files.readAllBytes(dir.resolve("restored-good").resolve("_0.cfs")));

            for (Executable read : List.<Executable>of(
                    () -> reader.verify(bad, n -> {}),
                    () -> reader.materialize(S3BackupRepositoryTest.manifestOf(List.of(good, bad)), dir.resolve("restored-bad"), n -> {}))) {
                BackupReader.DamagedFileException e = assertThrows(BackupReader.DamagedFileException.class, read);
                assertTrue(e.getMessage().contains("File _1.cfs was already damaged in the index when it was backed up"),
                        e.getMessage());
                assertTrue(repo.hasBlob(bad.sha256()), "the blob holds what was backed up: not quarantined");
            }
        }
    }

    /** Stages a file as backups did before they checked sources against their Lucene footers. */
    private static BackupManifest.FileEntry storedUnchecked(LocalBackupRepository repo, Path file) throws Exception {
        BackupRepository.StagedBlob staged = repo.stage(file, Throttle.UNLIMITED, f -> new Unchecked(f));
        repo.publish(staged);
        return new BackupManifest.FileEntry(file.getFileName().toString(), staged.sha256(), staged.length(), staged.crc32c(),
                FooterCheck.requireFooter(file), staged.naming());
    }

    /** A file's bytes named by their {@link TreeHash}, held in memory and read without the footer check. */
    private static final class Unchecked implements BlobSource {
        private final ByteBuffer left;
        private final TreeHash hash = TreeHash.sequential();

        Unchecked(Path file) throws IOException {
            left = ByteBuffer.wrap(Files.readAllBytes(file));
        }

        @Override
        public long storedLength() {
            return left.capacity();
        }

        @Override
        public int read(ByteBuffer buf) {
            ByteBuffer next = left.slice(left.position(), Math.min(buf.remaining(), left.remaining()));
            hash.update(next.duplicate());
            buf.put(next);
            left.position(left.position() + next.capacity());
            return next.capacity();
        }

        @Override
        public long length() {
            return left.position();
        }

        @Override
        public String name() {
            return hash.hex();
        }

        @Override
        public String naming() {
            return TreeHash.NAMING;
        }

        @Override
        public void close() {}
    }

    private BackupManifest.FileEntry stored(LocalBackupRepository repo, String name, byte[] data) throws Exception {
        Path source = Files.write(dir.resolve("src-" + name), data);
        BackupRepository.StagedBlob staged = repo.stage(source, Throttle.UNLIMITED);
        repo.publish(staged);
        return S3BackupRepositoryTest.entry(name, staged);
    }
}
