package io.conifer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.Backups;
import io.conifer.backup.S3TestServer;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler with real backups, driven by a test clock through {@link ScheduleService#tick}: a year
 * of runs, retention, catch-up after downtime, clock jumps, restarts, deleted indexes, restores.
 */
class ScheduledBackupsTest {
    static final String V = "2026-07";
    static final Instant CREATED = Instant.parse("2026-01-01T12:00:00Z");
    static final Instant FIRST_RUN = Instant.parse("2026-01-02T06:00:00Z");
    @TempDir
    Path dir;
    final TestClock clock = new TestClock(CREATED);

    ConiferServer start(String name, int quota, double maxMbps, int port) throws Exception {
        ConiferServer s = ConiferServer.start(ServerConfig.defaults(dir.resolve(name)).withApiKeys(TestServer.KEY)
                .withPorts(port, TestServer.freePortRange()).withBackups(null, quota, maxMbps).withClock(clock));
        s.indexes().whenOpened().join(); // a restart's indexes replay their logs before the scheduler's passes
        return s;
    }

    static Http http(ConiferServer s) {
        return new Http("http://localhost:" + s.port(), TestServer.KEY);
    }

    static void fill(Http control, String index, int dimension, int records) {
        Http data = control.forHost(control.createDense(index, dimension, "cosine"));
        for (int from = 0; from < records; from += 250) {
            StringBuilder b = new StringBuilder("{\"vectors\":[");
            for (int i = from; i < Math.min(records, from + 250); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[");
                for (int d = 0; d < dimension; d++) b.append(d == 0 ? "" : ",").append((i * 31 + d * 7) % 97 + 1);
                b.append("]}");
            }
            assertEquals(200, data.post("/vectors/upsert", b + "]}").status());
        }
    }

    static String schedule(Http control, String index, String name, String frequency, int days) {
        Http.Response r = control.send("POST", "/indexes/" + index + "/backup-schedules", "{\"name\":\"" + name
                + "\",\"schedule\":{\"type\":\"time-based\",\"frequency\":\"" + frequency + "\"},\"retention\":{\"expire_after_days\":"
                + days + "}}", V);
        assertEquals(200, r.status(), r.toString());
        return r.json().get("schedule_id").asText();
    }

    /** The index's backups whose names start with {@code prefix}, oldest first. */
    static List<JsonNode> backups(Http control, String index, String prefix) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode b : control.get("/indexes/" + index + "/backups?limit=100").json().get("data")) {
            if (b.has("name") && b.get("name").asText().startsWith(prefix)) out.add(b);
        }
        return out;
    }

    static List<JsonNode> allBackups(Http control) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode b : control.get("/backups?limit=100").json().get("data")) out.add(b);
        return out;
    }

    static JsonNode describe(Http control, String id) {
        return control.send("GET", "/backup-schedules/" + id, null, V).json();
    }

    static JsonNode history(Http control, String id) {
        return control.send("GET", "/backup-schedules/" + id + "/history", null, V).json().get("data");
    }

    /** Runs the schedules' first run and returns the id of the backup it took of {@code index}, once Ready. */
    String firstRunReady(ConiferServer s, Http c, String index, String prefix) throws Exception {
        clock.set(FIRST_RUN);
        s.schedules().tick(FIRST_RUN);
        awaitAllReady(c);
        return backups(c, index, prefix).get(0).get("backup_id").asText();
    }

    static void awaitAllReady(Http control) throws InterruptedException {
        for (JsonNode b : allBackups(control)) Backups.awaitStatus(control, b.get("backup_id").asText(), "Ready");
    }

    @Test
    void aYearOfDailyBackupsKeepsThoseWithinRetentionAndNeverTouchesManualBackups() throws Exception {
        try (ConiferServer s = start("year", 1000, 0, 0)) {
            Http c = http(s);
            fill(c, "logs", 4, 20);
            String manual = c.post("/indexes/logs/backups", "{\"name\":\"keep-me\"}").json().get("backup_id").asText();
            String id = schedule(c, "logs", "nightly", "daily", 7);
            Instant day = FIRST_RUN;
            for (int i = 0; i < 365; i++, day = day.plus(Duration.ofDays(1))) {
                clock.set(day);
                s.schedules().tick(day);
                s.schedules().tick(day); // a second pass at the same time takes nothing
            }
            Instant last = day.minus(Duration.ofDays(1));
            awaitAllReady(c);
            s.schedules().tick(last); // a backup exactly 7 days old is not older than 7 days
            List<String> names = names(backups(c, "logs", "nightly-"));
            List<String> expected = new ArrayList<>();
            for (int k = 7; k >= 0; k--) expected.add("nightly-" + UtcTimes.format(last.minus(Duration.ofDays(k)))
                    .replace("-", "").replace(":", "").replace(".000", ""));
            assertEquals(expected, names, "one backup per day; those older than 7 days deleted");
            s.schedules().tick(last.plusMillis(1));
            assertEquals(expected.subList(1, 8), names(backups(c, "logs", "nightly-")), "a millisecond later it is");
            assertEquals("keep-me", c.get("/backups/" + manual).json().get("name").asText(), "a manual backup is never expired");

            JsonNode h = history(c, id);
            assertEquals(8, h.size(), h.toString());
            assertEquals("Scheduled", h.get(0).get("status").asText());
            assertEquals(last.plus(Duration.ofDays(1)), Instant.parse(h.get(0).get("scheduled_execution_at").asText()));
            assertEquals(describe(c, id).get("next_scheduled_run").asText(), h.get(0).get("scheduled_execution_at").asText());
            assertEquals("nightly-" + compact(last.plus(Duration.ofDays(1))), h.get(0).get("name").asText());
            for (int k = 0; k < 8; k++) {
                // Nullable in the spec and sent as null: scheduled backups carry no tags or description.
                assertTrue(h.get(k).get("tags").isNull() && h.get(k).get("description").isNull(), h.get(k).toString());
            }
            for (int k = 1; k < 8; k++) {
                JsonNode row = h.get(k);
                assertEquals("Ready", row.get("status").asText());
                assertEquals(expected.get(8 - k), row.get("name").asText(), "newest first");
                assertEquals(20, row.get("record_count").asInt());
                assertEquals("dense_vector", row.get("schema").get("fields").get("_values").get("type").asText());
                assertFalse(row.has("scheduled_execution_at"));
            }
            // the Scheduled row's id is the id the backup gets when it runs
            String planned = h.get(0).get("backup_id").asText();
            Instant next = last.plus(Duration.ofDays(1));
            clock.set(next);
            s.schedules().tick(next);
            assertEquals("nightly-" + compact(next), c.get("/backups/" + planned).json().get("name").asText());
        }
    }

    static List<String> names(List<JsonNode> backups) {
        List<String> out = new ArrayList<>();
        for (JsonNode b : backups) out.add(b.get("name").asText());
        return out;
    }

    static String compact(Instant t) {
        return UtcTimes.backupName("x", t).substring(2);
    }

    @Test
    void downtimeThatMissedRunsTakesExactlyOneCatchUpAndTheScheduleSurvivesRestarts() throws Exception {
        int port;
        String id;
        JsonNode before;
        try (ConiferServer s = start("downtime", 1000, 0, 0)) {
            port = s.port();
            Http c = http(s);
            fill(c, "orders", 4, 10);
            id = schedule(c, "orders", "weekly-orders", "weekly", 60);
            before = describe(c, id);
            assertEquals(FIRST_RUN, Instant.parse(before.get("next_scheduled_run").asText()));
        }
        try (ConiferServer s = start("downtime", 1000, 0, port)) {
            assertEquals(before, describe(http(s), id), "the schedule and its next run survive a restart");
        }
        Instant down = clock.advance(Duration.ofDays(45)); // six weekly runs missed
        try (ConiferServer s = start("downtime", 1000, 0, port)) {
            Http c = http(s);
            s.schedules().tick(down);
            s.schedules().tick(down.plus(Duration.ofHours(1)));
            List<JsonNode> taken = backups(c, "orders", "weekly-orders-");
            assertEquals(1, taken.size(), "one catch-up, not one per missed run: " + taken);
            Instant latestMissed = new Cadence(Frequency.WEEKLY, FIRST_RUN).runAtOrBefore(down);
            assertEquals("weekly-orders-" + compact(latestMissed), taken.get(0).get("name").asText());
            Instant next = Instant.parse(describe(c, id).get("next_scheduled_run").asText());
            assertEquals(latestMissed.plus(Duration.ofDays(7)), next);
            assertTrue(next.isAfter(down));
        }
        try (ConiferServer s = start("downtime", 1000, 0, port)) {
            s.schedules().tick(down.plus(Duration.ofHours(2)));
            assertEquals(1, backups(http(s), "orders", "weekly-orders-").size(), "a restart does not run it again");
        }
    }

    @Test
    void clockJumpsNeverMakeABurst() throws Exception {
        try (ConiferServer s = start("jumps", 1000, 0, 0)) {
            Http c = http(s);
            fill(c, "metrics", 4, 5);
            String id = schedule(c, "metrics", "m", "daily", 3650);
            Instant ahead = FIRST_RUN.plus(Duration.ofDays(400)).plus(Duration.ofHours(3));
            clock.set(ahead);
            for (int i = 0; i < 5; i++) s.schedules().tick(ahead.plusSeconds(i));
            assertEquals(1, backups(c, "metrics", "m-").size(), "a year forward: one backup");
            Instant back = FIRST_RUN.plus(Duration.ofDays(100)).plus(Duration.ofHours(3));
            clock.set(back);
            for (int i = 0; i < 5; i++) s.schedules().tick(back.plusSeconds(i));
            assertEquals(1, backups(c, "metrics", "m-").size(), "going back takes nothing");
            assertEquals(FIRST_RUN.plus(Duration.ofDays(101)), Instant.parse(describe(c, id).get("next_scheduled_run").asText()),
                    "and resumes at the cadence of the new clock");
            s.schedules().tick(FIRST_RUN.plus(Duration.ofDays(101)));
            assertEquals(2, backups(c, "metrics", "m-").size());
        }
    }

    @Test
    void reenablingTakesABackupAtOnceAndAFailedRunShowsInHistory() throws Exception {
        try (ConiferServer s = start("reenable", 2, 0, 0)) {
            Http c = http(s);
            fill(c, "users", 4, 5);
            String id = schedule(c, "users", "u", "monthly", 30);
            assertEquals(200, c.send("PATCH", "/backup-schedules/" + id, "{\"enabled\":false}", V).status());
            Instant now = clock.advance(Duration.ofHours(5).plusMillis(250));
            JsonNode on = c.send("PATCH", "/backup-schedules/" + id, "{\"enabled\":true}", V).json();
            assertTrue(on.get("enabled").asBoolean());
            assertEquals(new Cadence(Frequency.MONTHLY, FIRST_RUN).runAfter(now), Instant.parse(on.get("next_scheduled_run").asText()));
            List<JsonNode> taken = backups(c, "users", "u-");
            assertEquals(1, taken.size(), "re-enabling enqueues a backup at once");
            assertEquals("u-20260101T170000Z", taken.get(0).get("name").asText());

            c.post("/indexes/users/backups", "{\"name\":\"manual\"}"); // the project's quota of 2 is now full
            clock.set(FIRST_RUN);
            s.schedules().tick(FIRST_RUN);
            JsonNode h = history(c, id);
            assertEquals(3, h.size(), h.toString());
            assertEquals("Scheduled", h.get(0).get("status").asText());
            assertEquals("InitializationFailed", h.get(1).get("status").asText());
            assertEquals("u-" + compact(FIRST_RUN), h.get(1).get("name").asText());
            assertEquals(taken.get(0).get("backup_id").asText(), h.get(2).get("backup_id").asText());
            assertTrue(h.get(1).get("record_count") == null || h.get(1).get("record_count").isNull());
            JsonNode page1 = c.send("GET", "/backup-schedules/" + id + "/history?limit=2", null, V).json();
            String token = page1.get("pagination").get("next").asText();
            JsonNode page2 = c.send("GET", "/backup-schedules/" + id + "/history?limit=2&paginationToken=" + token, null, V).json();
            assertEquals(1, page2.get("data").size());
            // The same item; its backup may have turned Ready between the two reads.
            assertEquals(h.get(2).get("backup_id"), page2.get("data").get(0).get("backup_id"));
            assertTrue(!page2.has("pagination") || page2.get("pagination").isNull());
        }
    }

    /**
     * A start without the key of encrypted scheduled backups cannot read them. Retention once dropped them
     * from their schedule then, so once the key was back they never expired; now it waits for them.
     */
    @Test
    void retentionWaitsWhileABackupCannotBeReadAndExpiresItOnceItCan() throws Exception {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        Path key = java.nio.file.Files.write(dir.resolve("backup.key"), bytes);
        String first;
        String second;
        try (ConiferServer s = startKeyed(key)) {
            List<String> taken = twoDailyBackupsThenDisabled(s);
            first = taken.get(0);
            second = taken.get(1);
        }
        Instant later = FIRST_RUN.plus(Duration.ofDays(5));
        try (ConiferServer s = startKeyed(null)) {
            Http c = http(s);
            assertEquals(412, c.get("/backups/" + first).status(), "without its key the backup cannot be read");
            clock.set(later);
            s.schedules().tick(later);
        }
        try (ConiferServer s = startKeyed(key)) {
            Http c = http(s);
            s.schedules().tick(later.plusSeconds(1));
            assertEquals(404, c.get("/backups/" + first).status(), "expired once it can be read again");
            assertEquals(200, c.get("/backups/" + second).status(), "the newest Ready backup is kept however old");
        }
    }

    /**
     * A manifest the repository does not give for a while (a permission error here) is not a deleted
     * backup: describe says 503, and retention keeps its run until it can be read, then expires it.
     */
    @Test
    void retentionKeepsARunWhoseManifestTheRepositoryDoesNotGiveForAWhile() throws Exception {
        try (S3TestServer s3 = S3TestServer.start(dir.resolve("s3"))) {
            String first;
            String second;
            try (ConiferServer s = startOn(s3)) {
                List<String> taken = twoDailyBackupsThenDisabled(s);
                first = taken.get(0);
                second = taken.get(1);
            }
            String manifests = "manifests/" + first;
            s3.faults.beforeGet = key -> {
                if (key.contains(manifests)) throw org.gaul.s3proxy.blobstore.S3Exceptions.fromStatusCode(403);
            };
            Instant later = FIRST_RUN.plus(Duration.ofDays(5));
            try (ConiferServer s = startOn(s3)) {
                Http c = http(s);
                Http.Response unread = c.get("/backups/" + first);
                assertEquals(503, unread.status(), "it exists, unread: " + unread);
                clock.set(later);
                s.schedules().tick(later);
                s3.faults.beforeGet = null;
                io.conifer.Await.until("the manifest read again", () -> c.get("/backups/" + first).status() == 200);
                s.schedules().tick(later.plusSeconds(1));
                assertEquals(404, c.get("/backups/" + first).status(), "expired once it could be read");
                assertEquals(200, c.get("/backups/" + second).status(), "the newest Ready backup is kept");
            }
        }
    }

    /** A daily schedule with one day's retention takes two backups, then is disabled: only retention acts after. */
    private List<String> twoDailyBackupsThenDisabled(ConiferServer s) throws Exception {
        Http c = http(s);
        fill(c, "notes", 4, 20);
        String id = schedule(c, "notes", "nt", "daily", 1);
        String first = firstRunReady(s, c, "notes", "nt-");
        Instant nextDay = FIRST_RUN.plus(Duration.ofDays(1));
        clock.set(nextDay);
        s.schedules().tick(nextDay);
        awaitAllReady(c);
        String second = backups(c, "notes", "nt-").get(1).get("backup_id").asText();
        assertEquals(200, c.send("PATCH", "/backup-schedules/" + id, "{\"enabled\":false}", V).status());
        return List.of(first, second);
    }

    private ConiferServer startOn(S3TestServer s3) throws Exception {
        ConiferServer s = ConiferServer.start(ServerConfig.defaults(dir.resolve("on-s3")).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackupS3(s3.location("sched", S3TestServer.quickTuning()))
                .withClock(clock));
        s.indexes().whenOpened().join();
        return s;
    }

    private ConiferServer startKeyed(Path key) throws Exception {
        ServerConfig config = ServerConfig.defaults(dir.resolve("keyed")).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackups(null, 1000, 0).withClock(clock);
        ConiferServer s = ConiferServer.start(key == null ? config : config.withBackupKeys(key, List.of()));
        s.indexes().whenOpened().join();
        return s;
    }

    @Test
    void retentionWaitsForARestoreReadingTheBackupAndGoesOnAfterTheIndexIsDeleted() throws Exception {
        try (ConiferServer s = start("retention", 1000, 1, 0)) {
            Http c = http(s);
            fill(c, "events", 128, 3000);
            String manual = c.post("/indexes/events/backups", "{\"name\":\"by-hand\"}").json().get("backup_id").asText();
            String id = schedule(c, "events", "ev", "daily", 1);
            clock.set(FIRST_RUN);
            s.schedules().tick(FIRST_RUN);
            String scheduled = backups(c, "events", "ev-").get(0).get("backup_id").asText();
            awaitAllReady(c);

            String job = c.post("/backups/" + scheduled + "/create-index", "{\"name\":\"events-copy\"}").json()
                    .get("restore_job_id").asText();
            Instant expired = FIRST_RUN.plus(Duration.ofDays(1)).plusSeconds(1);
            clock.set(expired);
            s.schedules().tick(expired);
            String status = c.get("/restore-jobs/" + job).json().get("status").asText();
            assertTrue(status.equals("Pending") || status.equals("InProgress"), "the restore must still run here: " + status);
            assertEquals(200, c.get("/backups/" + scheduled).status(), "an expired backup a restore reads is kept");

            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!c.get("/restore-jobs/" + job).json().get("status").asText().equals("Completed")) {
                assertTrue(System.nanoTime() < deadline, "restore did not complete");
                Thread.sleep(50);
            }
            awaitAllReady(c); // the catch-up run's backup: until it is Ready, the older one is the newest Ready
            s.schedules().tick(expired.plusSeconds(1));
            assertEquals(404, c.get("/backups/" + scheduled).status(), "deleted once the restore has ended");
            assertEquals(200, c.get("/indexes/events-copy").status(), "and the restored index is whole");

            // the index goes: the schedule stops for good but stays visible, and retention goes on
            awaitAllReady(c);
            List<JsonNode> left = backups(c, "events", "ev-");
            assertEquals(1, left.size(), "the catch-up run at the expiry tick");
            assertEquals(202, c.delete("/indexes/events").status());
            JsonNode stopped = describe(c, id);
            assertFalse(stopped.get("enabled").asBoolean());
            assertTrue(stopped.get("next_scheduled_run").isNull());
            JsonNode h = history(c, id);
            assertEquals(left.get(0).get("backup_id").asText(), h.get(0).get("backup_id").asText(), "history still reachable");
            assertEquals(400, c.send("PATCH", "/backup-schedules/" + id, "{\"enabled\":true}", V).status(),
                    "a schedule of a deleted index cannot run again");
            Instant later = expired.plus(Duration.ofDays(3));
            clock.set(later);
            s.schedules().tick(later);
            assertEquals(404, c.get("/backups/" + left.get(0).get("backup_id").asText()).status(),
                    "retention works while the source index is deleted");
            assertEquals(0, history(c, id).size());
            assertEquals("by-hand", c.get("/backups/" + manual).json().get("name").asText());
        }
    }

    @Test
    void retentionKeepsTheNewestReadyBackupWhileEveryLaterRunFails() throws Exception {
        try (ConiferServer s = start("lastgood", 2, 0, 0)) {
            Http c = http(s);
            fill(c, "orders", 4, 5);
            String id = schedule(c, "orders", "o", "daily", 1);
            String good = firstRunReady(s, c, "orders", "o-");
            String manual = c.post("/indexes/orders/backups", "{\"name\":\"manual\"}").json().get("backup_id").asText();
            awaitAllReady(c); // the project's quota of 2 is now full: every later run fails

            for (int day = 1; day <= 5; day++) {
                Instant t = FIRST_RUN.plus(Duration.ofDays(day));
                clock.set(t);
                s.schedules().tick(t);
            }
            assertEquals(200, c.get("/backups/" + good).status(), "five days past its retention, but the last good backup");
            JsonNode h = history(c, id);
            assertEquals("InitializationFailed", h.get(1).get("status").asText(), h.toString());
            assertEquals(good, h.get(h.size() - 1).get("backup_id").asText());

            assertEquals(202, c.delete("/backups/" + manual).status());
            Instant day6 = FIRST_RUN.plus(Duration.ofDays(6));
            clock.set(day6);
            s.schedules().tick(day6); // runs: a new backup, not Ready yet or just now
            awaitAllReady(c);
            s.schedules().tick(day6.plusSeconds(1));
            assertEquals(404, c.get("/backups/" + good).status(), "gone once a newer backup is Ready");
            List<JsonNode> left = backups(c, "orders", "o-");
            assertEquals(List.of("o-" + compact(day6)), names(left));
        }
    }

    @Test
    void aDeletedSchedulesBackupsStayUntilTheirRetentionEnds() throws Exception {
        try (ConiferServer s = start("deleted", 1000, 0, 0)) {
            Http c = http(s);
            fill(c, "docs", 4, 5);
            String id = schedule(c, "docs", "d", "daily", 2);
            String backup = firstRunReady(s, c, "docs", "d-");
            assertEquals(204, c.send("DELETE", "/backup-schedules/" + id, null, V).status());
            Instant day1 = FIRST_RUN.plus(Duration.ofDays(1));
            s.schedules().tick(day1);
            assertEquals(1, backups(c, "docs", "d-").size(), "a deleted schedule never runs, its backup stays");
            Instant day3 = FIRST_RUN.plus(Duration.ofDays(3));
            s.schedules().tick(day3);
            assertEquals(404, c.get("/backups/" + backup).status(), "expired under the deleted schedule's retention");
            assertNotNull(c.get("/indexes/docs").json().get("name"));
        }
    }

    @Test
    void aRunInterruptedByACrashIsSettledOnStartByWhetherItsBackupExists() throws Exception {
        int port;
        String id;
        String made;
        try (ConiferServer s = start("crash", 1000, 0, 0)) {
            port = s.port();
            Http c = http(s);
            fill(c, "crashy", 4, 5);
            id = schedule(c, "crashy", "x", "daily", 30);
            made = c.post("/indexes/crashy/backups", "{\"name\":\"x-20260102T060000Z\"}").json().get("backup_id").asText();
            awaitAllReady(c);
        }
        // What a crash between recording a run and requesting its backup leaves: runs still pending,
        // one whose backup was requested before the crash, one whose backup never was.
        Path file = dir.resolve("crash").resolve("backup-schedules.json");
        ObjectNode stored = (ObjectNode) Http.JSON.readTree(file.toFile());
        ArrayNode runs = (ArrayNode) stored.get("schedules").get(0).get("runs");
        String lost = UUID.randomUUID().toString();
        runs.addObject().put("backup_id", made).put("name", "x-20260102T060000Z").put("slot", "2026-01-02T06:00:00.000Z")
                .put("started_at", "2026-01-02T06:00:00.000Z").put("pending", true);
        runs.addObject().put("backup_id", lost).put("name", "x-20260103T060000Z").put("slot", "2026-01-03T06:00:00.000Z")
                .put("started_at", "2026-01-03T06:00:00.000Z").put("pending", true);
        Http.JSON.writeValue(file.toFile(), stored);
        try (ConiferServer s = start("crash", 1000, 0, port)) {
            JsonNode h = history(http(s), id);
            assertEquals(3, h.size(), h.toString());
            assertEquals(lost, h.get(1).get("backup_id").asText());
            assertEquals("InitializationFailed", h.get(1).get("status").asText(), "never requested: the run failed");
            assertEquals(made, h.get(2).get("backup_id").asText());
            assertEquals("Ready", h.get(2).get("status").asText(), "requested before the crash: the run happened");
        }
    }
}
