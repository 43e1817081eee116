package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.files.ForegroundSyncs;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pipelined blob copy, direct or buffered: exact bytes, hashes and lengths around every chunk and block boundary. */
class BlobCopyTest {
    private static final int CHUNK = BlobCopy.CHUNK;

    @TempDir
    Path dir;

    /**
     * With read-back off the copy is the same, and the CRC32C still that of the bytes written; only the
     * device reads go. While clients write (log fsyncs running), chunks go in flushed pieces: the same bytes.
     */
    @ParameterizedTest(name = "read-back {0}, clients writing {1}")
    @CsvSource({"true, false", "false, false", "true, true", "false, true"})
    void copiesExactlyAcrossBlockAndChunkBoundaries(boolean readBack, boolean clientsWriting) throws Exception {
        // The last one reuses every buffer while leaves of the name are still being hashed.
        int[] sizes = {0, 1, 4095, 4096, 4097, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12_345, 21 * CHUNK + 7};
        Random random = new Random(5);
        long total = 0;
        AtomicBoolean copying = new AtomicBoolean(true);
        Thread logSyncs = Thread.ofPlatform().daemon().start(() -> {
            while (clientsWriting && copying.get()) {
                ForegroundSyncs.begin();
                LockSupport.parkNanos(200_000);
                ForegroundSyncs.end();
                LockSupport.parkNanos(1_000_000);
            }
        });
        try (BlobCopy copy = new BlobCopy(readBack)) {
            for (int size : sizes) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                Path source = dir.resolve("src-" + size);
                Files.write(source, data);
                Path target = dir.resolve("copy-" + size);
                BlobCopy.Result r = copy.copy(BlobSource.plain(source), target, Throttle.UNLIMITED);
                assertArrayEquals(data, Files.readAllBytes(target), "bytes of a " + size + "-byte file");
                assertEquals(size, r.length());
                assertEquals(TreeHashTest.reference(data), r.name());
                CRC32C crc = new CRC32C();
                crc.update(data);
                assertEquals((int) crc.getValue(), r.crc32c());
                // Only the read-back needs the device's copy; without it the blob goes through the page cache.
                assertEquals(readBack && BlobCopy.blockAlignment(dir) > 0, r.direct(), "written with O_DIRECT");
                total += size;
            }
            assertEquals(readBack ? total : 0, copy.bytesReadBack(), "bytes read back from the device");
            if (clientsWriting) assertTrue(copy.piecesFlushed() > 0, "chunks went in flushed pieces beside the log fsyncs");
        } finally {
            copying.set(false);
            logSyncs.join();
        }
    }

    @Test
    void refusesToOverwriteAndLeavesNothingBehindOnFailure() throws Exception {
        Path source = dir.resolve("src");
        Files.write(source, new byte[10_000]);
        Path existing = dir.resolve("existing");
        Files.writeString(existing, "keep me");
        try (BlobCopy copy = new BlobCopy()) {
            assertThrows(FileAlreadyExistsException.class, () -> copy.copy(BlobSource.plain(source), existing, Throttle.UNLIMITED));
            assertEquals("keep me", Files.readString(existing));
            Path target = dir.resolve("from-missing");
            assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> copy.copy(BlobSource.plain(dir.resolve("missing")), target, Throttle.UNLIMITED));
            assertFalse(Files.exists(target));
        }
    }

    /** Two backups copy at once through the repository's one writer and one verifier thread. */
    @Test
    void concurrentCopiesShareTheStagesWithoutMixingChunks() throws Exception {
        byte[] a = new byte[5 * CHUNK + 3];
        byte[] b = new byte[4 * CHUNK + 4096];
        new Random(1).nextBytes(a);
        new Random(2).nextBytes(b);
        Files.write(dir.resolve("a"), a);
        Files.write(dir.resolve("b"), b);
        try (BlobCopy copy = new BlobCopy()) {
            for (int round = 0; round < 3; round++) {
                Path ta = dir.resolve("a-" + round);
                Path tb = dir.resolve("b-" + round);
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        copy.copy(BlobSource.plain(dir.resolve("b")), tb, Throttle.UNLIMITED);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                copy.copy(BlobSource.plain(dir.resolve("a")), ta, Throttle.UNLIMITED);
                other.join();
                assertArrayEquals(a, Files.readAllBytes(ta));
                assertArrayEquals(b, Files.readAllBytes(tb));
            }
        }
    }

    @Test
    void aClosedCopierRefusesWork() throws Exception {
        Path source = dir.resolve("src");
        Files.write(source, new byte[100]);
        BlobCopy copy = new BlobCopy();
        copy.copy(BlobSource.plain(source), dir.resolve("before"), Throttle.UNLIMITED);
        copy.close();
        assertThrows(java.io.IOException.class, () -> copy.copy(BlobSource.plain(source), dir.resolve("after"), Throttle.UNLIMITED));
        assertFalse(Files.exists(dir.resolve("after")));
    }
}
