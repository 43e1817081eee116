package io.conifer.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.Metric;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relevance on a hand-labelled corpus (src/test/resources/documents/relevance-corpus.json), indexed
 * in a real on-disk Lucene index with {@link TextAnalyzers} under {@link DocumentFields} names, and
 * searched with the queries {@link SearchRequests} and {@link DocumentFilters} build.
 */
class RelevanceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final SchemaField.FullTextSearch ENGLISH = new SchemaField.FullTextSearch("en", true, true, null);
    static final IndexSchema SCHEMA = new IndexSchema(fields());
    @TempDir
    static Path dir;
    static JsonNode corpus;
    static FSDirectory directory;
    static DirectoryReader reader;
    static IndexSearcher searcher;

    static Map<String, SchemaField> fields() {
        Map<String, SchemaField> f = new LinkedHashMap<>();
        f.put("title", new SchemaField.FullTextString(null, ENGLISH));
        f.put("body", new SchemaField.FullTextString(null, ENGLISH));
        f.put("plain", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", false, false, null)));
        f.put("code", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", false, false, new SchemaField.Ngram(3, 4, false))));
        f.put("prefix", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("en", false, false, new SchemaField.Ngram(2, 6, true))));
        f.put("french", new SchemaField.FullTextString(null, new SchemaField.FullTextSearch("fr", true, true, null)));
        f.put("embedding", new SchemaField.DenseVector(3, Metric.COSINE, null));
        f.put("keywords", new SchemaField.SparseVector(null));
        return f;
    }

    @BeforeAll
    static void index() throws Exception {
        index(dir);
    }

    /** Reads the corpus and indexes it in a Lucene index under {@code under}. */
    static void index(Path under) throws Exception {
        readCorpus();
        directory = FSDirectory.open(under.resolve("lucene"));
        try (IndexWriter w = new IndexWriter(directory, new IndexWriterConfig(TextAnalyzers.forSchema(SCHEMA)))) {
            for (JsonNode d : corpus.get("documents")) {
                Document doc = new Document();
                doc.add(new StringField("id", d.get("id").asText(), Field.Store.YES));
                text(doc, "title", d.get("title").asText());
                text(doc, "body", d.get("body").asText());
                text(doc, "plain", d.get("body").asText());
                text(doc, "code", d.get("code").asText());
                text(doc, "prefix", d.get("title").asText());
                if (d.has("french")) text(doc, "french", d.get("french").asText());
                w.addDocument(doc);
            }
            w.commit();
        }
        reader = DirectoryReader.open(directory);
        searcher = new IndexSearcher(reader);
    }

    static JsonNode readCorpus() throws Exception {
        if (corpus == null) {
            try (InputStream in = RelevanceTest.class.getResourceAsStream("/documents/relevance-corpus.json")) {
                corpus = JSON.readTree(in);
            }
        }
        return corpus;
    }

    static void text(Document doc, String field, String value) {
        doc.add(new org.apache.lucene.document.TextField(DocumentFields.text(field), value, Field.Store.NO));
    }

    @AfterAll
    static void close() throws Exception {
        reader.close();
        directory.close();
    }

    static List<String> ids(Query q) throws Exception {
        return hits(q).stream().map(Hit::id).toList();
    }

    /** The documents {@code q} matches, in no particular order. */
    static Set<String> found(Query q) throws Exception {
        return new HashSet<>(ids(q));
    }

    record Hit(String id, float score) {}

    static List<Hit> hits(Query q) throws Exception {
        TopDocs top = searcher.search(q, 50);
        List<Hit> out = new ArrayList<>();
        for (ScoreDoc sd : top.scoreDocs) out.add(new Hit(searcher.storedFields().document(sd.doc).get("id"), sd.score));
        return out;
    }

    static Query search(String scoreBy) {
        DocumentSearch s = SearchRequests.parse(SCHEMA, json("{\"top_k\":10,\"score_by\":" + scoreBy + "}"));
        return ((DocumentSearch.Lexical) s.scoreBy()).query();
    }

    static Query text(String fields, String query) {
        return search("[{\"type\":\"text\",\"fields\":" + fields + ",\"query\":\"" + query + "\"}]");
    }

    static Query queryString(String query) {
        return search("[{\"type\":\"query_string\",\"query\":" + JSON.valueToTree(query) + "}]");
    }

    static Query filter(String filter) {
        return DocumentFilters.toQuery(SCHEMA, map(filter), true);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String json) {
        return JSON.convertValue(json(json), Map.class);
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static Set<String> set(String... ids) {
        return Set.of(ids);
    }

    @Test
    void bm25RanksTheLabelledDocumentsFirst() throws Exception {
        for (JsonNode q : corpus.get("queries")) {
            List<String> ranked = ids(text("[\"title\",\"body\"]", q.get("query").asText()));
            Set<String> relevant = new HashSet<>();
            q.get("relevant").forEach(r -> relevant.add(r.asText()));
            assertEquals(relevant, new HashSet<>(ranked.subList(0, Math.min(relevant.size(), ranked.size()))),
                    "the labelled documents rank above every other for '" + q.get("query").asText() + "': " + ranked);
            assertEquals(q.get("best").asText(), ranked.get(0), q.toString());
        }
    }

    @Test
    void stemmingMatchesOtherFormsOnlyWhereConfigured() throws Exception {
        assertEquals(set("d05", "d06"), found(text("[\"body\"]", "run")), "runs and running stem to run");
        assertEquals(List.of(), ids(text("[\"plain\"]", "run")), "without stemming only the word itself matches");
        assertEquals(set("d05"), found(text("[\"plain\"]", "running")));
        assertEquals(set("d01", "d02", "d09"), found(text("[\"body\"]", "databases")));
        assertEquals(set("d02"), found(text("[\"plain\"]", "databases")));
        // French: Lucene's light stemmer joins the plural chevaux to cheval.
        assertEquals(set("d16", "d19"), found(text("[\"french\"]", "cheval")));
    }

    @Test
    void stopWordsAreDroppedOnlyWhereConfigured() throws Exception {
        assertEquals(List.of(), ids(text("[\"body\"]", "the")), "a query of stop words matches nothing on a stop-word field");
        assertTrue(ids(text("[\"plain\"]", "the")).containsAll(List.of("d05", "d07", "d08", "d10", "d12", "d13")));
        assertEquals(List.of(), ids(text("[\"french\"]", "les")));
        // A stop word still holds its place in a phrase: "state of the art" is not "state art".
        assertEquals(set("d07"), found(filter("{\"body\":{\"$match_phrase\":\"state of the art\"}}")));
        assertEquals(set("d08"), found(filter("{\"body\":{\"$match_phrase\":\"state art\"}}")));
    }

    @Test
    void textMatchFiltersRespectOrderAndCount() throws Exception {
        assertEquals(set("d03"), found(filter("{\"body\":{\"$match_phrase\":\"Machine Learning\"}}")));
        assertEquals(set("d04"), found(filter("{\"body\":{\"$match_phrase\":\"learning machine\"}}")));
        assertEquals(set("d03", "d04"), found(filter("{\"title\":{\"$match_all\":\"learning machine\"}}")));
        assertEquals(set("d03", "d04", "d17"), found(filter("{\"body\":{\"$match_any\":\"machine learn\"}}")));
        assertEquals(set("d03"), found(filter("{\"$and\":[{\"title\":{\"$match_all\":\"learning machine\"}},"
                + "{\"body\":{\"$match_phrase\":\"machine learning\"}}]}")));
        assertEquals(set("d12", "d13"), found(filter("{\"$or\":[{\"title\":{\"$match_any\":\"telescope\"}},"
                + "{\"body\":{\"$match_phrase\":\"francis crick\"}}]}")));
    }

    @Test
    void writeFiltersRefuseTextMatchOperators() {
        for (String op : DocumentFilters.TEXT_MATCH) {
            Map<String, Object> f = map("{\"$and\":[{\"genre\":\"x\"},{\"body\":{\"" + op + "\":\"machine\"}}]}");
            ConiferException e = assertThrows(ConiferException.class, () -> DocumentFilters.toQuery(SCHEMA, f, false));
            assertTrue(e.getMessage().contains(op) && e.getMessage().contains("delete or update"), e.getMessage());
            assertTrue(DocumentFilters.toQuery(SCHEMA, f, true) != null);
        }
        assertTrue(DocumentFilters.toQuery(SCHEMA, map("{\"genre\":{\"$in\":[\"a\",\"b\"]},\"year\":{\"$gte\":2000}}"), false) != null);
        invalid(() -> filter("{\"genre\":{\"$match_phrase\":\"x\"}}"), "applies to full-text fields, and 'genre' is not one");
        invalid(() -> filter("{\"body\":{\"$eq\":\"x\"}}"), "full-text field");
        invalid(() -> filter("{\"body\":\"x\"}"), "$match_phrase");
        invalid(() -> filter("{\"body\":{\"$match_all\":\"  \"}}"), "non-empty string");
        invalid(() -> filter("{\"embedding\":{\"$eq\":1}}"), "dense_vector field");
    }

    @Test
    void queryStringBooleansPhrasesFieldsAndPrefixes() throws Exception {
        assertEquals(set("d01", "d09"), found(queryString("body:(vector AND database)")));
        assertEquals(set("d01", "d02"), found(queryString("body:(database) NOT title:(legacy)")));
        assertEquals(set("d01", "d15"), found(queryString("+body:vector -body:legacy")));
        assertEquals(set("d03"), found(queryString("\"machine learning\"")), "unqualified: every text field");
        assertEquals(set("d03", "d04"), found(queryString("title:(\"machine learning\"~2)")), "slop lets the words swap");
        assertEquals(set("d12", "d13"), found(queryString("title:(james)")));
        assertEquals(set("d13"), found(queryString("body:(crick)")));
        assertEquals(List.of(), ids(queryString("title:(crick)")), "field targeting keeps to the field");
        assertEquals(set("d01", "d02", "d09"), found(queryString("body:datab*")));
        assertEquals(set("d12"), found(queryString("plain:te?escope")));
        assertEquals(set("d12", "d13"), found(queryString("body:(\"james w\"*)")));
        assertEquals(set("d13"), found(queryString("\"james wat\"*")));
        assertEquals(set("d12"), found(queryString("plain:(telescpe~1)")));
        assertEquals("d11", ids(queryString("title:(bread)^3 OR body:(water)")).get(0));
        assertEquals(set("d10", "d11"), found(queryString("body:((pasta OR bread) AND salt)")));
        invalid(() -> queryString("genre:(drama)"), "'genre' is not a full-text field of this index");
        invalid(() -> queryString("embedding:(x)"), "'embedding' is not a full-text field");
        invalid(() -> queryString("body:(vector"), "Invalid query_string");
        invalid(() -> queryString("body:(vector~3)"), "at most 2 edits");
    }

    @Test
    void ngramFieldsFindSubstrings() throws Exception {
        assertEquals(set("d01"), found(text("[\"code\"]", "100")));
        assertEquals(set("d12"), found(text("[\"code\"]", "jwst")));
        assertEquals(set("d03"), found(text("[\"code\"]", "lpha")));
        assertEquals(set("d03"), found(text("[\"code\"]", "ALPHA")), "longer than max_gram: every 4-gram of it");
        assertEquals(List.of(), ids(text("[\"code\"]", "alphx")));
        assertEquals(List.of(), ids(text("[\"code\"]", "ph")), "shorter than min_gram");
        assertEquals(set("d12"), found(filter("{\"code\":{\"$match_all\":\"wst 212\"}}")));
        assertEquals(set("d12"), found(text("[\"prefix\"]", "teles")), "prefix_only: the start of a word");
        assertEquals(List.of(), ids(text("[\"prefix\"]", "lescope")), "prefix_only: not the middle of one");
        assertEquals(set("d12"), found(queryString("code:(jws)")));
    }

    @Test
    void clausesAndFieldsAddTheirScores() throws Exception {
        float title = score(text("[\"title\"]", "telescope"), "d12");
        float body = score(text("[\"body\"]", "telescope"), "d12");
        assertTrue(title > 0 && body > 0);
        assertEquals(title + body, score(text("[\"title\",\"body\"]", "telescope"), "d12"), 1e-4);
        float bread = score(text("[\"title\"]", "bread"), "d11");
        float water = score(queryString("body:(water)"), "d11");
        Query both = search("[{\"type\":\"text\",\"fields\":[\"title\"],\"query\":\"bread\"},{\"type\":\"query_string\",\"query\":\"body:(water)\"}]");
        assertEquals(bread + water, score(both, "d11"), 1e-4);
    }

    static float score(Query q, String id) throws Exception {
        for (Hit h : hits(q)) if (h.id().equals(id)) return h.score();
        throw new AssertionError(id + " not found by " + q);
    }

    static void invalid(org.junit.jupiter.api.function.Executable e, String messagePart) {
        ConiferException x = assertThrows(ConiferException.class, e);
        assertTrue(x.getMessage().contains(messagePart), "'" + x.getMessage() + "' should mention '" + messagePart + "'");
    }
}
