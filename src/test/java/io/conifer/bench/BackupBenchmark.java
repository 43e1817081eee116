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
 * full backup MB/s ÷ {@code cp -r + sync} MB/s of the same files to the same disk (the durable copy:
 * a backup is durable before it is Ready); a second backup after re-upserting 1% of the records
 * (bytes copied ÷ full, time ÷ full); create-backup request latency p99; upsert p99 during a backup ÷
 * without; restore MB/s ÷ {@code cp -r + sync}, both reading their source from the disk (its cached pages dropped first); time from the restore's 202 to the first successful
 * query on the restored index; then, on the same server restarted with a backup encryption key, the
 * encrypted full backup and restore ÷ {@code cp -r + sync}. The full backup is measured twice: first
 * with read-back ({@code --backup-read-back}), then, the server restarted, without it, as by default.
 *
 * <p>The noisiest figures (throughput ratios, upsert p99 ratio, restore) are measured in three rounds,
 * each against its neighbour in time, and reported as the median with every round's value.
 *
 * <p>Run: {@code ./conifer bench backup [--vectors 200000] [--dim 768] [--keep-data DIR]}; with {@code --repo s3}
 * the S3 figures instead ({@link S3BackupBenchmark}).
 */
public final class BackupBenchmark {
    private BackupBenchmark() {}

    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        if ("s3".equals(stringArg(args, "--repo", "local"))) {
            S3BackupBenchmark.main(args);
            return;
        }
        int vectors = intArg(args, "--vectors", 200_000);
        int dim = intArg(args, "--dim", 768);
        String keep = stringArg(args, "--keep-data", null);
        Path root = keep != null ? Path.of(keep) : Files.createTempDirectory("conifer-backup-bench");
        try {
            run(root, vectors, dim);
        } finally {
            if (keep == null) DurableFiles.deleteTree(root);
        }
    }

    /** A figure with its rounds and its target, printed in the summary. */
    private record Row(String name, List<Double> values, String target) {}

    private static void run(Path root, int vectors, int dim) throws Exception {
        List<Row> rows = new ArrayList<>();
        // --keep-data DIR keeps the loaded index (and reuses it on the next run) to iterate faster;
        // every backup and restore of a run is deleted at its end either way.
        ServerConfig config = ServerConfig.defaults(root.resolve("data")).withApiKeys("bench")
                .withPorts(0, TestServer.freePortRange());
        Path indexDir = root.resolve("commit-files");
        Path repositoryDir = root.resolve("data").resolve("backups");
        String summary;
        Clusters clusters = new Clusters(dim, 200, 42);
        // The full backups with read-back come first, on the server started with --backup-read-back;
        // then the server restarts as by default and backs up the same files without it: the two sets
        // of rounds are neighbours in time.
        Row readBack;
        Row readBackLatency;
        try (ConiferServer server = ConiferServer.start(config.withBackupReadBack(true))) {
            Http control = new Http("http://localhost:" + server.port(), "bench");
            if (control.get("/indexes/bench").status() == 200) {
                System.out.println("reusing the loaded index in " + root);
            } else {
                Http data = control.forHost(control.createDense("bench", dim, "cosine"));
                long t0 = System.nanoTime();
                load(data, clusters, 0, vectors, 2);
                System.out.printf(Locale.ROOT, "loaded %,d x %d vectors in %.1f s%n", vectors, dim, seconds(t0));
            }
            // Measure the index at rest, settled: merges the bulk load left running, and the settle merge
            // that follows, would otherwise land between the full and the incremental backup and count
            // as "changed" files.
            System.out.printf(Locale.ROOT, "waited %.1f s for the index to settle after the load%n", waitUntilSettled());
            cleanUp(control);
            exportIndex(server, indexDir);
            readBack = withReadBack(control, root, indexDir);
            Http data = control.forHost(control.get("/indexes/bench").json().get("host").asText());
            List<String> during = new ArrayList<>();
            readBackLatency = new Row("upsert p99 during backup, read-back / without", latencyRounds(control, data, clusters, during),
                    "(--backup-read-back, for reference)");
            for (String id : during) control.delete("/backups/" + id);
            System.out.printf(Locale.ROOT, "waited %.1f s for the index to settle after the latency rounds with read-back%n",
                    waitUntilSettled());
        }
        try (ConiferServer server = ConiferServer.start(config)) {
            server.indexes().whenOpened().join();
            Http control = new Http("http://localhost:" + server.port(), "bench");
            Http data = control.forHost(control.get("/indexes/bench").json().get("host").asText());
            exportIndex(server, indexDir);
            BackupRepository repo = server.backups().repository();

            // Full backups, each right after cp -r and cp -r + sync of the same files, so each ratio
            // compares neighbours in time; the repository is emptied before each so every copy is real.
            List<Double> fullVsCp = new ArrayList<>();
            List<Double> fullVsSync = new ArrayList<>();
            List<Double> ceiling = new ArrayList<>();
            List<Double> fullSecondsList = new ArrayList<>();
            long fullBytes = 0;
            String full = null;
            CopyTiming cp = null;
            for (int round = 0; round < ROUNDS; round++) {
                if (full != null) control.delete("/backups/" + full);
                cp = cp(indexDir, root.resolve("cp-copy"));
                CpuMeter cpu = CpuMeter.start();
                long reads = deviceReadBytes();
                long start = System.nanoTime();
                full = control.post("/indexes/bench/backups", "{\"name\":\"full\"}").json().get("backup_id").asText();
                JsonNode fullReady = awaitReady(control, full);
                double fullSeconds = seconds(start);
                String backupCpu = cpu.stop();
                fullBytes = fullReady.get("size_bytes").asLong();
                System.out.printf(Locale.ROOT, "round %d: cp -r %.2f s, cp -r + sync %.2f s, full backup of %.1f MB %.2f s,"
                        + " device reads %.1f MB%n  backup: %s", round + 1, cp.seconds(), cp.secondsWithSync(), mb(fullBytes),
                        fullSeconds, mb(deviceReadBytes() - reads), backupCpu);
                fullSecondsList.add(fullSeconds);
                fullVsCp.add(cp.seconds() / fullSeconds * fullBytes / cp.bytes());
                fullVsSync.add(cp.secondsWithSync() / fullSeconds * fullBytes / cp.bytes());
                ceiling.add(cp.seconds() / cp.secondsWithSync());
            }
            double fullSeconds = median(fullSecondsList);

            // Incremental backup after re-upserting 1% of the records.
            Set<String> blobsBefore = repo.blobs();
            load(data, clusters, 0, vectors / 100, 1, vectors / 100);
            // Settled again: its small segments merge among themselves, never into the big one.
            System.out.printf(Locale.ROOT, "waited %.1f s for the index to settle after the 1%% change%n", waitUntilSettled());
            long start = System.nanoTime();
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

            control.delete("/backups/" + full);
            control.delete("/backups/" + incremental);
            List<String> restoreSources = new ArrayList<>();
            List<Double> latencyRatios = latencyRounds(control, data, clusters, restoreSources);

            // The latency rounds' writes leave a settle merge to run: let it end first, or it shares the
            // disk and the cores with the first restore.
            System.out.printf(Locale.ROOT, "waited %.1f s for the index to settle after the latency rounds%n", waitUntilSettled());
            // Restores of the last backup, each timed from the 202, each right after cp -r of the index files;
            // both read their source cold.
            String source = restoreSources.get(0);
            long restoredBytes = control.get("/backups/" + source).json().get("size_bytes").asLong();
            List<Double> restoreVsCp = new ArrayList<>();
            List<Double> restoreVsSync = new ArrayList<>();
            List<Double> firstQuery = new ArrayList<>();
            String query = "{\"vector\":" + Arrays.toString(clusters.next(new Random(7))) + ",\"topK\":10}";
            for (int round = 0; round < ROUNDS; round++) {
                // Both sides read their source from the disk: a restore after a loss finds the
                // repository's blobs uncached (a backup writes them with O_DIRECT), so cp -r of a cached
                // index would be a baseline no restore can meet fairly.
                CopyTiming c = cp(indexDir, root.resolve("cp-copy"), true);
                evictFromPageCache(repositoryDir);
                String name = "restored-" + round;
                long restoreStart = System.nanoTime();
                double restoreSeconds = restore(control, source, name);
                Http restored = control.forHost(control.get("/indexes/" + name).json().get("host").asText());
                while (restored.post("/query", query).status() != 200) Thread.sleep(1);
                firstQuery.add(seconds(restoreStart));
                System.out.printf(Locale.ROOT, "round %d: cp -r %.2f s, cp -r + sync %.2f s, restore of %.1f MB %.2f s%n",
                        round + 1, c.seconds(), c.secondsWithSync(), mb(restoredBytes), restoreSeconds);
                restoreVsCp.add(c.seconds() / restoreSeconds * restoredBytes / c.bytes());
                restoreVsSync.add(c.secondsWithSync() / restoreSeconds * restoredBytes / c.bytes());
                control.delete("/indexes/" + name);
            }
            cleanUp(control);

            summary = String.format(Locale.ROOT, "index: %,d x %d clustered vectors, %.1f MB of Lucene files; JVM %s, %d cores",
                    vectors, dim, mb(cp.bytes()), Runtime.version(), Runtime.getRuntime().availableProcessors());
            rows.add(new Row("full backup MB/s / (cp -r + sync) MB/s", fullVsSync, ">= 0.8"));
            rows.add(new Row("restore MB/s / (cp -r + sync) MB/s", restoreVsSync, ">= 0.8"));
            rows.add(new Row("upsert p99 during backup / without", latencyRatios, "<= 2"));
            rows.add(new Row("incremental bytes copied / full bytes", List.of((double) copied / fullBytes), "<= 0.05"));
            rows.add(new Row("incremental time / full time", List.of(incSeconds / fullSeconds), "<= 0.1"));
            rows.add(new Row("create-backup latency p99 (ms)", List.of(createP99), "< 100"));
            rows.add(new Row("restore 202 -> first query (s)", firstQuery, fmt(mb(restoredBytes)) + " MB restored"));
            rows.add(new Row("(cp -r + sync) MB/s / cp -r MB/s", ceiling, "none: the page cache vs the disk"));
            rows.add(new Row("full backup MB/s / cp -r MB/s", fullVsCp, "(page-cache copy, for reference)"));
            rows.add(new Row("restore MB/s / cp -r MB/s", restoreVsCp, "(page-cache copy, for reference)"));
        }
        rows.add(1, readBack);
        rows.add(4, readBackLatency);
        rows.addAll(encryptedRounds(root, config, indexDir, dim));

        System.out.println();
        System.out.println(summary);
        System.out.printf(Locale.ROOT, "median of %d rounds where a figure has rounds (each round's value in brackets)%n", ROUNDS);
        for (Row r : rows) row(r.name(), r.values(), r.target());
    }

    /**
     * The same server restarted with a backup encryption key: full backups and restores, each right
     * after {@code cp -r + sync} of the same files, as above.
     */
    private static List<Row> encryptedRounds(Path root, ServerConfig plain, Path indexDir, int dim) throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Path keyFile = Files.write(root.resolve("backup.key"), key);
        List<Double> backupVsSync = new ArrayList<>();
        List<Double> restoreVsSync = new ArrayList<>();
        try (ConiferServer server = ConiferServer.start(plain.withBackupKeys(keyFile, List.of()))) {
            server.indexes().whenOpened().join();
            Http control = new Http("http://localhost:" + server.port(), "bench");
            String full = null;
            for (int round = 0; round < ROUNDS; round++) {
                if (full != null) control.delete("/backups/" + full);
                CopyTiming c = cp(indexDir, root.resolve("cp-copy"));
                long start = System.nanoTime();
                full = control.post("/indexes/bench/backups", "{\"name\":\"encrypted\"}").json().get("backup_id").asText();
                long bytes = awaitReady(control, full).get("size_bytes").asLong();
                double seconds = seconds(start);
                System.out.printf(Locale.ROOT, "round %d: cp -r + sync %.2f s, encrypted full backup of %.1f MB %.2f s%n",
                        round + 1, c.secondsWithSync(), mb(bytes), seconds);
                backupVsSync.add(c.secondsWithSync() / seconds * bytes / c.bytes());
            }
            long bytes = control.get("/backups/" + full).json().get("size_bytes").asLong();
            for (int round = 0; round < ROUNDS; round++) {
                CopyTiming c = cp(indexDir, root.resolve("cp-copy"), true);
                evictFromPageCache(root.resolve("data").resolve("backups"));
                String name = "encrypted-" + round;
                double seconds = restore(control, full, name);
                System.out.printf(Locale.ROOT, "round %d: cp -r + sync %.2f s, encrypted restore of %.1f MB %.2f s%n",
                        round + 1, c.secondsWithSync(), mb(bytes), seconds);
                restoreVsSync.add(c.secondsWithSync() / seconds * bytes / c.bytes());
                control.delete("/indexes/" + name);
            }
            cleanUp(control);
        }
        return List.of(new Row("encrypted full backup / (cp -r + sync)", backupVsSync, "(AES-256-GCM, for reference)"),
                new Row("encrypted restore / (cp -r + sync)", restoreVsSync, "(AES-256-GCM, for reference)"));
    }

    /**
     * Upsert latency without a backup, then while a full backup copies, alternately; every backup is
     * deleted before each copy so it is real. Returns each round's p99 ratio; the backups of the rounds
     * are left in {@code backups} (only the last round's still exists).
     */
    private static List<Double> latencyRounds(Http control, Http data, Clusters clusters, List<String> backups) throws Exception {
        List<Double> latencyRatios = new ArrayList<>();
        List<String> restoreSources = backups;
        for (int round = 0; round < ROUNDS; round++) {
            for (String id : restoreSources) control.delete("/backups/" + id);
            restoreSources.clear();
            double quietP99 = percentile(upsertLatencies(data, clusters, 4_000_000_000L, null), 0.99) / 1e6;
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
            double busyP99 = percentile(upsertLatencies(data, clusters, 60_000_000_000L, copying), 0.99) / 1e6;
            watcher.join();
            System.out.printf(Locale.ROOT, "round %d: upsert p99 %.2f ms without a backup, %.2f ms during one%n",
                    round + 1, quietP99, busyP99);
            latencyRatios.add(busyP99 / quietP99);
            restoreSources.add(during);
        }
        return latencyRatios;
    }

    /**
     * Full backups on a server started with {@code --backup-read-back}, each right after {@code cp -r +
     * sync} of the same files, as without it.
     */
    private static Row withReadBack(Http control, Path root, Path indexDir) throws Exception {
        List<Double> backupVsSync = new ArrayList<>();
        String full = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (full != null) control.delete("/backups/" + full);
            CopyTiming c = cp(indexDir, root.resolve("cp-copy"));
            CpuMeter cpu = CpuMeter.start();
            long reads = deviceReadBytes();
            long start = System.nanoTime();
            full = control.post("/indexes/bench/backups", "{\"name\":\"read-back\"}").json().get("backup_id").asText();
            long bytes = awaitReady(control, full).get("size_bytes").asLong();
            double seconds = seconds(start);
            String backupCpu = cpu.stop();
            System.out.printf(Locale.ROOT, "round %d: cp -r %.2f s, cp -r + sync %.2f s, full backup with read-back of %.1f MB"
                    + " %.2f s, device reads %.1f MB%n  backup: %s", round + 1, c.seconds(), c.secondsWithSync(), mb(bytes),
                    seconds, mb(deviceReadBytes() - reads), backupCpu);
            backupVsSync.add(c.secondsWithSync() / seconds * bytes / c.bytes());
        }
        cleanUp(control);
        return new Row("full, read-back / (cp -r + sync)", backupVsSync, "(--backup-read-back, for reference)");
    }

    /**
     * What {@code cp} copies is exactly the files a backup copies: a point-in-time export, hard-linked
     * out of the live directory (checkpoints and merges go on in it).
     */
    private static void exportIndex(ConiferServer server, Path indexDir) throws IOException {
        VectorStore store = server.indexes().vectors("default", "bench");
        DurableFiles.deleteTree(indexDir);
        store.exportTo(indexDir);
    }

    /** Bytes this process has had read from the devices (direct reads included), from /proc/self/io; 0 where it is missing. */
    private static long deviceReadBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("read_bytes:")) return Long.parseLong(line.substring("read_bytes:".length()).trim());
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the figure is only printed
        }
        return 0;
    }

    /** Restores {@code backupId} into a new index and returns the seconds from the request to Completed. */
    private static double restore(Http control, String backupId, String name) throws InterruptedException {
        long start = System.nanoTime();
        String job = control.post("/backups/" + backupId + "/create-index", "{\"name\":\"" + name + "\"}").json()
                .get("restore_job_id").asText();
        while (true) {
            JsonNode j = control.get("/restore-jobs/" + job).json();
            if (j.get("status").asText().equals("Completed")) return seconds(start);
            if (j.get("status").asText().equals("Failed")) throw new IllegalStateException("restore failed: " + j);
            Thread.sleep(5);
        }
    }

    /** Deletes every backup and every index but the benchmark's own (earlier runs' leftovers with --keep-data). */
    private static void cleanUp(Http control) {
        for (JsonNode b : control.get("/backups?limit=100").json().get("data")) {
            control.delete("/backups/" + b.get("backup_id").asText());
        }
        for (JsonNode i : control.get("/indexes").json().get("indexes")) {
            if (!i.get("name").asText().equals("bench")) control.delete("/indexes/" + i.get("name").asText());
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void row(String name, List<Double> values, String target) {
        String each = values.size() == 1 ? "" : values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString();
        System.out.printf(Locale.ROOT, "%-40s %9.3f  %-20s target %s%n", name, median(values), each, target);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    record CopyTiming(long bytes, double seconds, double secondsWithSync) {}

    private static CopyTiming cp(Path from, Path to) throws Exception {
        return cp(from, to, false);
    }

    /**
     * {@code cp -r} and then {@code cp -r} + {@code sync} of {@code from}; if {@code cold}, each reads
     * {@code from} from the disk, as a restore reads blobs a backup wrote with {@code O_DIRECT}.
     */
    private static CopyTiming cp(Path from, Path to, boolean cold) throws Exception {
        long bytes;
        try (Stream<Path> files = Files.list(from)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        if (cold) evictFromPageCache(from);
        long s = System.nanoTime();
        exec("cp", "-r", from.toString(), to.toString());
        double plain = seconds(s);
        DurableFiles.deleteTree(to);
        if (cold) evictFromPageCache(from);
        s = System.nanoTime();
        exec("cp", "-r", from.toString(), to.toString());
        exec("sync", "-f", to.toString());
        double synced = seconds(s);
        DurableFiles.deleteTree(to);
        return new CopyTiming(bytes, plain, synced);
    }

    /**
     * Drops the (clean) cached pages of every file under {@code dir}: GNU dd's {@code iflag=nocache
     * count=0} asks the kernel (posix_fadvise DONTNEED) to forget the whole file, no root needed.
     */
    private static void evictFromPageCache(Path dir) throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            if (Files.exists(f)) exec("dd", "if=" + f, "iflag=nocache", "count=0", "status=none");
        }
    }

    private static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed");
    }

    /** Upserts single records back to back and returns each request's latency. */
    private static List<Long> upsertLatencies(Http data, Clusters clusters, long maxNanos, AtomicBoolean whileTrue) {
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

    static void load(Http data, Clusters clusters, int from, int to, int threads) throws InterruptedException {
        load(data, clusters, from, to, threads, 0);
    }

    /** Upserts ids [from, to) in batches of 200 from several threads; {@code seed} varies the values. */
    static void load(Http data, Clusters clusters, int from, int to, int threads, int seed) throws InterruptedException {
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

    static JsonNode awaitReady(Http control, String backupId) throws InterruptedException {
        while (true) {
            JsonNode b = control.get("/backups/" + backupId).json();
            String status = b.get("status").asText();
            if (status.equals("Ready")) return b;
            if (status.equals("Failed")) throw new IllegalStateException("backup failed: " + b);
            Thread.sleep(5);
        }
    }

    /**
     * Waits until no Lucene merge thread has run for 8 s, longer than the server's settle delay (5 s)
     * plus a maintenance round, so a settle merge would have started; returns the seconds waited.
     */
    static double waitUntilSettled() throws InterruptedException {
        long start = System.nanoTime();
        for (int quiet = 0; quiet < 80; Thread.sleep(100)) {
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

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }

    static int intArg(String[] args, String name, int dflt) {
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
