package io.conifer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.BackupRepository;
import io.conifer.files.DurableFiles;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import io.conifer.vectors.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The backup and restore figures of docs/BENCHMARKS.md, from one run on one machine:
 * full backup MB/s ÷ {@code cp -r} MB/s of the same files to the same disk; a second backup after
 * re-upserting 1% of the records (bytes copied ÷ full, time ÷ full); create-backup request latency
 * p99; upsert p99 during a backup ÷ without; restore MB/s ÷ {@code cp -r}; time from the restore's 202
 * to the first successful query on the restored index.
 *
 * <p>Run: {@code ./conifer bench backup [--vectors 200000] [--dim 768]}.
 */
public final class BackupBenchmark {
    private BackupBenchmark() {}

    public static void main(String[] args) throws Exception {
        int vectors = intArg(args, "--vectors", 200_000);
        int dim = intArg(args, "--dim", 768);
        Path root = Files.createTempDirectory("conifer-backup-bench");
        try {
            run(root, vectors, dim);
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    private static void run(Path root, int vectors, int dim) throws Exception {
        ServerConfig config = ServerConfig.defaults(root.resolve("data")).withApiKeys("bench")
                .withPorts(0, TestServer.freePortRange());
        try (ConiferServer server = ConiferServer.start(config)) {
            Http control = new Http("http://localhost:" + server.port(), "bench");
            Http data = control.forHost(control.createDense("bench", dim, "cosine"));
            Clusters clusters = new Clusters(dim, 200, 42);
            long t0 = System.nanoTime();
            load(data, clusters, 0, vectors, 2);
            System.out.printf(Locale.ROOT, "loaded %,d x %d vectors in %.1f s%n", vectors, dim, seconds(t0));
            // Measure the index at rest: merges the bulk load left running would otherwise land between
            // the full and the incremental backup and count as "changed" files.
            System.out.printf(Locale.ROOT, "waited %.1f s for the load's merges to finish%n", waitForMerges());

            // cp copies exactly the files a backup copies: a point-in-time export, hard-linked out of the
            // live directory (checkpoints and merges go on in it).
            VectorStore store = server.indexes().require("default", "bench").store();
            Path indexDir = root.resolve("commit-files");
            store.exportTo(indexDir);
            CopyTiming cp = cp(indexDir, root.resolve("cp-copy"));
            System.out.printf(Locale.ROOT, "cp -r: %.1f MB in %.2f s = %.1f MB/s (cp -r + sync: %.2f s = %.1f MB/s)%n",
                    mb(cp.bytes()), cp.seconds(), mb(cp.bytes()) / cp.seconds(), cp.secondsWithSync(),
                    mb(cp.bytes()) / cp.secondsWithSync());

            BackupRepository repo = server.backups().repository();
            // Full backup.
            long start = System.nanoTime();
            String full = control.post("/indexes/bench/backups", "{\"name\":\"full\"}").json().get("backup_id").asText();
            JsonNode fullReady = awaitReady(control, full);
            double fullSeconds = seconds(start);
            long fullBytes = fullReady.get("size_bytes").asLong();
            double fullMbps = mb(fullBytes) / fullSeconds;
            System.out.printf(Locale.ROOT, "full backup: %.1f MB in %.2f s = %.1f MB/s%n", mb(fullBytes), fullSeconds, fullMbps);

            // Incremental backup after re-upserting 1% of the records.
            Set<String> blobsBefore = repo.blobs();
            load(data, clusters, 0, vectors / 100, 1, vectors / 100);
            start = System.nanoTime();
            String incremental = control.post("/indexes/bench/backups", "{\"name\":\"incremental\"}").json().get("backup_id").asText();
            awaitReady(control, incremental);
            double incSeconds = seconds(start);
            long copied = 0;
            for (String blob : repo.blobs()) if (!blobsBefore.contains(blob)) copied += repo.blobLength(blob);
            System.out.printf(Locale.ROOT, "incremental backup after re-upserting 1%%: copied %.2f MB in %.2f s%n", mb(copied), incSeconds);

            // Create-backup request latency (the 201), many times; the copies dedupe against the full backup.
            List<Long> createNanos = new ArrayList<>();
            List<String> extra = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                long s = System.nanoTime();
                Http.Response r = control.post("/indexes/bench/backups", "{}");
                createNanos.add(System.nanoTime() - s);
                extra.add(r.json().get("backup_id").asText());
                if (i % 10 == 9) load(data, clusters, i * 10, i * 10 + 10, 1, i * 10);
            }
            for (String id : extra) {
                awaitReady(control, id);
                control.delete("/backups/" + id);
            }
            double createP99 = percentile(createNanos, 0.99) / 1e6;
            System.out.printf(Locale.ROOT, "create-backup latencies (ms), in order: %s%n",
                    createNanos.stream().map(n -> String.format(Locale.ROOT, "%.0f", n / 1e6)).toList());

            // Upsert latency with and without a backup copying: delete every backup so the copy is real.
            control.delete("/backups/" + full);
            control.delete("/backups/" + incremental);
            List<Long> quiet = upsertLatencies(data, clusters, dim, 4_000_000_000L, null);
            AtomicBoolean copying = new AtomicBoolean(true);
            String during = control.post("/indexes/bench/backups", "{\"name\":\"during\"}").json().get("backup_id").asText();
            Thread watcher = Thread.ofPlatform().start(() -> {
                try {
                    awaitReady(control, during);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                copying.set(false);
            });
            List<Long> busy = upsertLatencies(data, clusters, dim, 60_000_000_000L, copying);
            watcher.join();
            double quietP99 = percentile(quiet, 0.99) / 1e6;
            double busyP99 = percentile(busy, 0.99) / 1e6;

            // Restore of the backup taken during the upserts, timed from the 202.
            JsonNode duringReady = control.get("/backups/" + during).json();
            long restoreStart = System.nanoTime();
            JsonNode started = control.post("/backups/" + during + "/create-index", "{\"name\":\"restored\"}").json();
            String job = started.get("restore_job_id").asText();
            double restoreSeconds;
            while (true) {
                JsonNode j = control.get("/restore-jobs/" + job).json();
                if (j.get("status").asText().equals("Completed")) {
                    restoreSeconds = seconds(restoreStart);
                    break;
                }
                if (j.get("status").asText().equals("Failed")) throw new IllegalStateException("restore failed: " + j);
                Thread.sleep(5);
            }
            Http restored = control.forHost(control.get("/indexes/restored").json().get("host").asText());
            String query = "{\"vector\":" + Arrays.toString(clusters.next(new Random(7))) + ",\"topK\":10}";
            while (restored.post("/query", query).status() != 200) Thread.sleep(1);
            double firstQuerySeconds = seconds(restoreStart);
            long restoredBytes = duringReady.get("size_bytes").asLong();
            double restoreMbps = mb(restoredBytes) / restoreSeconds;

            System.out.println();
            System.out.printf(Locale.ROOT, "index: %,d x %d clustered vectors, %.1f MB of Lucene files; JVM %s, %d cores%n", vectors, dim,
                    mb(cp.bytes()), Runtime.version(), Runtime.getRuntime().availableProcessors());
            row("full backup MB/s / cp -r MB/s", fullMbps / (mb(cp.bytes()) / cp.seconds()), ">= 0.8");
            row("full backup MB/s / (cp -r + sync) MB/s", fullMbps / (mb(cp.bytes()) / cp.secondsWithSync()), "(durable copy, for reference)");
            row("incremental bytes copied / full bytes", (double) copied / fullBytes, "<= 0.05");
            row("incremental time / full time", incSeconds / fullSeconds, "<= 0.1");
            row("create-backup latency p99 (ms)", createP99, "< 100");
            row("upsert p99 during backup / without", busyP99 / quietP99, "<= 2 (" + fmt(busyP99) + " ms vs " + fmt(quietP99) + " ms)");
            row("restore MB/s / cp -r MB/s", restoreMbps / (mb(cp.bytes()) / cp.seconds()), ">= 0.8");
            row("restore MB/s / (cp -r + sync) MB/s", restoreMbps / (mb(cp.bytes()) / cp.secondsWithSync()), "(durable copy, for reference)");
            row("restore 202 -> first query (s)", firstQuerySeconds, fmt(mb(restoredBytes)) + " MB restored");
        }
    }

    private static void row(String name, double value, String target) {
        System.out.printf(Locale.ROOT, "%-44s %10.3f   target %s%n", name, value, target);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    record CopyTiming(long bytes, double seconds, double secondsWithSync) {}

    private static CopyTiming cp(Path from, Path to) throws Exception {
        long bytes;
        try (Stream<Path> files = Files.list(from)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long s = System.nanoTime();
        exec("cp", "-r", from.toString(), to.toString());
        double plain = seconds(s);
        DurableFiles.deleteTree(to);
        s = System.nanoTime();
        exec("cp", "-r", from.toString(), to.toString());
        exec("sync", "-f", to.toString());
        double synced = seconds(s);
        DurableFiles.deleteTree(to);
        return new CopyTiming(bytes, plain, synced);
    }

    private static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed");
    }

    /** Upserts single records back to back and returns each request's latency. */
    private static List<Long> upsertLatencies(Http data, Clusters clusters, int dim, long maxNanos, AtomicBoolean whileTrue) {
        List<Long> out = new ArrayList<>();
        Random r = new Random(99);
        long end = System.nanoTime() + maxNanos;
        int i = 0;
        while (System.nanoTime() < end && (whileTrue == null || whileTrue.get())) {
            String body = "{\"vectors\":[{\"id\":\"lat-" + (i++ % 1000) + "\",\"values\":" + Arrays.toString(clusters.next(r)) + "}]}";
            long s = System.nanoTime();
            if (data.post("/vectors/upsert", body).status() != 200) throw new IllegalStateException("upsert failed");
            out.add(System.nanoTime() - s);
        }
        return out;
    }

    private static void load(Http data, Clusters clusters, int from, int to, int threads) throws InterruptedException {
        load(data, clusters, from, to, threads, 0);
    }

    /** Upserts ids [from, to) in batches of 200 from several threads; {@code seed} varies the values. */
    private static void load(Http data, Clusters clusters, int from, int to, int threads, int seed) throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            workers.add(Thread.ofPlatform().start(() -> {
                Random r = new Random(1000L * thread + seed + 1);
                for (int batch = from + thread * 200; batch < to; batch += threads * 200) {
                    StringBuilder b = new StringBuilder(200 * 8000).append("{\"vectors\":[");
                    for (int i = batch; i < Math.min(to, batch + 200); i++) {
                        b.append(i == batch ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"values\":")
                                .append(Arrays.toString(clusters.next(r))).append('}');
                    }
                    Http.Response resp = data.post("/vectors/upsert", b.append("]}").toString());
                    if (resp.status() != 200) throw new IllegalStateException("upsert failed: " + resp);
                }
            }));
        }
        for (Thread w : workers) w.join();
    }

    private static JsonNode awaitReady(Http control, String backupId) throws InterruptedException {
        while (true) {
            JsonNode b = control.get("/backups/" + backupId).json();
            String status = b.get("status").asText();
            if (status.equals("Ready")) return b;
            if (status.equals("Failed")) throw new IllegalStateException("backup failed: " + b);
            Thread.sleep(5);
        }
    }

    /** Waits until no Lucene merge thread has run for 300 ms; returns the seconds waited. */
    private static double waitForMerges() throws InterruptedException {
        long start = System.nanoTime();
        for (int quiet = 0; quiet < 3; Thread.sleep(100)) {
            boolean merging = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.isAlive() && t.getName().startsWith("Lucene Merge Thread"));
            quiet = merging ? 0 : quiet + 1;
        }
        return seconds(start);
    }

    private static double percentile(List<Long> values, double p) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return dflt;
    }

    /** Gaussian clusters around random unit centres: the shape of real embedding sets. */
    static final class Clusters {
        private final float[][] centres;
        private final int dim;

        Clusters(int dim, int count, long seed) {
            this.dim = dim;
            Random r = new Random(seed);
            centres = new float[count][dim];
            for (float[] c : centres) for (int i = 0; i < dim; i++) c[i] = (float) r.nextGaussian();
        }

        float[] next(Random r) {
            float[] c = centres[r.nextInt(centres.length)];
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) v[i] = c[i] + 0.3f * (float) r.nextGaussian();
            return v;
        }
    }
}
