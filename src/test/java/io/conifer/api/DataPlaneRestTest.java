package io.conifer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every data-plane REST route over real HTTP, with the values each must return. */
class DataPlaneRestTest {
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

    static Http newIndex(int dimension, String metric) {
        return control.forHost(control.createDense("idx-" + (++counter), dimension, metric));
    }

    static void assertError(Http.Response r, int status, int grpcCode, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        JsonNode j = r.json();
        assertEquals(grpcCode, j.get("code").asInt(), r.toString());
        assertTrue(j.get("message").asText().contains(messagePart), "message should mention '" + messagePart + "': " + r);
        assertTrue(j.get("details").isArray(), r.toString());
    }

    static List<String> ids(JsonNode matches) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : matches) out.add(m.get("id").asText());
        return out;
    }

    static final String THREE = "{\"vectors\":["
            + "{\"id\":\"a\",\"values\":[1,0,0],\"metadata\":{\"genre\":\"drama\",\"year\":2019,\"tags\":[\"x\",\"y\"],\"new\":true}},"
            + "{\"id\":\"b\",\"values\":[0.8,0.6,0],\"metadata\":{\"genre\":\"comedy\",\"year\":2020,\"tags\":[\"y\"],\"new\":false}},"
            + "{\"id\":\"c\",\"values\":[0,0,2],\"metadata\":{\"genre\":\"drama\",\"year\":2021.5}}]}";

    @Test
    void upsertQueryCosineScores() {
        Http d = newIndex(3, "cosine");
        Http.Response up = d.post("/vectors/upsert", THREE);
        assertEquals(200, up.status(), up.toString());
        assertEquals(3, up.json().get("upsertedCount").asInt());
        JsonNode q = d.post("/query", "{\"vector\":[1,0,0],\"topK\":3,\"includeMetadata\":true,\"includeValues\":true}").json();
        JsonNode m = q.get("matches");
        assertEquals(List.of("a", "b", "c"), ids(m));
        assertEquals(1.0, m.get(0).get("score").asDouble(), 1e-5);
        assertEquals(0.8, m.get(1).get("score").asDouble(), 1e-5);
        assertEquals(0.0, m.get(2).get("score").asDouble(), 1e-5);
        assertEquals("drama", m.get(0).get("metadata").get("genre").asText());
        assertEquals(2019, m.get(0).get("metadata").get("year").asDouble(), 0);
        assertEquals("[\"x\",\"y\"]", m.get(0).get("metadata").get("tags").toString());
        assertEquals("[0.8,0.6,0.0]", m.get(1).get("values").toString());
        // Without include flags nothing extra comes back.
        JsonNode bare = d.post("/query", "{\"vector\":[1,0,0],\"topK\":1}").json().get("matches").get(0);
        assertFalse(bare.has("metadata"));
        assertEquals(0, bare.get("values").size());
        // topK limits.
        assertEquals(2, d.post("/query", "{\"vector\":[1,0,0],\"topK\":2}").json().get("matches").size());
    }

    @Test
    void euclideanAndDotProductScores() {
        Http e = newIndex(2, "euclidean");
        e.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"near\",\"values\":[1,1]},{\"id\":\"far\",\"values\":[4,5]}]}");
        JsonNode m = e.post("/query", "{\"vector\":[1,2],\"topK\":2}").json().get("matches");
        assertEquals(List.of("near", "far"), ids(m), "closest first");
        assertEquals(1.0, m.get(0).get("score").asDouble(), 1e-4, "squared euclidean distance");
        assertEquals(18.0, m.get(1).get("score").asDouble(), 1e-3);

        Http p = newIndex(2, "dotproduct");
        p.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"big\",\"values\":[3,4]},{\"id\":\"neg\",\"values\":[-1,-2]},"
                + "{\"id\":\"small\",\"values\":[0.5,0.1]}]}");
        m = p.post("/query", "{\"vector\":[1,2],\"topK\":3}").json().get("matches");
        assertEquals(List.of("big", "small", "neg"), ids(m));
        assertEquals(11.0, m.get(0).get("score").asDouble(), 1e-4);
        assertEquals(0.7, m.get(1).get("score").asDouble(), 1e-4);
        assertEquals(-5.0, m.get(2).get("score").asDouble(), 1e-4);
    }

    @Test
    void queryById() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", THREE);
        JsonNode m = d.post("/query", "{\"id\":\"b\",\"topK\":2}").json().get("matches");
        assertEquals(List.of("b", "a"), ids(m));
        assertEquals(0, d.post("/query", "{\"id\":\"missing\",\"topK\":2}").json().get("matches").size());
        assertError(d.post("/query", "{\"id\":\"a\",\"vector\":[1,0,0],\"topK\":2}"), 400, 3, "not both");
    }

    /** A query's matches may hold 4 MB, as Pinecone's query result limit: more is a 400 that says what to drop. */
    @Test
    void aQueryWhoseMatchesWouldPassFourMegabytesIsRefused() {
        Http d = newIndex(2000, "cosine");
        String values = "[" + "1,".repeat(1999) + "1]";
        for (int batch = 0; batch < 6; batch++) {
            StringBuilder body = new StringBuilder("{\"vectors\":[");
            for (int i = 0; i < 100; i++) {
                body.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(batch * 100 + i).append("\",\"values\":").append(values).append('}');
            }
            assertEquals(200, d.post("/vectors/upsert", body.append("]}").toString()).status());
        }
        // 600 x 2000 floats are 4.8 MB.
        assertError(d.post("/query", "{\"vector\":" + values + ",\"topK\":600,\"includeValues\":true}"), 400, 3, "4 MB");
        assertEquals(600, d.post("/query", "{\"vector\":" + values + ",\"topK\":600}").json().get("matches").size());
        assertEquals(500, d.post("/query", "{\"vector\":" + values + ",\"topK\":500,\"includeValues\":true}").json()
                .get("matches").size());
    }

    /** Metadata strings of any length (up to the 40 KB record limit) filter exactly, not only short ones. */
    @Test
    void longMetadataStringsFilterExactly() {
        Http d = newIndex(3, "cosine");
        String longText = "a".repeat(20_000);
        String nearly = "a".repeat(19_999) + "c";
        d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"long\",\"values\":[1,0,0],\"metadata\":{\"body\":\"" + longText + "\"}},"
                + "{\"id\":\"list\",\"values\":[0,0,1],\"metadata\":{\"body\":[\"x\",\"" + nearly + "\"]}},"
                + "{\"id\":\"short\",\"values\":[0,1,0],\"metadata\":{\"body\":\"b\"}}]}");
        String[][] cases = {
            {"{\"body\":\"" + longText + "\"}", "long"},
            {"{\"body\":{\"$ne\":\"" + longText + "\"}}", "list,short"},
            {"{\"body\":{\"$in\":[\"" + longText + "\",\"b\"]}}", "long,short"},
            {"{\"body\":{\"$in\":[\"" + nearly + "\"]}}", "list"},
            {"{\"body\":{\"$nin\":[\"" + longText + "\",\"" + nearly + "\"]}}", "short"},
        };
        for (String[] c : cases) {
            List<String> got = ids(d.post("/query", "{\"vector\":[1,1,1],\"topK\":10,\"filter\":" + c[0] + "}").json().get("matches"));
            got.sort(null);
            assertEquals(c[1], String.join(",", got), "filter on body " + c[0].length() + " chars, expecting " + c[1]);
        }
    }

    @Test
    void aNegativeZeroIsZeroInEveryNumberFilter() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"neg\",\"values\":[1,0,0],\"metadata\":{\"x\":-0.0}},"
                + "{\"id\":\"pos\",\"values\":[0,1,0],\"metadata\":{\"x\":0}},"
                + "{\"id\":\"one\",\"values\":[0,0,1],\"metadata\":{\"x\":1}}]}");
        String[][] cases = {
            {"{\"x\":0}", "neg,pos"},
            {"{\"x\":-0.0}", "neg,pos"},
            {"{\"x\":{\"$gte\":0}}", "neg,one,pos"},
            {"{\"x\":{\"$lte\":-0.0}}", "neg,pos"},
            {"{\"x\":{\"$gt\":-0.0}}", "one"},
            {"{\"x\":{\"$lt\":0}}", ""},
            {"{\"x\":{\"$in\":[0]}}", "neg,pos"},
            {"{\"x\":{\"$ne\":0}}", "one"},
            {"{\"x\":{\"$nin\":[-0.0]}}", "one"},
        };
        for (String[] c : cases) {
            List<String> got = ids(d.post("/query", "{\"vector\":[1,1,1],\"topK\":10,\"filter\":" + c[0] + "}").json().get("matches"));
            got.sort(null);
            assertEquals(c[1], String.join(",", got), "filter " + c[0]);
        }
    }

    @Test
    void metadataFilters() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", THREE);
        String[][] cases = {
            {"{\"genre\":\"drama\"}", "a,c"},
            {"{\"genre\":{\"$eq\":\"comedy\"}}", "b"},
            {"{\"genre\":{\"$ne\":\"drama\"}}", "b"},
            {"{\"year\":{\"$gt\":2019}}", "b,c"},
            {"{\"year\":{\"$gte\":2020,\"$lt\":2021}}", "b"},
            {"{\"year\":{\"$lte\":2020}}", "a,b"},
            {"{\"year\":{\"$eq\":2021.5}}", "c"},
            {"{\"genre\":{\"$in\":[\"comedy\",\"horror\"]}}", "b"},
            {"{\"genre\":{\"$nin\":[\"comedy\"]}}", "a,c"},
            {"{\"tags\":{\"$in\":[\"x\"]}}", "a"},
            {"{\"tags\":\"y\"}", "a,b"},
            {"{\"tags\":{\"$nin\":[\"y\"]}}", "c"},
            {"{\"new\":true}", "a"},
            {"{\"new\":{\"$ne\":true}}", "b,c"},
            {"{\"tags\":{\"$exists\":true}}", "a,b"},
            {"{\"tags\":{\"$exists\":false}}", "c"},
            {"{\"$or\":[{\"genre\":\"comedy\"},{\"year\":{\"$gt\":2021}}]}", "b,c"},
            {"{\"$and\":[{\"genre\":\"drama\"},{\"year\":{\"$lt\":2020}}]}", "a"},
            {"{\"genre\":\"drama\",\"new\":true}", "a"},
            {"{\"year\":{\"$in\":[2019,2021.5]}}", "a,c"},
            {"{\"genre\":\"none\"}", ""},
        };
        for (String[] c : cases) {
            Http.Response r = d.post("/query", "{\"vector\":[1,1,1],\"topK\":10,\"filter\":" + c[0] + "}");
            assertEquals(200, r.status(), c[0] + " -> " + r);
            List<String> got = ids(r.json().get("matches"));
            got.sort(null);
            assertEquals(c[1], String.join(",", got), "filter " + c[0]);
        }
        String[][] bad = {
            {"{\"genre\":{\"$regex\":\"d.*\"}}", "$regex"},
            {"{\"year\":{\"$gt\":\"2019\"}}", "number"},
            {"{\"genre\":{\"$in\":\"drama\"}}", "array"},
            {"{\"$or\":{\"genre\":\"drama\"}}", "$or"},
            {"{\"$not\":{\"genre\":\"drama\"}}", "$not"},
            {"{\"tags\":{\"$exists\":1}}", "$exists"},
            {"{\"genre\":{\"$eq\":{\"a\":1}}}", "object"},
        };
        for (String[] b : bad) {
            assertError(d.post("/query", "{\"vector\":[1,1,1],\"topK\":10,\"filter\":" + b[0] + "}"), 400, 3, b[1]);
        }
    }

    @Test
    void fetchUpdateAndMetadataMerge() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", THREE);
        JsonNode f = d.get("/vectors/fetch?ids=a&ids=c&ids=missing").json();
        assertEquals(Set.of("a", "c"), fieldNames(f.get("vectors")));
        assertEquals("[1.0,0.0,0.0]", f.get("vectors").get("a").get("values").toString());
        assertEquals("drama", f.get("vectors").get("c").get("metadata").get("genre").asText());

        Http.Response u = d.post("/vectors/update", "{\"id\":\"a\",\"values\":[0,1,0],\"setMetadata\":{\"genre\":\"noir\",\"extra\":1}}");
        assertEquals(200, u.status(), u.toString());
        JsonNode a = d.get("/vectors/fetch?ids=a").json().get("vectors").get("a");
        assertEquals("[0.0,1.0,0.0]", a.get("values").toString());
        assertEquals("noir", a.get("metadata").get("genre").asText());
        assertEquals(2019, a.get("metadata").get("year").asInt(), "untouched fields stay");
        assertEquals(1, a.get("metadata").get("extra").asInt());
        // The query index sees the new values at once.
        assertEquals("a", d.post("/query", "{\"vector\":[0,1,0],\"topK\":1}").json().get("matches").get(0).get("id").asText());
        // Only metadata.
        d.post("/vectors/update", "{\"id\":\"a\",\"setMetadata\":{\"year\":1999}}");
        a = d.get("/vectors/fetch?ids=a").json().get("vectors").get("a");
        assertEquals("[0.0,1.0,0.0]", a.get("values").toString());
        assertEquals(1999, a.get("metadata").get("year").asInt());
        assertEquals(1, d.post("/query", "{\"vector\":[0,1,0],\"topK\":5,\"filter\":{\"year\":1999}}").json().get("matches").size());
        assertEquals(0, d.post("/query", "{\"vector\":[0,1,0],\"topK\":5,\"filter\":{\"year\":2019}}").json().get("matches").size(),
                "the old metadata value is no longer indexed");
        // Missing id: nothing matched, nothing created.
        JsonNode none = d.post("/vectors/update", "{\"id\":\"ghost\",\"setMetadata\":{\"x\":1}}").json();
        assertEquals(0, none.get("matchedRecords").asInt());
        assertEquals(0, d.get("/vectors/fetch?ids=ghost").json().get("vectors").size());
        assertError(d.post("/vectors/update", "{\"id\":\"a\",\"values\":[1,2]}"), 400, 3, "dimension");
        assertEquals("[0.0,1.0,0.0]", d.get("/vectors/fetch?ids=a").json().get("vectors").get("a").get("values").toString());
    }

    @Test
    void deletes() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", THREE);
        d.post("/vectors/upsert", "{\"namespace\":\"other\",\"vectors\":[{\"id\":\"a\",\"values\":[1,1,1]}]}");
        assertEquals(200, d.post("/vectors/delete", "{\"ids\":[\"a\"]}").status());
        assertEquals(Set.of("b", "c"), fieldNames(d.get("/vectors/fetch?ids=a&ids=b&ids=c").json().get("vectors")));
        assertEquals(1, d.get("/vectors/fetch?ids=a&namespace=other").json().get("vectors").size(), "other namespace untouched");
        assertEquals(200, d.post("/vectors/delete", "{\"filter\":{\"genre\":\"comedy\"}}").status());
        assertEquals(Set.of("c"), fieldNames(d.get("/vectors/fetch?ids=b&ids=c").json().get("vectors")));
        assertEquals(200, d.post("/vectors/delete", "{\"deleteAll\":true}").status());
        assertEquals(0, d.get("/vectors/fetch?ids=c").json().get("vectors").size());
        assertEquals(1, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        assertError(d.post("/vectors/delete", "{}"), 400, 3, "exactly one");
        assertError(d.post("/vectors/delete", "{\"ids\":[\"a\"],\"deleteAll\":true}"), 400, 3, "exactly one");
        assertError(d.post("/vectors/delete", "{\"filter\":{\"genre\":{\"$bad\":1}}}"), 400, 3, "$bad");
        StringBuilder many = new StringBuilder("{\"ids\":[");
        for (int i = 0; i < 1001; i++) many.append(i == 0 ? "" : ",").append("\"").append(i).append("\"");
        assertError(d.post("/vectors/delete", many + "]}"), 400, 3, "1000");
    }

    @Test
    void namespacesAreIsolatedAndDefaultHasTwoNames() {
        Http d = newIndex(2, "cosine");
        d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"x\",\"values\":[1,0]}]}");
        d.post("/vectors/upsert", "{\"namespace\":\"__default__\",\"vectors\":[{\"id\":\"y\",\"values\":[0,1]}]}");
        d.post("/vectors/upsert", "{\"namespace\":\"ns1\",\"vectors\":[{\"id\":\"x\",\"values\":[0,1]},{\"id\":\"z\",\"values\":[1,1]}]}");
        assertEquals(Set.of("x", "y"), fieldNames(d.get("/vectors/fetch?ids=x&ids=y&namespace=__default__").json().get("vectors")));
        assertEquals(2, d.get("/vectors/fetch?ids=x&ids=y").json().get("vectors").size());
        JsonNode q = d.post("/query", "{\"namespace\":\"ns1\",\"vector\":[1,0],\"topK\":5}").json();
        assertEquals(List.of("z", "x"), ids(q.get("matches")));
        assertEquals("ns1", q.get("namespace").asText());
        JsonNode stats = d.post("/describe_index_stats", "{}").json();
        assertEquals(4, stats.get("totalVectorCount").asInt());
        assertEquals(2, stats.get("namespaces").get("").get("vectorCount").asInt());
        assertEquals(2, stats.get("namespaces").get("ns1").get("vectorCount").asInt());
        assertEquals(2, stats.get("dimension").asInt());
        assertEquals("cosine", stats.get("metric").asText());
        assertEquals(0.0, stats.get("indexFullness").asDouble());
        JsonNode filtered = d.post("/describe_index_stats", "{\"filter\":{\"missing\":{\"$exists\":false}}}").json();
        assertEquals(4, filtered.get("totalVectorCount").asInt());

        JsonNode list = d.get("/namespaces").json();
        assertEquals(2, list.get("total_count").asInt());
        assertEquals("__default__", list.get("namespaces").get(0).get("name").asText());
        assertEquals("ns1", list.get("namespaces").get(1).get("name").asText());
        assertEquals(2, list.get("namespaces").get(1).get("record_count").asInt());
        JsonNode page = d.get("/namespaces?limit=1").json();
        assertEquals(1, page.get("namespaces").size());
        JsonNode page2 = d.get("/namespaces?limit=1&paginationToken=" + page.get("pagination").get("next").asText()).json();
        assertEquals("ns1", page2.get("namespaces").get(0).get("name").asText());
        assertNull(page2.get("pagination"));
        assertEquals(2, d.get("/namespaces/ns1").json().get("record_count").asInt());
        assertError(d.get("/namespaces/none"), 404, 5, "none");
        assertEquals(200, d.delete("/namespaces/ns1").status());
        assertError(d.get("/namespaces/ns1"), 404, 5, "ns1");
        assertError(d.delete("/namespaces/ns1"), 404, 5, "ns1");
        assertEquals(2, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        assertError(d.get("/namespaces?paginationToken=garbage!"), 400, 3, "paginationToken");
    }

    @Test
    void listWithPrefixAndPagination() {
        Http d = newIndex(2, "cosine");
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 250; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"doc#").append(String.format("%03d", i)).append("\",\"values\":[1,").append(i).append("]}");
        }
        d.post("/vectors/upsert", b + ",{\"id\":\"other\",\"values\":[1,1]}]}");
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = d.get("/vectors/list?prefix=doc%23&limit=100" + (token == null ? "" : "&paginationToken=" + token)).json();
            for (JsonNode v : page.get("vectors")) seen.add(v.get("id").asText());
            token = page.has("pagination") ? page.get("pagination").get("next").asText() : null;
            pages++;
        } while (token != null);
        assertEquals(3, pages);
        assertEquals(250, seen.size());
        assertEquals(250, new HashSet<>(seen).size(), "no repeats");
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen, "bitwise order");
        assertEquals("doc#000", seen.get(0));
        // Without a prefix, everything.
        JsonNode all = d.get("/vectors/list?limit=1000").json();
        assertEquals(251, all.get("vectors").size());
        assertFalse(all.has("pagination") && !all.get("pagination").isNull());
        assertError(d.get("/vectors/list?paginationToken=not-a-token"), 400, 3, "paginationToken");
        assertError(d.get("/vectors/list?limit=0"), 400, 3, "limit");
    }

    @Test
    void limitsNameTheLimit() {
        Http d = newIndex(3, "cosine");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2]}]}"), 400, 3, "dimension");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[]}"), 400, 3, "at least one");
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 1001; i++) b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"values\":[1,2,3]}");
        assertError(d.post("/vectors/upsert", b + "]}"), 400, 3, "1000");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"" + "x".repeat(513) + "\",\"values\":[1,2,3]}]}"), 400, 3, "512");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"\",\"values\":[1,2,3]}]}"), 400, 3, "id");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"m\",\"values\":[1,2,3],\"metadata\":{\"big\":\""
                + "x".repeat(41 * 1024) + "\"}}]}"), 400, 3, "40960");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"m\",\"values\":[1,2,3],\"metadata\":{\"o\":{\"a\":1}}}]}"),
                400, 3, "object");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"m\",\"values\":[1,2,3],\"metadata\":{\"l\":[1,2]}}]}"),
                400, 3, "lists");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"z\",\"values\":[0,0,0]}]}"), 400, 3, "non-zero");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"s\",\"values\":[1,2,3],\"sparseValues\":{\"indices\":[1],"
                + "\"values\":[1]}}]}"), 400, 3, "dotproduct");
        assertError(d.post("/query", "{\"vector\":[1,2,3],\"topK\":0}"), 400, 3, "topK");
        assertError(d.post("/query", "{\"vector\":[1,2,3],\"topK\":10001}"), 400, 3, "10000");
        assertError(d.post("/query", "{\"topK\":3}"), 400, 3, "vector");
        // A batch with one bad record writes nothing.
        assertEquals(400, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"good\",\"values\":[1,2,3]},"
                + "{\"id\":\"bad\",\"values\":[1]}]}").status());
        assertEquals(0, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        // Over 2 MB on the wire.
        StringBuilder huge = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 900; i++) {
            huge.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"values\":[1,2,3],\"metadata\":{\"t\":\"")
                    .append("y".repeat(2400)).append("\"}}");
        }
        assertError(d.post("/vectors/upsert", huge + "]}"), 413, 8, "2 MB");
        assertEquals(0, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        assertError(d.post("/query", "{broken"), 400, 3, "Invalid request body");
        assertError(d.post("/records/namespaces/x/upsert", "{}"), 400, 3, "not supported");
        assertError(d.get("/bulk/imports"), 400, 3, "Bulk import");
        assertError(d.get("/no/such/route"), 404, 5, "/no/such/route");
        assertError(d.post("/query", "{\"vector\":[1,2,3],\"topK\":\"ten\"}"), 400, 3, "Invalid request body");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":\"nope\"}]}"), 400, 3, "Invalid request body");
    }

    /**
     * scanFactor and maxCandidates tune Pinecone's dedicated indexes: in range they are accepted (and
     * unused) in every version, out of range a 400. With 2026-07 metadata keys may not begin with
     * {@code $}, and namespace operations and list prefixes take ASCII only; each refusal changes nothing.
     */
    @Test
    void theSpecsRangesAndPatternsHoldPerVersion() {
        Http d = newIndex(3, "cosine");
        assertEquals(200, d.post("/vectors/upsert", THREE).status());
        for (String version : new String[] {"2025-10", "2026-04", "2026-07"}) {
            assertEquals(200, d.send("POST", "/query", "{\"vector\":[1,0,0],\"topK\":2,\"scanFactor\":0.5,\"maxCandidates\":2}",
                    version).status(), version);
            assertEquals(200, d.send("POST", "/query", "{\"vector\":[1,0,0],\"topK\":2,\"scanFactor\":4,\"maxCandidates\":100000}",
                    version).status(), version);
            assertError(d.send("POST", "/query", "{\"vector\":[1,0,0],\"topK\":2,\"scanFactor\":100}", version), 400, 3, "scanFactor");
            assertError(d.send("POST", "/query", "{\"vector\":[1,0,0],\"topK\":2,\"scanFactor\":0.4}", version), 400, 3, "scanFactor");
            assertError(d.send("POST", "/query", "{\"vector\":[1,0,0],\"topK\":2,\"maxCandidates\":1000000}", version), 400, 3,
                    "maxCandidates");
            assertError(d.send("POST", "/query", "{\"vector\":[1,0,0],\"topK\":5,\"maxCandidates\":4}", version), 400, 3, "topK (5)");
        }

        String dollar = "{\"vectors\":[{\"id\":\"d\",\"values\":[1,2,3],\"metadata\":{\"$o\":1}}]}";
        assertError(d.send("POST", "/vectors/upsert", dollar, "2026-07"), 400, 3, "'$o'");
        assertError(d.send("POST", "/vectors/update", "{\"id\":\"a\",\"setMetadata\":{\"$x\":1}}", "2026-07"), 400, 3, "'$x'");
        assertError(d.send("POST", "/vectors/update", "{\"filter\":{\"genre\":\"drama\"},\"setMetadata\":{\"$x\":1}}", "2026-07"),
                400, 3, "'$x'");
        assertEquals(3, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        JsonNode a = d.send("GET", "/vectors/fetch?ids=a", null, "2026-07").json().get("vectors").get("a").get("metadata");
        assertFalse(a.has("$x"), a.toString());
        // The older specs say nothing of it, and their SDKs' users may rely on it.
        assertEquals(200, d.send("POST", "/vectors/upsert", dollar, "2025-10").status());

        assertError(d.send("POST", "/namespaces", "{\"name\":\"\u00e9t\u00e9\"}", "2026-07"), 400, 3, "ASCII");
        assertError(d.send("GET", "/namespaces?prefix=%C3%A9", null, "2026-07"), 400, 3, "ASCII");
        assertError(d.send("GET", "/vectors/list?prefix=%C3%A9", null, "2026-07"), 400, 3, "ASCII");
        assertError(d.send("GET", "/namespaces/%C3%A9t%C3%A9", null, "2026-07"), 400, 3, "ASCII");
        assertError(d.send("DELETE", "/namespaces/%C3%A9t%C3%A9", null, "2026-07"), 400, 3, "ASCII");
        assertEquals(200, d.send("POST", "/namespaces", "{\"name\":\"\u00e9t\u00e9\"}", "2026-04").status());
        assertEquals(200, d.send("GET", "/namespaces/%C3%A9t%C3%A9", null, "2026-04").status());
    }

    /**
     * Bodies are read in one pass and parameters set as HTTP/JSON transcoding set them, with the same
     * words for what cannot be read: unknown fields and parameters are ignored, proto and camelCase
     * names both work, a query parameter overrides the body, DELETE takes its ids from the query.
     */
    @Test
    void bodiesAndParametersReadOnceWithTranscodingsRules() {
        Http d = newIndex(3, "cosine");
        assertEquals(200, d.post("/vectors/upsert?namespace=fromQuery", "{\"vectors\":[{\"id\":\"é漢\uD83D\uDE00\",\"values\":[1,\"2\",3e0],"
                + "\"metadata\":{\"year\":2019,\"nested\":[\"x\"]},\"extra\":[{\"a\":1}]}],\"namespace\":\"fromBody\"}").status());
        JsonNode q = d.post("/query", "{\"vector\":[1,2,3],\"top_k\":\"1\",\"include_metadata\":true,\"namespace\":\"fromQuery\"}").json();
        assertEquals("é漢\uD83D\uDE00", q.get("matches").get(0).get("id").asText());
        assertEquals("2019", q.get("matches").get(0).get("metadata").get("year").toString(), "a whole metadata number is an integer");
        assertEquals(1, d.get("/vectors/fetch?ids=%C3%A9%E6%BC%A2%F0%9F%98%80&ids=missing&namespace=fromQuery&foo=1")
                .json().get("vectors").size());
        assertEquals(0, d.post("/describe_index_stats", "{}").json().get("namespaces").path("fromBody").size(), "the query won");
        assertEquals(200, d.delete("/vectors/delete?ids=%C3%A9%E6%BC%A2%F0%9F%98%80&namespace=fromQuery").status());
        assertEquals(0, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());

        assertExact(d.post("/query", "{\"vector\":[1,2,3],\"topK\":-1}"), "Invalid request body: Out of range uint32 value: -1");
        assertExact(d.post("/query", "null"), "Invalid request body: Unexpected JSON: null, (expected: ObjectNode or null).");
        assertExact(d.post("/query", "{\"vector\":[NaN],\"topK\":1}"), "Invalid request body: Non-standard token 'NaN': enable "
                + "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow");
        assertExact(d.post("/query", "{\"vector\":[1,2,3],\"topK\":1,\"filter\":[1]}"), "Invalid request body: Expected start of object, got: [");
        assertExact(d.get("/vectors/list?limit=x"), "Invalid request body: For input string: \"x\"");
        assertExact(d.get("/vectors/list?limit=-1"), "Invalid request body: Out of range uint32 value: -1");
        assertExact(d.get("/describe_index_stats?filter=x"), "Invalid request body: Unsupported message type: google.protobuf.Struct");
        assertExact(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"n\",\"values\":[\"NaN\",1,2]}]}"),
                "Vector values must be finite numbers (record 'n')");
        assertEquals(400, d.post("/query", "{\"vector\":[1,2,3],\"topK\":1,\"filter\":" + "{\"$and\":[".repeat(60) + "{}"
                + "]}".repeat(60) + "}").status());
    }

    private static void assertExact(Http.Response r, String message) {
        assertEquals(400, r.status(), r.toString());
        assertEquals(3, r.json().get("code").asInt(), r.toString());
        assertEquals(message, r.json().get("message").asText());
    }

    @Test
    void sparseIndex() {
        Http.Response created = control.post("/indexes", "{\"name\":\"sparse-rest\",\"vector_type\":\"sparse\","
                + "\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}}");
        Http d = control.forHost(created.json().get("host").asText());
        Http.Response up = d.post("/vectors/upsert", "{\"vectors\":["
                + "{\"id\":\"s1\",\"sparseValues\":{\"indices\":[5,1],\"values\":[2.0,1.0]},\"metadata\":{\"k\":\"a\"}},"
                + "{\"id\":\"s2\",\"sparseValues\":{\"indices\":[1,9],\"values\":[3.0,1.0]},\"metadata\":{\"k\":\"b\"}},"
                + "{\"id\":\"s3\",\"sparseValues\":{\"indices\":[100],\"values\":[7.0]}}]}");
        assertEquals(200, up.status(), up.toString());
        JsonNode m = d.post("/query", "{\"sparseVector\":{\"indices\":[1,5],\"values\":[1.0,0.5]},\"topK\":5,"
                + "\"includeValues\":true}").json().get("matches");
        assertEquals(List.of("s2", "s1"), ids(m), "s3 shares no dimension");
        assertEquals(3.0, m.get(0).get("score").asDouble(), 1e-6);
        assertEquals(2.0, m.get(1).get("score").asDouble(), 1e-6);
        assertEquals("[1,5]", m.get(1).get("sparseValues").get("indices").toString(), "sorted by index");
        JsonNode filtered = d.post("/query", "{\"sparseVector\":{\"indices\":[1],\"values\":[1.0]},\"topK\":5,"
                + "\"filter\":{\"k\":\"a\"}}").json().get("matches");
        assertEquals(List.of("s1"), ids(filtered));
        assertEquals(List.of("s1", "s2"), ids(d.post("/query", "{\"id\":\"s1\",\"topK\":2}").json().get("matches")));
        JsonNode fetched = d.get("/vectors/fetch?ids=s2").json().get("vectors").get("s2");
        assertEquals("[1,9]", fetched.get("sparseValues").get("indices").toString());
        assertEquals("[3.0,1.0]", fetched.get("sparseValues").get("values").toString());
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"d\",\"values\":[1,2]}]}"), 400, 3, "sparse");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"d\",\"sparseValues\":{\"indices\":[1,1],"
                + "\"values\":[1,2]}}]}"), 400, 3, "repeats");
        assertError(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"d\",\"sparseValues\":{\"indices\":[1,2],"
                + "\"values\":[1]}}]}"), 400, 3, "same length");
        assertError(d.post("/query", "{\"vector\":[1,2],\"topK\":1}"), 400, 3, "sparse");
        JsonNode stats = d.post("/describe_index_stats", "{}").json();
        assertEquals("sparse", stats.get("vectorType").asText());
        assertFalse(stats.has("dimension"));
        d.post("/vectors/update", "{\"id\":\"s3\",\"sparseValues\":{\"indices\":[1],\"values\":[10]}}");
        assertEquals("s3", d.post("/query", "{\"sparseVector\":{\"indices\":[1],\"values\":[1.0]},\"topK\":1}")
                .json().get("matches").get(0).get("id").asText());
    }

    @Test
    void hybridQueryOnDotProductIndex() {
        Http d = newIndex(2, "dotproduct");
        d.post("/vectors/upsert", "{\"vectors\":["
                + "{\"id\":\"dense-win\",\"values\":[1,0]},"
                + "{\"id\":\"sparse-win\",\"values\":[0.9,0],\"sparseValues\":{\"indices\":[7],\"values\":[1.0]}}]}");
        JsonNode m = d.post("/query", "{\"vector\":[1,0],\"sparseVector\":{\"indices\":[7],\"values\":[0.5]},\"topK\":2}")
                .json().get("matches");
        assertEquals(List.of("sparse-win", "dense-win"), ids(m));
        assertEquals(1.4, m.get(0).get("score").asDouble(), 1e-5);
    }

    /** 300 records of dense score 1 and no sparse values, so the dense top 100 never holds {@code extra}'s. */
    static String denseCrowdPlus(String extra) {
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 300; i++) b.append("{\"id\":\"d").append(i).append("\",\"values\":[1,0],\"metadata\":{\"k\":\"in\"}},");
        return b.append(extra).append("]}").toString();
    }

    @Test
    void hybridQueryFindsStrongSparseOutsideDenseCandidates() {
        Http d = newIndex(2, "dotproduct");
        Http.Response up = d.post("/vectors/upsert", denseCrowdPlus(
                "{\"id\":\"kw\",\"values\":[0.01,0],\"sparseValues\":{\"indices\":[7],\"values\":[5]}}"));
        assertEquals(200, up.status(), up.toString());
        String sparse = "\"sparseVector\":{\"indices\":[7],\"values\":[1]}";
        JsonNode m = d.post("/query", "{\"vector\":[1,0]," + sparse + ",\"topK\":1}").json().get("matches");
        assertEquals(List.of("kw"), ids(m), "dense 0.01 + sparse 5 beats dense 1");
        assertEquals(5.01, m.get(0).get("score").asDouble(), 1e-5);
        // An all-zero dense vector (alpha = 0) ranks by the sparse score alone; 2026-07 refuses it.
        m = d.post("/query", "{\"vector\":[0,0]," + sparse + ",\"topK\":2}").json().get("matches");
        assertEquals("kw", m.get(0).get("id").asText(), m.toString());
        assertEquals(5.0, m.get(0).get("score").asDouble(), 1e-5);
        assertEquals(0.0, m.get(1).get("score").asDouble(), 1e-6);
        assertError(d.send("POST", "/query", "{\"vector\":[0,0]," + sparse + ",\"topK\":1}", "2026-07"), 400, 3, "1e-8");
    }

    @Test
    void hybridQuerySparseCandidatesRespectFilterAndNamespace() {
        Http d = newIndex(2, "dotproduct");
        Http.Response up = d.post("/vectors/upsert", denseCrowdPlus(
                "{\"id\":\"kw-out\",\"values\":[0.01,0],\"sparseValues\":{\"indices\":[7],\"values\":[9]},"
                        + "\"metadata\":{\"k\":\"out\"}},"
                        + "{\"id\":\"kw-in\",\"values\":[0.01,0],\"sparseValues\":{\"indices\":[7],\"values\":[5]},"
                        + "\"metadata\":{\"k\":\"in\"}}"));
        assertEquals(200, up.status(), up.toString());
        up = d.post("/vectors/upsert", "{\"namespace\":\"other\",\"vectors\":[{\"id\":\"kw-other\",\"values\":[0.01,0],"
                + "\"sparseValues\":{\"indices\":[7],\"values\":[20]},\"metadata\":{\"k\":\"in\"}}]}");
        assertEquals(200, up.status(), up.toString());
        String query = "{\"vector\":[1,0],\"sparseVector\":{\"indices\":[7],\"values\":[1]},\"topK\":2";
        JsonNode m = d.post("/query", query + ",\"filter\":{\"k\":\"in\"}}").json().get("matches");
        assertEquals("kw-in", m.get(0).get("id").asText(), m.toString());
        assertEquals(5.01, m.get(0).get("score").asDouble(), 1e-5);
        assertFalse(ids(m).contains("kw-out"), "filtered out: " + m);
        assertEquals(List.of("kw-out", "kw-in"), ids(d.post("/query", query + "}").json().get("matches")));
        m = d.post("/query", query + ",\"filter\":{\"k\":\"out\"}}").json().get("matches");
        assertEquals(List.of("kw-out"), ids(m));
        assertEquals(9.01, m.get(0).get("score").asDouble(), 1e-5);
        assertEquals(List.of("kw-other"), ids(d.post("/query", query + ",\"namespace\":\"other\"}").json().get("matches")));
    }

    @Test
    void highDimensionIndex() {
        Http d = newIndex(2048, "cosine");
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < 2048; i++) v.append(i == 0 ? "" : ",").append(i % 7 == 0 ? 1 : 0);
        v.append("]");
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"h\",\"values\":" + v + "}]}").status());
        assertEquals(1.0, d.post("/query", "{\"vector\":" + v + ",\"topK\":1}").json().get("matches").get(0).get("score").asDouble(), 1e-5);
    }

    @Test
    void readYourWritesUnderConcurrency() throws Exception {
        Http d = newIndex(2, "euclidean");
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            final int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 25; i++) {
                        String id = "t" + thread + "-" + i;
                        Http.Response r = d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"" + id + "\",\"values\":[" + thread + "," + i + "]}]}");
                        assertEquals(200, r.status(), r.toString());
                        Http.Response fetched = d.get("/vectors/fetch?ids=" + id);
                        assertEquals(200, fetched.status(), fetched.toString());
                        assertTrue(fetched.json().path("vectors").has(id), "write visible to the next read: " + fetched);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(100, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
    }

    @Test
    void createNamespaceFetchByMetadataAndUpdateByFilter() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", THREE);
        Http.Response created = d.post("/namespaces", "{\"name\":\"empty\"}");
        assertEquals(200, created.status(), created.toString());
        assertEquals("empty", created.json().get("name").asText());
        assertEquals(0, d.get("/namespaces/empty").json().get("record_count").asInt());
        assertError(d.post("/namespaces", "{\"name\":\"empty\"}"), 409, 6, "already exists");
        assertEquals(2, d.get("/namespaces").json().get("total_count").asInt());
        assertFalse(d.post("/describe_index_stats", "{}").json().get("namespaces").has("empty"), "stats count records");

        JsonNode page = d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"genre\":\"drama\"},\"limit\":1}").json();
        assertEquals(Set.of("a"), fieldNames(page.get("vectors")));
        assertEquals("[1.0,0.0,0.0]", page.get("vectors").get("a").get("values").toString());
        JsonNode page2 = d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"genre\":\"drama\"},\"limit\":1,"
                + "\"paginationToken\":\"" + page.get("pagination").get("next").asText() + "\"}").json();
        assertEquals(Set.of("c"), fieldNames(page2.get("vectors")));
        assertNull(page2.get("pagination"));
        // The filter is optional in the spec: without one, every record of the namespace.
        assertEquals(Set.of("a", "b", "c"), fieldNames(d.post("/vectors/fetch_by_metadata", "{}").json().get("vectors")));

        JsonNode dry = d.post("/vectors/update", "{\"filter\":{\"genre\":\"drama\"},\"setMetadata\":{\"seen\":true},"
                + "\"dryRun\":true}").json();
        assertEquals(2, dry.get("matchedRecords").asInt());
        assertEquals(0, d.post("/query", "{\"vector\":[1,1,1],\"topK\":5,\"filter\":{\"seen\":true}}").json()
                .get("matches").size(), "a dry run changes nothing");
        JsonNode upd = d.post("/vectors/update", "{\"filter\":{\"genre\":\"drama\"},\"setMetadata\":{\"seen\":true}}").json();
        assertEquals(2, upd.get("matchedRecords").asInt());
        List<String> seen = ids(d.post("/query", "{\"vector\":[1,1,1],\"topK\":5,\"filter\":{\"seen\":true}}").json().get("matches"));
        seen.sort(null);
        assertEquals(List.of("a", "c"), seen);
        assertEquals(2019, d.get("/vectors/fetch?ids=a").json().get("vectors").get("a").get("metadata").get("year").asInt());
        assertError(d.post("/vectors/update", "{\"filter\":{\"genre\":\"drama\"},\"values\":[1,2,3]}"), 400, 3, "metadata only");

        // Declared namespaces and filter updates survive a crash (they are replayed from the log).
        server.crashAndRestart();
        assertEquals(0, d.get("/namespaces/empty").json().get("record_count").asInt());
        JsonNode seenStats = d.post("/describe_index_stats", "{\"filter\":{\"seen\":true}}").json();
        int seenCount = 0;
        for (JsonNode n : seenStats.get("namespaces")) seenCount += n.get("vectorCount").asInt();
        assertEquals(2, seenCount, seenStats.toString());
        assertEquals(200, d.delete("/namespaces/empty").status());
        assertError(d.get("/namespaces/empty"), 404, 5, "empty");
    }

    @Test
    void wholeMetadataNumbersComeBackAsIntegers() {
        Http d = newIndex(3, "cosine");
        // 2^53 is the largest exact whole double; 2^60 is whole but no longer names one integer.
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"n\",\"values\":[1,0.5,0],\"metadata\":"
                + "{\"year\":2012,\"neg\":-7,\"half\":2.5,\"big\":9007199254740992,\"huge\":1152921504606846976,"
                + "\"zero\":0}}]}").status());
        String expected = "{\"year\":2012,\"neg\":-7,\"half\":2.5,\"big\":9007199254740992,\"huge\":1.152921504606847E18,"
                + "\"zero\":0}";
        String fetched = d.get("/vectors/fetch?ids=n").body();
        assertTrue(fetched.contains(expected), fetched);
        assertTrue(fetched.contains("\"values\":[1.0,0.5,0.0]"), "vector values keep their float form: " + fetched);
        String queried = d.post("/query", "{\"vector\":[1,0.5,0],\"topK\":1,\"includeMetadata\":true}").body();
        assertTrue(queried.contains(expected), queried);
        String byMetadata = d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"year\":2012}}").body();
        assertTrue(byMetadata.contains(expected), byMetadata);
        // Stored values are unchanged: the whole number still matches as a number, the fraction too.
        assertEquals(1, d.post("/query", "{\"vector\":[1,0,0],\"topK\":5,\"filter\":{\"year\":{\"$eq\":2012.0},"
                + "\"half\":{\"$gt\":2}}}").json().get("matches").size());
    }

    static long lsn(Http.Response r, String header) {
        String v = r.header(header);
        assertTrue(v != null, header + " missing on " + r);
        return Long.parseLong(v);
    }

    @Test
    void writesAnswerTheirLsnAndReadsTheLsnTheySee() {
        Http d = newIndex(3, "cosine");
        Http.Response up = d.post("/vectors/upsert", THREE);
        long written = lsn(up, "x-pinecone-request-lsn");
        assertTrue(lsn(d.post("/query", "{\"vector\":[1,0,0],\"topK\":3}"), "x-pinecone-max-indexed-lsn") >= written);
        long[] writes = {
            lsn(d.post("/vectors/update", "{\"id\":\"a\",\"setMetadata\":{\"x\":1}}"), "x-pinecone-request-lsn"),
            lsn(d.post("/namespaces", "{\"name\":\"made\"}"), "x-pinecone-request-lsn"),
            lsn(d.post("/vectors/delete", "{\"ids\":[\"b\"]}"), "x-pinecone-request-lsn"),
            lsn(d.post("/vectors/delete", "{\"filter\":{\"genre\":\"comedy\"}}"), "x-pinecone-request-lsn"),
            lsn(d.delete("/namespaces/made"), "x-pinecone-request-lsn"),
        };
        long previous = written;
        for (long w : writes) {
            assertTrue(w > previous, "every write gets a higher sequence number: " + java.util.Arrays.toString(writes));
            previous = w;
        }
        // Each read reports a sequence that covers every write acknowledged before it.
        Http.Response query = d.post("/query", "{\"vector\":[1,0,0],\"topK\":3}");
        assertEquals(List.of("a", "c"), ids(query.json().get("matches")), "b was deleted");
        assertEquals(previous, lsn(query, "x-pinecone-max-indexed-lsn"), "nobody else writes to this index");
        assertEquals(previous, lsn(d.get("/vectors/fetch?ids=a"), "x-pinecone-max-indexed-lsn"));
        assertEquals(previous, lsn(d.get("/vectors/list"), "x-pinecone-max-indexed-lsn"));
        assertEquals(previous, lsn(d.post("/describe_index_stats", "{}"), "x-pinecone-max-indexed-lsn"));
        assertEquals(previous, lsn(d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"genre\":\"drama\"}}"),
                "x-pinecone-max-indexed-lsn"));
        // A write that changes nothing is visible at once: its sequence is already covered.
        long noop = lsn(d.post("/vectors/update", "{\"id\":\"ghost\",\"setMetadata\":{\"x\":1}}"), "x-pinecone-request-lsn");
        assertTrue(noop <= lsn(d.post("/query", "{\"vector\":[1,0,0],\"topK\":1}"), "x-pinecone-max-indexed-lsn"));
        // The numbering continues across a crash: the log keeps its sequence numbers.
        server.crashAndRestart();
        assertTrue(lsn(d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"z\",\"values\":[1,1,1]}]}"),
                "x-pinecone-request-lsn") > previous);
    }

    @Test
    void readsReportReadUnits() {
        Http d = newIndex(3, "cosine");
        d.post("/vectors/upsert", THREE);
        assertEquals(1, d.post("/query", "{\"vector\":[1,0,0],\"topK\":3}").json().get("usage").get("readUnits").asInt());
        assertEquals(1, d.get("/vectors/fetch?ids=a&ids=b").json().get("usage").get("readUnits").asInt());
        assertEquals(1, d.get("/vectors/list").json().get("usage").get("readUnits").asInt());
        assertEquals(1, d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"genre\":\"drama\"}}").json()
                .get("usage").get("readUnits").asInt());
    }

    /** Follows a listing with only the token after the first page; returns the page sizes. */
    static List<Integer> pageSizes(Http d, java.util.function.Function<String, Http.Response> page, String itemsField) {
        List<Integer> sizes = new ArrayList<>();
        String token = null;
        for (int i = 0; i < 20; i++) {
            JsonNode body = page.apply(token).json();
            sizes.add(body.get(itemsField).size());
            JsonNode next = body.get("pagination");
            if (next == null || next.isNull()) return sizes;
            token = next.get("next").asText();
        }
        throw new AssertionError("the listing does not end: " + sizes);
    }

    @Test
    void pageTokensCarryThePageSize() {
        Http d = newIndex(3, "cosine");
        StringBuilder vectors = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 7; i++) {
            vectors.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":[1,0,0],\"metadata\":{\"g\":\"x\"}}");
        }
        assertEquals(200, d.post("/vectors/upsert", vectors + "]}").status());
        for (int i = 0; i < 7; i++) assertEquals(200, d.post("/namespaces", "{\"name\":\"ns" + i + "\"}").status());

        assertEquals(List.of(3, 3, 1), pageSizes(d, t -> d.get(t == null ? "/vectors/list?limit=3" : "/vectors/list?paginationToken=" + t),
                "vectors"));
        assertEquals(List.of(3, 3, 2), pageSizes(d, t -> d.get(t == null ? "/namespaces?limit=3" : "/namespaces?paginationToken=" + t),
                "namespaces"), "7 created namespaces and the default one");
        assertEquals(List.of(3, 3, 1), pageSizes(d, t -> d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"g\":\"x\"},"
                + (t == null ? "\"limit\":3" : "\"paginationToken\":\"" + t + "\"") + "}"), "vectors"));
        // An explicit limit on a later page wins over the one the token carries.
        String token = d.get("/vectors/list?limit=3").json().get("pagination").get("next").asText();
        assertEquals(4, d.get("/vectors/list?limit=5&paginationToken=" + token).json().get("vectors").size());
        // Without a limit anywhere, the default page size.
        assertEquals(7, d.get("/vectors/list").json().get("vectors").size());
    }

    @Test
    void aFilterTooLargeToSearchIsAClientError() {
        Http d = newIndex(3, "cosine");
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,0,0],\"metadata\":{\"n\":3}}]}").status());
        StringBuilder or = new StringBuilder("{\"$or\":[");
        for (int i = 0; i < 20_000; i++) or.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append('}');
        String filter = or + "]}";
        assertError(d.post("/query", "{\"vector\":[1,0,0],\"topK\":1,\"filter\":" + filter + "}"), 400, 3, "clauses or terms");
        assertError(d.post("/vectors/delete", "{\"filter\":" + filter + "}"), 400, 3, "clauses or terms");
        // Thousands of conditions within the limit are served.
        StringBuilder some = new StringBuilder("{\"$or\":[");
        for (int i = 0; i < 5_000; i++) some.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append('}');
        JsonNode hits = d.post("/query", "{\"vector\":[1,0,0],\"topK\":1,\"filter\":" + some + "]}}").json();
        assertEquals("a", hits.get("matches").get(0).get("id").asText(), hits.toString());
        assertEquals(1, d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt(), "the refused delete deleted nothing");
    }

    @Test
    void aForgedPageTokenGetsNoLargerPageThanALimitWould() {
        Http d = newIndex(3, "cosine");
        StringBuilder vectors = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 150; i++) vectors.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":[1,0,0]}");
        assertEquals(200, d.post("/vectors/upsert", vectors + "]}").status());
        java.util.function.Function<String, String> token = s -> java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        // 2026-07 serves at most 100 ids a page, whether asked by limit or by the page size a token carries.
        assertError(d.send("GET", "/vectors/list?limit=150", null, "2026-07"), 400, 3, "limit");
        assertError(d.send("GET", "/vectors/list?paginationToken=" + token.apply("c2:150:v0"), null, "2026-07"), 400, 3, "paginationToken");
        assertError(d.send("GET", "/namespaces?paginationToken=" + token.apply("n2:150:"), null, "2026-07"), 400, 3, "paginationToken");
        assertEquals(100, d.send("GET", "/vectors/list?paginationToken=" + token.apply("c2:100:"), null, "2026-07")
                .json().get("vectors").size());
        // Older versions page up to 1000; a token past that, or of no page size at all, is refused.
        assertError(d.get("/vectors/list?paginationToken=" + token.apply("c2:5000:")), 400, 3, "paginationToken");
        assertError(d.get("/vectors/list?paginationToken=" + token.apply("c2:0:v1")), 400, 3, "paginationToken");
        assertError(d.post("/vectors/fetch_by_metadata", "{\"filter\":{\"g\":\"x\"},\"paginationToken\":\""
                + token.apply("c2:20000:") + "\"}"), 400, 3, "paginationToken");
        assertEquals(149, d.get("/vectors/list?paginationToken=" + token.apply("c2:1000:v0")).json().get("vectors").size());
    }

    @Test
    void namespaceWithAMetadataSchema() {
        Http d = newIndex(3, "cosine");
        Http.Response created = d.post("/namespaces", "{\"name\":\"films\",\"schema\":{\"fields\":{\"genre\":{\"filterable\":true},"
                + "\"year\":{\"filterable\":true}}}}");
        assertEquals(200, created.status(), created.toString());
        String schema = "{\"fields\":{\"genre\":{\"filterable\":true},\"year\":{\"filterable\":true}}}";
        assertEquals(schema, created.json().get("schema").toString());
        assertEquals(schema, d.get("/namespaces/films").json().get("schema").toString());
        JsonNode listed = d.get("/namespaces").json().get("namespaces").get(0);
        assertEquals("films", listed.get("name").asText());
        assertEquals(schema, listed.get("schema").toString());
        // The fields its records are indexed by, as the spec names them; none listed where every field is.
        assertEquals("{\"fields\":[\"genre\",\"year\"]}", created.json().get("indexed_fields").toString());
        assertEquals("{\"fields\":[\"genre\",\"year\"]}",
                d.send("GET", "/namespaces/films", null, "2026-07").json().get("indexed_fields").toString());
        assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,0,0]}]}").status());
        assertFalse(d.get("/namespaces/__default__").json().has("indexed_fields"));
        // Refused, and nothing created: filterable false (Pinecone does not support it either), an operator name.
        assertError(d.post("/namespaces", "{\"name\":\"bad\",\"schema\":{\"fields\":{\"genre\":{\"filterable\":false}}}}"),
                400, 3, "filterable");
        assertError(d.post("/namespaces", "{\"name\":\"bad\",\"schema\":{\"fields\":{\"$eq\":{\"filterable\":true}}}}"),
                400, 3, "$eq");
        assertError(d.get("/namespaces/bad"), 404, 5, "bad");
    }

    @Test
    void indexedFieldsAreWhatBothSchemasIndex() {
        Http.Response created = control.post("/indexes", "{\"name\":\"idx-narrow\",\"dimension\":2,\"metric\":\"cosine\","
                + "\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\","
                + "\"schema\":{\"fields\":{\"genre\":{\"filterable\":true},\"rating\":{\"filterable\":true}}}}}}");
        assertEquals(201, created.status(), created.toString());
        Http d = control.forHost(created.json().get("host").asText());
        assertEquals(200, d.post("/namespaces", "{\"name\":\"plain\"}").status());
        assertEquals("{\"fields\":[\"genre\",\"rating\"]}", d.get("/namespaces/plain").json().get("indexed_fields").toString());
        assertEquals(200, d.post("/namespaces", "{\"name\":\"films\",\"schema\":{\"fields\":{\"genre\":{\"filterable\":true},"
                + "\"year\":{\"filterable\":true}}}}").status());
        assertEquals("{\"fields\":[\"genre\"]}", d.get("/namespaces/films").json().get("indexed_fields").toString(),
                "year is in the namespace's schema but not the index's, so it is not indexed");
    }

    static Set<String> fieldNames(JsonNode n) {
        Set<String> out = new HashSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
