package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metadata key is indexed as one Lucene term, which Lucene refuses over 32766 bytes, and only while
 * applying, after the write is logged: so keys are held to that ({@link Metadata#MAX_KEY_BYTES}) before.
 * A 33,000-byte key (its metadata under 40 KB) once failed its batch halfway, after logging it.
 */
class LongMetadataKeyTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 4, Metric.COSINE, null);

    @Test
    void keysAreHeldToLucenesTermLimitInUtf8Bytes() {
        assertEquals(32766, Metadata.MAX_KEY_BYTES);
        assertEquals(Map.of("k".repeat(32766), "v"), Metadata.normalise(Map.of("k".repeat(32766), "v"), "r"));
        assertEquals(16383, Metadata.normalise(Map.of("é".repeat(16383), true), "r").keySet().iterator().next().length(),
                "16383 two-byte characters are 32766 bytes");
        for (String key : new String[] {"k".repeat(32767), "é".repeat(16384), "k".repeat(33_000)}) {
            ConiferException e = assertThrows(ConiferException.class, () -> Metadata.normalise(Map.of(key, "v"), "r-1"));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("metadata keys may be at most 32766 bytes") && e.getMessage().contains("r-1"),
                    e.getMessage());
        }
    }

    @Test
    void aBatchWithAnImmenseKeyIsRefusedWholeBeforeItIsLoggedAndTheIndexReopens(@TempDir Path dir) throws Exception {
        VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults());
        store.upsert("", List.of(new VectorRecord("acked", new float[] {1, 2, 3, 4}, null, null)));
        long before = store.engine().appliedSeq();
        VectorRecord good = new VectorRecord("first", new float[] {1, 1, 1, 1}, null, null);
        VectorRecord bad = new VectorRecord("second", new float[] {1, 1, 1, 1}, null, Map.of("k".repeat(33_000), "v"));
        ConiferException refused = assertThrows(ConiferException.class, () -> store.upsert("", List.of(good, bad)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code(), refused.getMessage());
        assertEquals(before, store.engine().appliedSeq(), "nothing was logged");
        assertEquals(List.of("acked"), List.copyOf(store.fetch("", List.of("acked", "first", "second")).result().keySet()),
                "no record of the refused batch was applied");

        // A key of exactly Lucene's limit is stored and found.
        store.upsert("", List.of(new VectorRecord("longest", new float[] {1, 1, 1, 1}, null, Map.of("k".repeat(32766), "v"))));
        assertEquals(1, store.stats(Map.of("k".repeat(32766), Map.of("$exists", true))).result().matching());

        store.abandon(); // as kill -9 before the next checkpoint
        try (VectorStore again = VectorStore.open(dir, SPACE, StoreOptions.defaults())) {
            assertEquals(List.of("acked", "longest"),
                    List.copyOf(again.fetch("", List.of("acked", "first", "second", "longest")).result().keySet()));
        }
    }
}
