package io.conifer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The six schedule operations over HTTP: shapes, every validation rule and status code, paging, isolation. */
class BackupSchedulesApiTest {
    static final String V = "2026-07";
    @TempDir
    static Path dir;
    static ConiferServer server;
    static TestClock clock = new TestClock(Instant.parse("2026-04-02T18:22:56.712Z"));
    static Http a;
    static Http b;
    static int counter;

    @BeforeAll
    static void start() throws Exception {
        server = ConiferServer.start(ServerConfig.defaults(dir.resolve("data")).withApiKeys("ka:alpha,kb:beta")
                .withPorts(0, TestServer.freePortRange()).withClock(clock));
        a = new Http("http://localhost:" + server.port(), "ka");
        b = a.withKey("kb");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Response call(Http h, String method, String path, String body) {
        return h.send(method, path, body, V);
    }

    static String newIndex() {
        String name = "sched-" + (++counter);
        a.createDense(name, 3, "cosine");
        return name;
    }

    static JsonNode create(String index, String name, String frequency, int days) {
        Http.Response r = call(a, "POST", "/indexes/" + index + "/backup-schedules", body(name, frequency, days));
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    static String body(String name, String frequency, int days) {
        return "{\"name\":\"" + name + "\",\"schedule\":{\"type\":\"time-based\",\"frequency\":\"" + frequency
                + "\"},\"retention\":{\"expire_after_days\":" + days + "}}";
    }

    static void assertError(Http.Response r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(code, r.json().get("error").get("code").asText(), r.toString());
        assertEquals(status, r.json().get("status").asInt(), r.toString());
        assertTrue(r.json().get("error").get("message").asText().contains(messagePart), r.toString());
    }

    @Test
    void createDescribeListUpdateDelete() {
        String index = newIndex();
        JsonNode s = create(index, "daily-compliance-backup", "daily", 90);
        String id = s.get("schedule_id").asText();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
        assertEquals("daily-compliance-backup", s.get("name").asText());
        assertEquals(server.indexes().require("alpha", index).definition().id(), s.get("index_id").asText());
        assertEquals("alpha", s.get("project_id").asText());
        assertEquals("time-based", s.get("schedule_type").asText());
        assertEquals("daily", s.get("frequency").asText());
        assertEquals(90, s.get("retention_expire_after_days").asInt());
        assertTrue(s.get("enabled").asBoolean());
        assertEquals(Instant.parse("2026-04-03T06:00:00Z"), Instant.parse(s.get("next_scheduled_run").asText()),
                "the spec's own example: created 18:22, first run the next 06:00 UTC");
        assertEquals(clock.instant(), Instant.parse(s.get("created_at").asText()));
        assertEquals(10, s.size(), "exactly the fields of BackupScheduleResponse: " + s);

        assertEquals(s, call(a, "GET", "/backup-schedules/" + id, null).json());
        JsonNode list = call(a, "GET", "/indexes/" + index + "/backup-schedules", null).json();
        assertEquals(1, list.get("data").size());
        assertEquals(s, list.get("data").get(0));
        assertFalse(list.has("pagination") && !list.get("pagination").isNull(), list.toString());

        JsonNode weekly = call(a, "PATCH", "/backup-schedules/" + id, "{\"frequency\":\"weekly\",\"retention\":{\"expire_after_days\":30}}").json();
        assertEquals("weekly", weekly.get("frequency").asText());
        assertEquals(30, weekly.get("retention_expire_after_days").asInt());
        assertEquals("2026-04-03T06:00:00.000Z", weekly.get("next_scheduled_run").asText(), "the anchor stays");
        assertEquals(weekly, call(a, "PATCH", "/backup-schedules/" + id, "{}").json(), "an empty update changes nothing");

        Http.Response disabled = call(a, "PATCH", "/backup-schedules/" + id, "{\"enabled\":false}");
        assertEquals(200, disabled.status(), disabled.toString());
        assertFalse(disabled.json().get("enabled").asBoolean());
        assertTrue(disabled.json().has("next_scheduled_run"), "present, not absent");
        assertTrue(disabled.json().get("next_scheduled_run").isNull());
        assertTrue(call(a, "GET", "/backup-schedules/" + id, null).json().get("next_scheduled_run").isNull());

        Http.Response del = call(a, "DELETE", "/backup-schedules/" + id, null);
        assertEquals(204, del.status(), del.toString());
        assertEquals("", del.body());
        assertError(call(a, "GET", "/backup-schedules/" + id, null), 404, "NOT_FOUND", "Backup schedule " + id + " not found.");
        assertError(call(a, "DELETE", "/backup-schedules/" + id, null), 404, "NOT_FOUND", id);
        assertError(call(a, "PATCH", "/backup-schedules/" + id, "{}"), 404, "NOT_FOUND", id);
        assertError(call(a, "GET", "/backup-schedules/" + id + "/history", null), 404, "NOT_FOUND", id);
        assertEquals(0, call(a, "GET", "/indexes/" + index + "/backup-schedules", null).json().get("data").size());
    }

    @Test
    void oneEnabledSchedulePerIndex() {
        String index = newIndex();
        String first = create(index, "first", "daily", 7).get("schedule_id").asText();
        String conflict = "This index already has an enabled backup schedule. Disable or delete it first.";
        assertError(call(a, "POST", "/indexes/" + index + "/backup-schedules", body("second", "weekly", 7)), 409,
                "ALREADY_EXISTS", conflict);
        call(a, "PATCH", "/backup-schedules/" + first, "{\"enabled\":false}");
        String second = create(index, "second", "weekly", 7).get("schedule_id").asText();
        int backupsBefore = a.get("/indexes/" + index + "/backups").json().get("data").size();
        assertError(call(a, "PATCH", "/backup-schedules/" + first, "{\"enabled\":true}"), 409, "ALREADY_EXISTS", conflict);
        assertFalse(call(a, "GET", "/backup-schedules/" + first, null).json().get("enabled").asBoolean(), "a 409 changes nothing");
        assertEquals(backupsBefore, a.get("/indexes/" + index + "/backups").json().get("data").size(), "and takes no backup");
        assertEquals(200, call(a, "PATCH", "/backup-schedules/" + second, "{\"enabled\":true}").status(), "already enabled: fine");
        assertEquals(2, call(a, "GET", "/indexes/" + index + "/backup-schedules", null).json().get("data").size());
        String other = newIndex();
        create(other, "first", "daily", 7); // the rule is per index
    }

    @Test
    void everyValidationRule() {
        String index = newIndex();
        String path = "/indexes/" + index + "/backup-schedules";
        assertError(call(a, "POST", path, "{\"schedule\":{\"type\":\"time-based\",\"frequency\":\"daily\"},"
                + "\"retention\":{\"expire_after_days\":1}}"), 422, "UNPROCESSABLE_ENTITY", "`name`");
        assertError(call(a, "POST", path, "{\"name\":\"n\",\"retention\":{\"expire_after_days\":1}}"), 422,
                "UNPROCESSABLE_ENTITY", "`schedule`");
        assertError(call(a, "POST", path, "{\"name\":\"n\",\"schedule\":{\"type\":\"time-based\",\"frequency\":\"daily\"}}"),
                422, "UNPROCESSABLE_ENTITY", "`retention`");
        assertError(call(a, "POST", path, "{\"name\":\"n\",\"schedule\":{\"frequency\":\"daily\"},\"retention\":{\"expire_after_days\":1}}"),
                422, "UNPROCESSABLE_ENTITY", "`type`");
        assertError(call(a, "POST", path, "{\"name\":\"n\",\"schedule\":{\"type\":\"time-based\"},\"retention\":{\"expire_after_days\":1}}"),
                422, "UNPROCESSABLE_ENTITY", "`frequency`");
        assertError(call(a, "POST", path, "{\"name\":\"n\",\"schedule\":{\"type\":\"time-based\",\"frequency\":\"daily\"},\"retention\":{}}"),
                422, "UNPROCESSABLE_ENTITY", "`expire_after_days`");
        assertError(call(a, "POST", path, "{\"name\":5,\"schedule\":{\"type\":\"time-based\",\"frequency\":\"daily\"},"
                + "\"retention\":{\"expire_after_days\":1}}"), 422, "UNPROCESSABLE_ENTITY", "`name`");
        assertError(call(a, "POST", path, "{\"name\":\"n\",\"schedule\":{\"type\":\"time-based\",\"frequency\":\"daily\"},"
                + "\"retention\":{\"expire_after_days\":\"ten\"}}"), 422, "UNPROCESSABLE_ENTITY", "integer");
        assertError(call(a, "POST", path, "[1]"), 422, "UNPROCESSABLE_ENTITY", "object");
        assertError(call(a, "POST", path, "{not json"), 422, "UNPROCESSABLE_ENTITY", "deserialize");
        assertError(call(a, "POST", path, body("n", "hourly", 7)), 400, "INVALID_ARGUMENT", "hourly");
        assertError(call(a, "POST", path, body("n", "daily", 0)), 400, "INVALID_ARGUMENT", "expire_after_days");
        assertError(call(a, "POST", path, body("n", "daily", ScheduleRules.MAX_RETENTION_DAYS + 1)), 400, "INVALID_ARGUMENT",
                String.valueOf(ScheduleRules.MAX_RETENTION_DAYS));
        assertError(call(a, "POST", path, body("Nightly", "daily", 7)), 400, "INVALID_ARGUMENT", "backup schedule name");
        assertError(call(a, "POST", path, body("-x", "daily", 7)), 400, "INVALID_ARGUMENT", "backup schedule name");
        assertError(call(a, "POST", path, body("x".repeat(46), "daily", 7)), 400, "INVALID_ARGUMENT", "45");
        assertError(call(a, "POST", path, body("n", "daily", 7).replace("time-based", "event-based")), 400,
                "INVALID_ARGUMENT", "time-based");
        assertError(call(a, "POST", "/indexes/no-such-index/backup-schedules", body("n", "daily", 7)), 404, "NOT_FOUND",
                "Index no-such-index not found.");
        assertEquals(0, call(a, "GET", path, null).json().get("data").size(), "no rejected request created anything");
        create(index, "x".repeat(45), "monthly", ScheduleRules.MAX_RETENTION_DAYS);

        String id = call(a, "GET", path, null).json().get("data").get(0).get("schedule_id").asText();
        String p = "/backup-schedules/" + id;
        assertError(call(a, "PATCH", p, "{\"frequency\":\"yearly\"}"), 400, "INVALID_ARGUMENT", "yearly");
        assertError(call(a, "PATCH", p, "{\"retention\":{\"expire_after_days\":0}}"), 400, "INVALID_ARGUMENT", "expire_after_days");
        assertError(call(a, "PATCH", p, "{\"retention\":{}}"), 422, "UNPROCESSABLE_ENTITY", "`expire_after_days`");
        assertError(call(a, "PATCH", p, "{\"enabled\":\"yes\"}"), 422, "UNPROCESSABLE_ENTITY", "`enabled`");
        assertError(call(a, "PATCH", p, "{\"frequency\":7}"), 422, "UNPROCESSABLE_ENTITY", "`frequency`");
        assertError(call(a, "PATCH", p, "{\"frequency\":\"daily\",\"enabled\":\"no\"}"), 422, "UNPROCESSABLE_ENTITY", "`enabled`");
        JsonNode unchanged = call(a, "GET", p, null).json();
        assertEquals("monthly", unchanged.get("frequency").asText(), "a rejected update changes nothing");
        assertTrue(unchanged.get("enabled").asBoolean());
        assertEquals(ScheduleRules.MAX_RETENTION_DAYS, unchanged.get("retention_expire_after_days").asInt());
    }

    @Test
    void listAndHistoryArePagedWithSignedTokens() {
        String index = newIndex();
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = create(index, "s" + i, "daily", 7).get("schedule_id").asText();
            made.add(id);
            call(a, "PATCH", "/backup-schedules/" + id, "{\"enabled\":false}");
            clock.advance(java.time.Duration.ofMillis(1));
        }
        String path = "/indexes/" + index + "/backup-schedules";
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = call(a, "GET", path + "?limit=2" + (token == null ? "" : "&paginationToken=" + token), null).json();
            pages++;
            for (JsonNode s : page.get("data")) seen.add(s.get("schedule_id").asText());
            token = page.has("pagination") && !page.get("pagination").isNull() ? page.get("pagination").get("next").asText() : null;
        } while (token != null);
        assertEquals(made, seen, "oldest first, each once");
        assertEquals(3, pages);
        assertEquals(5, call(a, "GET", path, null).json().get("data").size(), "default limit 100");
        assertError(call(a, "GET", path + "?limit=0", null), 400, "INVALID_ARGUMENT", "limit");
        assertError(call(a, "GET", path + "?limit=101", null), 400, "INVALID_ARGUMENT", "100");
        assertError(call(a, "GET", path + "?paginationToken=bogus", null), 400, "INVALID_ARGUMENT", "paginationToken");
        String historyPath = "/backup-schedules/" + made.get(0) + "/history";
        assertError(call(a, "GET", historyPath + "?paginationToken=bogus", null), 400, "INVALID_ARGUMENT", "paginationToken");
        String listToken = call(a, "GET", path + "?limit=1", null).json().get("pagination").get("next").asText();
        assertError(call(a, "GET", historyPath + "?paginationToken=" + listToken, null), 400, "INVALID_ARGUMENT",
                "paginationToken");
        assertError(call(a, "GET", historyPath + "?limit=abc", null), 400, "INVALID_ARGUMENT", "limit");
    }

