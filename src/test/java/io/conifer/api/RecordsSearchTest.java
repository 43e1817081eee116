package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * search_records ({@code POST /records/namespaces/{namespace}/search}) by vector or id, in every API
 * version: each search is compared with the query that asks the same (ids, scores to the bit, read
 * units, LSN), and each refusal is checked in the error shape its version's spec gives the operation
 * ({@code rpcStatus} before 2026-07, {@code ErrorResponse} from it).
 */
class RecordsSearchTest {
    static final String V5 = "2025-10";
    static final String V4 = "2026-04";
    static final String V7 = "2026-07";
    static final List<String> VERSIONS = List.of(V5, V4, V7);

    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;
    static int counter;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir);
        control = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static final String RECORDS = "{\"namespace\":\"ns\",\"vectors\":["
            + "{\"id\":\"a\",\"values\":[1,0.1,0],\"metadata\":{\"genre\":\"drama\",\"year\":2019,\"tags\":[\"x\",\"y\"],\"new\":true}},"
            + "{\"id\":\"b\",\"values\":[0.8,0.6,0.3],\"metadata\":{\"genre\":\"comedy\",\"year\":2020.5}},"
            + "{\"id\":\"c\",\"values\":[0.1,0.2,2]},"
            + "{\"id\":\"d\",\"values\":[0.3,0.3,0.3],\"metadata\":{\"genre\":\"drama\"}}]}";

    static Http denseIndex(String metric) {
        Http d = control.forHost(control.createDense("rs-" + (++counter), 3, metric));
        Http.Response up = d.post("/vectors/upsert", RECORDS);
        assertEquals(200, up.status(), up.toString());
        return d;
    }

    static Http.Response search(Http d, String version, String namespace, String body) {
        return d.send("POST", "/records/namespaces/" + namespace + "/search", body, version);
    }

    static List<String> hitIds(Http.Response r) {
        assertEquals(200, r.status(), r.toString());
        List<String> out = new ArrayList<>();
        for (JsonNode h : r.json().get("result").get("hits")) out.add(h.get("_id").asText());
        return out;
    }

    /** The hits match the query's matches: same ids, same scores to the bit. */
    static void assertSameAsQuery(Http.Response hits, Http.Response query) {
        assertEquals(200, query.status(), query.toString());
        JsonNode matches = query.json().get("matches");
        JsonNode h = hits.json().get("result").get("hits");
        assertEquals(matches.size(), h.size(), hits + " vs " + query);
        for (int i = 0; i < h.size(); i++) {
            assertEquals(matches.get(i).get("id").asText(), h.get(i).get("_id").asText(), hits + " vs " + query);
            assertEquals(matches.get(i).get("score").toString(), h.get(i).get("_score").toString(), hits + " vs " + query);
        }
        assertEquals(query.json().get("usage").get("readUnits").asInt(), hits.json().get("usage").get("read_units").asInt());
    }

    /** A refusal in the shape {@code version}'s spec gives search_records and upsert_records. */
    static void assertRefused(Http.Response r, String version, int status, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        JsonNode body = r.json();
        String message;
        if (V7.equals(version)) {
            assertEquals(status, body.get("status").asInt(), r.toString());
            assertEquals(status == 400 ? "INVALID_ARGUMENT" : status == 413 ? "PAYLOAD_TOO_LARGE" : "NOT_FOUND",
                    body.get("error").get("code").asText(), r.toString());
            assertFalse(body.has("code"), r.toString());
            message = body.get("error").get("message").asText();
        } else {
            assertEquals(status == 400 ? 3 : status == 413 ? 8 : 5, body.get("code").asInt(), r.toString());
            assertTrue(body.get("details").isArray(), r.toString());
            assertFalse(body.has("error"), r.toString());
            message = body.get("message").asText();
        }
        assertTrue(message.contains(messagePart), "message should mention '" + messagePart + "': " + r);
    }

    static String vectorSearch(int topK, String vector, String more) {
        return "{\"query\":{\"top_k\":" + topK + ",\"vector\":" + vector + more + "}}";
    }

    @Test
    void denseSearchIsTheQueryInEveryVersion() {
        Http d = denseIndex("cosine");
        // Awkward decimals: the float each becomes must be the query's, or the scores' last bits differ.
        String values = "[0.1000000015,0.7,0.30000001192092896]";
        Http.Response query = d.post("/query", "{\"namespace\":\"ns\",\"vector\":" + values + ",\"topK\":3}");
        for (String version : new String[] {null, V5, V4, V7}) {
            Http.Response hits = search(d, version, "ns", vectorSearch(3, "{\"values\":" + values + "}", ""));
            assertSameAsQuery(hits, query);
            assertEquals(3, hitIds(hits).size());
            JsonNode first = hits.json().get("result").get("hits").get(0);
            assertEquals(3, first.size(), "_id, _score and fields only: " + first);
            assertTrue(first.get("fields").isObject(), first.toString());
        }
    }

    @Test
    void fieldsAreTheMetadataNarrowedToTheRequestedNames() {
        Http d = denseIndex("cosine");
        JsonNode a = search(d, V7, "ns", vectorSearch(1, "{\"values\":[1,0.1,0]}", "")).json().get("result").get("hits").get(0);
        assertEquals("a", a.get("_id").asText());
        // Whole numbers come back as integers, as the query's metadata does; no vector values.
        assertEquals("{\"genre\":\"drama\",\"year\":2019,\"tags\":[\"x\",\"y\"],\"new\":true}", a.get("fields").toString());
        String narrowed = "{\"query\":{\"top_k\":4,\"vector\":{\"values\":[1,0.1,0]}},\"fields\":[\"year\",\"missing\",\"genre\"]}";
        for (JsonNode hit : search(d, V5, "ns", narrowed).json().get("result").get("hits")) {
            String expected = switch (hit.get("_id").asText()) {
                case "a" -> "{\"year\":2019,\"genre\":\"drama\"}";
                case "b" -> "{\"year\":2020.5,\"genre\":\"comedy\"}";
                case "c" -> "{}";
                default -> "{\"genre\":\"drama\"}";
            };
            assertEquals(expected, hit.get("fields").toString(), hit.toString());
        }
        // "*" is every field, as Pinecone's search documents and the Python SDK sends by default.
        String all = "{\"query\":{\"top_k\":1,\"vector\":{\"values\":[1,0.1,0]}},\"fields\":[\"*\"]}";
        for (String version : new String[] {V4, V5, V7}) {
            assertEquals(a.get("fields").toString(), search(d, version, "ns", all).json().get("result").get("hits").get(0).get("fields")
                    .toString(), version);
        }
        String none = "{\"query\":{\"top_k\":4,\"vector\":{\"values\":[1,0.1,0]}},\"fields\":[]}";
        for (JsonNode hit : search(d, V4, "ns", none).json().get("result").get("hits")) {
            assertEquals("{}", hit.get("fields").toString(), hit.toString());
        }
    }

    @Test
    void filterIsTheQuerysFilter() {
        Http d = denseIndex("cosine");
        String filter = ",\"filter\":{\"genre\":{\"$eq\":\"drama\"}}";
        Http.Response hits = search(d, V4, "ns", vectorSearch(4, "{\"values\":[1,0.1,0]}", filter));
        assertEquals(List.of("a", "d"), hitIds(hits));
        assertSameAsQuery(hits, d.post("/query", "{\"namespace\":\"ns\",\"vector\":[1,0.1,0],\"topK\":4" + filter + "}"));
        assertEquals(List.of("c"), hitIds(search(d, V7, "ns", vectorSearch(4, "{\"values\":[1,0.1,0]}",
                ",\"filter\":{\"genre\":{\"$exists\":false},\"year\":{\"$exists\":false}}"))));
        // An empty filter filters nothing, as the query's.
        assertEquals(4, hitIds(search(d, V5, "ns", vectorSearch(4, "{\"values\":[1,0.1,0]}", ",\"filter\":{}"))).size());
        // A bad filter is refused with the query's words.
        String bad = ",\"filter\":{\"year\":{\"$near\":3}}";
        String queryMessage = d.post("/query", "{\"namespace\":\"ns\",\"vector\":[1,0.1,0],\"topK\":4" + bad + "}").json()
                .get("message").asText();
        for (String version : VERSIONS) {
            assertRefused(search(d, version, "ns", vectorSearch(4, "{\"values\":[1,0.1,0]}", bad)), version, 400, queryMessage);
        }
        assertRefused(search(d, V7, "ns", vectorSearch(4, "{\"values\":[1,0.1,0]}", ",\"filter\":[1]")), V7, 400,
                "query.filter must be an object");
        // As deep as the query's reader allows, and no deeper.
        String deep = "{\"genre\":\"drama\"}";
        for (int i = 0; i < 120; i++) deep = "{\"$and\":[" + deep + "]}";
        assertRefused(search(d, V5, "ns", vectorSearch(4, "{\"values\":[1,0.1,0]}", ",\"filter\":" + deep)), V5, 400, "levels deep");
    }

    @Test
    void byIdSearchesWithTheStoredVector() {
        Http d = denseIndex("euclidean");
        for (String version : VERSIONS) {
            Http.Response hits = search(d, version, "ns", "{\"query\":{\"top_k\":3,\"id\":\"b\"}}");
            assertEquals("b", hitIds(hits).get(0));
            assertSameAsQuery(hits, d.send("POST", "/query", "{\"namespace\":\"ns\",\"id\":\"b\",\"topK\":3}", version));
            assertEquals(List.of(), hitIds(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"id\":\"missing\"}}")));
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"id\":\"b\",\"vector\":{\"values\":[1,0,0]}}}"),
                    version, 400, "exclude each other");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"id\":7}}"), version, 400, "query.id must be a string");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"id\":\"\"}}"), version, 400, "non-empty");
        }
        // The query's per-version id rules: 2026-07 ids are ASCII.
        assertRefused(search(d, V7, "ns", "{\"query\":{\"top_k\":3,\"id\":\"é\"}}"), V7, 400, "ASCII");
        assertEquals(List.of(), hitIds(search(d, V4, "ns", "{\"query\":{\"top_k\":3,\"id\":\"é\"}}")));
    }

    @Test
    void sparseIndexSearchesBySparseValuesOrId() {
        Http.Response created = control.post("/indexes", "{\"name\":\"rs-sparse\",\"vector_type\":\"sparse\","
                + "\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}}");
        assertEquals(201, created.status(), created.toString());
        Http d = control.forHost(created.json().get("host").asText());
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":["
                + "{\"id\":\"s1\",\"sparseValues\":{\"indices\":[5,1],\"values\":[2.0,1.0]},\"metadata\":{\"k\":\"a\"}},"
                + "{\"id\":\"s2\",\"sparseValues\":{\"indices\":[1,9],\"values\":[3.0,1.0]},\"metadata\":{\"k\":\"b\"}},"
                + "{\"id\":\"s3\",\"sparseValues\":{\"indices\":[3000000000],\"values\":[7.0]}}]}").status());
        String sparse = "{\"sparse_values\":[1.0,0.5],\"sparse_indices\":[1,5]}";
        for (String version : VERSIONS) {
            Http.Response hits = search(d, version, "__default__", vectorSearch(5, sparse, ""));
            assertEquals(List.of("s2", "s1"), hitIds(hits));
            assertSameAsQuery(hits, d.post("/query", "{\"sparseVector\":{\"indices\":[1,5],\"values\":[1.0,0.5]},\"topK\":5}"));
            assertEquals("{\"k\":\"b\"}", hits.json().get("result").get("hits").get(0).get("fields").toString());
            assertEquals(List.of("s1"), hitIds(search(d, version, "__default__",
                    vectorSearch(5, sparse, ",\"filter\":{\"k\":\"a\"}"))));
            assertEquals(List.of("s1", "s2"), hitIds(search(d, version, "__default__", "{\"query\":{\"top_k\":2,\"id\":\"s1\"}}")));
            assertRefused(search(d, version, "__default__", vectorSearch(1, "{\"values\":[1,2]}", "")), version, 400, "sparse");
            assertRefused(search(d, version, "__default__", vectorSearch(1, "{\"sparse_values\":[1,2],\"sparse_indices\":[1]}", "")),
                    version, 400, "same length");
            assertRefused(search(d, version, "__default__", vectorSearch(1, "{\"sparse_values\":[1],\"sparse_indices\":[-1]}", "")),
                    version, 400, "sparse_indices");
        }
        // sparse_indices are int32 (minimum 0) before 2026-07, and 0 to 4294967295 from it.
        String high = vectorSearch(1, "{\"sparse_values\":[1],\"sparse_indices\":[3000000000]}", "");
        assertEquals(List.of("s3"), hitIds(search(d, V7, "__default__", high)));
        assertRefused(search(d, V4, "__default__", high), V4, 400, "from 0 to 2147483647");
        assertRefused(search(d, V5, "__default__", high), V5, 400, "from 0 to 2147483647");
    }

    @Test
    void hybridSearchOnADotProductIndex() {
        Http d = control.forHost(control.createDense("rs-hybrid", 2, "dotproduct"));
        d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"dense-win\",\"values\":[1,0]},"
                + "{\"id\":\"sparse-win\",\"values\":[0.9,0],\"sparseValues\":{\"indices\":[7],\"values\":[1.0]}}]}");
        for (String version : VERSIONS) {
            Http.Response hits = search(d, version, "__default__",
                    vectorSearch(2, "{\"values\":[1,0],\"sparse_values\":[0.5],\"sparse_indices\":[7]}", ""));
            assertEquals(List.of("sparse-win", "dense-win"), hitIds(hits));
            assertSameAsQuery(hits, d.post("/query", "{\"vector\":[1,0],\"sparseVector\":{\"indices\":[7],\"values\":[0.5]},\"topK\":2}"));
        }
        Http cosine = denseIndex("cosine");
        assertRefused(search(cosine, V7, "ns", vectorSearch(2, "{\"values\":[1,0,0],\"sparse_values\":[0.5],\"sparse_indices\":[7]}",
                "")), V7, 400, "dotproduct");
    }

    @Test
    void whatNeedsHostedModelsOrIsMalformedIsRefusedByName() {
        Http d = denseIndex("cosine");
        String vector = "\"vector\":{\"values\":[1,0,0]}";
        for (String version : VERSIONS) {
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"inputs\":{\"text\":\"hello\"}}}"), version, 400,
                    "integrated embedding");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3," + vector + ",\"match_terms\":{\"strategy\":\"all\","
                    + "\"terms\":[\"x\"]}}}"), version, 400, "match_terms");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3," + vector + "},\"rerank\":{\"model\":\"bge-reranker-v2-m3\","
                    + "\"rank_fields\":[\"text\"]}}"), version, 400, "rerank");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3}}"), version, 400, "needs a vector or an id");
            assertRefused(search(d, version, "ns", "{\"query\":{" + vector + "}}"), version, 400, "query.top_k is required");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":0," + vector + "}}"), version, 400, "from 1 to 10000");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":10001," + vector + "}}"), version, 400, "from 1 to 10000");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":2.5," + vector + "}}"), version, 400, "integer");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"vector\":{}}}"), version, 400, "values (dense)");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"vector\":{\"values\":[1,\"x\",0]}}}"), version, 400,
                    "query.vector.values[1]");
            assertRefused(search(d, version, "ns", "{\"query\":{\"top_k\":3,\"vector\":{\"values\":[1,0]}}}"), version, 400,
                    "dimension");
            assertRefused(search(d, version, "ns", "{\"top_k\":3," + vector + "}"), version, 400, "needs 'query'");
            assertRefused(search(d, version, "ns", "[1]"), version, 400, "JSON object");
            assertRefused(search(d, version, "ns", "{broken"), version, 400, "Invalid request body");
        }
        // A whole-number top_k written as a decimal is that number.
        assertEquals(2, hitIds(search(d, V7, "ns", "{\"query\":{\"top_k\":2.0," + vector + "}}")).size());
        // Unknown fields are ignored, as the vector operations' JSON ignores them.
        assertEquals(1, hitIds(search(d, V7, "ns", "{\"query\":{\"top_k\":1," + vector + ",\"extra\":1},\"more\":true}")).size());
    }

    @Test
    void upsertRecordsAndBulkImportStayRefused() {
        Http d = denseIndex("cosine");
        for (String version : VERSIONS) {
            assertRefused(d.send("POST", "/records/namespaces/ns/upsert", "{\"_id\":\"r1\",\"chunk_text\":\"hi\"}", version),
                    version, 400, "upsert_records");
            // Bulk import answers rpcStatus in every version's spec.
            Http.Response bulk = d.send("POST", "/bulk/imports", "{\"uri\":\"s3://b/p\"}", version);
            assertEquals(400, bulk.status(), bulk.toString());
            assertEquals(3, bulk.json().get("code").asInt(), bulk.toString());
            assertTrue(bulk.json().get("message").asText().contains("Bulk import"), bulk.toString());
            // Not a records operation: not found, in the records' shape (rpcStatus keeps the 405).
            Http.Response get = d.send("GET", "/records/namespaces/ns/search", null, version);
            if (V7.equals(version)) assertRefused(get, version, 404, "Not found: GET /records/namespaces/ns/search");
            else assertEquals("405 {\"code\":5,\"message\":\"Not found: GET /records/namespaces/ns/search\",\"details\":[]}",
                    get.toString());
        }
        assertEquals(4, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt(), "nothing was written");
    }

    @Test
    void namespacesFollowTheOtherRoutesRules() {
        Http d = denseIndex("cosine");
        assertEquals(200, d.post("/vectors/upsert", "{\"namespace\":\"a b/c\",\"vectors\":[{\"id\":\"x\",\"values\":[1,0,0]}]}").status());
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"default\",\"values\":[1,0,0]}]}").status());
        String byVector = vectorSearch(5, "{\"values\":[1,0,0]}", "");
        assertEquals(200, d.get("/namespaces/a%20b%2Fc").status(), "the path encoding the other routes take");
        assertEquals(List.of("x"), hitIds(search(d, V7, "a%20b%2Fc", byVector)));
        assertEquals(List.of("default"), hitIds(search(d, V4, "__default__", byVector)), "the SDKs' name of the default namespace");
        // A namespace that does not exist holds nothing, as for the query.
        for (String version : VERSIONS) assertEquals(List.of(), hitIds(search(d, version, "nowhere", byVector)));
    }

    @Test
    void readsAnswerTheQuerysLsnAndKeyAndVersionAreCheckedAsElsewhere() {
        Http d = denseIndex("cosine");
        Http.Response upserted = d.post("/vectors/upsert", "{\"namespace\":\"ns\",\"vectors\":[{\"id\":\"e\",\"values\":[0.2,0.9,0.5]}]}");
        long written = Long.parseLong(upserted.header("x-pinecone-request-lsn"));
        Http.Response hits = search(d, V7, "ns", vectorSearch(5, "{\"values\":[0.2,0.9,0.5]}", ""));
        assertEquals("e", hitIds(hits).get(0));
        String lsn = hits.header("x-pinecone-max-indexed-lsn");
        assertNotNull(lsn, hits.toString());
        assertTrue(Long.parseLong(lsn) >= written, hits.toString());
        assertEquals(d.post("/query", "{\"vector\":[1,1,1],\"topK\":1}").header("x-pinecone-max-indexed-lsn"), lsn);

        Http.Response plain = search(d.withKey("wrong"), V7, "ns", vectorSearch(1, "{\"values\":[1,1,1]}", ""));
        assertEquals(401, plain.status(), plain.toString());
        assertEquals("Unauthorized", plain.body());
        Http.Response json = search(d.withKey("wrong"), V5, "ns", vectorSearch(1, "{\"values\":[1,1,1]}", ""));
        assertEquals(401, json.status(), json.toString());
        assertEquals(16, json.json().get("code").asInt(), json.toString());
        Http.Response version = search(d, "2030-01", "ns", vectorSearch(1, "{\"values\":[1,1,1]}", ""));
        assertEquals(400, version.status(), version.toString());
        assertTrue(version.body().contains("2026-07") && version.body().contains("2025-10"), version.toString());
    }

    @Test
    void oversizedBodiesAreRefusedInTheVersionsShape() {
        Http d = denseIndex("cosine");
        String huge = vectorSearch(1, "{\"values\":[1,0,0]}", ",\"filter\":{\"genre\":\"" + "y".repeat(2_200_000) + "\"}");
        assertRefused(search(d, V7, "ns", huge), V7, 413, "2 MB");
        assertRefused(search(d, V5, "ns", huge), V5, 413, "2 MB");
    }

    /** Document indexes have their own search; the spec serves search_records by vector or id on indexes of the vectors API. */
    @Test
    void aDocumentIndexIsPointedToTheDocumentsSearch() {
        Http.Response r = control.send("POST", "/indexes", "{\"name\":\"rs-docs\",\"schema\":{\"fields\":{"
                + "\"title\":{\"type\":\"string\",\"full_text_search\":{\"language\":\"en\"}},"
                + "\"emb\":{\"type\":\"dense_vector\",\"dimension\":2,\"metric\":\"cosine\"}}}}", V7);
        assertEquals(201, r.status(), r.toString());
        Http d = control.forHost(r.json().get("host").asText());
        for (String version : VERSIONS) {
            assertRefused(search(d, version, "ns", vectorSearch(1, "{\"values\":[1,0]}", "")), version, 400, "documents/search");
        }
    }
}
