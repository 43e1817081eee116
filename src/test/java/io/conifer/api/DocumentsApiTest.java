package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.proto.DescribeIndexStatsRequest;
import io.conifer.proto.FetchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documents REST API's rules that the TypeScript SDK cannot send (it checks some arguments itself,
 * and serialises only the fields it knows), its 2026-07 error shape, version and key handling, a
 * non-finite score, and documents surviving a restart. Every refused write is followed by a check that
 * it changed nothing. The SDK suite (src/test/node9/documents.test.mjs) covers the operations' results.
 */
class DocumentsApiTest {
    static final String V7 = "2026-07";
    static final String UPSERT = "/namespaces/ns/documents/upsert";
    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;
    static Http data;
    static int dataPort;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        control = new Http(server.url(), TestServer.KEY);
        Http.Response r = control.send("POST", "/indexes", """
                {"name":"docs","schema":{"fields":{
                  "title":{"type":"string","full_text_search":{"language":"en","stemming":true,"stop_words":true}},
                  "emb":{"type":"dense_vector","dimension":2,"metric":"dotproduct"},
                  "kw":{"type":"sparse_vector"}}}}""", V7);
        assertEquals(201, r.status(), r.toString());
        data = control.forHost(r.json().get("host").asText());
        dataPort = java.net.URI.create(r.json().get("host").asText()).getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Response post(String op, String body) {
        return post("ns", op, body);
    }

    static Http.Response post(String namespace, String op, String body) {
        return data.send("POST", "/namespaces/" + namespace + "/documents/" + op, body, V7);
    }

    private static String base64Url(String s) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A 400 in the 2026-07 ErrorResponse shape whose message contains {@code part}. */
    static void assertInvalid(Http.Response r, String part) {
        assertError(r, 400, "INVALID_ARGUMENT", part);
    }

    static void assertError(Http.Response r, int status, String code, String part) {
        assertEquals(status, r.status(), r.toString());
        JsonNode body = r.json();
        assertEquals(status, body.get("status").asInt(), r.toString());
        assertEquals(code, body.get("error").get("code").asText(), r.toString());
        assertTrue(body.get("error").get("message").asText().contains(part), "expected '" + part + "' in " + r);
    }

    static List<String> listed(String namespace) {
        Http.Response r = data.send("POST", "/namespaces/" + namespace + "/documents/list", "{}", V7);
        assertEquals(200, r.status(), r.toString());
        List<String> ids = new ArrayList<>();
        r.json().get("documents").forEach(d -> ids.add(d.get("_id").asText()));
        return ids;
    }

    @Test
    void upsertChecksEveryDocumentAgainstTheSchemaAndWritesNothingWhenOneIsBad() {
        String good = "{\"_id\":\"good\",\"title\":\"fine\"}";
        String hundredKb = "x".repeat(100 * 1024 + 1);
        String manyWords = "w ".repeat(10_001);
        String[][] cases = {
            {"{\"documents\":[]}", "at least one document"},
            {"{}", "'documents'"},
            {"{\"documents\":[" + good + "],\"namespace\":\"x\"}", "Unknown field 'namespace'"},
            {"{\"documents\":[{\"title\":\"no id\"}]}", "_id"},
            {"{\"documents\":[{\"_id\":\"\",\"title\":\"t\"}]}", "empty"},
            {"{\"documents\":[{\"_id\":\"" + "i".repeat(513) + "\",\"title\":\"t\"}]}", "512"},
            {"{\"documents\":[{\"_id\":\"caf\u00e9\",\"title\":\"t\"}]}", "ASCII"},
            {"{\"documents\":[" + good + ",{\"_id\":\"b\",\"title\":7}]}", "must be a string"},
            {"{\"documents\":[{\"_id\":\"b\",\"title\":\"" + hundredKb + "\"}]}", "100 KB"},
            {"{\"documents\":[{\"_id\":\"b\",\"title\":\"" + manyWords + "\"}]}", "10000"},
            {"{\"documents\":[{\"_id\":\"b\",\"emb\":[1,2,3]}]}", "dimension is 2"},
            {"{\"documents\":[{\"_id\":\"b\",\"emb\":[0,0]}]}", "1e-8"},
            {"{\"documents\":[{\"_id\":\"b\",\"emb\":\"near\"}]}", "array of numbers"},
            {"{\"documents\":[{\"_id\":\"b\",\"kw\":[1,2]}]}", "indices"},
            {"{\"documents\":[{\"_id\":\"b\",\"kw\":{\"indices\":[1,2],\"values\":[1]}}]}", "same length"},
            {"{\"documents\":[{\"_id\":\"b\",\"title\":\"t\",\"meta\":{\"nested\":1}}]}", "metadata values must be"},
            {"{\"documents\":[{\"_id\":\"b\",\"title\":\"t\",\"_score\":1}]}", "reserved"},
            {"{\"documents\":[{\"_id\":\"b\",\"genre\":\"only metadata\"}]}", "no field of the index schema"},
        };
        for (String[] c : cases) assertInvalid(post("refused", "upsert", c[0]), c[1]);
        StringBuilder tooMany = new StringBuilder("{\"documents\":[");
        for (int i = 0; i <= 1000; i++) tooMany.append(i == 0 ? "" : ",").append("{\"_id\":\"d").append(i).append("\",\"title\":\"t\"}");
        assertInvalid(post("refused", "upsert", tooMany.append("]}").toString()), "maximum per request is 1000");
        assertEquals(List.of(), listed("refused"), "a refused upsert writes nothing");
    }

