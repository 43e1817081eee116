package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every copy into a repository checks a Lucene file against the checksum in its own footer, so a damaged
 * index file fails its backup (and is named) instead of becoming a Ready backup that restores damage.
 */
class FooterCheckTest {
    @TempDir
    Path dir;

    /** A file as Lucene writes one: codec header, {@code bytes} of content, footer with the CRC32 of it all. */
    static Path luceneFile(Path dir, String name, int bytes, long seed) throws IOException {
        byte[] content = new byte[bytes];
        new Random(seed).nextBytes(content);
        try (Directory d = FSDirectory.open(dir); IndexOutput out = d.createOutput(name, IOContext.DEFAULT)) {
            CodecUtil.writeHeader(out, "ConiferTest", 0);
            out.writeBytes(content, content.length);
            CodecUtil.writeFooter(out);
        }
        return dir.resolve(name);
    }

    static void flipByte(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            ch.write(one, at);
        }
    }

    private static BackupRepository repository(String kind, Path root) throws IOException {
        return switch (kind) {
            case "local" -> new LocalBackupRepository(root, false);
            case "local-read-back" -> new LocalBackupRepository(root, true);
            case "encrypted" -> new EncryptingRepository(new LocalBackupRepository(root, false),
                    new BackupKeys(new BackupKey(new byte[32]), List.of()));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local", "local-read-back", "encrypted"})
    void aDamagedLuceneFileIsRefusedAndLeavesNothingStaged(String kind) throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        Path root = dir.resolve("repo");
        try (BackupRepository repo = repository(kind, root)) {
            // Intact: small (one chunk), large (several 2 MiB chunks, the last one short), and files whose
            // last 2 MiB chunk or 256 KiB encrypted frame holds only the last 4 bytes of the checksum.
            int overhead = CodecUtil.headerLength("ConiferTest") + CodecUtil.footerLength();
            for (Path f : List.of(luceneFile(files, "_0.si", 300, 1), luceneFile(files, "_0.vec", (5 << 20) + 123, 2),
                    luceneFile(files, "_0.vem", BlobCopy.CHUNK + 4 - overhead, 8),
                    luceneFile(files, "_0.vex", EncryptedBlobs.FRAME + 4 - overhead, 9))) {
                BackupRepository.StagedBlob staged = repo.stage(f, Throttle.UNLIMITED);
                repo.publish(staged);
                try (var in = repo.openBlob(staged.sha256())) {
                    assertArrayEquals(Files.readAllBytes(f), in.readAllBytes(), f.toString());
                }
            }
            int published = repo.blobs().size();

            Path damaged = luceneFile(files, "_1.vec", (5 << 20) + 123, 3);
            flipByte(damaged, Files.size(damaged) / 2);
            IOException e = assertThrows(IOException.class, () -> repo.stage(damaged, Throttle.UNLIMITED));
            assertTrue(e.getMessage().contains("Index file _1.vec is damaged") && e.getMessage().contains("Lucene footer"),
                    e.getMessage());
            assertEquals(published, repo.blobs().size());
            try (Stream<Path> left = Files.list(root.resolve("staging"))) {
                assertEquals(List.of(), left.toList(), "nothing left staged");
            }

            // Damage to the recorded checksum itself is caught the same way.
            Path badChecksum = luceneFile(files, "_2.si", 300, 4);
            flipByte(badChecksum, Files.size(badChecksum) - 1);
            e = assertThrows(IOException.class, () -> repo.stage(badChecksum, Throttle.UNLIMITED));
            assertTrue(e.getMessage().contains("Index file _2.si is damaged"), e.getMessage());
        }
    }

    /** Whatever pieces a file is read in, including ones that end inside the footer's checksum, only damage fails. */
    @Test
    void theCheckIsTheSameWhereverTheReadsSplitTheFile() throws Exception {
        Path intact = luceneFile(dir, "_0.tim", 1000, 7);
        Path damaged = Files.copy(intact, dir.resolve("_1.tim"));
        flipByte(damaged, 500);
        byte[] good = Files.readAllBytes(intact);
        byte[] bad = Files.readAllBytes(damaged);
        for (int split = good.length - 24; split <= good.length; split++) {
            checkInTwo(intact, good, split);
            int at = split;
            assertThrows(IOException.class, () -> checkInTwo(damaged, bad, at), "split at " + split);
            // As restores and verify read a blob: the footer is taken from the bytes themselves.
            assertTrue(streamedInTwo(good, split), "split at " + split);
            assertFalse(streamedInTwo(bad, split), "split at " + split);
        }
        byte[] notLucene = new byte[1000];
        new Random(13).nextBytes(notLucene);
        assertTrue(streamedInTwo(notLucene, 990), "bytes without a footer are not checked");
        try (FileChannel in = FileChannel.open(intact)) {
            FooterCheck byteByByte = FooterCheck.of(intact, in, good.length);
            for (byte b : good) byteByByte.update(new byte[] {b}, 0, 1);
            byteByByte.finish();
        }
    }

    private static boolean streamedInTwo(byte[] content, int split) {
        FooterCheck check = FooterCheck.streaming("_0.tim", content.length);
        check.update(content, 0, split);
        check.update(content, split, content.length - split);
        return check.matches();
    }

    private static void checkInTwo(Path file, byte[] content, int split) throws IOException {
        try (FileChannel in = FileChannel.open(file)) {
            FooterCheck check = FooterCheck.of(file, in, content.length);
            check.update(content, 0, split);
            check.update(content, split, content.length - split);
            check.finish();
        }
    }

    @Test
    void aFileWithoutALuceneFooterIsRefusedByTheBackupButCopiedAsIsByARepository() throws Exception {
        Path lucene = luceneFile(dir, "_0.cfs", 10_000, 5);
        long recorded;
        try (Directory d = FSDirectory.open(dir); IndexInput in = d.openInput("_0.cfs", IOContext.READONCE)) {
            recorded = CodecUtil.retrieveChecksum(in);
        }
        assertEquals(recorded, FooterCheck.requireFooter(lucene));

        byte[] random = new byte[10_000];
        new Random(6).nextBytes(random);
        Path plain = Files.write(dir.resolve("plain"), random);
        IOException e = assertThrows(IOException.class, () -> FooterCheck.requireFooter(plain));
        assertTrue(e.getMessage().contains("does not end with a Lucene footer"), e.getMessage());

        // A footer whose magic is damaged is no footer: the backup refuses the file rather than copy it unchecked.
        flipByte(lucene, Files.size(lucene) - CodecUtil.footerLength());
        assertThrows(IOException.class, () -> FooterCheck.requireFooter(lucene));

        // A repository copies any file; only files with a footer are checked.
        try (BackupRepository repo = new LocalBackupRepository(dir.resolve("repo"), false)) {
            BackupRepository.StagedBlob staged = repo.stage(plain, Throttle.UNLIMITED);
            repo.publish(staged);
            try (var in = repo.openBlob(staged.sha256())) {
                assertArrayEquals(random, in.readAllBytes());
            }
        }
    }

    @Test
    void aBackupOfAnIndexWithADamagedFileFailsAndNamesIt() throws Exception {
        Path data = dir.resolve("data");
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("dmg", 8, "euclidean"));
            StringBuilder b = new StringBuilder("{\"vectors\":[");
            for (int i = 0; i < 300; i++) {
                b.append(i == 0 ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[");
                for (int j = 0; j < 8; j++) b.append(j == 0 ? "" : ",").append((i * 31 + j * 7) % 101);
                b.append("]}");
            }
            assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
            String good = control.post("/indexes/dmg/backups", "{}").json().get("backup_id").asText();
            Backups.awaitStatus(control, good, "Ready");

            // The backup above wrote the segment to disk; damage its largest file in the index itself.
            Path victim;
            try (Stream<Path> files = Files.walk(data.resolve("indexes"))) {
                victim = files.filter(p -> p.getParent().getFileName().toString().equals("lucene"))
                        .filter(p -> !p.getFileName().toString().startsWith("segments") && !p.getFileName().toString().equals("write.lock"))
                        .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
            }
            flipByte(victim, Files.size(victim) / 2);
            // The first backup's copy is trusted by name, length and footer checksum, all unchanged:
            // the next backup reuses that intact blob. A fresh repository must read the file.
            BackupManifest.FileEntry entry = BackupManifest.fromJson(server.server().backups().repository().getManifest(good)
                    .orElseThrow()).files().stream().filter(f -> f.name().equals(victim.getFileName().toString())).findFirst()
                    .orElseThrow();
            assertEquals(FooterCheck.requireFooter(victim), entry.luceneChecksum());
            control.delete("/backups/" + good);
            awaitNoBlobs(server.server().backups().repository());

            String bad = control.post("/indexes/dmg/backups", "{}").json().get("backup_id").asText();
            JsonNode failed = Backups.awaitStatus(control, bad, "Failed");
            String reason = failed.get("failure_reason").asText();
            assertTrue(reason.contains("Index file " + victim.getFileName() + " is damaged"), reason);
            assertEquals(java.util.Set.of(), server.server().backups().repository().blobs(), "no blob of the failed backup is kept");
        }
    }

    private static void awaitNoBlobs(BackupRepository repo) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!repo.blobs().isEmpty()) {
            if (System.nanoTime() > deadline) throw new AssertionError("blobs were not collected: " + repo.blobs());
            Thread.sleep(20);
        }
    }
}
