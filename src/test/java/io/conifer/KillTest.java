package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL a server in the middle of a stream of upserts: after a restart, every acknowledged record
 * is there, with the values it was acknowledged with.
 */
class KillTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedUpsertSurvivesSigkill() throws Exception {
        int port = TestServer.freePortRange();
        Path data = dir.resolve("data");
        List<String> acked = Collections.synchronizedList(new ArrayList<>());
        String host;
        try (ChildServer server = ChildServer.start(data, port, port + 1)) {
            Http control = new Http(server.url(), TestServer.KEY);
            host = control.createDense("kill", 4, "euclidean");
            Http d = control.forHost(host);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                final int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int batch = 0; !stop.get(); batch++) {
                        StringBuilder b = new StringBuilder("{\"vectors\":[");
                        List<String> ids = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            String id = "w" + writer + "-" + batch + "-" + i;
                            ids.add(id);
                            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\",\"values\":[")
                                    .append(writer).append(",").append(batch).append(",").append(i).append(",1]}");
                        }
                        try {
                            Http.Response r = d.post("/vectors/upsert", b + "]}");
                            if (r.status() == 200) acked.addAll(ids);
                        } catch (RuntimeException e) {
                            return; // the server died mid-request: this batch was never acknowledged
                        }
                    }
                }));
            }
            Await.until("3000 writes acknowledged before the kill", () -> acked.size() >= 3000);
            server.kill();
            stop.set(true);
            for (Thread t : writers) t.join();
        }
        assertTrue(acked.size() >= 3000, "the writers made progress before the kill");

        try (ChildServer again = ChildServer.start(data, port, port + 1)) {
            Http control = new Http(again.url(), TestServer.KEY);
            assertEquals(host, control.get("/indexes/kill").json().get("host").asText(), "same port after restart");
            Http d = control.forHost(host);
            List<String> missing = new ArrayList<>();
            List<String> snapshot = new ArrayList<>(acked);
            for (int from = 0; from < snapshot.size(); from += 200) {
                List<String> chunk = snapshot.subList(from, Math.min(snapshot.size(), from + 200));
                StringBuilder q = new StringBuilder("/vectors/fetch?");
                for (String id : chunk) q.append("ids=").append(id).append('&');
                JsonNode vectors = d.get(q.toString()).json().get("vectors");
                for (String id : chunk) {
                    JsonNode v = vectors.get(id);
                    if (v == null) {
                        missing.add(id);
                        continue;
                    }
                    String[] parts = id.substring(1).split("-");
                    assertEquals("[" + parts[0] + ".0," + parts[1] + ".0," + parts[2] + ".0,1.0]", v.get("values").toString(), id);
                }
            }
            assertTrue(missing.isEmpty(), missing.size() + " acknowledged ids lost, e.g. "
                    + missing.subList(0, Math.min(5, missing.size())));
            long total = d.post("/describe_index_stats", "{}").json().get("totalVectorCount").asLong();
            assertTrue(total >= acked.size(), "at least every acknowledged record: " + total + " vs " + acked.size());
        }
    }
}
