package io.conifer.documents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.Metric;
import io.conifer.vectors.SparseVector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Documents over the storage engine, on a real Lucene index on disk. */
class DocumentStoreTest {
    static final IndexSchema SCHEMA = new IndexSchema(Map.of(
            "title", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", false, false, null)),
            "body", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", false, false, null)),
            "emb", new SchemaField.DenseVector(2, Metric.COSINE, null),
            "sp", new SchemaField.SparseVector(null)));

    @TempDir
    Path dir;
    DurableDocumentStore store;

    @BeforeEach
    void open() throws Exception {
        store = open(dir);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    static DurableDocumentStore open(Path dir) throws Exception {
        return DurableDocumentStore.open(dir, SCHEMA, StoreOptions.defaults());
    }

    static DocumentRecord doc(String id, String title, String body, float[] emb, SparseVector sp, Object... metadata) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (title != null) fields.put("title", title);
        if (body != null) fields.put("body", body);
        if (emb != null) fields.put("emb", emb);
        if (sp != null) fields.put("sp", sp);
        for (int i = 0; i < metadata.length; i += 2) fields.put((String) metadata[i], metadata[i + 1]);
        return new DocumentRecord(id, fields);
    }

    static SparseVector sparse(int[] indices, float[] values) {
        return new SparseVector(indices, values);
    }

    /** Three news and one blog document in namespace "a", one in "b". */
    static void corpus(DocumentStore store) {
        store.upsert("a", List.of(
                doc("d1", "Quick brown fox", "The fox jumps over the lazy dog", new float[] {1, 0},
                        sparse(new int[] {1, 5}, new float[] {1f, 2f}), "genre", "news", "year", 2020),
                doc("d2", "Lazy dogs", "Dogs sleep all day long", new float[] {0, 1},
                        sparse(new int[] {5}, new float[] {3f}), "genre", "news", "year", 2021),
                doc("d3", "Foxes everywhere", "A fox, another fox and a third fox", new float[] {1, 1},
                        sparse(new int[] {7}, new float[] {1f}), "genre", "blog", "tags", List.of("animals")),
                doc("d4", "Weather", "Rain tomorrow", new float[] {-1, 0}, null, "genre", "news")));
        store.upsert("b", List.of(doc("d1", "Fox in b", "fox fox fox", new float[] {1, 0}, null)));
    }

    static Query word(String field, String term) {
        return new TermQuery(new Term(DocumentFields.text(field), term));
    }

    static List<String> ids(List<ScoredDocument> hits) {
        return hits.stream().map(h -> h.document().id()).toList();
    }

    @Test
    void upsertedDocumentsReadBackAsWrittenAndAreListedAndCounted() {
        corpus(store);
        Map<String, DocumentRecord> fetched = store.fetch("a", List.of("d3", "missing", "d1")).result();
        assertEquals(List.of("d3", "d1"), List.copyOf(fetched.keySet()), "request order, missing ids omitted");
        DocumentRecord d1 = fetched.get("d1");
        assertEquals("Quick brown fox", d1.fields().get("title"));
        assertArrayEquals(new float[] {1, 0}, (float[]) d1.fields().get("emb"));
        assertEquals(sparse(new int[] {1, 5}, new float[] {1f, 2f}), d1.fields().get("sp"));
        assertEquals(2020.0, d1.fields().get("year"), "metadata numbers read back as doubles");
        assertEquals(List.of("animals"), fetched.get("d3").fields().get("tags"));
        assertEquals("Fox in b", store.fetch("b", List.of("d1")).result().get("d1").fields().get("title"), "namespaces are apart");

        assertEquals(List.of("d1", "d2", "d3", "d4"), store.list("a", null, 10, null).result().ids());
        assertEquals(List.of("d3", "d4"), store.list("a", null, 10, "d2").result().ids());
        assertEquals(Map.of("a", 4L, "b", 1L), store.stats(null).result().namespaces());
        assertEquals(3L, store.stats(Map.of("genre", "news")).result().matching());
        assertEquals(Set.of("a", "b"), store.namespaces().result().keySet());
    }

