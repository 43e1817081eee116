package io.conifer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.Backups;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client commands against a real server over HTTP, run as {@code conifer ...} is (picocli on
 * {@link Main}), with their output captured: what they print, their exit codes, and that their
 * {@code --json} is the server's own state.
 */
class ClientCommandsTest {
    private static final String V = ControlPlaneClient.API_VERSION;
    private static final Pattern PROGRESS = Pattern.compile("^(backup|restore): (\\d+)% \\((.+) of (.+)\\)$");

    @TempDir
    static Path dir;

    private static TestServer server;
    private static Http control;

    @BeforeAll
    static void start() throws IOException {
        // Schedules run at 06:00 UTC on the server's clock; started at 18:00 UTC today, a scheduled backup
        // cannot land between the CLI's answer and the API's that the schedule test compares it with.
        Instant now = Instant.now();
        Duration toEvening = Duration.between(now, now.truncatedTo(ChronoUnit.DAYS).plus(18, ChronoUnit.HOURS));
        server = TestServer.startWith(dir.resolve("data"), c -> c.withClock(Clock.offset(Clock.systemUTC(), toEvening)));
        control = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        List<String> lines() {
            return out.lines().toList();
        }
    }

    /** {@code conifer ARGS --host URL --api-key KEY}. */
    private static Run coniferAt(String url, String key, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--host", url, "--api-key", key));
        int exit = cli.execute(full.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run conifer(String... args) {
        return coniferAt(server.url(), TestServer.KEY, args);
    }

    /** {@code conifer ARGS --host URL}: the key, if any, is in ARGS. */
    private static Run coniferWith(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--host", server.url()));
        return new Run(cli.execute(full.toArray(String[]::new)), out.toString(), err.toString());
    }

    /** A usage error: exit 2 and one line on stderr, no stack trace. */
    private static String usageError(Run run) {
        assertEquals(ClientException.USAGE, run.exit(), run.toString());
        assertEquals("", run.out());
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), "one line, no stack trace: " + run.err());
        assertTrue(lines.get(0).startsWith("conifer: "), run.err());
        return lines.get(0);
    }

    private static JsonNode api(String path) {
        Http.Response r = control.send("GET", path, null, V);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    private static void fill(Http control, String index, int records, int dimension) {
        Http data = control.forHost(control.createDense(index, dimension, "cosine"));
        for (int from = 0; from < records; from += 200) {
            StringBuilder body = new StringBuilder("{\"vectors\":[");
            for (int i = from; i < Math.min(records, from + 200); i++) {
                if (i > from) body.append(',');
                body.append("{\"id\":\"r").append(i).append("\",\"values\":[");
                for (int d = 0; d < dimension; d++) body.append(d == 0 ? "" : ",").append((float) Math.sin(i * 31 + d));
                body.append("]}");
            }
            Http.Response r = data.post("/vectors/upsert", body.append("]}").toString());
            assertEquals(200, r.status(), r.toString());
        }
    }

    /** The progress lines' percents, in order; each line's byte figures agree with its percent. */
    private static List<Integer> percents(Run run, String task, String totalBytes) {
        List<Integer> out = new ArrayList<>();
        for (String line : run.lines()) {
            Matcher m = PROGRESS.matcher(line);
            if (!m.matches() || !m.group(1).equals(task)) continue;
            out.add(Integer.parseInt(m.group(2)));
            assertEquals(totalBytes, m.group(4), line);
        }
        for (int i = 1; i < out.size(); i++) assertTrue(out.get(i) > out.get(i - 1), "percents rise: " + out);
        return out;
    }

    private static String backupId(String index) {
        Run created = conifer("backup", "create", "--index", index, "--wait", "--json");
        assertEquals(0, created.exit(), created.toString());
        return created.json().get("backup_id").asText();
    }

    @Test
    void indexListAndDescribePrintTheServersIndexes() {
        control.createDense("cli-a", 3, "cosine");
        control.createDense("cli-b", 5, "euclidean");

        Run json = conifer("index", "list", "--json");
        assertEquals(0, json.exit(), json.toString());
        assertEquals(api("/indexes"), json.json());

        Run text = conifer("index", "list");
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.lines().get(0).matches("NAME +STATE +VECTORS +HOST"), text.out());
        String host = api("/indexes/cli-b").get("host").asText();
        assertTrue(text.lines().stream().anyMatch(l -> l.matches("cli-b +Ready +dense 5 euclidean +" + Pattern.quote(host))),
                text.out());

        Run describe = conifer("index", "describe", "cli-a", "--json");
        assertEquals(0, describe.exit(), describe.toString());
        assertEquals(api("/indexes/cli-a"), describe.json());
        Run describeText = conifer("index", "describe", "cli-a");
        assertTrue(describeText.lines().stream().anyMatch(l -> l.matches("name: +cli-a")), describeText.out());

        Run missing = conifer("index", "describe", "no-such-index");
        assertEquals(ClientException.OPERATION_FAILED, missing.exit(), missing.toString());
        assertEquals("", missing.out());
        assertTrue(missing.err().startsWith("conifer: ") && missing.err().contains("no-such-index")
                && missing.err().contains("HTTP 404"), missing.err());
    }