    @Test
    void projectsAreIsolated() {
        String index = newIndex();
        String id = create(index, "mine", "daily", 7).get("schedule_id").asText();
        String missing = "Backup schedule " + id + " not found.";
        assertError(call(b, "GET", "/backup-schedules/" + id, null), 404, "NOT_FOUND", missing);
        assertError(call(b, "PATCH", "/backup-schedules/" + id, "{\"enabled\":false}"), 404, "NOT_FOUND", missing);
        assertError(call(b, "DELETE", "/backup-schedules/" + id, null), 404, "NOT_FOUND", missing);
        assertError(call(b, "GET", "/backup-schedules/" + id + "/history", null), 404, "NOT_FOUND", missing);
        assertError(call(b, "GET", "/indexes/" + index + "/backup-schedules", null), 404, "NOT_FOUND", index);
        assertError(call(b, "POST", "/indexes/" + index + "/backup-schedules", body("theirs", "daily", 7)), 404, "NOT_FOUND", index);
        JsonNode still = call(a, "GET", "/backup-schedules/" + id, null).json();
        assertTrue(still.get("enabled").asBoolean(), "the other project changed nothing");
        // the same index name in another project is another index with its own schedules
        b.createDense(index, 3, "cosine");
        assertEquals(0, call(b, "GET", "/indexes/" + index + "/backup-schedules", null).json().get("data").size());
        assertEquals(200, call(b, "POST", "/indexes/" + index + "/backup-schedules", body("theirs", "daily", 7)).status(),
                "alpha's enabled schedule does not block beta's index");
    }

    @Test
    void schedulesAnswerOnlyApiVersion202607() {
        String index = newIndex();
        String id = create(index, "v", "daily", 7).get("schedule_id").asText();
        for (String old : new String[] {"2025-10", "2026-04"}) {
            assertError(a.send("GET", "/backup-schedules/" + id, null, old), 400, "INVALID_ARGUMENT", "2026-07");
            assertError(a.send("POST", "/indexes/" + index + "/backup-schedules", body("w", "daily", 7), old), 400,
                    "INVALID_ARGUMENT", "2026-07");
        }
        assertError(a.get("/backup-schedules/" + id), 400, "INVALID_ARGUMENT", "X-Pinecone-Api-Version: 2026-07");
        assertEquals(401, a.withKey("wrong").send("GET", "/backup-schedules/" + id, null, "2025-10").status(),
                "the key is checked first");
        assertEquals(401, a.withKey(null).send("GET", "/backup-schedules/" + id, null, V).status());
        assertEquals(1, call(a, "GET", "/indexes/" + index + "/backup-schedules", null).json().get("data").size());
    }
}
