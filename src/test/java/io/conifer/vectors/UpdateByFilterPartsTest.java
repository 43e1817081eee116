package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Update by filter reads and writes its matches a part at a time (at most 1000 records, or fewer once
 * they hold {@link io.conifer.store.MatchedParts#MAX_BYTES}): every match is updated whichever part it
 * falls in, and a record refused in the last part still refuses the whole update with nothing written.
 */
class UpdateByFilterPartsTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 2, Metric.COSINE, null);

    @TempDir
    Path dir;
    VectorStore store;

    @BeforeEach
    void open() throws Exception {
        store = VectorStore.open(dir, SPACE, StoreOptions.defaults());
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private void upsert(String ns, int from, int to, Map<String, Object> metadata) {
        for (int start = from; start < to; start += Limits.MAX_UPSERT_VECTORS) {
            List<VectorRecord> batch = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + Limits.MAX_UPSERT_VECTORS); i++) {
                batch.add(new VectorRecord(String.format("r-%05d", i), new float[] {1, i}, null, metadata));
            }
            store.upsert(ns, batch);
        }
    }

    private long matching(Map<String, Object> filter) {
        return store.stats(filter).result().matching();
    }

    @Test
    void everyMatchIsUpdatedInPartsEvenWhenTheUpdateStopsItMatching() {
        upsert("a", 0, 2500, Map.of("genre", "drama"));
        upsert("a", 2500, 2600, Map.of("genre", "comedy"));
        upsert("b", 0, 100, Map.of("genre", "drama"));
        long before = store.engine().appliedSeq();

        Written dry = store.updateByFilter("a", Map.of("genre", "drama"), null, true);
        assertEquals(2500, dry.count());
        assertEquals(before, store.engine().appliedSeq(), "a dry run writes nothing");

        // Each part is read from the view the update started from: records already moved to "seen" by
        // an earlier part no longer match, which must not shift or end the walk over the rest.
        Written w = store.updateByFilter("a", Map.of("genre", "drama"), Map.of("genre", "seen", "n", 7), false);
        assertEquals(2500, w.count());
        assertEquals(before + 3, w.requestLsn(), "logged as three parts of at most 1000 records");
        assertEquals(Map.of("b", 100L), store.stats(Map.of("genre", "drama")).result().namespaces(),
                "every match in namespace a was updated, none in b");
        assertEquals(2500, matching(Map.of("genre", "seen", "n", 7)));
        assertEquals(100, matching(Map.of("genre", "comedy")), "records the filter does not match are untouched");
        assertEquals(2.0f, store.fetch("a", List.of("r-00002")).result().get("r-00002").values()[1], "values are kept");

        Written none = store.updateByFilter("a", Map.of("genre", "drama"), Map.of("n", 8), false);
        assertEquals(0, none.count());
        assertEquals(w.requestLsn(), none.requestLsn(), "an update matching nothing answers the applied LSN");
    }

    @Test
    void aPartEndsOnceItHoldsItsBytes() {
        // 1000 records of ~20 KB of metadata: more than one part's bytes, so two parts, not one of 1000.
        upsert("", 0, 1000, Map.of("g", "x", "blob", "b".repeat(20_000)));
        long before = store.engine().appliedSeq();
        Written w = store.updateByFilter("", Map.of("g", "x"), Map.of("seen", true), false);
        assertEquals(1000, w.count());
        assertEquals(before + 2, w.requestLsn(), "two parts");
        assertEquals(1000, matching(Map.of("seen", true)), "every record of both parts was updated");
    }

    @Test
    void aRecordRefusedInTheLastPartRefusesTheWholeUpdate() {
        upsert("", 0, 2000, Map.of("g", "x"));
        // Upserted last, so read last: only this record grows past the 40 KB metadata limit.
        String nearLimit = "b".repeat(Metadata.MAX_BYTES - 100);
        store.upsert("", List.of(new VectorRecord("z-last", new float[] {1, 1}, null, Map.of("g", "x", "blob", nearLimit))));
        long before = store.engine().appliedSeq();

        ConiferException refused = assertThrows(ConiferException.class,
                () -> store.updateByFilter("", Map.of("g", "x"), Map.of("note", "n".repeat(200)), false));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertTrue(refused.getMessage().contains("z-last"), refused.getMessage());

        assertEquals(before, store.engine().appliedSeq(), "nothing was logged");
        assertEquals(0, matching(Map.of("note", Map.of("$exists", true))), "no record was changed");
        assertFalse(store.fetch("", List.of("r-00000")).result().get("r-00000").metadata().containsKey("note"));
        assertEquals(2001, store.updateByFilter("", Map.of("g", "x"), null, true).count());
    }
}
