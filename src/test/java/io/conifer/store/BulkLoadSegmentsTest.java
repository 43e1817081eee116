package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bulk load makes no more segments than it must: every small segment is one that merges fold in
 * again, rebuilding HNSW graphs. Maintenance does not flush the writer while writes flow.
 */
class BulkLoadSegmentsTest {
    private static final int DIM = 16;
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, DIM, Metric.COSINE, null);
    /** Never settles within a test, so only writes, refreshes and checkpoints make segments. */
    private static final StoreOptions UNSETTLED = StoreOptions.defaults().withSettleDelayMillis(3_600_000);

    private static List<VectorRecord> records(String prefix, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<VectorRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) v[d] = (float) random.nextGaussian();
            out.add(new VectorRecord(prefix + i, v, null, null));
        }
        return out;
    }

    /** The segments written to disk so far, committed or not (a flush writes each one's .si file). */
    private static Set<String> segmentsOnDisk(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("lucene"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".si")).collect(Collectors.toSet());
        }
    }

    @Test
    void maintenanceWhileWritesFlowFlushesNoSegmentAndAFetchStillSeesTheWrites(@TempDir Path dir) throws Exception {
        try (VectorStore store = VectorStore.open(dir, SPACE, UNSETTLED)) {
            store.upsert("", records("a", 50, 1));
            store.checkpoint();
            Set<String> before = segmentsOnDisk(dir);

            store.upsert("", records("b", 50, 2));
            store.maintain(false);
            assertEquals(before, segmentsOnDisk(dir), "maintenance flushed the writes being loaded into a segment");

            assertEquals(Set.of("b0", "b49"), store.fetch("", List.of("b0", "b49")).result().keySet(),
                    "a fetch sees every acknowledged write");
        }
    }
}