    @Test
    void aFieldNameOverTheMetadataKeyLimitIsRefusedWithNothingWritten() {
        long before = store.engine().appliedSeq();
        String name = "k".repeat(33_000); // not in the schema, so a metadata key: one Lucene term, refused over 32766 bytes
        ConiferException e = assertThrows(ConiferException.class, () -> store.upsert("a",
                List.of(doc("ok", "Fine", null, null, null), doc("bad", "Huge key", null, null, null, name, "v"))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("at most 32766 bytes"), e.getMessage());
        assertEquals(before, store.engine().appliedSeq(), "nothing was logged");
        assertTrue(store.fetch("a", List.of("ok", "bad")).result().isEmpty(), "no document of the batch was written");
    }

    @Test
    void fetchByFilterPagesInIdOrder() {
        corpus(store);
        DocumentStore.DocumentPage first = store.fetchByFilter("a", Map.of("genre", "news"), 2, null).result();
        assertEquals(List.of("d1", "d2"), first.documents().stream().map(DocumentRecord::id).toList());
        assertTrue(first.more());
        DocumentStore.DocumentPage second = store.fetchByFilter("a", Map.of("genre", "news"), 2, "d2").result();
        assertEquals(List.of("d4"), second.documents().stream().map(DocumentRecord::id).toList());
        assertEquals(false, second.more());
    }

    @Test
    void updateByIdSetsAndRemovesFieldsAndReindexesThem() {
        corpus(store);
        assertEquals(1, store.update("a", "d1", Map.of("genre", "blog", "body", "nothing about animals"), Set.of("sp")).count());
        DocumentRecord d1 = store.fetch("a", List.of("d1")).result().get("d1");
        assertEquals("blog", d1.fields().get("genre"));
        assertNull(d1.fields().get("sp"), "removed");
        assertEquals("Quick brown fox", d1.fields().get("title"), "untouched fields stay");
        assertEquals(List.of("d3"), ids(store.search("a", new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 10))
                .result()), "the old body is no longer indexed");
        assertEquals(List.of("d1"), ids(store.search("a", new DocumentSearch(new DocumentSearch.Lexical(word("body", "animals")), null, 10))
                .result()));
        assertEquals(List.of("d2"), ids(store.search("a", new DocumentSearch(new DocumentSearch.Sparse("sp",
                sparse(new int[] {5}, new float[] {1f})), null, 10)).result()), "the removed sparse vector is no longer indexed");
        assertEquals(2L, store.stats(Map.of("genre", "blog")).result().matching());

        assertEquals(0, store.update("a", "nope", Map.of("genre", "x"), null).count(), "a missing id matches nothing");
        assertEquals(4L, store.stats(null).result().namespaces().get("a"), "and creates nothing");
    }

    @Test
    void updateAndDeleteByFilterCountWhatTheyMatch() {
        corpus(store);
        assertEquals(3, store.updateByFilter("a", Map.of("genre", "news"), Map.of("checked", true), Set.of("year")).count());
        assertEquals(3L, store.stats(Map.of("checked", true)).result().matching());
        assertNull(store.fetch("a", List.of("d2")).result().get("d2").fields().get("year"));
        assertEquals(0L, store.stats(Map.of("checked", true)).result().namespaces().getOrDefault("b", 0L));

        assertEquals(3, store.deleteByFilter("a", Map.of("genre", Map.of("$in", List.of("news")), "checked", true)).count());
        assertEquals(List.of("d3"), store.list("a", null, 10, null).result().ids());
        assertEquals(List.of(), ids(store.search("a", new DocumentSearch(new DocumentSearch.Lexical(word("body", "dogs")), null, 10))
                .result()), "deleted documents are not found");

        store.upsert("a", List.of(doc("d5", "Five", null, null, null)));
        assertEquals(1, store.deleteIds("a", List.of("d3")).count());
        assertEquals(List.of("d5"), store.list("a", null, 10, null).result().ids());
        assertEquals(1, store.deleteAll("a").count());
        assertEquals(List.of(), store.list("a", null, 10, null).result().ids());
        assertEquals(List.of("d1"), store.list("b", null, 10, null).result().ids(), "other namespaces untouched");
    }

