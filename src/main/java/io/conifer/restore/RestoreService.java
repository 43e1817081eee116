package io.conifer.restore;

import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupReader;
import io.conifer.backup.BackupService;
import io.conifer.backup.CreationClock;
import io.conifer.backup.Throttle;
import io.conifer.error.ConiferException;
import io.conifer.index.Deployment;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexRules;
import io.conifer.index.ReadCapacity;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates indexes from backups. The target index is reserved at once (its name taken, listed as not
 * ready), then a worker copies the backup's Lucene files into it, checking each against the manifest's
 * SHA-256, and only then opens and serves it: nothing is re-indexed, and a missing or corrupt file
 * fails the job and removes the reservation, so no half-restored index ever serves.
 */
public final class RestoreService implements Closeable, BackupService.RestoreGuard {
    private static final Logger log = LoggerFactory.getLogger(RestoreService.class);
    private final CreationClock times = new CreationClock();

    private final RestoreJobStore jobs;
    private final BackupService backups;
    private final IndexManager indexes;
    private final BackupReader reader;
    private final ExecutorService workers;
    /** Set when the server stops: a job failing after this was interrupted to stop, not by its own fault. */
    private volatile boolean closing;
    private final Map<String, Double> progress = new ConcurrentHashMap<>();
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);

    public RestoreService(Path jobsFile, BackupService backups, IndexManager indexes, Throttle throttle) throws IOException {
        this.jobs = new RestoreJobStore(jobsFile);
        this.backups = backups;
        this.indexes = indexes;
        this.reader = new BackupReader(backups.repository(), throttle);
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "conifer-restore");
            t.setDaemon(true);
            return t;
        });
    }

    /** A job that was running when the server stopped completed if its index is serving, else failed. */
    public void start() throws IOException {
        for (RestoreJob j : jobs.all()) {
            if (!j.active()) continue;
            // Only an activated restore's index survives a restart (a reserved one is removed), serving or still opening.
            if (indexes.byId(j.targetIndexId()) != null) {
                jobs.put(j.with(RestoreJob.Status.Completed, 100, now(), null));
            } else {
                jobs.put(j.with(RestoreJob.Status.Failed, j.percentComplete(), now(),
                        "Interrupted: the server stopped during the restore"));
                log.warn("Restore job {} into '{}' was interrupted by a restart and is marked Failed", j.restoreJobId(),
                        j.targetIndexName());
            }
        }
        backups.setRestoreGuard(this);
    }

    /** The answer to create_index_from_backup. */
    public record Started(String restoreJobId, String indexId) {}

    /** {@code readCapacity} null gives the restored index on-demand capacity. */
    public Started create(String project, String backupId, String name, Map<String, String> tags, Boolean deletionProtection,
            ReadCapacity readCapacity) throws IOException {
        BackupManifest backup = backups.requireReady(project, backupId);
        IndexRules.name(name);
        // Given tags are merged over the backup's, as configure_index does ("" unsets a key): the Java SDK
        // always sends a tags object, {} when the caller gave none, which must keep the backup's tags.
        // Their characters were checked by the request's API version, whose rules differ.
        Map<String, String> effectiveTags = new TreeMap<>(backup.tags() == null ? Map.of() : backup.tags());
        if (tags != null) {
            tags.forEach((k, v) -> {
                if (v.isEmpty()) effectiveTags.remove(k);
                else effectiveTags.put(k, v);
            });
            IndexRules.tagCount(effectiveTags);
        }
        IndexManager.NewIndex target = new IndexManager.NewIndex(name, backup.indexSchema(),
                new Deployment(backup.cloud(), backup.region()), readCapacity != null ? readCapacity : ReadCapacity.ON_DEMAND,
                deletionProtection != null ? deletionProtection : backup.deletionProtection(), effectiveTags, backupId);
        RestoreJob job;
        synchronized (this) {
            // BackupService.delete checks for jobs and removes the manifest under this same monitor, so
            // the backup is either still here once the job is recorded, or this create sees it gone.
            backups.requireStillReady(project, backupId);
            IndexDefinition reserved = indexes.reserveForRestore(project, target);
            job = new RestoreJob(UUID.randomUUID().toString(), project, backupId, name, reserved.id(),
                    RestoreJob.Status.Pending, times.next(), null, 0, null);
            try {
                jobs.put(job);
            } catch (IOException e) {
                try {
                    indexes.abandonRestore(reserved.id());
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
        RestoreJob submitted = job;
        workers.execute(() -> run(submitted, backup));
        log.info("Restore job {} started: backup {} into new index '{}'", job.restoreJobId(), backupId, name);
        return new Started(job.restoreJobId(), job.targetIndexId());
    }

    private void run(RestoreJob job, BackupManifest backup) {
        String id = job.restoreJobId();
        ProgressRecorder recorder = null;
        try {
            long total = Math.max(1, backup.sizeBytes());
            AtomicLong done = new AtomicLong();
            RestoreJob running = job.with(RestoreJob.Status.InProgress, 0, null, null);
            jobs.put(running);
            progress.put(id, 0.0);
            ProgressRecorder recording = recorder = new ProgressRecorder(jobs, running, progress, PROGRESS_EVERY);
            long start = System.nanoTime();
            reader.materialize(backup, indexes.luceneDir(job.targetIndexId()),
                    n -> recording.offer((int) Math.min(99, done.addAndGet(n) * 100 / total)));
            long copied = System.nanoTime();
            recorder.finish();
            indexes.activate(job.targetIndexId());
            long opened = System.nanoTime();
            try {
                jobs.end(job.with(RestoreJob.Status.Completed, 100, now(), null));
            } catch (IOException e) {
                // The index serves, so the job is Completed: not a failure to clean up after, and what the
                // next start records too.
                log.error("Could not record the completion of restore job {}; the next start does", id, e);
            }
            log.info("Restore job {} completed: index '{}' is Ready (copy and fsync {} ms, open {} ms, recorded {} ms)", id,
                    job.targetIndexName(), (copied - start) / 1_000_000, (opened - copied) / 1_000_000,
                    (System.nanoTime() - opened) / 1_000_000);
        } catch (Throwable e) {
            if (recorder != null) recorder.finish();
            if (closing) {
                // Interrupted to stop the server: its files and catalog would refuse interrupted writes, and
                // the next start marks the job Failed and removes the partial index anyway.
                log.info("Restore job {} into '{}' stopped with the server; the next start marks it Failed", id,
                        job.targetIndexName());
                return;
            }
            String reason = "Restore failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
            log.error("Restore job {} into '{}' failed: {}", id, job.targetIndexName(), reason, e);
            // Each step is tried even if the one before failed: on a full disk the index's removal frees
            // the room the job's record needs, and a job left running would keep its backup from deletion.
            try {
                indexes.abandonRestore(job.targetIndexId());
            } catch (IOException | RuntimeException io) {
                log.error("Could not remove all of the index of failed restore job {}; the next start removes the rest", id, io);
            }
            try {
                jobs.end(job.with(RestoreJob.Status.Failed, progress.getOrDefault(id, 0.0), now(), reason));
            } catch (IOException io) {
                log.error("Could not record the failure of restore job {}; the next start marks it Failed", id, io);
            }
        } finally {
            progress.remove(id);
            backups.restoreEnded(job.backupId());
        }
    }

    /** A job with its live progress while it runs. */
    public RestoreJob describe(String project, String jobId) {
        RestoreJob j = jobId == null ? null : jobs.get(jobId);
        if (j == null || !j.project().equals(project)) throw ConiferException.notFound("Restore job " + jobId + " not found.");
        return live(j);
    }

    private RestoreJob live(RestoreJob j) {
        Double p = progress.get(j.restoreJobId());
        return p != null && j.active() ? j.with(j.status(), p, j.completedAt(), j.failureReason()) : j;
    }

    /** The project's jobs in bitwise order of {@link #sortKey}. */
    public List<RestoreJob> list(String project) {
        List<RestoreJob> out = new ArrayList<>();
        for (RestoreJob j : jobs.all()) if (j.project().equals(project)) out.add(live(j));
        out.sort(Comparator.comparing(RestoreService::sortKey));
        return out;
    }

    public static String sortKey(RestoreJob j) {
        return j.createdAt() + "|" + j.restoreJobId();
    }

    @Override
    public synchronized List<String> activeJobsReading(String backupId) {
        List<String> out = new ArrayList<>();
        for (RestoreJob j : jobs.all()) if (j.active() && j.backupId().equals(backupId)) out.add(j.restoreJobId());
        return out;
    }

    private String now() {
        return times.now();
    }

    @Override
    public void close() {
        closing = true;
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
