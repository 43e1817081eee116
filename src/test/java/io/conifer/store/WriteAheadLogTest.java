package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {
    /**
     * Every searcher refresh asks for the checkpointable sequence (the LSN a read reports) while
     * writers mark their records applied without the append lock: the answer must never fail and
     * never pass a record that is not applied yet.
     */
    @Test
    void checkpointableIsSafeWhileWritersMarkRecordsApplied(@TempDir Path dir) throws Exception {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, (seq, payload) -> {})) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    while (!done.get()) wal.checkpointable();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 20_000 && failure.get() == null; i++) {
                            long seq = wal.append(new byte[] {1});
                            assertTrue(wal.checkpointable() < seq, "a record not yet applied was counted as applied");
                            wal.applied(seq);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : writers) t.join();
            done.set(true);
            reader.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertEquals(40_000, wal.checkpointable(), "every record applied");
        }
    }
}
