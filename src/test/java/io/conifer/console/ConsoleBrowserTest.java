package io.conifer.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import io.conifer.Await;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.Backups;
import io.conifer.index.IndexManager;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.VectorStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real headless Chromium (Debian's, driven by Playwright) against a real
 * server: sign-in, indexes, backups, restores, deletion, and API strings that must stay text.
 * With CONIFER_SCREENSHOTS=1 it refreshes the screenshots in docs/console/.
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final boolean SCREENSHOTS = "1".equals(System.getenv("CONIFER_SCREENSHOTS"));
    private static final String SCRIPT = "<script>window.__xss = 1</script>";
    private static final String IMG = "\"><img src=x onerror=\"window.__xss = 2\">";

    @TempDir
    static Path dir;
    static TestServer server;
    static Http control;
    static Playwright playwright;
    static Browser browser;

    BrowserContext context;
    Page page;
    final List<String> browserErrors = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            System.err.println("\n*** ConsoleBrowserTest SKIPPED: no Chromium at " + CHROMIUM
                    + " (install it: apt-get install -y chromium; ./run-tests does so when run as root) ***\n");
            Assumptions.abort("no Chromium at " + CHROMIUM);
        }
        server = TestServer.start(dir.resolve("data"));
        control = new Http(server.url(), TestServer.KEY);
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
        PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void openPage() {
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        page = context.newPage();
        // A CSP violation or a script error shows up here; failed HTTP calls (a 401) are expected.
        page.onConsoleMessage(m -> {
            if (m.type().equals("error") && !m.text().startsWith("Failed to load resource")) browserErrors.add(m.text());
        });
        page.onPageError(browserErrors::add);
    }

    @AfterEach
    void closePage() {
        context.close();
        assertEquals(List.of(), browserErrors, "errors in the browser");
    }

    private void signIn(String key) {
        signIn(server.url(), key);
    }

    private void signIn(String base, String key) {
        page.navigate(base + "/");
        assertEquals(base + "/console/", page.url());
        page.locator("#api-key").fill(key);
        page.locator("#signin-form button[type=submit]").click();
    }

    private void screenshot(String name) {
        if (SCREENSHOTS) page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("docs/console", name + ".png")).setFullPage(true));
    }

    @Test
    void aWrongKeyShowsTheServersErrorAndKeepsNothing() {
        Http.Response refused = control.withKey("not-the-key").get("/indexes");
        assertEquals(401, refused.status());
        signIn("not-the-key");
        assertThat(page.locator("#signin-error")).hasText(refused.json().get("error").get("message").asText() + " (HTTP 401)");
        assertThat(page.locator("#tabs")).isHidden();
        assertEquals(0, ((Number) page.evaluate("() => sessionStorage.length + localStorage.length")).intValue());
        screenshot("signin");
    }

    @Test
    void createBackUpRestoreAndDeleteThroughTheConsole() {
        signIn(TestServer.KEY);
        assertThat(page.locator("#indexes p.empty")).containsText("No indexes yet");
        // The key stays in this tab's session storage only.
        assertEquals(TestServer.KEY, page.evaluate("() => sessionStorage.getItem('conifer.apiKey')"));
        assertEquals(0, ((Number) page.evaluate("() => localStorage.length")).intValue());

        Locator form = page.locator("#create-index");
        form.locator("[name=name]").fill("movies");
        form.locator("[name=dimension]").fill("0");
        form.locator("button[type=submit]").click();
        // The browser checks the form's own rules first; the server's rule shows when the form cannot.
        form.locator("[name=dimension]").fill("20001");
        form.locator("[name=dimension]").evaluate("e => e.removeAttribute('max')");
        form.locator("button[type=submit]").click();
        assertThat(form.locator(".error")).hasText("Invalid dimension 20001: it must be between 1 and 20000 (HTTP 400)");
        form.locator("[name=dimension]").fill("4");
        form.locator("button[type=submit]").click();
        Locator movies = page.locator("tr[data-index=movies]");
        assertThat(movies).containsText("Ready");
        assertThat(movies).containsText("4 · cosine");

        String host = control.get("/indexes/movies").json().get("host").asText();
        Http data = control.forHost(host);
        assertEquals(200, data.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2,3,4]},"
                + "{\"id\":\"b\",\"values\":[2,3,4,5]},{\"id\":\"c\",\"values\":[3,4,5,6]}],\"namespace\":\"films\"}").status());
        page.locator("#tabs [data-tab=indexes]").click();
        assertThat(movies.locator(".records")).hasText("3");

        movies.locator("button.link").click();
        Locator detail = page.locator("[data-detail=movies]");
        assertThat(detail).containsText("3 records");
        assertThat(detail.locator("tr").filter(new Locator.FilterOptions().setHasText("films"))).containsText("3");
        Locator query = detail.locator("form.query");
        query.locator("[name=q]").fill("[3, 4, 5, 6]");
        query.locator("[name=namespace]").fill("films");
        query.locator("[name=topK]").fill("2");
        query.locator("button[type=submit]").click();
        Locator matches = detail.locator(".query-results tbody tr");
        assertThat(matches).hasCount(2);
        assertThat(matches.first().locator("td").first()).hasText("c");
        query.locator("[name=q]").fill("a");
        query.locator("button[type=submit]").click();
        assertThat(matches.first().locator("td").first()).hasText("a");
        query.locator("[name=namespace]").fill("");
        query.locator("button[type=submit]").click();
        assertThat(detail.locator(".query-results")).containsText("No matches.");
        query.locator("[name=q]").fill("[1, 2]");
        query.locator("[name=namespace]").fill("films");
        query.locator("button[type=submit]").click();
        assertThat(query.locator(".error")).containsText("dimension");
        detail.locator(".create-backup [name=name]").fill("nightly");
        detail.locator(".create-backup [name=description]").fill("before the migration");
        detail.locator(".create-backup button[type=submit]").click();
        Locator backup = detail.locator("tr[data-backup]").filter(new Locator.FilterOptions().setHasText("nightly"));
        assertThat(backup.locator(".backup-status")).hasText("Ready");
        assertThat(backup).containsText("before the migration");
        screenshot("indexes");

        page.locator("#tabs [data-tab=backups]").click();
        Locator listed = page.locator("#backups tr[data-backup]").filter(new Locator.FilterOptions().setHasText("nightly"));
        assertThat(listed).containsText("movies");
        screenshot("backups");
        listed.locator("button").filter(new Locator.FilterOptions().setHasText("Create index from backup")).click();
        listed.locator(".restore-form [name=name]").fill("movies-restored");
        listed.locator(".restore-form button[type=submit]").click();

        Locator job = page.locator("#restores tr[data-job]").filter(new Locator.FilterOptions().setHasText("movies-restored"));
        assertThat(job.locator(".job-status")).hasText("Completed");
        assertThat(job.locator("progress")).hasAttribute("value", "100");
        assertThat(job.locator(".percent")).hasText("100%");
        screenshot("restores");

        job.locator("button.link").click();
        assertThat(page.locator("tr[data-index=movies-restored] .records")).hasText("3");
        assertThat(page.locator("[data-detail=movies-restored]")).containsText("3 records");

        deleteThroughConsole("movies-restored");
        deleteThroughConsole("movies");
        assertThat(page.locator("#indexes p.empty")).containsText("No indexes yet");
        assertEquals(0, control.get("/indexes").json().get("indexes").size());
    }

    private void deleteThroughConsole(String name) {
        page.locator("tr[data-index=\"" + name + "\"] button.link").click();
        page.locator("[data-detail=\"" + name + "\"] #delete-index").click();
        assertThat(page.locator("#confirm-message")).containsText("Delete index \"" + name + "\"");
        assertThat(page.locator("#confirm-ok")).isDisabled();
        page.locator("#confirm-input").fill(name);
        page.locator("#confirm-ok").click();
        assertThat(page.locator("tr[data-index=\"" + name + "\"]")).hasCount(0);
    }

    @Test
    void stringsFromTheApiAreShownAsTextAndRunNothing() throws Exception {
        control.createDense("xss", 2, "cosine");
        var created = control.post("/indexes/xss/backups", Map.of("name", IMG, "description", SCRIPT));
        assertEquals(201, created.status(), created.toString());
        String backupId = created.json().get("backup_id").asText();
        signIn(TestServer.KEY);
        page.locator("tr[data-index=xss] button.link").click();
        Locator row = page.locator("[data-detail=xss] tr[data-backup]");
        assertThat(row.locator("td").first()).hasText(IMG);
        assertThat(row.locator(".description")).hasText(SCRIPT);
        // An error message that echoes the input is text too.
        Locator tagForm = page.locator("#add-tag");
        tagForm.locator("[name=key]").fill(IMG);
        tagForm.locator("[name=value]").fill("v");
        tagForm.locator("button[type=submit]").click();
        assertThat(page.locator("[data-detail=xss] p.error").first()).containsText("Invalid tag key '" + IMG + "'");
        page.locator("#tabs [data-tab=backups]").click();
        assertThat(page.locator("#backups tr[data-backup=\"" + backupId + "\"] .description")).hasText(SCRIPT);
        assertEquals(0, page.locator("img, script:not([src])").count());
        assertTrue((Boolean) page.evaluate("() => window.__xss === undefined"), "a payload ran");
        control.delete("/backups/" + backupId);
        control.delete("/indexes/xss");
    }

    @Test
    void deletionProtectionAndSchedulesOfAnIndex() throws Exception {
        control.createDense("guarded", 2, "euclidean");
        signIn(TestServer.KEY);
        Locator create = page.locator("#create-index");
        create.locator("[name=name]").fill("terms");
        create.locator("[name=vector_type]").selectOption("sparse");
        assertThat(create.locator("[name=dimension]")).isDisabled();
        create.locator("button[type=submit]").click();
        assertThat(page.locator("tr[data-index=terms]")).containsText("sparse · dotproduct");
        assertEquals("sparse", control.get("/indexes/terms").json().get("vector_type").asText());
        assertEquals(202, control.delete("/indexes/terms").status());
        page.locator("tr[data-index=guarded] button.link").click();
        Locator detail = page.locator("[data-detail=guarded]");
        detail.locator("#deletion-protection").check();
        assertThat(page.locator("[data-detail=guarded] #deletion-protection")).isChecked();
        // The box is checked at once; the console's PATCH lands a moment later (under CI load, after a GET).
        long until = System.nanoTime() + 20_000_000_000L;
        while (!"enabled".equals(control.get("/indexes/guarded").json().get("deletion_protection").asText())
                && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertEquals("enabled", control.get("/indexes/guarded").json().get("deletion_protection").asText());
        detail.locator("#delete-index").click();
        page.locator("#confirm-input").fill("guarded");
        page.locator("#confirm-ok").click();
        assertThat(detail.locator("p.error").first()).containsText("deletion protection");
        assertEquals(200, control.get("/indexes/guarded").status());

        Locator form = detail.locator(".create-schedule");
        form.locator("[name=name]").fill("every-day");
        form.locator("[name=frequency]").selectOption("daily");
        form.locator("[name=days]").fill("3");
        form.locator("button[type=submit]").click();
        Locator schedule = detail.locator("tr[data-schedule]").filter(new Locator.FilterOptions().setHasText("every-day"));
        assertThat(schedule.locator("[name=days]")).hasValue("3");
        schedule.locator("[name=frequency]").selectOption("weekly");
        schedule.locator("[name=days]").fill("14");
        schedule.locator("button.save").click();
        String id = schedule.getAttribute("data-schedule");
        Await.until("the schedule saved", () -> control.send("GET", "/backup-schedules/" + id, null, "2026-07").json()
                .get("retention_expire_after_days").asInt() == 14);
        assertThat(schedule.locator("td").nth(3)).hasText(Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT.*"));
        screenshot("index-detail");
        schedule.locator("input[type=checkbox]").uncheck();
        assertThat(schedule.locator("td").nth(3)).hasText("disabled");
        var saved = control.send("GET", "/backup-schedules/" + id, null, "2026-07").json();
        assertEquals(false, saved.get("enabled").asBoolean());
        assertEquals("weekly", saved.get("frequency").asText());
        assertEquals(14, saved.get("retention_expire_after_days").asInt());
        assertThat(schedule.locator("[name=frequency]")).hasValue("weekly");
        schedule.locator("button").filter(new Locator.FilterOptions().setHasText("History")).click();
        assertThat(detail).containsText("No runs yet.");
        schedule.locator("button.danger").click();
        page.locator("#confirm-input").fill("every-day");
        page.locator("#confirm-ok").click();
        assertThat(detail.locator("tr[data-schedule]")).hasCount(0);
        assertEquals(404, control.send("GET", "/backup-schedules/" + id, null, "2026-07").status());

        detail.locator("#deletion-protection").uncheck();
        assertThat(page.locator("[data-detail=guarded] #deletion-protection")).not().isChecked();
        deleteThroughConsole("guarded");
    }

    @Test
    void projectBackupsArePagedWithTheApisTokens() throws Exception {
        control.createDense("paged", 2, "cosine");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(control.post("/indexes/paged/backups", Map.of("name", "page-" + i)).json().get("backup_id").asText());
        }
        signIn(TestServer.KEY);
        page.locator("#tabs [data-tab=backups]").click();
        Locator rows = page.locator("#backups tr[data-backup]");
        assertThat(rows).hasCount(10);
        var first = control.get("/backups?limit=10").json();
        assertEquals(first.get("data").get(0).get("backup_id").asText(), rows.first().getAttribute("data-backup"));
        page.locator("#backups .next-page").click();
        var second = control.get("/backups?limit=10&paginationToken="
                + java.net.URLEncoder.encode(first.get("pagination").get("next").asText(), java.nio.charset.StandardCharsets.UTF_8)).json();
        assertThat(rows.first()).hasAttribute("data-backup", second.get("data").get(0).get("backup_id").asText());
        assertThat(rows).hasCount(second.get("data").size());
        page.locator("#backups button").filter(new Locator.FilterOptions().setHasText("Previous")).click();
        assertThat(rows).hasCount(10);
        for (String id : ids) control.delete("/backups/" + id);
        control.delete("/indexes/paged");
    }

    @Test
    void anOpenLoopbackServerOpensWithoutSignIn() throws Exception {
        try (TestServer open = TestServer.start(dir.resolve("open"), null)) {
            // The server takes any key value, but a call must carry the header (see OpenServerTest).
            new Http(open.url(), "any").createDense("open-index", 3, "dotproduct");
            page.navigate(open.url() + "/");
            assertThat(page.locator("tr[data-index=open-index]")).containsText("3 · dotproduct");
            assertThat(page.locator("#signin")).isHidden();
            assertThat(page.locator("#sign-out")).isHidden();
        }
    }

    /** A restore slowed by the server's transfer limit: the bar moves through real values with no page reload. */
    @Test
    void theRestoreProgressBarFollowsTheJobWithoutAReload() throws Exception {
        ServerConfig slow = ServerConfig.defaults(dir.resolve("slow")).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackups(null, 100, 1);
        try (ConiferServer s = ConiferServer.start(slow)) {
            String base = "http://localhost:" + s.port();
            Http a = new Http(base, TestServer.KEY);
            // 4 MB of vectors at 1 MB/s: the restore takes ~4 s, so the console's once-a-second poll sees it
            // part-way (1 MB took ~1 s, which could fall between two polls: only 0 and 100 were seen).
            int dim = 512;
            Http data = a.forHost(a.createDense("big", dim, "cosine"));
            for (int start = 0; start < 2000; start += 250) {
                StringBuilder body = new StringBuilder("{\"vectors\":[");
                for (int i = start; i < start + 250; i++) {
                    body.append(i == start ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":[");
                    for (int j = 0; j < dim; j++) body.append(j == 0 ? "" : ",").append((i * 31 + j * 7) % 97 + 1);
                    body.append("]}");
                }
                assertEquals(200, data.post("/vectors/upsert", body + "]}").status());
            }
            String backup = a.post("/indexes/big/backups", Map.of("name", "big-copy")).json().get("backup_id").asText();
            Backups.awaitStatus(a, backup, "Ready");
            signIn(base, TestServer.KEY);
            page.evaluate("() => { window.__sameDocument = true; }");
            restoreFromTheBackupsTab(backup, "big-restored");
            Locator job = page.locator("#restores tr[data-job]");
            assertThat(job.locator(".job-status")).hasText("InProgress");
            // A value strictly between 0 and 100, shown by a poll while the job ran.
            assertThat(job.locator("progress")).hasAttribute("value", Pattern.compile("^(?!0$|100$)\\d+(\\.\\d+)?$"));
            assertThat(job.locator(".job-status")).hasText("Completed");
            assertThat(job.locator("progress")).hasAttribute("value", "100");
            assertEquals(true, page.evaluate("() => window.__sameDocument"), "the page was reloaded");
            job.locator("button.link").click();
            assertThat(page.locator("tr[data-index=big-restored] .records")).hasText("2000");
        }
    }

    /** 120 finished jobs, then one started in the console: it is on top, and followed until Completed. */
    @Test
    void aNewRestoreIsShownFirstAndFollowedAfterAHundredOlderJobs() throws Exception {
        Path data = dir.resolve("many-restores");
        long size;
        String backup;
        try (TestServer first = TestServer.start(data)) {
            Http a = new Http(first.url(), TestServer.KEY);
            withRecords(a, "source", 200);
            backup = a.post("/indexes/source/backups", Map.of("name", "source-copy")).json().get("backup_id").asText();
            size = Backups.awaitStatus(a, backup, "Ready").get("size_bytes").asLong();
        }
        // The API lists jobs oldest first and never forgets one: these fill its first page and more.
        StringBuilder jobs = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < 120; i++) {
            String at = String.format("2020-01-01T00:%02d:%02d.000Z", i / 60, i % 60);
            jobs.append(i == 0 ? "" : ",").append(String.format("{\"restore_job_id\":\"old-job-%03d\",\"project\":\"default\","
                    + "\"backup_id\":\"%s\",\"target_index_name\":\"old-%03d\",\"target_index_id\":\"gone-%03d\","
                    + "\"status\":\"Completed\",\"created_at\":\"%s\",\"completed_at\":\"%s\",\"percent_complete\":100}",
                    i, backup, i, i, at, at));
        }
        Files.writeString(data.resolve("restore-jobs.json"), jobs + "]}");
        // Restores read the backup in about 3 s, so the console first shows the job running.
        try (TestServer s = TestServer.startWith(data, c -> c.withBackups(null, 100, size / 3.0 / (1024 * 1024)))) {
            signIn(s.url(), TestServer.KEY);
            restoreFromTheBackupsTab(backup, "after-many");
            Locator rows = page.locator("#restores tr[data-job]");
            Locator newest = rows.first();
            assertThat(newest).containsText("after-many");
            assertThat(newest.locator(".job-status")).hasText(Pattern.compile("^(Pending|InProgress)$"));
            assertThat(newest.locator(".job-status")).hasText("Completed");
            assertThat(newest.locator(".percent")).hasText("100%");
            assertThat(rows).hasCount(20);
            // Older pages lead down to the oldest job.
            for (int shown = 20; shown <= 120; shown += 20) {
                page.locator("#restores .older").click();
                assertThat(rows.first()).containsText(String.format("old-%03d", 120 - shown));
            }
            assertThat(rows).hasCount(1);
            assertThat(page.locator("#restores .older")).hasCount(0);
            page.locator("#restores .newer").click();
            assertThat(rows.first()).containsText("old-020");
        }
    }

    /** The console's Create backup, with 12 backups already: the new one is on the second page, shown and followed. */
    @Test
    void aBackupJustTakenIsShownPastTheFirstPage() throws Exception {
        control.createDense("many-backups", 2, "cosine");
        for (int i = 0; i < 12; i++) {
            assertEquals(201, control.post("/indexes/many-backups/backups", Map.of("name", "older-" + i)).status());
        }
        // A disabled schedule: enabling it takes a backup at once.
        var schedule = control.send("POST", "/indexes/many-backups/backup-schedules", Map.of("name", "nightly-run",
                "schedule", Map.of("type", "time-based", "frequency", "daily"), "retention", Map.of("expire_after_days", 7)), "2026-07");
        assertEquals(200, schedule.status(), schedule.toString());
        String scheduleId = schedule.json().get("schedule_id").asText();
        assertEquals(200, control.send("PATCH", "/backup-schedules/" + scheduleId, Map.of("enabled", false), "2026-07").status());
        signIn(TestServer.KEY);
        page.locator("tr[data-index=many-backups] button.link").click();
        Locator detail = page.locator("[data-detail=many-backups]");
        Locator rows = detail.locator(".index-backups tr[data-backup]");
        assertThat(rows).hasCount(10);
        detail.locator(".create-backup [name=name]").fill("just-taken");
        detail.locator(".create-backup button[type=submit]").click();
        Locator taken = rows.filter(new Locator.FilterOptions().setHasText("just-taken"));
        assertThat(taken.locator(".backup-status")).hasText("Ready");
        assertThat(rows).hasCount(3);
        assertThat(detail.locator(".index-backups button").filter(new Locator.FilterOptions().setHasText("Previous"))).isVisible();

        detail.locator("tr[data-schedule=\"" + scheduleId + "\"] input[type=checkbox]").click();
        Locator scheduled = rows.filter(new Locator.FilterOptions().setHasText("nightly-run-"));
        assertThat(scheduled.locator(".backup-status")).hasText("Ready");
        assertThat(taken).hasCount(1);

        assertEquals(204, control.send("DELETE", "/backup-schedules/" + scheduleId, null, "2026-07").status());
        for (var b : control.get("/indexes/many-backups/backups?limit=100").json().get("data")) {
            control.delete("/backups/" + b.get("backup_id").asText());
        }
        control.delete("/indexes/many-backups");
    }

    /**
     * An index list refreshing while an index opens and an index's backups refreshing while one is
     * taken: neither stops the other; the index's view turns into a Ready one; and once only an index
     * that failed to open is left, nothing is refreshed any more.
     */
    @Test
    void eachViewRefreshesOnItsOwnAndAFailedIndexIsNotPolled() throws Exception {
        Path data = dir.resolve("pollers");
        Path indexesDir = data.resolve("indexes");
        Path slowDir;
        Path brokenDir;
        long size;
        try (TestServer first = TestServer.start(data)) {
            Http a = new Http(first.url(), TestServer.KEY);
            a.createDense("slow", 2, "cosine");
            slowDir = onlyNew(indexesDir, Set.of());
            a.createDense("broken", 2, "cosine");
            brokenDir = onlyNew(indexesDir, Set.of(slowDir));
            withRecords(a, "other", 200);
            String probe = a.post("/indexes/other/backups", Map.of("name", "probe")).json().get("backup_id").asText();
            size = Backups.awaitStatus(a, probe, "Ready").get("size_bytes").asLong();
        }
        CountDownLatch release = new CountDownLatch(1);
        IndexManager.StoreOpener opener = (d, space) -> {
            if (d.equals(slowDir)) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            if (d.equals(brokenDir)) throw new IOException("cannot be opened (made so by the test)");
            return VectorStore.open(d, space, StoreOptions.defaults());
        };
        // A backup then takes seconds, so the console first shows it Initializing.
        ServerConfig config = ServerConfig.defaults(data).withApiKeys(TestServer.KEY).withPorts(0, TestServer.freePortRange())
                .withBackups(null, 100, size / 2.0 / (1024 * 1024));
        List<String> listings = new CopyOnWriteArrayList<>();
        List<String> statsAsked = new CopyOnWriteArrayList<>();
        page.onRequest(r -> {
            String path = URI.create(r.url()).getPath();
            if (path.equals("/indexes") || path.equals("/indexes/broken")) listings.add(path);
            if (path.equals("/describe_index_stats")) statsAsked.add(r.url());
        });
        // Time runs as usual, but the test can also make it jump.
        page.clock().install();
        try (ConiferServer s = ConiferServer.start(config, opener)) {
            try {
                String base = "http://localhost:" + s.port();
                signIn(base, TestServer.KEY);
                Locator slowState = page.locator("tr[data-index=slow] td").nth(1);
                assertThat(slowState).hasText("Initializing");
                assertThat(page.locator("tr[data-index=broken] td").nth(1)).containsText("InitializationFailed");
                // While "slow" opens the list redraws every second, but the ready index's count is not asked
                // again each time (only after 10 s).
                assertThat(page.locator("tr[data-index=other] .records")).hasText("200");
                int listed = listings.size();
                int counted = statsAsked.size();
                // A refresh comes 1 s after the last one was drawn, so on a loaded machine three take longer than
                // 3 s: wait for them (in Playwright's own waits, which deliver its request events), then hold the
                // counts to the page time they took.
                double startedAt = ((Number) page.evaluate("Date.now()")).doubleValue();
                for (int waited = 0; listings.size() - listed < 3 && waited < 30_000; waited += 100) page.waitForTimeout(100);
                double tookMillis = ((Number) page.evaluate("Date.now()")).doubleValue() - startedAt;
                assertTrue(listings.size() - listed >= 3, "the list kept refreshing: " + listings);
                assertTrue(statsAsked.size() - counted <= 1 + (int) (tookMillis / 10_000),
                        "a count asked on every refresh, over " + tookMillis + " ms: " + statsAsked);

                page.locator("tr[data-index=other] button.link").click();
                Locator other = page.locator("[data-detail=other]");
                other.locator(".create-backup [name=name]").fill("while-slow-opens");
                other.locator(".create-backup button[type=submit]").click();
                Locator taken = other.locator("tr[data-backup]").filter(new Locator.FilterOptions().setHasText("while-slow-opens"));
                assertThat(taken.locator(".backup-status")).hasText("Initializing");
                assertThat(taken.locator(".backup-status")).hasText("Ready");
                // The backups' refreshes did not end the list's: it still asks, as "slow" is still opening.
                page.waitForRequest(r -> URI.create(r.url()).getPath().equals("/indexes"), () -> { });

                page.locator("tr[data-index=slow] button.link").click();
                Locator slow = page.locator("[data-detail=slow]");
                assertThat(slow).containsText("The index is not ready yet.");
                release.countDown();
                assertThat(slow.locator("form.query")).isVisible();
                assertThat(slowState).hasText("Ready");

                page.locator("tr[data-index=broken] button.link").click();
                assertThat(page.locator("[data-detail=broken]")).containsText("InitializationFailed");
                int asked = listings.size();
                page.clock().runFor(10_000);
                // Requests are reported in the order they are made: once this one is, any refresh the
                // ten seconds caused has been counted.
                page.waitForRequest(r -> r.url().endsWith("config.json?barrier"),
                        () -> page.evaluate("() => fetch('config.json?barrier')"));
                assertEquals(asked, listings.size(), "refreshed with nothing changing: " + listings);
            } finally {
                release.countDown();
            }
        }
    }

    /** A change the API refuses leaves the checkbox as the server has it, with the reason shown. */
    @Test
    void aRefusedChangePutsTheCheckboxBack() throws Exception {
        control.createDense("refusals", 2, "cosine");
        String alpha = null;
        for (String name : List.of("alpha", "beta")) {
            var created = control.send("POST", "/indexes/refusals/backup-schedules", Map.of("name", name,
                    "schedule", Map.of("type", "time-based", "frequency", "weekly"), "retention", Map.of("expire_after_days", 7)), "2026-07");
            assertEquals(200, created.status(), created.toString());
            if (alpha == null) {
                alpha = created.json().get("schedule_id").asText();
                control.send("PATCH", "/backup-schedules/" + alpha, Map.of("enabled", false), "2026-07");
            }
        }
        signIn(TestServer.KEY);
        page.locator("tr[data-index=refusals] button.link").click();
        Locator detail = page.locator("[data-detail=refusals]");
        Locator box = detail.locator("tr[data-schedule=\"" + alpha + "\"] input[type=checkbox]");
        assertThat(box).not().isChecked();
        // click, not check(): check() fails when the box does not stay checked, which is the point here.
        box.click();
        assertThat(detail.locator(".index-schedules p.error")).containsText("already has an enabled backup schedule");
        assertThat(box).not().isChecked();
        assertThat(box).isEnabled();
        assertFalse(control.send("GET", "/backup-schedules/" + alpha, null, "2026-07").json().get("enabled").asBoolean());

        assertEquals(202, control.delete("/indexes/refusals").status());
        Locator protection = detail.locator("#deletion-protection");
        protection.click();
        assertThat(detail.locator("p.error").first()).containsText("Index refusals not found. (HTTP 404)");
        assertThat(protection).not().isChecked();
    }

    /** Starts a restore of a backup from the Backups tab, which then turns to the Restores tab. */
    private void restoreFromTheBackupsTab(String backupId, String newIndex) {
        page.locator("#tabs [data-tab=backups]").click();
        Locator row = page.locator("#backups tr[data-backup=\"" + backupId + "\"]");
        row.locator("button").filter(new Locator.FilterOptions().setHasText("Create index from backup")).click();
        row.locator(".restore-form [name=name]").fill(newIndex);
        row.locator(".restore-form button[type=submit]").click();
    }

    /** A dense index of 16 dimensions with {@code count} records. */
    private static void withRecords(Http control, String name, int count) {
        Http data = control.forHost(control.createDense(name, 16, "cosine"));
        StringBuilder body = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"values\":[");
            for (int j = 0; j < 16; j++) body.append(j == 0 ? "" : ",").append((i * 31 + j * 7) % 97 + 1);
            body.append("]}");
        }
        assertEquals(200, data.post("/vectors/upsert", body + "]}").status());
    }

    /** The one directory in {@code parent} not among {@code known}. */
    private static Path onlyNew(Path parent, Set<Path> known) throws IOException {
        List<Path> added = new ArrayList<>();
        try (var dirs = Files.list(parent)) {
            dirs.filter(d -> !known.contains(d)).forEach(added::add);
        }
        assertEquals(1, added.size(), added.toString());
        return added.get(0);
    }
}
