package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Update by filter holds one part of its matches in memory, not all of them: in a child JVM whose heap
 * is smaller than the matched records' values, an update matching every record and a dry run both
 * succeed. Holding every match (as it once did, dry run included) dies of OutOfMemoryError there.
 */
class UpdateByFilterMemoryTest {
    /** 60,000 x 512 floats: 123 MB of values, against a 96 MB heap. */
    static final int RECORDS = 60_000;
    static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 512, Metric.COSINE, null);
    /** A small indexing buffer and no settle merge, so Lucene's own memory stays well inside the small heap. */
    static final StoreOptions OPTIONS = new StoreOptions(16, 2048, 100, 1L << 30, 60_000, 1_000, 600_000, false);
    private static final String HEAP = "-Xmx96m";

    @Test
    void updateByFilterAndADryRunFitInAHeapSmallerThanTheirMatches(@TempDir Path dir) throws Exception {
        Path index = dir.resolve("index");
        // Built here, with a buffer that holds every record: one segment, no merges.
        try (VectorStore store = VectorStore.open(index, SPACE, new StoreOptions(512, 2048, 100, 1L << 30, 60_000, 1_000, 600_000, false))) {
            for (int from = 0; from < RECORDS; from += Limits.MAX_UPSERT_VECTORS) {
                List<VectorRecord> batch = new ArrayList<>(Limits.MAX_UPSERT_VECTORS);
                for (int i = from; i < from + Limits.MAX_UPSERT_VECTORS; i++) {
                    batch.add(new VectorRecord("r-" + i, values(i), null, Map.of("g", "x", "i", i)));
                }
                store.upsert("", batch);
            }
        }

        Path out = dir.resolve("child.log");
        Process child = new ProcessBuilder(childCommand(index)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("the child did not finish: " + Files.readString(out));
        }
        String log = Files.readString(out);
        assertEquals(0, child.exitValue(), log);
        assertTrue(log.contains("dry run matched " + RECORDS + "\n"), log);
        assertTrue(log.contains("update matched " + RECORDS + "\n"), log);

        try (VectorStore store = VectorStore.open(index, SPACE, OPTIONS)) {
            assertEquals(RECORDS, store.stats(Map.of("seen", true)).result().matching(), "every record was updated");
            for (int i : new int[] {0, RECORDS / 2, RECORDS - 1}) {
                VectorRecord r = store.fetch("", List.of("r-" + i)).result().get("r-" + i);
                assertEquals(Map.of("g", "x", "i", (double) i, "seen", true), r.metadata());
                assertArrayEquals(values(i), r.values(), "values are kept");
            }
        }
    }

    /**
     * Values made again when reading back. Only 101 distinct vectors: HNSW inserts them about ten times
     * faster than random ones, which keeps building the index and updating every record well inside the
     * test's time (60,000 random vectors of 512 dimensions take about a minute of CPU to index, twice).
     */
    static float[] values(int i) {
        float[] v = new float[SPACE.dimension()];
        for (int j = 0; j < v.length; j++) v[j] = ((i * 31 + j * 17) % 101) / 101f - 0.5f;
        return v;
    }

    /** The JVM flags of the {@code conifer} launcher but a small heap; an OutOfMemoryError anywhere ends it (exit 3). */
    private static List<String> childCommand(Path index) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, HEAP, "-XX:+ExitOnOutOfMemoryError", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                index.toString());
    }

    /** The child JVM: a dry run, then an update, each matching every record. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (VectorStore store = VectorStore.open(Path.of(args[0]), SPACE, OPTIONS)) {
                System.out.print("dry run matched " + store.updateByFilter("", Map.of("g", "x"), null, true).count() + "\n");
                System.out.print("update matched " + store.updateByFilter("", Map.of("g", "x"), Map.of("seen", true), false).count() + "\n");
            }
        }
    }
}
