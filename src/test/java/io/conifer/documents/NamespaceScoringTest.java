package io.conifer.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.index.IndexSchema;
import io.conifer.store.RecordFields;
import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespaces are tenants: a full-text search in one scores and ranks exactly as in an index holding that
 * namespace alone, whatever the others hold. BM25's statistics (how many documents have a word, how long
 * a field is on average) and the words a phrase prefix or fuzzy word expands to are the namespace's own.
 * The neighbour namespace shares most of the corpus's words, in more and longer documents.
 */
class NamespaceScoringTest {
    static final String NS = "corpus";
    static final String NEIGHBOUR = "neighbour";
    static final IndexSchema SCHEMA = RelevanceTest.SCHEMA;
    @TempDir
    static Path dir;
    static DurableDocumentStore alone;
    static DurableDocumentStore neighbourAlone;
    static DurableDocumentStore shared;

    @BeforeAll
    static void load() throws Exception {
        List<DocumentRecord> corpus = DocumentStoreRelevanceTest.documents();
        alone = DurableDocumentStore.open(dir.resolve("alone"), SCHEMA, StoreOptions.defaults());
        neighbourAlone = DurableDocumentStore.open(dir.resolve("neighbour"), SCHEMA, StoreOptions.defaults());
        shared = DurableDocumentStore.open(dir.resolve("shared"), SCHEMA, StoreOptions.defaults());
        for (DocumentStore store : List.of(neighbourAlone, shared)) store.upsert(NEIGHBOUR, neighbours(corpus, 0, 3));
        // A read refreshes the searcher: the first neighbours get a segment of their own, the corpus shares
        // one with the rest, where the neighbour holds most documents.
        assertEquals(60, shared.list(NEIGHBOUR, null, 100, null).result().ids().size());
        alone.upsert(NS, corpus);
        shared.upsert(NS, corpus);
        for (DocumentStore store : List.of(neighbourAlone, shared)) store.upsert(NEIGHBOUR, neighbours(corpus, 3, 6));
    }

    @AfterAll
    static void close() throws Exception {
        alone.close();
        neighbourAlone.close();
        shared.close();
    }

    /**
     * Copy {@code k} of each corpus document: its own words repeated k + 1 times and another document's
     * title, so the neighbour has the corpus's words in other proportions and lengths.
     */
    static List<DocumentRecord> neighbours(List<DocumentRecord> corpus, int fromCopy, int toCopy) {
        List<DocumentRecord> out = new ArrayList<>();
        for (int k = fromCopy; k < toCopy; k++) {
            for (int i = 0; i < corpus.size(); i++) {
                Map<String, Object> d = corpus.get(i).fields();
                Map<String, Object> other = corpus.get((i + k + 1) % corpus.size()).fields();
                Map<String, Object> fields = new LinkedHashMap<>(d);
                fields.put("title", other.get("title"));
                fields.put("body", (d.get("body") + " ").repeat(k + 1) + other.get("title"));
                fields.put("plain", fields.get("body"));
                fields.put("code", d.get("code") + " " + other.get("code"));
                fields.put("prefix", other.get("title"));
                out.add(new DocumentRecord("n" + k + "-" + corpus.get(i).id(), fields));
            }
        }
        return out;
    }

