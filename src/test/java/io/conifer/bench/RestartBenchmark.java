package io.conifer.bench;

import io.conifer.ChildServer;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.files.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Restart time after {@code kill -9}: loads vectors into a server in its own JVM, kills it as soon as
 * the last upsert is acknowledged (so the log holds everything no checkpoint covered yet), starts it
 * again on the same data and times the first {@code /health} answer and the first answered query.
 * Runs once with the replay bound and once without it (checkpoints only every 30 s and every 256 MB of
 * log, the policy before the bound), so the two figures compare.
 *
 * <p>Run: {@code ./conifer bench restart [--vectors 55000] [--dim 256] [--max-replay-seconds 5]}.
 */
public final class RestartBenchmark {
    private static final Pattern REPLAYED = Pattern.compile("Replayed (\\d+) write-ahead log records .* in (\\d+) ms");

    private RestartBenchmark() {}

    public static void main(String[] args) throws Exception {
        int vectors = BackupBenchmark.intArg(args, "--vectors", 55_000);
        int dim = BackupBenchmark.intArg(args, "--dim", 256);
        int bound = BackupBenchmark.intArg(args, "--max-replay-seconds", 5);
        Path root = Files.createTempDirectory("conifer-restart-bench");
        try {
            Result bounded = run(root.resolve("bounded"), vectors, dim, bound);
            Result unbounded = run(root.resolve("unbounded"), vectors, dim, 0);
            System.out.println();
            System.out.printf(Locale.ROOT, "%,d x %d vectors loaded, then kill -9; JVM %s, %d cores%n", vectors, dim,
                    Runtime.version(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%-34s %14s %14s %16s   %s%n", "checkpoint policy", "log at kill", "to /health",
                    "to first query", "replay");
            bounded.print("replay bound " + bound + " s + 30 s + 256 MB");
            unbounded.print("30 s + 256 MB (before)");
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    /** {@code replay} is the server's own "Replayed N records ... in M ms" line (empty if nothing was replayed). */
    record Result(long logBytes, double loadSeconds, double healthSeconds, double querySeconds, String replay) {
        void print(String policy) {
            System.out.printf(Locale.ROOT, "%-34s %11.1f MB %12.2f s %14.2f s   %s%n", policy, BackupBenchmark.mb(logBytes),
                    healthSeconds, querySeconds, replay);
        }
    }

    private static Result run(Path data, int vectors, int dim, int maxReplaySeconds) throws Exception {
        int port = TestServer.freePortRange();
        String[] args = {"--max-replay-seconds", Integer.toString(maxReplaySeconds)};
        BackupBenchmark.Clusters clusters = new BackupBenchmark.Clusters(dim, 200, 42);
        String query = "{\"vector\":" + Arrays.toString(clusters.next(new Random(7))) + ",\"topK\":10}";
        String host;
        double loadSeconds;
        try (ChildServer server = ChildServer.start(data, port, port + 1, args)) {
            Http control = new Http(server.url(), TestServer.KEY);
            long t0 = System.nanoTime();
            try {
                host = create(control, dim);
                BackupBenchmark.load(control.forHost(host), clusters, 0, vectors, 2);
            } catch (RuntimeException | AssertionError e) {
                throw new IllegalStateException("loading failed; server log:\n" + server.logText(), e);
            }
            loadSeconds = BackupBenchmark.seconds(t0);
            server.kill();
        }
        long logBytes = logBytes(data);
        System.out.printf(Locale.ROOT, "max replay %d s: loaded in %.1f s, killed with %.1f MB of log%n", maxReplaySeconds,
                loadSeconds, BackupBenchmark.mb(logBytes));
        long start = System.nanoTime();
        System.out.println("restarting at " + java.time.LocalTime.now());
        try (ChildServer server = ChildServer.start(data, port, port + 1, args)) {
            double health = BackupBenchmark.seconds(start);
            Http index = new Http(server.url(), TestServer.KEY).forHost(host);
            while (true) {
                try {
                    if (index.post("/query", query).status() == 200) break;
                } catch (RuntimeException notServingYet) {
                    // the index's port is not open until its log is replayed
                }
                Thread.sleep(20);
            }
            Matcher replayed = REPLAYED.matcher(server.logText());
            Result result = new Result(logBytes, loadSeconds, health, BackupBenchmark.seconds(start),
                    replayed.find() ? replayed.group(1) + " records in " + replayed.group(2) + " ms" : "");
            System.out.println("restarted server's log:");
            server.logText().lines().filter(l -> !l.startsWith("WARNING")).forEach(l -> System.out.println("  " + l));
            return result;
        }
    }

    /** Creates the index; on a machine so busy that the request times out, waits for it to appear instead. */
    private static String create(Http control, int dim) throws InterruptedException {
        try {
            return control.createDense("restart", dim, "cosine");
        } catch (AssertionError timedOut) {
            for (int i = 0; i < 600; i++, Thread.sleep(100)) {
                Http.Response r = control.get("/indexes/restart");
                if (r.status() == 200 && r.json().get("status").get("ready").asBoolean()) return r.json().get("host").asText();
            }
            throw timedOut;
        }
    }

    private static long logBytes(Path data) throws Exception {
        try (Stream<Path> files = Files.walk(data.resolve("indexes"))) {
            return files.filter(p -> p.getFileName().toString().matches("wal-\\d+\\.log")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
