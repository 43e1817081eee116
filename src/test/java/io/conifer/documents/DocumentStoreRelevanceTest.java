package io.conifer.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The labelled corpus of {@link RelevanceTest} through the durable document store: its writer's
 * analyzers, its Lucene layout, its metadata, and the filters of {@link DocumentFilters}.
 */
class DocumentStoreRelevanceTest {
    static final String NS = "corpus";
    @TempDir
    static Path dir;
    static DurableDocumentStore store;

    @BeforeAll
    static void load() throws Exception {
        RelevanceTest.index(dir);
        store = DurableDocumentStore.open(dir.resolve("store"), RelevanceTest.SCHEMA, StoreOptions.defaults());
        store.upsert(NS, documents());
    }

    /** The labelled corpus as documents of {@link RelevanceTest#SCHEMA}. */
    static List<DocumentRecord> documents() throws Exception {
        List<DocumentRecord> docs = new ArrayList<>();
        for (JsonNode d : RelevanceTest.readCorpus().get("documents")) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("title", d.get("title").asText());
            fields.put("body", d.get("body").asText());
            fields.put("plain", d.get("body").asText());
            fields.put("code", d.get("code").asText());
            fields.put("prefix", d.get("title").asText());
            if (d.has("french")) fields.put("french", d.get("french").asText());
            fields.put("category", d.get("category").asText());
            fields.put("year", d.get("year").asDouble());
            docs.add(new DocumentRecord(d.get("id").asText(), fields));
        }
        return docs;
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
        RelevanceTest.close();
    }

    static List<ScoredDocument> search(String body) {
        return store.search(NS, SearchRequests.parse(RelevanceTest.SCHEMA, RelevanceTest.json(body))).result();
    }

    static List<String> ids(List<ScoredDocument> hits) {
        return hits.stream().map(h -> h.document().id()).toList();
    }

    static Set<String> found(String body) {
        return new HashSet<>(ids(search(body)));
    }

    @Test
    void theLabelledQueriesRankAsInLuceneWithTheSameScores() throws Exception {
        for (JsonNode q : RelevanceTest.corpus.get("queries")) {
            String query = q.get("query").asText();
            List<ScoredDocument> hits = search("{\"top_k\":20,\"score_by\":[{\"type\":\"text\",\"fields\":[\"title\",\"body\"],"
                    + "\"query\":\"" + query + "\"}]}");
            assertEquals(q.get("best").asText(), hits.get(0).document().id(), query);
            Set<String> relevant = new HashSet<>();
            q.get("relevant").forEach(r -> relevant.add(r.asText()));
            assertEquals(relevant, new HashSet<>(ids(hits).subList(0, relevant.size())), query + ": " + ids(hits));
            List<RelevanceTest.Hit> lucene = RelevanceTest.hits(RelevanceTest.text("[\"title\",\"body\"]", query));
            assertEquals(lucene.size(), hits.size(), query);
            for (int i = 0; i < hits.size(); i++) {
                assertEquals(lucene.get(i).id(), hits.get(i).document().id(), query);
                assertEquals(lucene.get(i).score(), hits.get(i).score(), 1e-5, query);
            }
        }
    }

    @Test
    void textMatchAndMetadataFiltersCompose() {
        String text = "{\"top_k\":10,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"],\"query\":\"database\"}]";
        assertEquals(Set.of("d01", "d02", "d09"), found(text + "}"));
        assertEquals(Set.of("d01", "d09"), found(text + ",\"filter\":{\"year\":{\"$gte\":2020}}}"));
        assertEquals(Set.of("d09"), found(text + ",\"filter\":{\"$and\":[{\"year\":{\"$gte\":2020}},"
                + "{\"title\":{\"$match_any\":\"legacy migration\"}}]}}"));
        assertEquals(Set.of("d02"), found(text + ",\"filter\":{\"body\":{\"$match_phrase\":\"sql queries\"},\"category\":\"tech\"}}"));
        assertEquals(Set.of("d01", "d02"), found("{\"top_k\":10,\"score_by\":[{\"type\":\"query_string\",\"query\":"
                + "\"body:(database) NOT title:(legacy)\"}],\"filter\":{\"category\":{\"$in\":[\"tech\"]}}}"));
    }

    @Test
    void fetchByFilterTakesTextMatches() {
        DocumentStore.DocumentPage page = store.fetchByFilter(NS, RelevanceTest.map(
                "{\"body\":{\"$match_all\":\"machine learning\"},\"category\":{\"$ne\":\"workshop\"}}"), 10, null).result();
        assertEquals(List.of("d03"), page.documents().stream().map(DocumentRecord::id).toList());
        page = store.fetchByFilter(NS, RelevanceTest.map("{\"code\":{\"$match_any\":\"1414 jwst\"}}"), 10, null).result();
        assertEquals(List.of("d12", "d14"), page.documents().stream().map(DocumentRecord::id).toList());
        assertTrue(page.documents().get(0).fields().get("title").toString().contains("Webb"));
    }
}
