package io.conifer.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Await;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.VectorStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index lifecycle under concurrency and at start-up: control-plane calls do not wait on each other's
 * slow work, and one index that cannot be served (yet) never keeps the others from serving.
 */
class IndexLifecycleTest {
    @TempDir
    Path dir;

    private static void upsert(Http data, String id) {
        Http.Response r = data.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"" + id + "\",\"values\":[1,2,3]}]}");
        assertEquals(200, r.status(), r.toString());
    }

    private static boolean fetches(Http data, String id) {
        Http.Response r = data.get("/vectors/fetch?ids=" + id);
        return r.status() == 200 && r.json().get("vectors").has(id);
    }

    private static String createBody(String name) {
        return "{\"name\":\"" + name + "\",\"dimension\":3,\"metric\":\"cosine\","
                + "\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}}";
    }

    /** Index ids by name, from the catalog on disk. */
    private Map<String, String> idsByName(Path data) throws Exception {
        Map<String, String> ids = new HashMap<>();
        for (JsonNode i : Http.JSON.readTree(data.resolve("catalog.json").toFile()).get("indexes")) {
            ids.put(i.get("name").asText(), i.get("id").asText());
        }
        return ids;
    }

    @Test
    void concurrentDeletesAndCreatesAnswerWhatTheFinalStateShows() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Map<String, String> oldHosts = new HashMap<>();
            for (int i = 0; i < 10; i++) oldHosts.put("a" + i, control.createDense("a" + i, 3, "cosine"));
            upsert(control.forHost(oldHosts.get("a0")), "x");

            // 10 deletes, 5 creates of new names and 5 creates of names being deleted, all at once.
            Map<String, Future<Http.Response>> deletes = new HashMap<>();
            Map<String, Future<Http.Response>> creates = new HashMap<>();
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
                for (int i = 0; i < 10; i++) {
                    String name = "a" + i;
                    deletes.put(name, pool.submit(() -> {
                        go.await();
                        return control.delete("/indexes/" + name);
                    }));
                    String created = i < 5 ? "b" + i : name;
                    creates.put(created, pool.submit(() -> {
                        go.await();
                        return control.post("/indexes", createBody(created));
                    }));
                }
                go.countDown();
            }

            Set<String> listed = new HashSet<>();
            for (JsonNode i : control.get("/indexes").json().get("indexes")) listed.add(i.get("name").asText());
            for (Map.Entry<String, Future<Http.Response>> d : deletes.entrySet()) {
                assertEquals(202, d.getValue().get().status(), d.getKey() + ": " + d.getValue().get());
            }
            Set<Integer> ports = new HashSet<>();
            for (Map.Entry<String, Future<Http.Response>> c : creates.entrySet()) {
                String name = c.getKey();
                Http.Response r = c.getValue().get();
                if (name.startsWith("b")) assertEquals(201, r.status(), name + ": " + r);
                else assertTrue(r.status() == 201 || r.status() == 409, name + ": " + r);
                if (r.status() == 201) {
                    assertTrue(listed.contains(name), name + " was created (201) but is not listed");
                    String host = r.json().get("host").asText();
                    assertNotEquals(oldHosts.get(name), host, name + " got a port of a deleted index");
                    assertTrue(ports.add(Integer.parseInt(host.substring(host.lastIndexOf(':') + 1))), "ports are distinct");
                    Http data = control.forHost(host);
                    upsert(data, "y");
                    assertTrue(fetches(data, "y"), name + " serves");
                    assertFalse(fetches(data, "x"), name + " is a new, empty index");
                } else {
                    assertFalse(listed.contains(name), name + ": create answered 409 and its delete 202, yet it is listed");
                    assertEquals(404, control.get("/indexes/" + name).status());
                }
            }
            assertEquals(ports.size(), listed.size(), "exactly the indexes whose create answered 201 are listed: " + listed);
            // The files of the deleted indexes go in the background.
            Path indexes = dir.resolve("indexes");
            Await.until("deleted indexes' directories removed", () -> {
                try (Stream<Path> dirs = Files.list(indexes)) {
                    return dirs.count() == listed.size();
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void deletedNameIsFreeAtOnceAndNothingRemainsAfterACrash() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http control = new Http(server.url(), TestServer.KEY);
            upsert(control.forHost(control.createDense("gone", 3, "cosine")), "x");
            String kept = control.createDense("kept", 3, "cosine");
            String id = idsByName(dir).get("gone");
            assertEquals(202, control.delete("/indexes/gone").status());
            assertEquals(201, control.post("/indexes", createBody("gone")).status(), "the name is free at once");
            assertEquals(202, control.delete("/indexes/gone").status());
            server.crashAndRestart();
            assertEquals(404, control.get("/indexes/gone").status());
            try (Stream<Path> dirs = Files.list(dir.resolve("indexes"))) {
                assertEquals(List.of(idsByName(dir).get("kept")), dirs.map(p -> p.getFileName().toString()).toList(),
                        "only the kept index's files remain (" + id + " was deleted)");
            }
            Await.until("kept serves", () -> control.forHost(kept).post("/describe_index_stats", "{}").status() == 200);
        }
    }

    private static void assertNotReady(Http control, String name, String state) {
        JsonNode status = control.get("/indexes/" + name).json().get("status");
        assertFalse(status.get("ready").asBoolean(), name + ": " + status);
        assertEquals(state, status.get("state").asText(), name + ": " + status);
    }

    /** A data directory holding the named indexes, each with one record whose id is the index's name. */
    private static Map<String, String> indexesWithARecord(Path data, boolean crash, String... names) throws Exception {
        Map<String, String> hosts = new HashMap<>();
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            for (String name : names) {
                hosts.put(name, control.createDense(name, 3, "cosine"));
                upsert(control.forHost(hosts.get(name)), name);
            }
            if (crash) server.server().crash(); // no checkpoint: the stores replay their logs on the next start
        }
        return hosts;
    }

    @Test
    void indexWhosePortIsTakenIsNotReadyAndIsServedOnceThePortIsFree() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> hosts = indexesWithARecord(data, false, "held", "free");
        String held = hosts.get("held");
        String free = hosts.get("free");
        int heldPort = Integer.parseInt(held.substring(held.lastIndexOf(':') + 1));
        ServerSocket squatter = new ServerSocket();
        squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), heldPort));
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Await.until("free serves", () -> fetches(control.forHost(free), "free"));
            assertNotReady(control, "held", "InitializationFailed");
            String heldReason = control.get("/indexes/held").json().get("status").path("failure_reason").asText();
            assertTrue(heldReason.contains("port " + heldPort), "describe_index says why: " + heldReason);
            assertEquals(2, control.get("/indexes").json().get("indexes").size());
            Http.Response backup = control.post("/indexes/held/backups", "{}");
            assertEquals(412, backup.status(), backup.toString());
            assertTrue(backup.body().contains("port " + heldPort), backup.toString());

            squatter.close();
            Await.until("held becomes Ready once its port is free",
                    () -> control.get("/indexes/held").json().get("status").get("ready").asBoolean());
            assertTrue(fetches(control.forHost(held), "held"));
        } finally {
            squatter.close();
        }
    }

    @Test
    void indexReplayingItsLogDoesNotHoldTheControlPlaneOrTheOtherIndexes() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> hosts = indexesWithARecord(data, true, "slow", "fast");
        String slow = hosts.get("slow");
        String fast = hosts.get("fast");
        Path slowDir = data.resolve("indexes").resolve(idsByName(data).get("slow"));
        CountDownLatch release = new CountDownLatch(1);
        IndexManager.StoreOpener opener = (d, space) -> {
            if (d.equals(slowDir)) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            return VectorStore.open(d, space, StoreOptions.defaults());
        };
        // Start returns while "slow" is still opening: its opening is held until released below.
        try (TestServer server = TestServer.startWithOpener(data, opener)) {
            Http control = new Http(server.url(), TestServer.KEY);
            assertNotReady(control, "slow", "Initializing");
            Http.Response refused = control.forHost(slow).get("/vectors/fetch?ids=slow");
            assertEquals(503, refused.status(), refused.toString());
            assertEquals(14, refused.json().get("code").asInt(), refused.toString());
            assertTrue(refused.json().get("message").asText().contains("starting"), refused.toString());

            Await.until("fast serves while slow replays", () -> fetches(control.forHost(fast), "fast"));
            assertEquals(201, control.post("/indexes", createBody("new")).status(), "the control plane works");
            assertNotReady(control, "slow", "Initializing");

            release.countDown();
            Await.until("slow becomes Ready", () -> control.get("/indexes/slow").json().get("status").get("ready").asBoolean());
            assertTrue(fetches(control.forHost(slow), "slow"), "the replayed write is there");
        }
    }

    @Test
    void indexThatCannotBeOpenedIsFailedWithTheReasonAndTheOthersServe() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> hosts = indexesWithARecord(data, false, "broken", "fine");
        String broken = hosts.get("broken");
        String fine = hosts.get("fine");
        Path lucene = data.resolve("indexes").resolve(idsByName(data).get("broken")).resolve("lucene");
        List<Path> commits = new ArrayList<>();
        try (Stream<Path> files = Files.list(lucene)) {
            files.filter(p -> p.getFileName().toString().startsWith("segments_")).forEach(commits::add);
        }
        assertFalse(commits.isEmpty());
        for (Path c : commits) Files.write(c, "not a Lucene commit".getBytes());

        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Await.until("fine serves", () -> fetches(control.forHost(fine), "fine"));
            Await.until("broken is marked failed", () -> control.get("/indexes/broken").json().get("status").get("state")
                    .asText().equals("InitializationFailed"));
            assertNotReady(control, "broken", "InitializationFailed");
            assertFalse(control.get("/indexes/broken").json().get("status").path("failure_reason").asText().isEmpty(),
                    "describe_index says why the index failed");
            Http.Response refused = control.forHost(broken).get("/vectors/fetch?ids=broken");
            assertEquals(503, refused.status(), refused.toString());
            assertTrue(refused.json().get("message").asText().contains("could not be opened"), refused.toString());
            // An operator can still remove it.
            assertEquals(202, control.delete("/indexes/broken").status());
            assertEquals(404, control.get("/indexes/broken").status());
        }
    }
}
