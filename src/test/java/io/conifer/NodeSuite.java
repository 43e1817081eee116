package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.conifer.schedule.Cadence;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Node test files ({@code node --test}) against a fresh in-process Conifer and fails unless every
 * Node test passes, none is skipped or cancelled. The server's backup and restore I/O is throttled
 * ({@link #BACKUP_MAX_MBPS}) so that copies of a ~100 KB index take seconds: the tests then assert on
 * the states in between (an Initializing backup, a running restore job), which they are told by
 * {@code CONIFER_BACKUP_THROTTLED=1}.
 */
final class NodeSuite {
    static final double BACKUP_MAX_MBPS = 0.02;
    /** Well inside the 5 min JUnit default timeout (pom.xml), with the 06:00 UTC wait before it: the suites take 5-25 s. */
    private static final long TIMEOUT_MINUTES = 2;

    private NodeSuite() {}

    /**
     * Schedules run at 06:00 UTC on the real clock, and the suites compare schedules with the client's clock:
     * a suite (seconds long) started just before would see a scheduled backup its tests do not expect.
     */
    private static void waitOutTheSchedulesRunTime() throws InterruptedException {
        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        LocalTime until = Cadence.RUN_TIME.plusSeconds(30);
        if (!now.isBefore(Cadence.RUN_TIME.minusMinutes(2)) && now.isBefore(until)) {
            Thread.sleep(Duration.between(now, until).toMillis());
        }
    }

    static void run(String node, List<Path> files, Path dataDir) throws Exception {
        waitOutTheSchedulesRunTime();
        Path root = Path.of("").toAbsolutePath();
        ServerConfig config = ServerConfig.defaults(dataDir).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange())
                .withBackups(null, ServerConfig.DEFAULT_BACKUP_QUOTA, BACKUP_MAX_MBPS);
        try (ConiferServer server = ConiferServer.start(config)) {
            List<String> command = new ArrayList<>(List.of(node, "--test", "--test-reporter=tap", "--test-concurrency=1"));
            for (Path file : files) command.add(file.toString());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("PINECONE_")); // the SDK would read these
            env.put("CONIFER_URL", "http://localhost:" + server.port());
            env.put("CONIFER_API_KEY", TestServer.KEY);
            env.put("CONIFER_BACKUP_THROTTLED", "1");

            Process process = pb.start();
            StringBuilder output = new StringBuilder();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        System.out.println("[node] " + line);
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    synchronized (output) {
                        output.append("(reading node output failed: ").append(e).append(")\n");
                    }
                }
            }, "node-sdk-output");
            pump.setDaemon(true);
            pump.start();

            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                pump.join(5_000);
                fail("node --test did not finish within " + TIMEOUT_MINUTES + " minutes; output so far:\n" + text(output));
            }
            pump.join(10_000);
            String out = text(output);
            int exit = process.exitValue();
            if (exit != 0) fail("node --test exited with " + exit + ":\n" + out);

            int pass = summary(out, "pass");
            int failed = summary(out, "fail");
            assertEquals(0, failed, "Node tests failed:\n" + out);
            assertTrue(pass > 0, "No Node test passed:\n" + out);
            assertEquals(0, summary(out, "cancelled"), "Node tests were cancelled:\n" + out);
            assertEquals(0, summary(out, "skipped"), "Node tests were skipped:\n" + out);
        }
    }

    private static String text(StringBuilder output) {
        synchronized (output) {
            return output.toString();
        }
    }

    /** The count of the (last) TAP summary line such as {@code # pass 25}; fails if there is none. */
    private static int summary(String out, String key) {
        Matcher m = Pattern.compile("(?m)^# " + key + " (\\d+)$").matcher(out);
        Integer last = null;
        while (m.find()) last = Integer.parseInt(m.group(1));
        if (last == null) fail("No '# " + key + " N' line in the node output:\n" + out);
        return last;
    }
}
