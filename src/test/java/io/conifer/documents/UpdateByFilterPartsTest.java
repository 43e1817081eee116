package io.conifer.documents;

import static io.conifer.documents.DocumentStoreTest.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.vectors.Metadata;
import io.conifer.vectors.Written;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Update (and delete) by filter of documents reads, patches and logs its matches a part at a time (at most 1000
 * documents, or fewer once their sources hold {@link io.conifer.store.MatchedParts#MAX_BYTES}): every
 * match is patched whichever part it falls in, and a document refused in the last part still refuses
 * the whole update with nothing written.
 */
class UpdateByFilterPartsTest {
    @TempDir
    Path dir;
    DurableDocumentStore store;

    @BeforeEach
    void open() throws Exception {
        store = DocumentStoreTest.open(dir);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private void upsert(int from, int to, Object... metadata) {
        for (int start = from; start < to; start += 1000) {
            List<DocumentRecord> batch = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + 1000); i++) {
                batch.add(doc(String.format("d-%05d", i), "Title " + i, null, null, null, metadata));
            }
            store.upsert("a", batch);
        }
    }

    private long matching(Map<String, Object> filter) {
        return store.stats(filter).result().matching();
    }

    @Test
    void everyMatchIsPatchedInPartsEvenWhenThePatchStopsItMatching() {
        upsert(0, 2500, "genre", "news", "year", 2020);
        upsert(2500, 2600, "genre", "blog");
        long before = store.engine().appliedSeq();

        Written w = store.updateByFilter("a", Map.of("genre", "news"), Map.of("genre", "seen"), Set.of("year"));
        assertEquals(2500, w.count());
        assertEquals(before + 3, w.requestLsn(), "logged as three parts of at most 1000 documents");
        assertEquals(0, matching(Map.of("genre", "news")), "every match was patched");
        assertEquals(2500, matching(Map.of("genre", "seen")));
        assertEquals(100, matching(Map.of("genre", "blog")), "documents the filter does not match are untouched");
        DocumentRecord last = store.fetch("a", List.of("d-02499")).result().get("d-02499");
        assertEquals(Map.of("title", "Title 2499", "genre", "seen"), last.fields());
    }

    @Test
    void deleteByFilterDeletesEveryMatchAPartAtATime() {
        upsert(0, 2500, "genre", "news");
        upsert(2500, 2600, "genre", "blog");
        long before = store.engine().appliedSeq();

        Written w = store.deleteByFilter("a", Map.of("genre", "news"));
        assertEquals(2500, w.count());
        assertEquals(before + 3, w.requestLsn(), "logged as three parts of at most 1000 ids");
        assertEquals(0, matching(Map.of("genre", "news")), "every match was deleted");
        assertEquals(100, store.stats(null).result().total(), "documents the filter does not match stay");
        assertEquals(Set.of("d-02500"), store.fetch("a", List.of("d-00000", "d-02499", "d-02500")).result().keySet());

        Written none = store.deleteByFilter("a", Map.of("genre", "news"));
        assertEquals(0, none.count());
        assertEquals(before + 3, none.requestLsn(), "nothing matched, nothing logged: the LSN already applied");
    }

    @Test
    void aPartEndsOnceItHoldsItsBytes() {
        // 1000 documents of ~20 KB: more than one part's bytes, so two parts, not one of 1000.
        upsert(0, 1000, "genre", "news", "blob", "b".repeat(20_000));
        long before = store.engine().appliedSeq();
        Written w = store.updateByFilter("a", Map.of("genre", "news"), Map.of("seen", true), null);
        assertEquals(1000, w.count());
        assertEquals(before + 2, w.requestLsn(), "two parts");
        assertEquals(1000, matching(Map.of("seen", true)), "every document of both parts was patched");
    }

    @Test
    void aDocumentRefusedInTheLastPartRefusesTheWholeUpdate() {
        upsert(0, 2000, "genre", "news");
        // Upserted last, so read last: only this document's metadata grows past the 40 KB limit.
        store.upsert("a", List.of(doc("z-last", "Last", null, null, null, "genre", "news", "blob", "b".repeat(Metadata.MAX_BYTES - 100))));
        long before = store.engine().appliedSeq();

        ConiferException refused = assertThrows(ConiferException.class,
                () -> store.updateByFilter("a", Map.of("genre", "news"), Map.of("note", "n".repeat(200)), null));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertTrue(refused.getMessage().contains("z-last"), refused.getMessage());

        assertEquals(before, store.engine().appliedSeq(), "nothing was logged");
        assertEquals(0, matching(Map.of("note", Map.of("$exists", true))), "no document was changed");
        assertFalse(store.fetch("a", List.of("d-00000")).result().get("d-00000").fields().containsKey("note"));
    }
}
