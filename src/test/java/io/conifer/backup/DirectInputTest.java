package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs read back from the device, past the page cache: exact bytes at every length, in any read size. */
class DirectInputTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryLengthExactlyInWholeAndSmallReads() throws Exception {
        int align = DirectCopy.blockAlignment(dir);
        int chunk = DirectCopy.CHUNK;
        Random random = new Random(5);
        for (int size : new int[] {0, 1, 4095, 4096, 4097, chunk - 1, chunk, chunk + 1, 3 * chunk + 12_345}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            Path file = Files.write(dir.resolve("blob-" + size), data);
            try (InputStream in = DirectInput.open(file, align)) {
                assertArrayEquals(data, in.readAllBytes(), "whole read of " + size + " bytes");
                assertEquals(-1, in.read(), "nothing after the end");
            }
            try (InputStream in = DirectInput.open(file, align)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] small = new byte[1000];
                for (int n; (n = in.read(small, 0, small.length)) >= 0; ) out.write(small, 0, n);
                assertArrayEquals(data, out.toByteArray(), "small reads of " + size + " bytes");
            }
        }
    }

    /** A local repository's blob is open with O_DIRECT (Linux's fdinfo flags, octal 040000) where the file system allows it. */
    @Test
    void aBlobIsReadPastThePageCache() throws Exception {
        assumeTrue(DirectCopy.blockAlignment(dir) > 0 && Files.isDirectory(Path.of("/proc/self/fdinfo")),
                "direct I/O is not available here");
        Path source = Files.write(dir.resolve("source"), new byte[10_000]);
        try (LocalBackupRepository repo = new LocalBackupRepository(dir.resolve("repo"))) {
            BackupRepository.StagedBlob staged = repo.stage(source, Throttle.UNLIMITED);
            repo.publish(staged);
            Path file = Path.of(repo.describe(staged.sha256()));
            try (InputStream in = repo.openBlob(staged.sha256())) {
                assertEquals(10_000, in.readAllBytes().length);
                List<Long> flags = openFlags(file);
                assertEquals(1, flags.size(), "the blob is open once");
                assertTrue((flags.get(0) & 040000) != 0, "opened with O_DIRECT, flags " + Long.toOctalString(flags.get(0)));
            }
        }
    }

    /** The {@code flags} of every descriptor this process has open on {@code file}. */
    private static List<Long> openFlags(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false;
                }
            }).map(fd -> {
                try {
                    String flags = Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString())).stream()
                            .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                    return Long.parseLong(flags.substring("flags:".length()).trim(), 8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
