package io.conifer.bench;

import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupRepository;
import io.conifer.backup.BackupStatus;
import io.conifer.backup.S3BackupRepository;
import io.conifer.backup.S3Location;
import io.conifer.backup.S3TestServer;
import io.conifer.files.DurableFiles;
import io.conifer.restore.RestoreJob;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The S3 figures of docs/BENCHMARKS.md: a server backing up to s3proxy in this JVM (over HTTP, objects
 * on the local disk), against the plain AWS SDK path on the same client settings: each file a PUT, or
 * a multipart upload with as many parts in flight as the repository uses, and no hashing. Full backup
 * MB/s ÷ that upload's MB/s; bytes a backup after re-upserting 1% uploads ÷ a full backup's; restore
 * MB/s ÷ plain GETs of the same files (each written and forced to disk, with as many files in flight as
 * a restore). Each ratio's two sides run next to each other, in three rounds; the median is reported.
 *
 * <p>Run: {@code ./conifer bench backup --repo s3 [--vectors 50000] [--dim 768]}.
 */
final class S3BackupBenchmark {
    private static final int ROUNDS = 3;
    /** As many files at once as a restore reads ({@code ParallelFiles}). */
    private static final int RESTORE_THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private S3BackupBenchmark() {}

    public static void main(String[] args) throws Exception {
        int vectors = BackupBenchmark.intArg(args, "--vectors", 50_000);
        int dim = BackupBenchmark.intArg(args, "--dim", 768);
        Path root = Files.createTempDirectory("conifer-s3-bench");
        try (S3TestServer s3 = S3TestServer.start(root.resolve("s3"))) {
            run(root, s3, vectors, dim);
        } finally {
            DurableFiles.deleteTree(root);
        }
    }

