package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed fsync of the write-ahead log: what its writers are told, and what a reopened log replays. */
class WalSyncFailureTest {
    private final AtomicBoolean failNextForce = new AtomicBoolean();
    private final WriteAheadLog.LogFiles failing =
            file -> new FailingForceChannel(WriteAheadLog.LogFiles.REAL.openForAppend(file), failNextForce);

    /**
     * The records a failed fsync cuts off leave their sequence numbers unused. Writing on in the same log
     * put record 12 right after record 10, which the reader takes for damage: acknowledged records after
     * the gap were cut as a torn tail, or the log refused to open.
     */
    @Test
    void everyRecordAcknowledgedAfterAFailedFsyncIsReplayed(@TempDir Path dir) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        WriteAheadLog wal = WriteAheadLog.open(dir, 0, (seq, payload) -> {}, failing);
        try {
            for (int i = 1; i <= 20; i++) {
                if (i == 11) failNextForce.set(true);
                String record = "record " + i;
                try {
                    write(wal, record);
                    acknowledged.add(record);
                } catch (IOException refused) {
                    // What the storage engine does with a log a failure took out of use: reopen it.
                    if (wal.isBroken()) {
                        wal.close();
                        wal = WriteAheadLog.open(dir, 0, (seq, payload) -> {}, failing);
                    }
                }
            }
        } finally {
            wal.close();
        }
        assertEquals(19, acknowledged.size(), "only the record whose fsync failed is refused: " + acknowledged);
        assertEquals(acknowledged, replay(dir));
    }

    /**
     * A roll forces the file it closes; when that fsync fails, the records appended since the last sync
     * must fail like a failed sync's, not be acknowledged by the next writer's fsync, which on Linux
     * reports a writeback error only once and then succeeds although the pages never reached the disk.
     */
    @Test
    void aRollWhoseFsyncFailsRefusesTheUnsyncedRecordsAndTakesTheLogOutOfUse(@TempDir Path dir) throws Exception {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, (seq, payload) -> {}, failing)) {
            for (int i = 1; i <= 5; i++) write(wal, "record " + i);
            long sixth = wal.append(bytes("record 6"));
            failNextForce.set(true);
            assertThrows(IOException.class, wal::roll);
            assertThrows(IOException.class, () -> wal.sync(sixth), "a record the failed fsync may have lost is never acknowledged");
            wal.applied(sixth);
            assertTrue(wal.isBroken());
            assertThrows(IOException.class, () -> wal.append(bytes("record 7")), "the log is out of use until reopened");
        }
        assertEquals(List.of("record 1", "record 2", "record 3", "record 4", "record 5"), replay(dir));
        try (WriteAheadLog reopened = WriteAheadLog.open(dir, 0, (seq, payload) -> {})) {
            assertEquals(6, write(reopened, "record 6 again"), "numbering goes on from the last synced record");
        }
        assertEquals(List.of("record 1", "record 2", "record 3", "record 4", "record 5", "record 6 again"), replay(dir));
    }

    private static long write(WriteAheadLog wal, String record) throws IOException {
        long seq = wal.append(bytes(record));
        try {
            wal.sync(seq);
        } finally {
            wal.applied(seq);
        }
        return seq;
    }

    private static List<String> replay(Path dir) throws IOException {
        List<String> replayed = new ArrayList<>();
        WriteAheadLog.open(dir, 0, (seq, payload) -> replayed.add(new String(payload, StandardCharsets.UTF_8))).close();
        return replayed;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