    @Test
    void backupCreateWaitPrintsProgressLinesEndingAtTheReadyBackup() {
        fill(control, "cli-wait", 500, 16);

        Run run = conifer("backup", "create", "--index", "cli-wait", "--name", "nightly", "--wait");

        assertEquals(0, run.exit(), run.toString());
        String id = run.lines().get(0).replaceAll("^Backup (\\S+) of index 'cli-wait' started\\.$", "$1");
        JsonNode backup = api("/backups/" + id);
        assertEquals("Ready", backup.get("status").asText());
        assertEquals("nightly", backup.get("name").asText());
        String size = Bytes.human(backup.get("size_bytes").asLong());
        List<Integer> percents = percents(run, "backup", size);
        assertFalse(percents.isEmpty(), run.out());
        assertEquals(100, percents.get(percents.size() - 1), run.out());
        assertEquals("backup: 100% (" + size + " of " + size + ")", run.lines().get(run.lines().size() - 2));
        assertEquals("Backup " + id + " is Ready: 500 records, " + size + ".", run.lines().get(run.lines().size() - 1));
    }

    /** A throttled copy lasts long enough to be seen part-way, through the API and through the CLI's lines. */
    @Test
    void aRunningBackupReportsItsProgressInBytes(@TempDir Path own) throws Exception {
        try (TestServer slow = TestServer.startWith(own, c -> c.withBackups(null, 1000, 1))) {
            Http c = new Http(slow.url(), TestServer.KEY);
            fill(c, "slow", 2000, 256);
            // Progress moves per 2 MB chunk and an idle index settles into one segment file: 6 MB shows it part-way.
            fill(c, "slow-cli", 6000, 256);

            String id = c.post("/indexes/slow/backups", "{}").json().get("backup_id").asText();
            JsonNode running = c.send("GET", "/backups/" + id, null, V).json();
            assertEquals("Initializing", running.get("status").asText(), running.toString());
            int percent = running.get("percent_complete").asInt();
            long done = running.get("bytes_done").asLong();
            long total = running.get("bytes_total").asLong();
            assertTrue(percent < 100 && done < total && percent == done * 100 / total, running.toString());
            assertFalse(running.has("size_bytes"), running.toString());
            JsonNode ready = Backups.awaitStatus(c, id, "Ready");
            assertEquals(total, ready.get("size_bytes").asLong(), "the bytes to copy are the backup's size");
            assertFalse(ready.has("percent_complete") || ready.has("bytes_done"), ready.toString());

            Run run = coniferAt(slow.url(), TestServer.KEY, "backup", "create", "--index", "slow-cli", "--wait");
            assertEquals(0, run.exit(), run.toString());
            String cliId = run.lines().get(0).split(" ")[1];
            String size = Bytes.human(c.get("/backups/" + cliId).json().get("size_bytes").asLong());
            List<Integer> percents = percents(run, "backup", size);
            assertTrue(percents.stream().anyMatch(p -> p > 0 && p < 100), "progress seen part-way: " + run.out());
            assertEquals(100, percents.get(percents.size() - 1), run.out());
        }
    }

