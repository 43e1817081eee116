package io.conifer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Conifer server in its own JVM (the test's class path), so a test can SIGKILL it. */
public final class ChildServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ChildServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static ChildServer start(Path dataDir, int port, int dataPortStart, String... extraArgs) throws IOException {
        return startKeyedBy(dataDir, port, dataPortStart, List.of("--api-key", TestServer.KEY), extraArgs);
    }

    /** A server given its keys by {@code keyArgs} instead of {@code --api-key} {@link TestServer#KEY}, which they must accept. */
    public static ChildServer startKeyedBy(Path dataDir, int port, int dataPortStart, List<String> keyArgs, String... extraArgs)
            throws IOException {
        return startKeyedBy(dataDir, port, dataPortStart, keyArgs, Map.of(), extraArgs);
    }

    /**
     * A server given its keys by {@code keyArgs} and {@code env}, variables set in its environment (where
     * neither CONIFER_API_KEY nor CONIFER_API_KEY_FILE is inherited).
     */
    public static ChildServer startKeyedBy(Path dataDir, int port, int dataPortStart, List<String> keyArgs, Map<String, String> env,
            String... extraArgs) throws IOException {
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-server-" + System.nanoTime() + ".log");
        Process p = launch(log, serveArgs(dataDir, port, dataPortStart, keyArgs, extraArgs), env);
        ChildServer child = new ChildServer(p, port, log);
        try {
            child.awaitHealthy();
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly(); // the caller never gets it to close
            throw e;
        }
        return child;
    }

    /** The outcome of a {@code conifer serve} that exits by itself (it could not start). */
    public record Exit(int code, String output) {}

    /** Runs {@code conifer serve} expecting it to exit within a minute (e.g. a start-up error). */
    public static Exit serveUntilExit(Path dataDir, int port, String... extraArgs) throws IOException, InterruptedException {
        return serveUntilExit(dataDir, port, List.of("--api-key", TestServer.KEY), Map.of(), extraArgs);
    }

    /** As {@link #serveUntilExit(Path, int, String...)}, keyed by {@code keyArgs} and {@code env} as {@link #startKeyedBy} is. */
    public static Exit serveUntilExit(Path dataDir, int port, List<String> keyArgs, Map<String, String> env, String... extraArgs)
            throws IOException, InterruptedException {
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-exit-" + System.nanoTime() + ".log");
        Process p = launch(log, serveArgs(dataDir, port, port + 1, keyArgs, extraArgs), env);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the server did not exit: " + java.nio.file.Files.readString(log));
        }
        return new Exit(p.exitValue(), java.nio.file.Files.readString(log));
    }

    private static List<String> serveArgs(Path dataDir, int port, int dataPortStart, List<String> keyArgs, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("serve", "--data-dir", dataDir.toString(), "--port",
                Integer.toString(port), "--data-port-start", Integer.toString(dataPortStart)));
        args.addAll(keyArgs);
        args.addAll(List.of(extraArgs));
        return args;
    }

    /** The JVM flags of the {@code conifer} launcher, on the test's class path. */
    private static Process launch(Path log, List<String> args, Map<String, String> env) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.conifer.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("CONIFER_API_KEY");
        pb.environment().remove("CONIFER_API_KEY_FILE");
        pb.environment().putAll(env);
        return pb.start();
    }

    private void awaitHealthy() throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException("server exited: " + logText());
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && indexesOpened()) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("server not healthy within 60 s: " + logText());
    }

    /** Whether no index is still opening (replaying its log), so a test's first call finds it serving. */
    private boolean indexesOpened() {
        for (com.fasterxml.jackson.databind.JsonNode i : new Http(url(), TestServer.KEY).get("/indexes").json().get("indexes")) {
            if (i.get("status").get("state").asText().equals("Initializing")) return false;
        }
        return true;
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no final commit, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGKILL; or SIGTERM, after which the log must hold {@code stoppedLine} and no failure to record
     * anything (an interrupt closing the files a record would be written through).
     */
    public void killOrStop(boolean kill, String stoppedLine) throws InterruptedException {
        if (kill) {
            kill();
            return;
        }
        close();
        String text = logText();
        org.junit.jupiter.api.Assertions.assertTrue(text.contains(stoppedLine), text);
        org.junit.jupiter.api.Assertions.assertFalse(text.contains("Could not record") || text.contains("ClosedByInterruptException"), text);
    }

    public String logText() {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            Http.dropIdleConnections();
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) kill();
        }
    }
}
