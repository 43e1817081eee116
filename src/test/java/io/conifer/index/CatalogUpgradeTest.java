package io.conifer.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A catalog written before the typed index model is upgraded on load and served through every version. */
class CatalogUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void flatCatalogEntriesBecomeTypedSchemas() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        int port = TestServer.freePortRange();
        Files.writeString(data.resolve("catalog.json"), """
                {"indexes":[{"id":"6b1c2d3e-0000-4000-8000-000000000001","project":"default","name":"legacy",
                "vectorType":"DENSE","dimension":3,"metric":"EUCLIDEAN","deletionProtection":true,"tags":{"env":"old"},
                "cloud":"gcp","region":"us-central1","filterableFields":["genre"],"port":%d,
                "createdAt":"2026-01-01T00:00:00.000Z","state":"READY","ready":true}],"nextPort":%d}
                """.formatted(port, port + 1));
        try (TestServer server = TestServer.start(data)) {
            Http http = new Http(server.url(), TestServer.KEY);
            JsonNode old = http.send("GET", "/indexes/legacy", null, "2026-04").json();
            assertEquals(3, old.get("dimension").asInt(), old.toString());
            assertEquals("euclidean", old.get("metric").asText());
            assertEquals("gcp", old.at("/spec/serverless/cloud").asText());
            assertTrue(old.at("/spec/serverless/schema/fields/genre/filterable").asBoolean(), old.toString());
            assertEquals("enabled", old.get("deletion_protection").asText());
            JsonNode v7 = http.send("GET", "/indexes/legacy", null, "2026-07").json();
            assertEquals(3, v7.at("/schema/fields/_values/dimension").asInt(), v7.toString());
            assertEquals("us-central1", v7.at("/deployment/region").asText());
            assertEquals("old", v7.at("/tags/env").asText());
            Http index = http.forHost(old.get("host").asText());
            assertEquals(200, index.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2,3]}]}").status());

            // The next change rewrites the entry in the typed form, which reads back the same.
            assertEquals(202, http.send("PATCH", "/indexes/legacy", "{\"tags\":{\"k\":\"v\"}}", "2026-04").status());
            String catalog = Files.readString(data.resolve("catalog.json"));
            assertTrue(catalog.contains("\"schema\"") && !catalog.contains("vectorType"), catalog);
            JsonNode changed = http.send("GET", "/indexes/legacy", null, "2026-04").json();
            server.restart();
            assertEquals(changed, http.send("GET", "/indexes/legacy", null, "2026-04").json());
            assertEquals(1, index.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());
        }
    }
}
