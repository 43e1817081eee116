package io.conifer.documents;

import static io.conifer.documents.DocumentStoreTest.corpus;
import static io.conifer.documents.DocumentStoreTest.ids;
import static io.conifer.documents.DocumentStoreTest.word;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every acknowledged document write survives a crash: the store is abandoned without a final
 * checkpoint (its writer rolled back, as {@code kill -9} leaves it) and reopened from the last commit
 * plus the write-ahead log.
 */
class DocumentDurabilityTest {
    @Test
    void acknowledgedDocumentWritesSurviveACrash(@TempDir Path dir) throws Exception {
        DurableDocumentStore store = DocumentStoreTest.open(dir);
        corpus(store);
        store.checkpoint(); // the corpus is committed; what follows is only in the log
        store.update("a", "d1", Map.of("body", "a cat now"), Set.of("emb"));
        store.updateByFilter("a", Map.of("genre", "blog"), Map.of("genre", "news"), null);
        store.deleteIds("a", List.of("d4"));
        store.deleteByFilter("a", Map.of("year", 2021.0));
        store.upsert("c", List.of(DocumentStoreTest.doc("c1", "New", "fresh fox", null, null)));
        store.deleteAll("b");
        store.abandon();

        try (DurableDocumentStore again = DocumentStoreTest.open(dir)) {
            assertEquals(Map.of("a", 2L, "c", 1L), again.stats(null).result().namespaces());
            assertEquals(List.of("d1", "d3"), again.list("a", null, 10, null).result().ids());
            Map<String, Object> d1 = again.fetch("a", List.of("d1")).result().get("d1").fields();
            assertEquals("a cat now", d1.get("body"));
            assertEquals(false, d1.containsKey("emb"));
            assertEquals(2L, again.stats(Map.of("genre", "news")).result().matching(), "d3 became news");
            assertEquals(List.of("d1"), ids(again.search("a", new DocumentSearch(new DocumentSearch.Lexical(word("body", "cat")), null, 5))
                    .result()), "replayed text is analysed and searchable");
            assertEquals(List.of("d3"), ids(again.search("a", new DocumentSearch(new DocumentSearch.Dense("emb", new float[] {1, 0}),
                    null, 5)).result()), "the removed vector stays removed");
            assertEquals(List.of("c1"), ids(again.search("c", new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 5))
                    .result()));
        }
    }
}