    @Test
    void aRequestOverTwoMegabytesIsPayloadTooLarge() {
        String big = "{\"documents\":[{\"_id\":\"big\",\"title\":\"" + "y".repeat(2 * 1024 * 1024) + "\"}]}";
        assertError(data.send("POST", "/namespaces/big/documents/upsert", big, V7), 413, "PAYLOAD_TOO_LARGE", "2 MB");
        assertEquals(List.of(), listed("big"));
    }

    @Test
    void theDocumentsApiIsServedToApiVersion2026_07Only() {
        String body = "{\"documents\":[{\"_id\":\"v\",\"title\":\"t\"}]}";
        assertInvalid(data.send("POST", "/namespaces/ver/documents/upsert", body, "2026-04"), "X-Pinecone-Api-Version: 2026-07");
        assertInvalid(data.send("POST", "/namespaces/ver/documents/upsert", body, null), "sent none");
        assertEquals(List.of(), listed("ver"));
        Http.Response wrongKey = data.withKey("wrong").send("POST", "/namespaces/ver/documents/list", "{}", V7);
        assertEquals(401, wrongKey.status());
        assertEquals("Unauthorized", wrongKey.body());
    }

    @Test
    void fetchListUpdateAndDeleteRefuseMalformedRequests() {
        assertEquals(202, post("upsert", "{\"documents\":[{\"_id\":\"keep\",\"title\":\"kept\",\"n\":1}]}").status());
        assertInvalid(post("fetch", "{}"), "No 'ids' or 'filter'");
        assertInvalid(post("fetch", "{\"ids\":[\"keep\"],\"filter\":{\"n\":{\"$eq\":1}}}"), "mutually exclusive");
        assertInvalid(post("fetch", "{\"ids\":[\"keep\"],\"limit\":0}"), "between 1 and 10000");
        assertInvalid(post("fetch", "{\"filter\":{\"n\":1},\"limit\":10001}"), "between 1 and 10000");
        assertInvalid(post("fetch", "{\"ids\":[\"keep\"],\"pagination_token\":\"abc\"}"), "only valid together with 'filter'");
        assertInvalid(post("fetch", "{\"filter\":{}}"), "non-empty");
        assertInvalid(post("fetch", "{\"filter\":{\"n\":1},\"pagination_token\":\"garbage\"}"), "paginationToken");
        assertInvalid(post("fetch", "{\"ids\":[\"keep\"],\"include_fields\":\"title\"}"), "include_fields");
        assertInvalid(post("list", "{\"limit\":101}"), "between 1 and 100");
        // A page token is not signed, so one claiming a larger page than a limit may ask for is refused.
        assertInvalid(post("list", "{\"pagination_token\":\"" + base64Url("d2:101:keep") + "\"}"), "paginationToken");
        assertInvalid(post("fetch", "{\"filter\":{\"n\":1},\"pagination_token\":\"" + base64Url("d1:10001:") + "\"}"),
                "paginationToken");
        assertInvalid(post("list", "{\"prefix\":\"\u00fc\"}"), "ASCII");

        assertInvalid(post("update", "{}"), "needs 'documents'");
        assertInvalid(post("update", "{\"documents\":[{\"_id\":\"keep\",\"n\":2}],\"filter\":{\"n\":1}}"), "mutually exclusive");
        assertInvalid(post("update", "{\"documents\":[{\"_id\":\"keep\"}],\"remove_fields\":[\"n\"]}"), "mutually exclusive");
        assertInvalid(post("update", "{\"filter\":{\"n\":1},\"set_fields\":{}}"), "non-empty 'set_fields'");
        assertInvalid(post("update", "{\"filter\":{\"n\":1},\"set_fields\":{\"n\":2},\"remove_fields\":[\"n\"]}"), "both set and removed");
        assertInvalid(post("update", "{\"documents\":[{\"_id\":\"keep\",\"_remove_fields\":[\"_id\"]}]}"), "'_id' cannot be removed");
        assertInvalid(post("update", "{\"documents\":[{\"_id\":\"keep\",\"title\":[\"not\",\"text\"]}]}"), "must be a string");
        assertInvalid(post("update", "{\"filter\":{\"title\":{\"$match_phrase\":\"kept\"}},\"set_fields\":{\"n\":5}}"),
                "supported only in search");
        // An empty set_fields next to documents asks for no by-filter change: a valid per-id update.
        assertEquals(202, post("update", "{\"documents\":[{\"_id\":\"keep\",\"n\":3}],\"set_fields\":{}}").status());

        assertInvalid(post("delete", "{}"), "exactly one");
        assertInvalid(post("delete", "{\"delete_all\":false}"), "exactly one");
        assertInvalid(post("delete", "{\"ids\":[\"keep\"],\"delete_all\":true}"), "exactly one");
        assertInvalid(post("delete", "{\"filter\":{\"title\":{\"$match_all\":\"kept\"}}}"), "supported only in search");
        assertError(post("nonsense", "{}"), 404, "NOT_FOUND", "upsert, search, fetch");
        assertError(data.send("GET", "/namespaces/ns/documents/list", null, V7), 404, "NOT_FOUND", "GET");

        JsonNode kept = post("fetch", "{\"ids\":[\"keep\"]}").json().get("documents").get("keep");
        assertEquals("kept", kept.get("title").asText());
        assertEquals(3, kept.get("n").asInt(), "only the valid update applied");
    }

