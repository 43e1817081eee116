package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay after a crash ends in the acknowledged state, and a checkpoint falls due by the replay work
 * the log has accumulated, not only by its size.
 */
class ReplayTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 8, Metric.COSINE, null);
    private static final long NO_SIZE_BOUND = Long.MAX_VALUE;

    @TempDir
    Path dir;

    private static void upsert(VectorStore store, int i) {
        store.upsert("", List.of(new VectorRecord("v" + i, new float[] {1, i, 2, 3, 4, 5, 6, i % 7}, null, null)));
    }

    /** Every record of every namespace, rendered so two states compare as strings. */
    private static String state(VectorStore store, List<String> namespaces, List<String> ids) {
        Map<String, String> out = new TreeMap<>();
        for (String ns : namespaces) {
            store.fetch(ns, ids).result().forEach((id, r) -> out.put(ns + "/" + id, java.util.Arrays.toString(r.values()) + r.metadata()));
        }
        return out.toString();
    }

    @Test
    void replayKeepsEachRecordsWritesInLogOrder() throws Exception {
        List<String> namespaces = List.of("a", "b", "c");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) ids.add("x" + i);
        Random r = new Random(11);
        VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults());
        for (int op = 0; op < 1_500; op++) {
            String ns = namespaces.get(r.nextInt(namespaces.size()));
            int kind = r.nextInt(100);
            if (kind < 75) {
                List<VectorRecord> batch = new ArrayList<>();
                for (int n = 1 + r.nextInt(8); n > 0; n--) {
                    batch.add(new VectorRecord(ids.get(r.nextInt(ids.size())), new float[] {1, op, n, 0, 0, 0, 0, 1}, null,
                            Map.of("k", (double) (op % 5))));
                }
                store.upsert(ns, batch);
            } else if (kind < 92) {
                store.deleteIds(ns, List.of(ids.get(r.nextInt(ids.size())), ids.get(r.nextInt(ids.size()))));
            } else if (kind < 98) {
                store.deleteByFilter(ns, Map.of("k", Map.of("$eq", (double) r.nextInt(5))));
            } else {
                store.deleteNamespace(ns);
            }
        }
        String acknowledged = state(store, namespaces, ids);
        store.abandon();
        try (VectorStore again = VectorStore.open(dir, SPACE, StoreOptions.defaults())) {
            assertEquals(acknowledged, state(again, namespaces, ids));
        }
    }

    @Test
    void checkpointFallsDueOnceReplayWouldTakeLongerThanTheBound() throws Exception {
        StoreOptions options = new StoreOptions(64, 2048, 100, NO_SIZE_BOUND, 1);
        try (VectorStore store = VectorStore.open(dir, SPACE, options)) {
            int writes = 0;
            while (!store.engine().checkpointDue() && writes < 100_000) upsert(store, writes++);
            assertTrue(store.engine().checkpointDue(), "1 ms of apply work was reached within " + writes + " writes");
            store.checkpoint();
            assertFalse(store.engine().checkpointDue(), "the checkpoint covers the work");
        }
    }

    @Test
    void withoutTheBoundOnlyTheLogSizeCounts() throws Exception {
        StoreOptions options = new StoreOptions(64, 2048, 100, NO_SIZE_BOUND, 1).withMaxReplayMillis(0);
        try (VectorStore store = VectorStore.open(dir, SPACE, options)) {
            for (int i = 0; i < 300; i++) upsert(store, i);
            assertFalse(store.engine().checkpointDue());
        }
    }
}
