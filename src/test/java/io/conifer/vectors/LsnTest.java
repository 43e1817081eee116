package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read's max-indexed LSN never claims a write its searcher does not see, while writers and readers
 * race: every write whose request LSN is at or below a read's LSN must be in what that read found.
 */
class LsnTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 2, Metric.COSINE, null);

    record Seen(long lsn, long records) {}

    @Test
    void aReadsLsnCoversOnlyWritesItSees(@TempDir Path dir) throws Exception {
        int writers = 2;
        int perWriter = 150;
        try (VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults())) {
            ConcurrentLinkedQueue<Long> written = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        VectorRecord r = new VectorRecord(writer + "-" + i, new float[] {1, i}, null, null);
                        written.add(store.upsert("", List.of(r)).requestLsn());
                    }
                }));
            }
            Thread reader = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    Read<IndexStats> r = store.stats(null);
                    seen.add(new Seen(r.maxIndexedLsn(), r.result().total()));
                }
            });
            for (Thread t : threads) t.join();
            done.set(true);
            reader.join();

            assertEquals(writers * perWriter, written.size());
            assertTrue(seen.size() > 1, "the reader ran alongside the writers");
            for (Seen s : seen) {
                long covered = written.stream().filter(lsn -> lsn <= s.lsn()).count();
                assertTrue(s.records() >= covered, "a read at LSN " + s.lsn() + " saw " + s.records()
                        + " records, but " + covered + " writes at or below it were acknowledged");
            }
            Read<IndexStats> last = store.stats(null);
            assertEquals(writers * perWriter, last.result().total());
            assertEquals(written.stream().mapToLong(Long::longValue).max().orElseThrow(), last.maxIndexedLsn(),
                    "once writes stop, reads cover the last one");
        }
    }
}