    /** Each patch is valid alone; the second makes its document's metadata exceed 40 KB once merged. */
    @Test
    void aPerDocumentUpdateThatOneDocumentRefusesStoresNoneOfItsPatches() {
        Http.Response upserted = post("atomic", "upsert", "{\"documents\":[{\"_id\":\"one\",\"title\":\"t\",\"n\":1},{\"_id\":\"two\","
                + "\"title\":\"t\",\"big\":\"" + "x".repeat(30_000) + "\"}]}");
        assertEquals(202, upserted.status(), upserted.toString());
        assertInvalid(post("atomic", "update", "{\"documents\":[{\"_id\":\"one\",\"n\":2},{\"_id\":\"two\",\"more\":\""
                + "y".repeat(15_000) + "\"}]}"), "exceeds the limit of 40960 bytes");
        JsonNode docs = post("atomic", "fetch", "{\"ids\":[\"one\",\"two\"]}").json().get("documents");
        assertEquals(1, docs.get("one").get("n").asInt(), "the first document's valid patch was not stored either: " + docs.get("one"));
        assertFalse(docs.get("two").has("more"));
        // Two patches of one id apply in order, as one write.
        assertEquals(202, post("atomic", "update", "{\"documents\":[{\"_id\":\"one\",\"n\":3,\"m\":1},{\"_id\":\"one\","
                + "\"n\":4},{\"_id\":\"ghost\",\"n\":5}]}").status());
        JsonNode one = post("atomic", "fetch", "{\"ids\":[\"one\",\"ghost\"]}").json().get("documents");
        assertEquals(4, one.get("one").get("n").asInt());
        assertEquals(1, one.get("one").get("m").asInt());
        assertFalse(one.has("ghost"), "an update creates no document");
    }