    @Test
    void backupListDescribeAndDeleteMatchTheServer() throws Exception {
        fill(control, "cli-list", 50, 4);
        Run created = conifer("backup", "create", "--index", "cli-list", "--name", "first", "--json");
        assertEquals(0, created.exit(), created.toString());
        String id = created.json().get("backup_id").asText();
        assertEquals("cli-list", created.json().get("source_index_name").asText());
        Backups.awaitStatus(control, id, "Ready");

        Run all = conifer("backup", "list", "--json");
        assertEquals(0, all.exit(), all.toString());
        assertEquals(api("/backups").get("data"), all.json().get("data"));
        Run forIndex = conifer("backup", "list", "--index", "cli-list");
        assertEquals(0, forIndex.exit(), forIndex.toString());
        assertEquals(2, forIndex.lines().size(), forIndex.out());
        assertTrue(forIndex.lines().get(1).matches(Pattern.quote(id) + " +first +cli-list +Ready +50 +.*"), forIndex.out());

        Run describe = conifer("backup", "describe", id, "--json");
        assertEquals(api("/backups/" + id), describe.json());

        Run deleted = conifer("backup", "delete", id);
        assertEquals(0, deleted.exit(), deleted.toString());
        assertEquals("Deleted backup " + id + ".", deleted.out().strip());
        assertEquals(404, control.get("/backups/" + id).status());
        Run gone = conifer("backup", "describe", id);
        assertEquals(ClientException.OPERATION_FAILED, gone.exit(), gone.toString());
        assertTrue(gone.err().contains("Backup " + id + " not found"), gone.err());

        Run noIndex = conifer("backup", "create", "--index", "no-such-index", "--wait");
        assertEquals(ClientException.OPERATION_FAILED, noIndex.exit(), noIndex.toString());
        assertTrue(noIndex.err().contains("no-such-index"), noIndex.err());
    }

    @Test
    void restoreWaitPrintsProgressLinesAndTheIndexServes() throws Exception {
        fill(control, "cli-src", 300, 8);
        String backup = backupId("cli-src");
        String size = Bytes.human(api("/backups/" + backup).get("size_bytes").asLong());

        Run run = conifer("restore", "--backup", backup, "--name", "cli-copy", "--wait");

        assertEquals(0, run.exit(), run.toString());
        String job = run.lines().get(0).split(" ")[2];
        List<Integer> percents = percents(run, "restore", size);
        assertEquals(100, percents.get(percents.size() - 1), run.out());
        assertEquals("Restore job " + job + " Completed: index 'cli-copy' is ready.", run.lines().get(run.lines().size() - 1));
        JsonNode index = api("/indexes/cli-copy");
        assertTrue(index.get("status").get("ready").asBoolean(), index.toString());
        Http data = control.forHost(index.get("host").asText());
        assertEquals(300, data.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt());

        Run jobs = conifer("restore-jobs", "list", "--json");
        assertEquals(api("/restore-jobs").get("data"), jobs.json().get("data"));
        Run described = conifer("restore-jobs", "describe", job, "--json");
        assertEquals(api("/restore-jobs/" + job), described.json());
        assertEquals("Completed", described.json().get("status").asText());
        assertEquals(100, described.json().get("percent_complete").asInt());
        Run listed = conifer("restore-jobs", "list");
        assertTrue(listed.lines().stream().anyMatch(l -> l.matches(job + " +" + backup + " +cli-copy +Completed +100 +.*")),
                listed.out());
    }

    @Test
    void restoreJsonPrintsTheJob() {
        fill(control, "cli-src-json", 20, 4);
        String backup = backupId("cli-src-json");
        Run run = conifer("restore", "--backup", backup, "--name", "cli-copy-json", "--wait", "--json");
        assertEquals(0, run.exit(), run.toString());
        JsonNode job = run.json();
        assertEquals("Completed", job.get("status").asText());
        assertEquals(api("/restore-jobs/" + job.get("restore_job_id").asText()), job);
    }

