package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives an in-process Conifer with the official Pinecone TypeScript SDK: runs
 * {@code node --test src/test/node/sdk.test.mjs src/test/node/backup.test.mjs} (see those files for
 * what they cover) against a fresh server and fails unless every Node test passes. The SDK is
 * installed by {@code npm ci} in {@code src/test/node}, which {@code ./run-tests} does before Maven.
 *
 * <p>The server's backup and restore I/O is throttled ({@link #BACKUP_MAX_MBPS}) so that copies of a
 * ~100 KB index take seconds: backup.test.mjs then asserts on the states in between (an Initializing
 * backup, a running restore job), which it is told by {@code CONIFER_BACKUP_THROTTLED=1}.
 */
class NodeSdkTest {
    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final List<Path> TEST_FILES = List.of(NODE_DIR.resolve("sdk.test.mjs"), NODE_DIR.resolve("backup.test.mjs"));
    private static final double BACKUP_MAX_MBPS = 0.02;
    private static final Path SDK = NODE_DIR.resolve(Path.of("node_modules", "@pinecone-database", "pinecone", "package.json"));
    private static final long TIMEOUT_MINUTES = 5;

    @Test
    void officialTypeScriptSdkPassesAgainstConifer(@TempDir Path dataDir) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        for (Path file : TEST_FILES) {
            assertTrue(Files.isRegularFile(root.resolve(file)), "Run from the project root: " + file + " not found under " + root);
        }
        if (!Files.isRegularFile(root.resolve(SDK))) {
            fail("The Pinecone TypeScript SDK is not installed (" + SDK + " is missing): run `npm ci` in "
                    + NODE_DIR + " (./run-tests does that before Maven).");
        }
        String node = findOnPath("node");
        if (node == null) fail("`node` (Node.js >= 20) is not on the PATH; it is needed to run " + TEST_FILES);

        ServerConfig config = ServerConfig.defaults(dataDir).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange())
                .withBackups(null, ServerConfig.DEFAULT_BACKUP_QUOTA, BACKUP_MAX_MBPS);
        try (ConiferServer server = ConiferServer.start(config)) {
            List<String> command = new ArrayList<>(List.of(node, "--test", "--test-reporter=tap", "--test-concurrency=1"));
            for (Path file : TEST_FILES) command.add(file.toString());
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

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
        }
        return null;
    }
}
