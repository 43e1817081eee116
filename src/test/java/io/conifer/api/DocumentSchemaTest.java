package io.conifer.api;

import static io.conifer.api.ControlPlaneTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Creating document indexes (API 2026-07 schemas of full-text and named vector fields) over real HTTP, and how every version shows them. */
class DocumentSchemaTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("data"));
        http = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Response v7(String method, String path, String body) {
        return http.send(method, path, body, ControlPlane2026Test.V7);
    }

    static Http.Response v4(String method, String path, String body) {
        return http.send(method, path, body, ControlPlane2026Test.V4);
    }

    static String fields(String name, String fields) {
        return "{\"name\":\"" + name + "\",\"schema\":{\"fields\":{" + fields + "}}}";
    }

    @Test
    void fullTextFieldsTakeTheSpecDefaultsAndAreDescribedInFull() {
        Http.Response created = v7("POST", "/indexes", fields("fts-defaults", "\"body\":{\"type\":\"string\",\"full_text_search\":{}}"));
        assertEquals(201, created.status(), created.toString());
        for (JsonNode m : new JsonNode[] {created.json(), v7("GET", "/indexes/fts-defaults", null).json()}) {
            JsonNode body = m.at("/schema/fields/body");
            assertEquals("string", body.get("type").asText(), m.toString());
            assertTrue(body.get("description").isNull(), m.toString());
            assertEquals("en", body.at("/full_text_search/language").asText());
            assertFalse(body.at("/full_text_search/stemming").asBoolean(true));
            assertFalse(body.at("/full_text_search/stop_words").asBoolean(true));
            assertFalse(body.get("full_text_search").has("ngram"), m.toString());
            assertEquals(1, m.at("/schema/fields").size(), "a document index reports only its own fields: " + m);
        }
    }

    @Test
    void everyOptionAndNamedVectorFieldsAreKept() {
        Http.Response created = v7("POST", "/indexes", fields("fts-all",
                "\"title\":{\"type\":\"string\",\"description\":\"headline\",\"full_text_search\":{\"language\":\"french\",\"stemming\":true,\"stop_words\":true}},"
                + "\"sku\":{\"type\":\"string\",\"full_text_search\":{\"ngram\":{\"min_gram\":2,\"max_gram\":4,\"prefix_only\":true}}},"
                + "\"embedding\":{\"type\":\"dense_vector\",\"dimension\":3,\"metric\":\"dotproduct\",\"description\":\"e5\"},"
                + "\"keywords\":{\"type\":\"sparse_vector\"}"));
        assertEquals(201, created.status(), created.toString());
        JsonNode f = v7("GET", "/indexes/fts-all", null).json().at("/schema/fields");
        assertEquals("headline", f.at("/title/description").asText());
        assertEquals("french", f.at("/title/full_text_search/language").asText());
        assertTrue(f.at("/title/full_text_search/stemming").asBoolean());
        assertTrue(f.at("/title/full_text_search/stop_words").asBoolean());
        assertEquals(2, f.at("/sku/full_text_search/ngram/min_gram").asInt(), f.toString());
        assertEquals(4, f.at("/sku/full_text_search/ngram/max_gram").asInt());
        assertTrue(f.at("/sku/full_text_search/ngram/prefix_only").asBoolean());
        assertEquals("en", f.at("/sku/full_text_search/language").asText());
        assertEquals(3, f.at("/embedding/dimension").asInt());
        assertEquals("dotproduct", f.at("/embedding/metric").asText());
        assertEquals("e5", f.at("/embedding/description").asText());
        assertEquals("sparse_vector", f.at("/keywords/type").asText());
        assertFalse(f.has("_values") || f.has("_sparse_values"), f.toString());

        server.restart();
        assertEquals(f, v7("GET", "/indexes/fts-all", null).json().at("/schema/fields"), "the catalog keeps every option");

        // Older versions show what their model can say: a dense index of the dense vector field.
        JsonNode old = v4("GET", "/indexes/fts-all", null).json();
        assertEquals("dense", old.get("vector_type").asText(), old.toString());
        assertEquals(3, old.get("dimension").asInt());
        assertEquals("dotproduct", old.get("metric").asText());
    }

    @Test
    void olderVersionsListATextOnlyIndexAsSparse() {
        assertEquals(201, v7("POST", "/indexes", fields("fts-old", "\"body\":{\"type\":\"string\",\"full_text_search\":{\"language\":\"de\"}}")).status());
        JsonNode old = v4("GET", "/indexes/fts-old", null).json();
        assertEquals("sparse", old.get("vector_type").asText(), old.toString());
        assertEquals("dotproduct", old.get("metric").asText());
        assertFalse(old.has("dimension"), old.toString());
        boolean listed = false;
        for (JsonNode i : v4("GET", "/indexes", null).json().get("indexes")) listed |= i.get("name").asText().equals("fts-old");
        assertTrue(listed, "an older SDK lists it, so a 409 on its name is no mystery");
    }

    @Test
    void backupsDescribeTheTypedSchema() {
        assertEquals(201, v7("POST", "/indexes", fields("fts-bk", "\"body\":{\"type\":\"string\",\"full_text_search\":{\"language\":\"sv\",\"stemming\":true}}")).status());
        Http.Response b = v7("POST", "/indexes/fts-bk/backups", "{\"name\":\"b1\"}");
        assertEquals(200, b.status(), b.toString());
        String id = b.json().get("backup_id").asText();
        JsonNode described = v7("GET", "/backups/" + id, null).json();
        assertEquals("sv", described.at("/schema/fields/body/full_text_search/language").asText(), described.toString());
        assertTrue(described.at("/schema/fields/body/full_text_search/stemming").asBoolean());
        assertEquals("string", described.at("/schema/fields/body/type").asText());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"language\":\"klingon\"}}|400|INVALID_ARGUMENT|unsupported language 'klingon'. Supported languages (by code or name): ar (arabic), da (danish)",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"language\":\"\"}}|400|INVALID_ARGUMENT|unsupported language ''",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"stop_words\":true}}|400|INVALID_ARGUMENT|stop_words requires stemming",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"stemming\":true,\"ngram\":{\"min_gram\":2,\"max_gram\":3}}}|400|INVALID_ARGUMENT|ngram cannot be combined with stemming or stop_words",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"ngram\":{\"min_gram\":0,\"max_gram\":3}}}|400|INVALID_ARGUMENT|1 <= min_gram <= max_gram <= 10",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"ngram\":{\"min_gram\":2,\"max_gram\":11}}}|400|INVALID_ARGUMENT|1 <= min_gram <= max_gram <= 10",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"ngram\":{\"min_gram\":4,\"max_gram\":3}}}|400|INVALID_ARGUMENT|got min_gram 4, max_gram 3",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"ngram\":{\"min_gram\":2}}}|422|UNPROCESSABLE_ENTITY|max_gram",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"stemming\":\"yes\"}}|422|UNPROCESSABLE_ENTITY|stemming",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{\"analyzer\":\"x\"}}|422|UNPROCESSABLE_ENTITY|unknown field `analyzer`",
        "\"body\":{\"type\":\"string\"}|400|INVALID_ARGUMENT|without full_text_search",
        "\"_body\":{\"type\":\"string\",\"full_text_search\":{}}|400|INVALID_ARGUMENT|reserved",
        "\"body\":{\"type\":\"string\",\"full_text_search\":{}},\"_values\":{\"type\":\"dense_vector\",\"dimension\":2,\"metric\":\"cosine\"}|400|INVALID_ARGUMENT|only as the whole schema",
        "\"a\":{\"type\":\"dense_vector\",\"dimension\":2,\"metric\":\"cosine\"},\"b\":{\"type\":\"dense_vector\",\"dimension\":2,\"metric\":\"cosine\"},\"t\":{\"type\":\"string\",\"full_text_search\":{}}|400|INVALID_ARGUMENT|at most one dense_vector",
    })
    void createRules(String fields, int status, String code, String messagePart) {
        int before = v7("GET", "/indexes", null).json().get("indexes").size();
        assertError(v7("POST", "/indexes", fields("fts-bad", fields)), status, code, messagePart);
        assertEquals(before, v7("GET", "/indexes", null).json().get("indexes").size(), "a refused create makes nothing");
    }

    @Test
    void languagesByCodeOrNameAndAtMost100TextFields() {
        for (String language : new String[] {"ar", "greek", "ta", "TR", "Norwegian"}) {
            String name = "fts-lang-" + language.toLowerCase();
            Http.Response r = v7("POST", "/indexes", fields(name, "\"body\":{\"type\":\"string\",\"full_text_search\":{\"language\":\""
                    + language + "\",\"stemming\":true,\"stop_words\":true}}"));
            assertEquals(201, r.status(), r.toString());
            assertEquals(language, r.json().at("/schema/fields/body/full_text_search/language").asText(), "echoed as given");
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"type\":\"string\",\"full_text_search\":{}}");
        assertError(v7("POST", "/indexes", fields("fts-many", many.toString())), 400, "INVALID_ARGUMENT", "at most 100 full_text_search fields");
        String hundred = many.substring(0, many.lastIndexOf(",\"t100\""));
        assertEquals(201, v7("POST", "/indexes", fields("fts-hundred", hundred)).status());
        String longDescription = "x".repeat(257);
        assertError(v7("POST", "/indexes", fields("fts-desc", "\"body\":{\"type\":\"string\",\"description\":\"" + longDescription
                + "\",\"full_text_search\":{}}")), 400, "INVALID_ARGUMENT", "256 bytes");
    }
}