    private static void run(Path root, S3TestServer s3, int vectors, int dim) throws Exception {
        S3Location location = s3.location("bench", S3BackupRepository.Tuning.defaults());
        ServerConfig config = ServerConfig.defaults(root.resolve("data")).withApiKeys("bench")
                .withPorts(0, TestServer.freePortRange()).withBackupS3(location);
        try (ConiferServer server = ConiferServer.start(config); S3Client plain = S3BackupRepository.client(location)) {
            Http control = new Http("http://localhost:" + server.port(), "bench");
            BackupBenchmark.Clusters clusters = new BackupBenchmark.Clusters(dim, 200, 42);
            Http data = control.forHost(createIndex(control, dim));
            long t0 = System.nanoTime();
            BackupBenchmark.load(data, clusters, 0, vectors, 2);
            System.out.printf(Locale.ROOT, "loaded %,d x %d vectors in %.1f s%n", vectors, dim, BackupBenchmark.seconds(t0));
            System.out.printf(Locale.ROOT, "waited %.1f s for the index to settle after the load%n", BackupBenchmark.waitUntilSettled());
            Path files = root.resolve("commit-files");
            server.indexes().require("default", "bench").store().exportTo(files);
            List<Path> commit;
            try (Stream<Path> list = Files.list(files)) {
                commit = list.filter(Files::isRegularFile).sorted().toList();
            }
            long commitBytes = commit.stream().mapToLong(p -> p.toFile().length()).sum();
            BackupRepository repo = server.backups().repository();

            List<Double> backupRatios = new ArrayList<>();
            String full = null;
            long fullBytes = 0;
            for (int round = 0; round < ROUNDS; round++) {
                if (full != null) control.delete("/backups/" + full);
                Map<String, Integer> requests = s3.counts.snapshot();
                CpuMeter cpu = CpuMeter.start();
                double upload = plainUpload(plain, location, commit, "plain");
                String plainCpu = cpu.stop(commit.size());
                String plainRequests = requestsSince(s3, requests, commit.size());
                requests = s3.counts.snapshot();
                cpu = CpuMeter.start();
                long start = System.nanoTime();
                full = control.post("/indexes/bench/backups", "{\"name\":\"full\"}").json().get("backup_id").asText();
                BackupManifest ready = awaitReady(server, full);
                double backup = BackupBenchmark.seconds(start);
                String backupCpu = cpu.stop(commit.size());
                fullBytes = ready.sizeBytes();
                System.out.printf(Locale.ROOT, "round %d: plain SDK upload of %.1f MB %.2f s, full backup of %.1f MB %.2f s%n",
                        round + 1, BackupBenchmark.mb(commitBytes), upload, BackupBenchmark.mb(fullBytes), backup);
                System.out.printf(Locale.ROOT, "  plain upload: %s%n  plain CPU (per file): %s  backup: %s%n  backup CPU (per file): %s",
                        plainRequests, plainCpu, requestsSince(s3, requests, commit.size()), backupCpu);
                backupRatios.add((fullBytes / backup) / (commitBytes / upload));
            }

            Set<String> before = repo.blobs();
            BackupBenchmark.load(data, clusters, 0, vectors / 100, 1, vectors / 100);
            String incremental = control.post("/indexes/bench/backups", "{\"name\":\"incremental\"}").json().get("backup_id").asText();
            BackupBenchmark.awaitReady(control, incremental);
            long uploaded = 0;
            for (String blob : repo.blobs()) if (!before.contains(blob)) uploaded += repo.blobLength(blob);
            System.out.printf(Locale.ROOT, "incremental backup after re-upserting 1%%: uploaded %.2f MB%n", BackupBenchmark.mb(uploaded));

            List<Double> restoreRatios = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                double download = plainDownload(plain, location, commit, "plain", root.resolve("download"));
                String name = "restored-" + round;
                long start = System.nanoTime();
                String job = control.post("/backups/" + full + "/create-index", "{\"name\":\"" + name + "\"}").json()
                        .get("restore_job_id").asText();
                while (true) { // asked in this JVM, as for backups
                    RestoreJob j = server.restores().describe("default", job);
                    if (j.status() == RestoreJob.Status.Completed) break;
                    if (j.status() == RestoreJob.Status.Failed) throw new IllegalStateException("restore failed: " + j);
                    Thread.sleep(5);
                }
                double restore = BackupBenchmark.seconds(start);
                System.out.printf(Locale.ROOT, "round %d: plain SDK download %.2f s, restore %.2f s%n", round + 1, download, restore);
                restoreRatios.add((fullBytes / restore) / (commitBytes / download));
                control.delete("/indexes/" + name);
            }
            control.delete("/backups/" + full);
            control.delete("/backups/" + incremental);

            System.out.println();
            System.out.printf(Locale.ROOT, "index: %,d x %d clustered vectors, %.1f MB of Lucene files in %d files; s3proxy (filesystem)"
                    + " in-process; JVM %s, %d cores%n", vectors, dim, BackupBenchmark.mb(commitBytes), commit.size(),
                    Runtime.version(), Runtime.getRuntime().availableProcessors());
            BackupBenchmark.row("full backup MB/s / plain SDK upload MB/s", backupRatios, ">= 0.8");
            BackupBenchmark.row("incremental bytes uploaded / full bytes", List.of((double) uploaded / fullBytes), "<= 0.05");
            BackupBenchmark.row("restore MB/s / plain SDK download MB/s", restoreRatios, ">= 0.8");
        }
    }

    /**
     * Waits for a backup to be Ready by asking the server in this JVM: polling it over HTTP every few
     * ms cost about as much CPU as the backup's copy thread, CPU the copy needs on a 2-core machine
     * (and the plain side has no such poller).
     */
    private static BackupManifest awaitReady(ConiferServer server, String backupId) throws InterruptedException {
        while (true) {
            BackupManifest m = server.backups().describe("default", backupId);
            if (m.status() == BackupStatus.Ready) return m;
            if (m.status() == BackupStatus.Failed) throw new IllegalStateException("backup failed: " + m.failureReason());
            Thread.sleep(5);
        }
    }

    /** The requests the S3 server answered since {@code before}, by kind, in all and per file. */
    private static String requestsSince(S3TestServer s3, Map<String, Integer> before, int files) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Integer> e : s3.counts.snapshot().entrySet()) {
            int n = e.getValue() - before.get(e.getKey());
            if (n > 0) out.append(String.format(Locale.ROOT, "%s%s %d (%.1f/file)", out.isEmpty() ? "" : ", ", e.getKey(), n, (double) n / files));
        }
        return out.isEmpty() ? "no requests" : out.toString();
    }

    /** Creates the index, again while the loaded machine answers 503 (a create that timed out was not applied). */
    private static String createIndex(Http control, int dim) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return control.createDense("bench", dim, "cosine");
            } catch (AssertionError e) {
                // A create past its first durable write answers its result even late: the 503 was sent before it.
                if (attempt > 1 && e.getMessage().contains("409")) return control.get("/indexes/bench").json().get("host").asText();
                if (attempt == 5 || !e.getMessage().contains("503")) throw e;
                Thread.sleep(1000);
            }
        }
    }

    /** Uploads the files one after the other, large ones as multipart uploads with parts in parallel; returns seconds. */
    private static double plainUpload(S3Client s3, S3Location location, List<Path> files, String dir) throws Exception {
        S3BackupRepository.Tuning t = location.tuning();
        ExecutorService pool = Executors.newFixedThreadPool(t.parallelism(), r -> new Thread(() -> {
            r.run();
            CpuMeter.threadEnding();
        }, "plain-upload"));
        long start = System.nanoTime();
        try {
            for (Path f : files) {
                String key = location.prefix() + "/" + dir + "/" + f.getFileName();
                long size = Files.size(f);
                if (size <= t.partSize()) {
                    s3.putObject(b -> b.bucket(location.bucket()).key(key), RequestBody.fromFile(f));
                    continue;
                }
                String upload = s3.createMultipartUpload(b -> b.bucket(location.bucket()).key(key)).uploadId();
                List<Future<CompletedPart>> parts = new ArrayList<>();
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    int number = 0;
                    for (long pos = 0; pos < size; pos += t.partSize()) {
                        byte[] part = new byte[(int) Math.min(t.partSize(), size - pos)];
                        ch.read(java.nio.ByteBuffer.wrap(part), pos);
                        int n = ++number;
                        parts.add(pool.submit(() -> CompletedPart.builder().partNumber(n).eTag(s3.uploadPart(b -> b
                                .bucket(location.bucket()).key(key).uploadId(upload).partNumber(n), RequestBody.fromBytes(part))
                                .eTag()).build()));
                    }
                }
                List<CompletedPart> done = new ArrayList<>();
                for (Future<CompletedPart> p : parts) done.add(p.get());
                s3.completeMultipartUpload(b -> b.bucket(location.bucket()).key(key).uploadId(upload)
                        .multipartUpload(m -> m.parts(done)));
            }
            return BackupBenchmark.seconds(start);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Downloads the files {@link #plainUpload} stored, each forced to disk, a restore's number at once; returns seconds. */
    private static double plainDownload(S3Client s3, S3Location location, List<Path> files, String dir, Path to) throws Exception {
        DurableFiles.deleteTree(to);
        Files.createDirectories(to);
        ExecutorService pool = Executors.newFixedThreadPool(RESTORE_THREADS);
        long start = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (Path f : files) {
                all.add(pool.submit(() -> {
                    Path target = to.resolve(f.getFileName());
                    try (InputStream in = s3.getObject(b -> b.bucket(location.bucket()).key(location.prefix() + "/" + dir + "/"
                            + f.getFileName())); OutputStream out = Files.newOutputStream(target)) {
                        in.transferTo(out);
                    }
                    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) f.get();
            DurableFiles.fsyncDirectory(to);
            return BackupBenchmark.seconds(start);
        } finally {
            pool.shutdownNow();
            DurableFiles.deleteTree(to);
        }
    }
}