    @Test
    void anUpdateMayNotLeaveADocumentThatAnUpsertWouldRefuse() {
        assertEquals(202, post("shape", "upsert", "{\"documents\":[{\"_id\":\"d\",\"title\":\"kept\",\"n\":1}]}").status());
        assertInvalid(post("shape", "update", "{\"documents\":[{\"_id\":\"d\",\"_remove_fields\":[\"title\"]}]}"),
                "no field of the index schema");
        assertInvalid(post("shape", "update", "{\"filter\":{\"n\":1},\"remove_fields\":[\"title\"]}"), "no field of the index schema");
        assertEquals("kept", post("shape", "fetch", "{\"ids\":[\"d\"]}").json().get("documents").get("d").get("title").asText());

        // Documents grown past 2 MB by updates that are each under the request limit.
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            fields.append(i == 0 ? "" : ",").append("\"t").append(i)
                    .append("\":{\"type\":\"string\",\"full_text_search\":{\"language\":\"en\"}}");
        }
        Http.Response created = control.send("POST", "/indexes", "{\"name\":\"wide\",\"schema\":{\"fields\":{" + fields + "}}}", V7);
        assertEquals(201, created.status(), created.toString());
        Http wide = control.forHost(created.json().get("host").asText());
        String text = "abcdefghi ".repeat(9_000); // 90 KB, 9,000 words: within a full-text value's limits
        StringBuilder half = new StringBuilder("{\"_id\":\"w\"");
        for (int i = 0; i < 12; i++) half.append(",\"t").append(i).append("\":\"").append(text).append("\"");
        assertEquals(202, wide.send("POST", "/namespaces/ns/documents/upsert", "{\"documents\":[" + half + "}]}", V7).status());
        StringBuilder rest = new StringBuilder("{\"_id\":\"w\"");
        for (int i = 12; i < 24; i++) rest.append(",\"t").append(i).append("\":\"").append(text).append("\"");
        assertInvalid(wide.send("POST", "/namespaces/ns/documents/update", "{\"documents\":[" + rest + "}]}", V7), "at most 2097152");
        JsonNode w = wide.send("POST", "/namespaces/ns/documents/fetch", "{\"ids\":[\"w\"]}", V7).json().get("documents").get("w");
        assertFalse(w.has("t12"), "the refused update stored nothing");
        assertEquals(text, w.get("t11").asText());
        assertEquals(202, control.delete("/indexes/wide").status());
    }

    @Test
    void searchesAsLargeAsTheSpecAllowsAreServedAndLargerOnesAreAClientError() {
        assertEquals(202, post("big", "upsert", "{\"documents\":[{\"_id\":\"b\",\"title\":\"word17 of a title\",\"n\":7}]}").status());
        // ~1,200 distinct words (about 9 KB): within the 10 KB a text query may hold.
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 1_200; i++) words.append("word").append(i).append(' ');
        Http.Response found = post("big", "search", "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"title\"],\"query\":\""
                + words.toString().trim() + "\"}]}");
        assertEquals(200, found.status(), found.toString());
        assertEquals("b", found.json().get("matches").get(0).get("_id").asText());

        // A filter of 20,000 conditions, and a regular expression too complex to search: 400, not an internal error.
        StringBuilder or = new StringBuilder("{\"$or\":[");
        for (int i = 0; i < 20_000; i++) or.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append('}');
        String filter = or + "]}";
        assertInvalid(post("big", "search", "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"title\"],\"query\":\"word17\"}],"
                + "\"filter\":" + filter + "}"), "clauses or terms");
        assertInvalid(post("big", "delete", "{\"filter\":" + filter + "}"), "clauses or terms");
        assertInvalid(post("big", "search", "{\"top_k\":1,\"score_by\":[{\"type\":\"query_string\",\"query\":\"title:/[ab]*a[ab]{20}/\"}]}"),
                "query_string");
        assertEquals(1, post("big", "fetch", "{\"ids\":[\"b\"]}").json().get("documents").size(), "the refused delete deleted nothing");
    }

    @Test
    void aScoreThatIsNotFiniteIsNull() {
        assertEquals(202, data.send("POST", "/namespaces/huge/documents/upsert",
                "{\"documents\":[{\"_id\":\"h\",\"emb\":[3e38,3e38]}]}", V7).status());
        Http.Response r = data.send("POST", "/namespaces/huge/documents/search",
                "{\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"emb\"],\"values\":[3e38,3e38]}],\"top_k\":1}", V7);
        assertEquals(200, r.status(), r.toString());
        JsonNode match = r.json().get("matches").get(0);
        assertEquals("h", match.get("_id").asText());
        assertTrue(match.has("_score") && match.get("_score").isNull(), r.toString());
    }

    @Test
    void acknowledgedDocumentsSurviveACrashAndAnswerTheSameSearch() {
        Http.Response up = data.send("POST", "/namespaces/durable/documents/upsert", """
                {"documents":[{"_id":"a","title":"Crash-proof storage engines","kw":{"indices":[4],"values":[2]}},
                              {"_id":"b","title":"Gardening for beginners","year":2012}]}""", V7);
        assertEquals(202, up.status(), up.toString());
        assertNotNull(up.header("x-pinecone-request-lsn"));
        String search = "{\"score_by\":[{\"type\":\"text\",\"fields\":[\"title\"],\"query\":\"storage engine\"}],\"top_k\":5}";
        JsonNode before = data.send("POST", "/namespaces/durable/documents/search", search, V7).json().get("matches");
        assertEquals("a", before.get(0).get("_id").asText());

        server.crashAndRestart();

        JsonNode after = data.send("POST", "/namespaces/durable/documents/search", search, V7).json().get("matches");
        assertEquals(before, after, "the same hits with the same scores");
        JsonNode b = data.send("POST", "/namespaces/durable/documents/fetch", "{\"ids\":[\"b\"]}", V7).json()
                .get("documents").get("b");
        assertEquals("Gardening for beginners", b.get("title").asText());
        assertTrue(b.get("year").isIntegralNumber(), "whole metadata numbers come back as integers: " + b);
        assertEquals(2012, b.get("year").asInt());
    }

    @Test
    void vectorOperationsOnADocumentIndexAndDocumentOperationsOnAVectorIndexNameTheRightApi() {
        assertInvalid400Rpc(data.send("POST", "/vectors/upsert", "{\"vectors\":[{\"id\":\"v\",\"values\":[1,2]}]}", V7),
                "use the documents API");
        assertInvalid400Rpc(data.send("POST", "/query", "{\"vector\":[1,2],\"topK\":1}", "2025-10"), "use the documents API");
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", dataPort).usePlaintext().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> DataPlane2026Test.grpc(channel, V7)
                    .fetch(FetchRequest.newBuilder().addIds("a").setNamespace("ns").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("use the documents API"), e.toString());
            // Stats describe every kind of index.
            DataPlane2026Test.grpc(channel, V7).describeIndexStats(DescribeIndexStatsRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }

        String vectorHost = control.createDense("plainvectors", 2, "cosine");
        Http vectors = control.forHost(vectorHost);
        assertInvalid(vectors.send("POST", "/namespaces/ns/documents/upsert", "{\"documents\":[{\"_id\":\"a\",\"t\":\"x\"}]}", V7),
                "use the vectors API");
    }

    static void assertInvalid400Rpc(Http.Response r, String part) {
        assertEquals(400, r.status(), r.toString());
        assertEquals(3, r.json().get("code").asInt(), r.toString());
        assertTrue(r.json().get("message").asText().contains(part), r.toString());
    }
}