    /** Every kind of scored text query: words on one or several fields, n-grams, phrases, prefixes, fuzzy, filtered. */
    static List<String> searches() throws Exception {
        List<String> out = new ArrayList<>();
        RelevanceTest.readCorpus().get("queries").forEach(q -> out.add(text("[\"title\",\"body\"]", q.get("query").asText())));
        out.add(text("[\"plain\"]", "the running shoes"));
        out.add(text("[\"code\"]", "1414 jwst"));
        out.add(text("[\"prefix\"]", "tele"));
        out.add(text("[\"french\"]", "cheval"));
        for (String q : List.of("body:(\\\"james w\\\"*)", "\\\"machine learn\\\"*", "body:(databse~2)", "title:(datab*)",
                "plain:(\\\"state of the art\\\")", "body:(\\\"learning machine\\\"~2)", "title:(vector OR search) AND body:(index)")) {
            out.add("{\"top_k\":50,\"score_by\":[{\"type\":\"query_string\",\"query\":\"" + q + "\"}]}");
        }
        out.add("{\"top_k\":50,\"score_by\":[{\"type\":\"text\",\"fields\":[\"title\"],\"query\":\"bread\"},"
                + "{\"type\":\"query_string\",\"query\":\"body:(water)\"}]}");
        out.add("{\"top_k\":50,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"],\"query\":\"database vector\"}],"
                + "\"filter\":{\"category\":\"tech\"}}");
        out.add("{\"top_k\":50,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"],\"query\":\"database vector\"}],"
                + "\"filter\":{\"title\":{\"$match_any\":\"vector legacy\"}}}");
        return out;
    }

    static String text(String fields, String query) {
        return "{\"top_k\":50,\"score_by\":[{\"type\":\"text\",\"fields\":" + fields + ",\"query\":\"" + query + "\"}]}";
    }

    static DocumentSearch parse(String body) {
        return SearchRequests.parse(SCHEMA, RelevanceTest.json(body));
    }

    static Map<String, Float> scores(DocumentStore store, String ns, String body) {
        Map<String, Float> out = new LinkedHashMap<>();
        for (ScoredDocument h : store.search(ns, parse(body), false).result()) out.put(h.document().id(), h.score());
        return out;
    }

    /** The same documents, the same scores to float precision (the order of a sum of clause scores may differ). */
    static void assertSameScores(Map<String, Float> expected, Map<String, Float> actual, String search) {
        assertEquals(expected.keySet(), actual.keySet(), search);
        expected.forEach((id, score) -> assertEquals(score, actual.get(id), Math.abs(score) * 1e-6f, search + " " + id));
    }

    @Test
    void eachNamespaceScoresAsInAnIndexHoldingOnlyIt() throws Exception {
        for (String search : searches()) {
            Map<String, Float> expected = scores(alone, NS, search);
            assertFalse(expected.isEmpty(), search);
            assertSameScores(expected, scores(shared, NS, search), search);
            assertSameScores(scores(neighbourAlone, NEIGHBOUR, search), scores(shared, NEIGHBOUR, search), NEIGHBOUR + " " + search);
        }
        assertFalse(scores(shared, NEIGHBOUR, searches().get(0)).isEmpty(), "the neighbour holds the words searched for");
    }

    @Test
    void aPhrasePrefixCompletesWithTheNamespacesOwnWordsAlone() throws Exception {
        // The neighbour's 78 words starting with "pa" all sort before "payment": more than the 50 completions.
        StringBuilder words = new StringBuilder();
        for (char c = 'a'; c <= 'c'; c++) {
            for (char d = 'a'; d <= 'z'; d++) words.append(" quick pa").append(c).append(d);
        }
        try (DurableDocumentStore store = beside("prefix", "a quick payment", words)) {
            assertEquals(List.of("own"), found(store, "a", "body:(\\\"quick pa\\\"*)"));
            assertEquals(List.of("many"), found(store, "b", "body:(\\\"quick pa\\\"*)"), "the neighbour completes with its own words");
        }
    }

    @Test
    void aFuzzyWordExpandsToTheNamespacesOwnWordsAlone() throws Exception {
        // The neighbour has 76 words one edit from "kitten", more than the 50 a fuzzy word expands to;
        // the namespace's "mitter" is two edits away, so it would never make the cut among them.
        StringBuilder words = new StringBuilder();
        for (char c = 'a'; c <= 'z'; c++) {
            if (c != 'n') words.append(" kitte").append(c);
            if (c != 'e') words.append(" kitt").append(c).append('n');
            words.append(" kitten").append(c);
        }
        try (DurableDocumentStore store = beside("fuzzy", "a mitter", words)) {
            assertEquals(List.of("own"), found(store, "a", "body:(kitten~2)"));
        }
    }

    /** A store whose namespace "a" holds one document, "own", beside "b" with one, "many", of many words. */
    private static DurableDocumentStore beside(String name, String own, CharSequence many) throws Exception {
        DurableDocumentStore store = DurableDocumentStore.open(dir.resolve(name), DocumentStoreTest.SCHEMA, StoreOptions.defaults());
        store.upsert("a", List.of(DocumentStoreTest.doc("own", null, own, null, null)));
        store.upsert("b", List.of(DocumentStoreTest.doc("many", null, many.toString(), null, null)));
        return store;
    }

    private static List<String> found(DocumentStore store, String ns, String queryString) {
        String body = "{\"top_k\":5,\"score_by\":[{\"type\":\"query_string\",\"query\":\"" + queryString + "\"}]}";
        return DocumentStoreTest.ids(store.search(ns, SearchRequests.parse(DocumentStoreTest.SCHEMA, RelevanceTest.json(body))).result());
    }

    /**
     * Lucene counts a deleted document in its statistics until a merge drops it, and so does a namespace's
     * share: an overwritten and a deleted document of the namespace count as in an index holding it alone
     * with the same deletions. Raw Lucene indexes here, written as the store writes them, because only
     * they can keep merges from dropping the deleted documents at different times in the two indexes.
     */
    @Test
    void deletedDocumentsCountAsInAnIndexHoldingOnlyTheNamespace() throws Exception {
        try (Directory aloneDir = FSDirectory.open(dir.resolve("raw-alone"));
                Directory sharedDir = FSDirectory.open(dir.resolve("raw-shared"))) {
            write(aloneDir, false);
            write(sharedDir, true);
            try (DirectoryReader aloneReader = DirectoryReader.open(aloneDir);
                    DirectoryReader sharedReader = DirectoryReader.open(sharedDir)) {
                assertTrue(aloneReader.numDeletedDocs() == 2 && sharedReader.numDeletedDocs() == 3);
                DocumentSearches searches = new DocumentSearches(SCHEMA, 100, new SegmentNamespaces.Cache());
                for (String search : searches()) {
                    assertSameScores(rawScores(searches, new IndexSearcher(aloneReader), search),
                            rawScores(searches, new IndexSearcher(sharedReader), search), search);
                }
            }
        }
    }

    /**
     * The corpus (with neighbours: in a segment of their own, and fewer beside the corpus, which then holds
     * most of its segment); then d02 rewritten and d09 deleted.
     */
    private static void write(Directory directory, boolean withNeighbours) throws Exception {
        IndexWriterConfig config = new IndexWriterConfig(TextAnalyzers.forSchema(SCHEMA)).setMergePolicy(NoMergePolicy.INSTANCE);
        DocumentJson json = new DocumentJson(SCHEMA);
        DocumentWrites writes = new DocumentWrites(json, new DocumentLayout(SCHEMA));
        List<DocumentRecord> corpus = DocumentStoreRelevanceTest.documents();
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            if (withNeighbours) {
                writes.apply(writer, DocumentOp.Upsert.of(NEIGHBOUR, neighbours(corpus, 0, 3), json));
                writer.commit();
            }
            writes.apply(writer, DocumentOp.Upsert.of(NS, corpus, json));
            if (withNeighbours) writes.apply(writer, DocumentOp.Upsert.of(NEIGHBOUR, neighbours(corpus, 3, 4).subList(0, 10), json));
            writer.commit();
            Map<String, Object> rewritten = new HashMap<>(corpus.get(1).fields());
            rewritten.put("body", "Relational databases store rows; vector databases store embeddings and rows alike.");
            writes.apply(writer, DocumentOp.Upsert.of(NS, List.of(new DocumentRecord("d02", rewritten)), json));
            writes.apply(writer, new DocumentOp.DeleteIds(NS, List.of("d09")));
            if (withNeighbours) writes.apply(writer, new DocumentOp.DeleteIds(NEIGHBOUR, List.of("n0-d01")));
            writer.commit();
        }
    }

    private static Map<String, Float> rawScores(DocumentSearches searches, IndexSearcher searcher, String body) throws Exception {
        Map<String, Float> out = new LinkedHashMap<>();
        for (ScoreDoc h : searches.run(searcher, NS, parse(body))) {
            out.put(searcher.storedFields().document(h.doc).get(RecordFields.ID), h.score);
        }
        return out;
    }
}