    @Test
    void aRefusedOrFailedRestoreExitsNonZeroWithTheServersMessage() throws Exception {
        fill(control, "cli-taken", 20, 4);
        String backup = backupId("cli-taken");

        Run taken = conifer("restore", "--backup", backup, "--name", "cli-taken", "--wait");
        assertEquals(ClientException.OPERATION_FAILED, taken.exit(), taken.toString());
        assertTrue(taken.err().contains("cli-taken") && taken.err().contains("HTTP 409"), taken.err());

        assertEquals(0, conifer("backup", "delete", backup).exit());
        Run deleted = conifer("restore", "--backup", backup, "--name", "cli-from-deleted", "--wait");
        assertEquals(ClientException.OPERATION_FAILED, deleted.exit(), deleted.toString());
        assertTrue(deleted.err().contains("Backup " + backup + " not found"), deleted.err());
        assertEquals(404, control.get("/indexes/cli-from-deleted").status());

        // A job that starts and then fails: a backup file damaged in the repository.
        fill(control, "cli-rot", 300, 8);
        String rotten = backupId("cli-rot");
        BackupManifest m = BackupManifest.fromJson(server.server().backups().repository().getManifest(rotten).orElseThrow());
        BackupManifest.FileEntry victim = m.files().stream().max((x, y) -> Long.compare(x.length(), y.length())).orElseThrow();
        Path blob = dir.resolve("data").resolve("backups").resolve("blobs").resolve(victim.sha256().substring(0, 2))
                .resolve(victim.sha256());
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, 100);
            one.put(0, (byte) (one.get(0) ^ 1)).rewind();
            ch.write(one, 100);
        }
        Run failed = conifer("restore", "--backup", rotten, "--name", "cli-rotten", "--wait");
        assertEquals(ClientException.OPERATION_FAILED, failed.exit(), failed.toString());
        assertTrue(failed.err().matches("(?s)conifer: restore job \\S+ is Failed: .*File " + Pattern.quote(victim.name())
                + " is corrupt.*"), failed.err());
        assertFalse(failed.out().contains("100%"), failed.out());
        assertEquals(404, control.get("/indexes/cli-rotten").status());
    }

    @Test
    void schedulesAreCreatedListedChangedAndDeleted() {
        control.createDense("cli-sched", 3, "cosine");
        Run created = conifer("schedule", "create", "--index", "cli-sched", "--name", "nightly", "--frequency", "daily",
                "--retention-days", "7", "--json");
        assertEquals(0, created.exit(), created.toString());
        String id = created.json().get("schedule_id").asText();
        assertEquals(api("/backup-schedules/" + id), created.json());
        assertEquals(7, created.json().get("retention_expire_after_days").asInt());

        Run list = conifer("schedule", "list", "--index", "cli-sched", "--json");
        assertEquals(api("/indexes/cli-sched/backup-schedules").get("data"), list.json().get("data"));
        Run text = conifer("schedule", "list", "--index", "cli-sched");
        assertTrue(text.lines().get(1).matches(id + " +nightly +daily +7 +true +\\S+"), text.out());

        Run disabled = conifer("schedule", "update", id, "--disable", "--frequency", "weekly", "--json");
        assertEquals(0, disabled.exit(), disabled.toString());
        JsonNode now = api("/backup-schedules/" + id);
        assertEquals(now, disabled.json());
        assertFalse(now.get("enabled").asBoolean());
        assertEquals("weekly", now.get("frequency").asText());

        Run described = conifer("schedule", "describe", id);
        assertTrue(described.lines().stream().anyMatch(l -> l.matches("enabled: +false")), described.out());
        Run history = conifer("schedule", "history", id, "--json");
        assertEquals(api("/backup-schedules/" + id + "/history").get("data"), history.json().get("data"));

        Run nothing = conifer("schedule", "update", id);
        assertEquals(ClientException.USAGE, nothing.exit(), nothing.toString());
        Run bad = conifer("schedule", "update", id, "--frequency", "hourly");
        assertEquals(ClientException.OPERATION_FAILED, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("hourly"), bad.err());

        Run deleted = conifer("schedule", "delete", id);
        assertEquals(0, deleted.exit(), deleted.toString());
        assertEquals(404, control.send("GET", "/backup-schedules/" + id, null, V).status());
    }

    @Test
    void aWrongKeyIsAnAuthenticationError() {
        Run run = coniferAt(server.url(), "not-the-key", "index", "list");
        assertEquals(ClientException.AUTHENTICATION, run.exit(), run.toString());
        assertEquals("", run.out());
        String serverSays = control.withKey("not-the-key").send("GET", "/indexes", null, V).body().strip();
        assertFalse(serverSays.isEmpty());
        assertEquals("conifer: the server did not accept the API key: " + serverSays, run.err().strip());
    }

    @Test
    void anUnreachableHostIsAConnectionError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run run = coniferAt("http://127.0.0.1:" + port, TestServer.KEY, "backup", "list");
        assertEquals(ClientException.CONNECTION, run.exit(), run.toString());
        assertTrue(run.err().startsWith("conifer: cannot reach the Conifer server at http://127.0.0.1:" + port + "/"), run.err());
    }

    @Test
    void aBadCommandLineIsAUsageError() {
        Run noIndex = conifer("backup", "create");
        assertEquals(ClientException.USAGE, noIndex.exit(), noIndex.toString());
        assertTrue(noIndex.err().contains("--index"), noIndex.err());
        Run badHost = coniferAt("not a url", TestServer.KEY, "index", "list");
        assertEquals(ClientException.USAGE, badHost.exit(), badHost.toString());
        String notHttp = usageError(coniferAt("ftp://x", TestServer.KEY, "index", "list"));
        assertTrue(notHttp.contains("--host") && notHttp.contains("'ftp://x'"), notHttp);
    }

    /** A key pasted with an invisible character cannot go in a header: said so in one line, the key never shown. */
    @Test
    void aKeyAHeaderCannotCarryIsAUsageErrorThatDoesNotShowIt() throws IOException {
        String key = "s3cret-key\u200b";
        String line = usageError(coniferAt(server.url(), key, "index", "list"));
        assertTrue(line.contains("U+200B") && line.contains("API key"), line);
        assertFalse(line.contains("s3cret"), line);

        Path file = dir.resolve("pasted.key");
        Files.writeString(file, "\u200bs3cret-key\n");
        String fromFile = usageError(coniferWith("index", "list", "--api-key-file", file.toString()));
        assertTrue(fromFile.contains("U+200B"), fromFile);
        assertFalse(fromFile.contains("s3cret"), fromFile);
    }

    @Test
    void theKeyCanComeFromAFile() throws IOException {
        Path file = dir.resolve("client.key");
        Files.writeString(file, "  " + TestServer.KEY + "  \nsecond-line-is-ignored\n");
        Run run = coniferWith("index", "list", "--json", "--api-key-file", file.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals(api("/indexes"), run.json());

        Path wrong = dir.resolve("wrong.key");
        Files.writeString(wrong, "not-the-key\n");
        Run refused = coniferWith("index", "list", "--api-key-file", wrong.toString());
        assertEquals(ClientException.AUTHENTICATION, refused.exit(), refused.toString());

        String both = usageError(coniferWith("index", "list", "--api-key-file", file.toString(), "--api-key", TestServer.KEY));
        assertTrue(both.contains("--api-key-file") && !both.contains(TestServer.KEY), both);
        Path missing = dir.resolve("no-such.key");
        String unread = usageError(coniferWith("index", "list", "--api-key-file", missing.toString()));
        assertTrue(unread.contains(missing.toString()), unread);
        Path empty = Files.writeString(dir.resolve("empty.key"), "\n# a comment is no key\n");
        assertTrue(usageError(coniferWith("index", "list", "--api-key-file", empty.toString())).contains("holds no key"));
    }

    /**
     * Whatever answers at the host that is not Conifer (a web server's HTML page, a proxy's 502 with the
     * server behind it down) means no Conifer there: exit 3, the status and type in one line, not the page.
     */
    @Test
    void anAnswerThatIsNotConifersIsNoConiferServer() throws IOException {
        String page = "<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>";
        HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        proxy.createContext("/", exchange -> {
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            // 502, as a proxy with the server behind it down; 200 under /site/, as a web site.
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().startsWith("/site/") ? 200 : 502, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        proxy.start();
        try {
            String url = "http://127.0.0.1:" + proxy.getAddress().getPort();
            for (String[] args : List.of(new String[] {"index", "list"}, new String[] {"backup", "describe", "x"})) {
                Run run = coniferAt(url, TestServer.KEY, args);
                assertEquals(ClientException.CONNECTION, run.exit(), run.toString());
                List<String> lines = run.err().lines().toList();
                assertEquals(1, lines.size(), run.err());
                assertTrue(lines.get(0).contains("HTTP 502") && lines.get(0).contains("text/html")
                        && lines.get(0).contains("not a Conifer control plane"), lines.get(0));
                assertFalse(run.err().contains("<html>") || run.err().contains("nginx"), run.err());
            }
            Run site = coniferAt(url + "/site", TestServer.KEY, "index", "list");
            assertEquals(ClientException.CONNECTION, site.exit(), site.toString());
            assertTrue(site.err().contains("HTTP 200") && !site.err().contains("<html>"), site.err());
        } finally {
            proxy.stop(0);
        }
    }

    /** As a shell runs it: another JVM, the server and key from CONIFER_HOST / CONIFER_API_KEY, stdout a pipe. */
    @Test
    void theEnvironmentNamesTheServerAndKey() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "index", "list", "--json");
        pb.environment().put("CONIFER_HOST", "localhost:" + server.port());
        // The server's own form of the variable (KEY:PROJECT,...) works for the client too.
        pb.environment().put("CONIFER_API_KEY", TestServer.KEY + ":default,another-key");
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), err);
        assertEquals(api("/indexes"), Http.JSON.readTree(out));

        pb.environment().put("CONIFER_API_KEY", "another-key");
        Process wrong = pb.start();
        String wrongErr = new String(wrong.getErrorStream().readAllBytes()).toLowerCase(Locale.ROOT);
        assertEquals(ClientException.AUTHENTICATION, wrong.waitFor(), wrongErr);
        assertTrue(wrongErr.contains("did not accept the api key"), wrongErr);

        // A key file on the command line outranks the environment's key, as options do.
        Path file = Files.writeString(dir.resolve("env.key"), TestServer.KEY + "\n");
        pb.command().addAll(List.of("--api-key-file", file.toString()));
        Process fromFile = pb.start();
        String fileOut = new String(fromFile.getInputStream().readAllBytes());
        String fileErr = new String(fromFile.getErrorStream().readAllBytes());
        assertEquals(0, fromFile.waitFor(), fileErr);
        assertEquals(api("/indexes"), Http.JSON.readTree(fileOut));
    }

    /**
     * {@code conifer ARGS} in another JVM, as a shell runs it: CONIFER_HOST names the server, neither key
     * variable is inherited, and {@code env} sets them.
     */
    private static Run inShell(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("CONIFER_HOST", "localhost:" + server.port());
        pb.environment().remove("CONIFER_API_KEY");
        pb.environment().remove("CONIFER_API_KEY_FILE");
        pb.environment().putAll(env);
        // stderr to a file: a child filling the stderr pipe while we read stdout would never exit.
        Path errFile = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("conifer " + String.join(" ", args) + " did not exit within 120 s");
        }
        return new Run(p.exitValue(), out, Files.readString(errFile));
    }

    /**
     * CONIFER_API_KEY_FILE names the key file as --api-key-file does; an option outranks either variable,
     * and the two variables set together are ambiguous, a usage error that shows neither key.
     */
    @Test
    void theKeyFileCanComeFromTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("env-file.key"), "# the key\n" + TestServer.KEY + "\n");
        Path wrong = Files.writeString(dir.resolve("env-wrong.key"), "not-the-key\n");
        Run fromEnv = inShell(Map.of("CONIFER_API_KEY_FILE", file.toString()), "index", "list", "--json");
        assertEquals(0, fromEnv.exit(), fromEnv.toString());
        assertEquals(api("/indexes"), fromEnv.json());
        assertEquals(ClientException.AUTHENTICATION,
                inShell(Map.of("CONIFER_API_KEY_FILE", wrong.toString()), "index", "list").exit(), "the file's key is the one sent");

        // An option outranks either variable, whichever of the two it is.
        Map<String, String> both = Map.of("CONIFER_API_KEY", "another-key", "CONIFER_API_KEY_FILE", wrong.toString());
        Run keyOption = inShell(both, "index", "list", "--api-key", TestServer.KEY);
        assertEquals(0, keyOption.exit(), keyOption.toString());
        Run fileOption = inShell(both, "index", "list", "--api-key-file", file.toString());
        assertEquals(0, fileOption.exit(), fileOption.toString());

        String ambiguous = usageError(inShell(Map.of("CONIFER_API_KEY", "another-key", "CONIFER_API_KEY_FILE", file.toString()),
                "index", "list"));
        assertTrue(ambiguous.contains("CONIFER_API_KEY and CONIFER_API_KEY_FILE are both set"), ambiguous);
        assertFalse(ambiguous.contains("another-key") || ambiguous.contains(TestServer.KEY), ambiguous);
        Path missing = dir.resolve("env-missing.key");
        String unread = usageError(inShell(Map.of("CONIFER_API_KEY_FILE", missing.toString()), "index", "list"));
        assertTrue(unread.contains("cannot read CONIFER_API_KEY_FILE " + missing), unread);
        String empty = usageError(inShell(Map.of("CONIFER_API_KEY_FILE", ""), "index", "list"));
        assertTrue(empty.contains("CONIFER_API_KEY_FILE is set but empty"), empty);
    }
}
