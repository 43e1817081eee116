package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torn tail is cut silently; any other damage keeps the store closed, changes nothing, and is cut
 * only where the operator says ({@link WalRepair}).
 */
class WalCorruptionTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 3, Metric.COSINE, null);

    @TempDir
    Path dir;

    /** 100 acknowledged upserts, one log record each (sequences 1..100), then a crash. */
    private Path hundredRecordsThenCrash() throws IOException {
        VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults());
        for (int i = 0; i < 100; i++) {
            store.upsert("", List.of(new VectorRecord("v" + i, new float[] {1, i, 2}, null, null)));
        }
        store.abandon();
        List<Path> files = walFiles();
        assertEquals(1, files.size(), files.toString());
        return files.get(0);
    }

    private List<Path> walFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
            return s.sorted().toList();
        }
    }

    /** The byte offset of every record in a log file, from the length fields. */
    private static List<Long> recordOffsets(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Long> offsets = new ArrayList<>();
        while (b.hasRemaining()) {
            offsets.add((long) b.position());
            b.position(b.position() + WriteAheadLog.HEADER + b.getInt(b.position()));
        }
        return offsets;
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) (1 << bit);
        Files.write(file, bytes);
    }

    private static Map<String, byte[]> contents(Path walDir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(walDir)) {
            for (Path p : s.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name));
    }

    private long openAndCount() throws IOException {
        try (VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults())) {
            return store.stats(null).result().total();
        }
    }

    @Test
    void bitFlipInRecord10Of100RefusesToOpenUntilTheOperatorCutsThere() throws Exception {
        Path wal = hundredRecordsThenCrash();
        List<Long> offsets = recordOffsets(wal);
        long record10 = offsets.get(9);
        flipBit(wal, record10 + WriteAheadLog.HEADER + 5, 3);
        Map<String, byte[]> before = contents(dir.resolve("wal"));

        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> VectorStore.open(dir, SPACE, StoreOptions.defaults()));
        String m = e.getMessage();
        assertTrue(m.contains(wal.getFileName() + " has a record whose checksum does not match at byte " + record10
                + " (sequence 10); 90 valid records (sequence 11..100) follow it"), m);
        assertTrue(m.contains("--truncate-at " + wal.getFileName() + ":" + record10), m);
        assertEquals(wal, e.file());
        assertEquals(record10, e.offset());
        assertSameFiles(before, contents(dir.resolve("wal")));
        // Refusing released the index: a second attempt fails the same way, not on a held lock.
        assertThrows(WalCorruptionException.class, () -> VectorStore.open(dir, SPACE, StoreOptions.defaults()));

        WalRepair.Report report = WalRepair.inspect(dir);
        assertEquals(9, report.records());
        assertEquals(9, report.lastSeq());
        WalRepair.Damage damage = report.damage();
        assertEquals(wal.getFileName().toString(), damage.file());
        assertEquals(record10, damage.offset());
        assertFalse(damage.tornTail());
        assertEquals(90, damage.recordsAfter());
        assertEquals(Files.size(wal) - record10, damage.bytesAfter());

        // Only the reported point is accepted.
        IOException wrong = assertThrows(IOException.class,
                () -> WalRepair.truncateAt(dir, wal.getFileName().toString(), offsets.get(10)));
        assertTrue(wrong.getMessage().contains("The first damage is at " + wal.getFileName() + ":" + record10), wrong.getMessage());
        assertSameFiles(before, contents(dir.resolve("wal")));

        byte[] original = Files.readAllBytes(wal);
        List<Path> setAside = WalRepair.truncateAt(dir, wal.getFileName().toString(), record10);
        assertEquals(List.of(wal.resolveSibling(wal.getFileName() + ".at-" + record10 + ".cut")), setAside);
        assertArrayEquals(java.util.Arrays.copyOfRange(original, (int) record10, original.length), Files.readAllBytes(setAside.get(0)));
        assertEquals(record10, Files.size(wal));

        try (VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults())) {
            assertEquals(9, store.stats(null).result().total());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 100; i++) ids.add("v" + i);
            assertEquals(java.util.Set.of("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"),
                    store.fetch("", ids).result().keySet());
            store.upsert("", List.of(new VectorRecord("after", new float[] {1, 1, 1}, null, null)));
        }
        assertEquals(10, openAndCount());
        assertTrue(Files.exists(setAside.get(0)), "the cut bytes stay aside");
    }

    @Test
    void aDamagedLengthFieldIsCorruptionNotATornTail() throws Exception {
        Path wal = hundredRecordsThenCrash();
        long record10 = recordOffsets(wal).get(9);
        flipBit(wal, record10, 6); // the length's high byte: the record now seems to run past the end
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> VectorStore.open(dir, SPACE, StoreOptions.defaults()));
        assertTrue(e.getMessage().contains("runs past the end of the file at byte " + record10
                + " (sequence 10); 90 valid records (sequence 11..100) follow it"), e.getMessage());
    }

    @Test
    void tornTailIsCutSilentlyAndEveryAcknowledgedWriteSurvives() throws Exception {
        Path wal = hundredRecordsThenCrash();
        long size = Files.size(wal);
        // A crash mid-append: the header of record 101 and part of its payload.
        ByteBuffer partial = ByteBuffer.allocate(WriteAheadLog.HEADER + 20).putInt(200).putLong(101).putInt(12345);
        Files.write(wal, partial.array(), StandardOpenOption.APPEND);
        WalRepair.Report report = WalRepair.inspect(dir);
        assertTrue(report.damage().tornTail());
        assertEquals(size, report.damage().offset());
        assertEquals(100, report.records());

        assertEquals(100, openAndCount());
        assertNull(WalRepair.inspect(dir).damage());
        assertEquals(100, openAndCount());
    }

    @Test
    void damageInAnEarlierLogFileIsNeverSkipped() throws Exception {
        Path wal = hundredRecordsThenCrash();
        long record51 = recordOffsets(wal).get(50);
        long record50 = recordOffsets(wal).get(49);
        splitAt(wal, record51, 51);
        flipBit(wal, record50 + WriteAheadLog.HEADER + 2, 0); // the last record of the earlier file
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> VectorStore.open(dir, SPACE, StoreOptions.defaults()));
        assertTrue(e.getMessage().contains("at byte " + record50 + " (sequence 50); 50 valid records (sequence 51..100)"
                + " follow it, in this and 1 later file"), e.getMessage());

        List<Path> setAside = WalRepair.truncateAt(dir, wal.getFileName().toString(), record50);
        assertEquals(2, setAside.size(), setAside.toString());
        assertEquals(49, openAndCount());
    }

    @Test
    void aMissingLogFileIsCorruption() throws Exception {
        Path wal = hundredRecordsThenCrash();
        splitAt(wal, recordOffsets(wal).get(50), 51);
        Files.delete(wal);
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> VectorStore.open(dir, SPACE, StoreOptions.defaults()));
        assertTrue(e.getMessage().contains("records 1..50 are missing (no log file holds them) at byte 0 (sequence 1); 50 valid"
                + " records (sequence 51..100) follow it"), e.getMessage());
        assertFalse(WalRepair.inspect(dir).damage().tornTail());

        Path later = wal.resolveSibling(String.format("wal-%020d.log", 51));
        assertEquals(List.of(later.resolveSibling(later.getFileName() + ".at-0.cut")),
                WalRepair.truncateAt(dir, later.getFileName().toString(), 0));
        assertEquals(0, openAndCount());
    }

    @Test
    void repairRefusesWhileTheIndexIsOpen() throws Exception {
        try (VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults())) {
            IOException e = assertThrows(IOException.class, () -> WalRepair.inspect(dir));
            assertTrue(e.getMessage().contains("stop the server first"), e.getMessage());
        }
    }

    /** Moves the records from {@code offset} on into a file of their own, as a log roll would have. */
    private static void splitAt(Path wal, long offset, long firstSeq) throws IOException {
        byte[] bytes = Files.readAllBytes(wal);
        Files.write(wal.resolveSibling(String.format("wal-%020d.log", firstSeq)),
                java.util.Arrays.copyOfRange(bytes, (int) offset, bytes.length));
        Files.write(wal, java.util.Arrays.copyOf(bytes, (int) offset));
    }
}
