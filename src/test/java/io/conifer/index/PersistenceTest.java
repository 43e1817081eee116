package io.conifer.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stop or crash a server and start it again on the same data directory: everything is still there. */
class PersistenceTest {
    @TempDir
    Path dir;

    private static String sparseIndex(Http control, String name) {
        return control.post("/indexes", "{\"name\":\"" + name + "\",\"vector_type\":\"sparse\",\"tags\":{\"t\":\"1\"},"
                + "\"deletion_protection\":\"enabled\",\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"eu-west-1\"}}}")
                .json().get("host").asText();
    }

    private static void write(Http d) {
        StringBuilder b = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 300; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":[").append(i % 10 + 1)
                    .append(",").append(i % 7).append(",1],\"metadata\":{\"i\":").append(i).append("}}");
        }
        assertEquals(200, d.post("/vectors/upsert", b + "]}").status());
        assertEquals(200, d.post("/vectors/upsert", "{\"namespace\":\"n2\",\"vectors\":[{\"id\":\"q\",\"values\":[1,2,3]}]}").status());
        assertEquals(200, d.post("/vectors/update", "{\"id\":\"v1\",\"setMetadata\":{\"changed\":true}}").status());
        assertEquals(200, d.post("/vectors/delete", "{\"ids\":[\"v2\",\"v3\"]}").status());
        assertEquals(200, d.post("/vectors/delete", "{\"filter\":{\"i\":{\"$gte\":290}}}").status());
    }

    /** What a client sees of the index: compared before and after a restart. */
    private static String snapshot(Http control, Http d, Http s) {
        JsonNode indexes = control.get("/indexes").json();
        JsonNode stats = d.post("/describe_index_stats", "{}").json();
        JsonNode fetched = d.get("/vectors/fetch?ids=v0&ids=v1&ids=v2&ids=v289&ids=v290").json();
        JsonNode query = d.post("/query", "{\"vector\":[3,3,1],\"topK\":5,\"includeMetadata\":true,\"includeValues\":true}").json();
        JsonNode filtered = d.post("/query", "{\"vector\":[3,3,1],\"topK\":50,\"filter\":{\"changed\":true}}").json();
        JsonNode list = d.get("/vectors/list?limit=20&prefix=v1").json();
        JsonNode sparse = s.post("/query", "{\"sparseVector\":{\"indices\":[4],\"values\":[1]},\"topK\":3}").json();
        return indexes + "\n" + stats + "\n" + fetched + "\n" + query + "\n" + filtered + "\n" + list + "\n" + sparse;
    }

    @Test
    void cleanRestartKeepsIndexesPortsAndRecords() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("dense", 3, "cosine"));
            Http s = control.forHost(sparseIndex(control, "sparse"));
            write(d);
            s.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"s\",\"sparseValues\":{\"indices\":[4,8],\"values\":[1,2]}}]}");
            String before = snapshot(control, d, s);
            assertTrue(before.contains("\"totalVectorCount\":289"), before);

            server.restart();
            assertEquals(before, snapshot(control, d, s));

            server.crashAndRestart();
            assertEquals(before, snapshot(control, d, s));
        }
    }

    @Test
    void crashWithoutCheckpointReplaysTheLog() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("dense", 3, "cosine"));
            Http s = control.forHost(sparseIndex(control, "sparse"));
            s.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"s\",\"sparseValues\":{\"indices\":[4,8],\"values\":[1,2]}}]}");
            write(d);
            String before = snapshot(control, d, s);
            // No checkpoint ran since these writes (the interval is 30 s): only the log has them.
            server.crashAndRestart();
            assertEquals(before, snapshot(control, d, s));
            // And again, after the replay was checkpointed, plus more writes on top.
            d.post("/vectors/delete", "{\"deleteAll\":true,\"namespace\":\"n2\"}");
            String after = snapshot(control, d, s);
            server.crashAndRestart();
            assertEquals(after, snapshot(control, d, s));
        }
    }

    @Test
    void tornLogTailIsCutAndEverythingAcknowledgedSurvives() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http d = control.forHost(control.createDense("dense", 3, "cosine"));
            write(d);
            JsonNode before = d.post("/describe_index_stats", "{}").json();
            server.server().crash();
            // A crash mid-append leaves a partial record at the end of the newest log file.
            Path wal;
            try (Stream<Path> files = Files.walk(dir.resolve("indexes"))) {
                wal = files.filter(p -> p.getFileName().toString().startsWith("wal-")).max(Path::compareTo).orElseThrow();
            }
            Files.write(wal, new byte[] {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 42, 7}, StandardOpenOption.APPEND);
            try (TestServer again = TestServer.start(dir)) {
                Http control2 = new Http(again.url(), TestServer.KEY);
                Http d2 = control2.forHost(control2.get("/indexes/dense").json().get("host").asText());
                assertEquals(before, d2.post("/describe_index_stats", "{}").json());
                assertEquals(200, d2.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"after\",\"values\":[1,1,1]}]}").status());
                assertEquals(1, d2.get("/vectors/fetch?ids=after").json().get("vectors").size());
            }
        }
    }

    @Test
    void catalogIsTheTruth() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            control.createDense("keep", 3, "cosine");
            // Debris of an interrupted create (a directory the catalog never named) and of a catalog write.
            Files.createDirectories(dir.resolve("indexes").resolve("orphan-from-crash").resolve("lucene"));
            Files.writeString(dir.resolve("catalog.json.tmp"), "{ torn");
            server.restart();
            assertFalse(Files.exists(dir.resolve("indexes").resolve("orphan-from-crash")));
            assertEquals(1, control.get("/indexes").json().get("indexes").size());
            assertEquals(200, control.get("/indexes/keep").status());
        }
    }

    @Test
    void aDeleteInterruptedOnAFullDiskIsFinishedAtStart() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            control.createDense("keep", 3, "cosine");
            control.createDense("doomed", 3, "cosine");
            String id = server.server().indexes().require("default", "doomed").definition().id();
            server.server().crash();
            // Where a delete on a full disk stops if the server dies before the catalog is rewritten.
            Files.move(dir.resolve("indexes").resolve(id), dir.resolve("indexes").resolve(id + ".deleting"));
            try (TestServer again = TestServer.start(dir)) {
                Http control2 = new Http(again.url(), TestServer.KEY);
                assertEquals(404, control2.get("/indexes/doomed").status());
                assertEquals(200, control2.get("/indexes/keep").status());
                assertFalse(Files.exists(dir.resolve("indexes").resolve(id + ".deleting")));
                assertFalse(Files.exists(dir.resolve("indexes").resolve(id)));
            }
        }
    }
}