    @Test
    void searchesScoreByDenseSparseOrTextWithinNamespaceAndFilter() {
        corpus(store);
        List<ScoredDocument> dense = store.search("a", new DocumentSearch(new DocumentSearch.Dense("emb", new float[] {1, 0}), null, 2))
                .result();
        assertEquals(List.of("d1", "d3"), ids(dense));
        assertEquals(1.0f, dense.get(0).score(), 1e-6, "cosine similarity");
        assertEquals((float) Math.sqrt(0.5), dense.get(1).score(), 1e-6);
        assertEquals(List.of("d3"), ids(store.search("a", new DocumentSearch(new DocumentSearch.Dense("emb", new float[] {1, 0}),
                DocumentFilters.toQuery(SCHEMA, Map.of("genre", "blog"), true), 5)).result()), "filtered");

        List<ScoredDocument> sp = store.search("a", new DocumentSearch(new DocumentSearch.Sparse("sp",
                sparse(new int[] {5, 1}, new float[] {1f, 10f})), null, 10)).result();
        assertEquals(List.of("d1", "d2"), ids(sp), "only documents sharing a dimension");
        assertEquals(12f, sp.get(0).score(), 1e-6, "exact dot product: 10*1 + 1*2");
        assertEquals(3f, sp.get(1).score(), 1e-6);

        List<ScoredDocument> text = store.search("a", new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 10))
                .result();
        assertEquals(List.of("d3", "d1"), ids(text), "BM25: three foxes in a short body rank above one");
        assertTrue(text.get(0).score() > text.get(1).score());
        Query either = new BooleanQuery.Builder().add(word("title", "weather"), Occur.SHOULD).add(word("body", "fox"), Occur.SHOULD).build();
        assertEquals(List.of("d1"), ids(store.search("a", new DocumentSearch(new DocumentSearch.Lexical(either),
                DocumentFilters.toQuery(SCHEMA, Map.of("year", Map.of("$lt", 2021)), true), 10)).result()), "text within a filter");
        assertEquals(List.of("d1"), ids(store.search("b", new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 10))
                .result()), "within the namespace");
    }

    @Test
    void aSearchShowingNoFieldsReturnsTheSameHitsWithIdsOnly() {
        corpus(store);
        DocumentSearch fox = new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 10);
        List<ScoredDocument> full = store.search("a", fox).result();
        List<ScoredDocument> bare = store.search("a", fox, false).result();
        assertEquals(List.of("d3", "d1"), ids(bare));
        assertEquals(full.stream().map(ScoredDocument::score).toList(), bare.stream().map(ScoredDocument::score).toList());
        assertTrue(bare.stream().allMatch(h -> h.document().fields().isEmpty()), "no stored source read");
        assertEquals("The fox jumps over the lazy dog", full.get(1).document().fields().get("body"));
    }

    @Test
    void aTextSearchInTheOnlyNamespaceMatchesItsDocumentsAndNoOtherNamespaceDoes() {
        store.upsert("only", List.of(doc("x1", "Fox", "fox and dog", new float[] {1, 0}, null, "genre", "news"),
                doc("x2", "Dog", "dog only", new float[] {0, 1}, null, "genre", "blog")));
        DocumentSearch fox = new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 10);
        assertEquals(List.of("x1"), ids(store.search("only", fox).result()));
        assertEquals(List.of(), ids(store.search("other", fox).result()), "another namespace holds none of them");
        assertEquals(List.of("x2"), ids(store.search("only", new DocumentSearch(new DocumentSearch.Lexical(word("body", "dog")),
                DocumentFilters.toQuery(SCHEMA, Map.of("genre", "blog"), true), 10)).result()), "filtered");
    }

    @Test
    void aRejectedWriteChangesNothing() {
        corpus(store);
        ConiferException wrongDimension = assertThrows(ConiferException.class, () -> store.upsert("a", List.of(
                doc("new", "ok", null, new float[] {1, 0}, null), doc("d1", "changed", null, new float[] {1, 0, 0}, null))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, wrongDimension.code());
        assertTrue(wrongDimension.getMessage().contains("dimension"), wrongDimension.getMessage());
        ConiferException wrongType = assertThrows(ConiferException.class,
                () -> store.update("a", "d1", Map.of("title", 42), null));
        assertTrue(wrongType.getMessage().contains("'title'"), wrongType.getMessage());
        assertThrows(ConiferException.class, () -> store.updateByFilter("a", Map.of("genre", "news"), Map.of("emb", "text"), null));
        assertThrows(ConiferException.class, () -> store.deleteByFilter("a", Map.of("genre", Map.of("$bogus", 1))));
        assertThrows(ConiferException.class, () -> store.deleteByFilter("a", Map.of()));
        // Updates and deletes select on metadata alone, whoever calls the store.
        Map<String, Object> textMatch = Map.of("title", Map.of("$match_all", "fox"));
        ConiferException refusedUpdate = assertThrows(ConiferException.class,
                () -> store.updateByFilter("a", textMatch, Map.of("genre", "x"), null));
        assertTrue(refusedUpdate.getMessage().contains("$match_all"), refusedUpdate.getMessage());
        assertThrows(ConiferException.class, () -> store.deleteByFilter("a", textMatch));
        assertEquals(1, store.fetchByFilter("a", textMatch, 10, null).result().documents().size(), "reads take text matches");

        assertEquals(Map.of("a", 4L, "b", 1L), store.stats(null).result().namespaces());
        assertEquals(List.of("d1", "d2", "d3", "d4"), store.list("a", null, 10, null).result().ids());
        DocumentRecord d1 = store.fetch("a", List.of("d1")).result().get("d1");
        assertEquals("Quick brown fox", d1.fields().get("title"));
        assertEquals(3L, store.stats(Map.of("genre", "news")).result().matching());
    }
}
