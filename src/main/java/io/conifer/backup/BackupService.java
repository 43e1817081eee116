package io.conifer.backup;

import io.conifer.error.ConiferException;
import io.conifer.files.DurableFiles;
import io.conifer.error.ErrorCode;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.vectors.VectorStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.store.AlreadyClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, lists and deletes backups.
 *
 * <p>Create exports a point-in-time view holding every acknowledged write into a staging directory
 * by hard links (so the index may go on, merge, or even be deleted; nothing is fsynced or committed on
 * the request's path), answers, and copies in the background. Each file goes into the repository under its content hash unless an identical blob is
 * there already (recognised without reading when the previous backup of the same index recorded the
 * same Lucene file); the manifest turns {@code Ready} only after every blob is durable.
 *
 * <p>{@link #blobLock} orders "this blob exists, so this backup will use it" against deletion's
 * "nobody uses this blob, so remove it": a blob is deleted only if no manifest names it and no backup
 * in progress has claimed it.
 */
public final class BackupService implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final DateTimeFormatter CREATED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    public static final int MAX_NAME = 100;
    public static final int MAX_DESCRIPTION = 1000;

    /**
     * Answers which restore jobs still read a backup (filled in by the restore feature); a restore
     * records its job while holding the guard's monitor.
     */
    public interface RestoreGuard {
        List<String> activeJobsReading(String backupId);
    }

    private final BackupRepository repository;
    private final IndexManager indexes;
    private final Path stagingRoot;
    private final int quotaPerProject;
    private final Throttle throttle;
    private final ExecutorService copiers;
    private final Map<String, BackupManifest> manifests = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> claims = new HashMap<>();
    private final Object blobLock = new Object();
    private volatile RestoreGuard restoreGuard = id -> List.of();

    public BackupService(BackupRepository repository, IndexManager indexes, Path stagingRoot, int quotaPerProject,
            Throttle throttle) {
        this.repository = repository;
        this.indexes = indexes;
        this.stagingRoot = stagingRoot;
        this.quotaPerProject = quotaPerProject;
        this.throttle = throttle;
        this.copiers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "conifer-backup");
            t.setDaemon(true);
            return t;
        });
    }

    public void setRestoreGuard(RestoreGuard guard) {
        this.restoreGuard = guard;
    }

    public BackupRepository repository() {
        return repository;
    }

    /**
     * Loads the manifests; a backup still {@code Initializing} was interrupted by a crash and becomes
     * {@code Failed}; blobs no {@code Ready} backup names (partial copies) and staging debris are removed.
     */
    public void start() throws IOException {
        repository.cleanStaging();
        DurableFiles.deleteTree(stagingRoot);
        Files.createDirectories(stagingRoot);
        for (String id : repository.manifestIds()) {
            BackupManifest m;
            try {
                m = BackupManifest.fromJson(repository.getManifest(id).orElseThrow());
            } catch (IOException | RuntimeException e) {
                log.error("Backup manifest {} is unreadable; leaving it for `conifer backup verify`", id, e);
                continue;
            }
            if (m.status() == BackupStatus.Initializing) {
                m = m.withStatus(BackupStatus.Failed, "Interrupted: the server stopped while the backup was being copied");
                repository.putManifest(id, m.toJson());
                log.warn("Backup {} of index '{}' was interrupted by a restart and is marked Failed", id, m.sourceIndexName());
            }
            manifests.put(id, m);
        }
        Set<String> referenced = referencedBlobs();
        int removed = 0;
        for (String blob : repository.blobs()) {
            if (!referenced.contains(blob)) {
                repository.deleteBlob(blob);
                removed++;
            }
        }
        if (removed > 0) log.info("Removed {} repository blobs that no backup references", removed);
    }

    private Set<String> referencedBlobs() {
        Set<String> out = new HashSet<>();
        for (BackupManifest m : manifests.values()) {
            if (m.files() != null) for (BackupManifest.FileEntry f : m.files()) out.add(f.sha256());
        }
        for (Set<String> claimed : claims.values()) out.addAll(claimed);
        return out;
    }

    /**
     * Starts a backup and returns its Initializing manifest. Serialised, so that the quota check and the
     * backup's registration are one step; each create costs only a flush of the indexing buffer, hard
     * links and the manifest.
     */
    public BackupManifest create(String project, String indexName, String name, String description) throws IOException {
        return create(project, indexName, name, description, UUID.randomUUID().toString());
    }

    /** As {@link #create(String, String, String, String)}, under an id the caller chose (a fresh UUID). */
    public synchronized BackupManifest create(String project, String indexName, String name, String description, String id)
            throws IOException {
        long entered = System.nanoTime();
        if (name != null && name.length() > MAX_NAME) {
            throw ConiferException.invalid("Backup name is " + name.length() + " characters; the maximum is " + MAX_NAME);
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ConiferException.invalid("Backup description is " + description.length()
                    + " characters; the maximum is " + MAX_DESCRIPTION);
        }
        IndexManager.OpenIndex index = indexes.requireReady(project, indexName);
        long owned = manifests.values().stream().filter(m -> m.project().equals(project)).count();
        if (owned >= quotaPerProject) {
            throw new ConiferException(ErrorCode.FORBIDDEN, "Backup quota exceeded: this project has " + owned
                    + " backups and the limit is " + quotaPerProject + ". Delete backups to create new ones.");
        }
        Path staging = stagingRoot.resolve(id);
        long t0 = System.nanoTime();
        VectorStore.PointInTime pit;
        try {
            pit = index.store().exportTo(staging);
        } catch (AlreadyClosedException e) {
            DurableFiles.deleteTree(staging);
            throw ConiferException.notFound("Index " + indexName + " not found.");
        } catch (IOException | RuntimeException e) {
            DurableFiles.deleteTree(staging);
            throw e;
        }
        IndexDefinition def = index.definition();
        BackupManifest manifest = new BackupManifest(id, project, name, description, BackupStatus.Initializing, null,
                CREATED_AT.format(Instant.now()), def.name(), def.id(), def.cloud(), def.region(), def.vectorType().apiName(),
                def.dimension(), def.metric().apiName(), def.filterableFields(), def.tags(), def.deletionProtection(),
                pit.records(), pit.namespaces().size(), new LinkedHashMap<>(pit.namespaces()), 0, pit.writerSession(), null);
        long t1 = System.nanoTime();
        long total = 0;
        try {
            for (String f : pit.files()) total += Files.size(staging.resolve(f));
            repository.putManifest(id, manifest.toJson());
        } catch (IOException | RuntimeException e) {
            DurableFiles.deleteTree(staging);
            throw e;
        }
        manifests.put(id, manifest);
        long t2 = System.nanoTime();
        List<String> files = pit.files();
        copiers.execute(() -> copy(manifest, staging, files));
        log.info("Backup {} of index '{}' started: {} records, {} files, {} bytes ({} ms: export {} ms, manifest {} ms)",
                id, indexName, pit.records(), files.size(), total, (System.nanoTime() - entered) / 1_000_000,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        return manifest;
    }

    private void copy(BackupManifest manifest, Path staging, List<String> files) {
        String id = manifest.backupId();
        Map<String, BackupManifest.FileEntry> known = previousFiles(manifest.sourceIndexId(), manifest.writerSession());
        List<BackupManifest.FileEntry> copied = new ArrayList<>();
        try {
            // One file at a time: a backup runs beside live writes, and its I/O must not crowd their fsyncs.
            for (String name : files) copied.add(copyFile(id, staging.resolve(name), name, known));
            BackupManifest ready = manifest.ready(copied);
            repository.putManifest(id, ready.toJson());
            manifests.put(id, ready);
            log.info("Backup {} of index '{}' is Ready: {} files, {} bytes", id, manifest.sourceIndexName(), copied.size(),
                    ready.sizeBytes());
        } catch (Throwable e) {
            log.error("Backup {} of index '{}' failed", id, manifest.sourceIndexName(), e);
            fail(manifest, e);
        } finally {
            synchronized (blobLock) {
                claims.remove(id);
            }
            deleteQuietly(staging);
        }
    }

    /** Copies one file into the repository (or reuses an identical blob) and returns its manifest entry. */
    private BackupManifest.FileEntry copyFile(String id, Path file, String name, Map<String, BackupManifest.FileEntry> known)
            throws IOException {
        long length = Files.size(file);
        long luceneChecksum = luceneFooterChecksum(file);
        BackupManifest.FileEntry previous = known.get(identity(name, length, luceneChecksum));
        if (previous != null && claimIfPresent(id, previous.sha256())) return previous;
        BackupRepository.StagedBlob blob = repository.stage(file, throttle);
        if (blob.length() != length) {
            repository.discard(blob);
            throw new IOException("File " + name + " changed while it was copied");
        }
        synchronized (blobLock) {
            repository.publish(blob);
            claims.computeIfAbsent(id, k -> new HashSet<>()).add(blob.sha256());
        }
        return new BackupManifest.FileEntry(name, blob.sha256(), length, blob.crc32c(), luceneChecksum);
    }

    private void fail(BackupManifest manifest, Throwable e) {
        BackupManifest failed = manifest.withStatus(BackupStatus.Failed, "Backup failed: " + e.getMessage());
        try {
            repository.putManifest(manifest.backupId(), failed.toJson());
        } catch (IOException io) {
            log.error("Could not record the failure of backup {}", manifest.backupId(), io);
        }
        manifests.put(manifest.backupId(), failed);
        synchronized (blobLock) {
            Set<String> mine = claims.remove(manifest.backupId());
            if (mine == null) return;
            Set<String> referenced = referencedBlobs();
            for (String blob : mine) {
                if (!referenced.contains(blob)) {
                    try {
                        repository.deleteBlob(blob);
                    } catch (IOException io) {
                        log.warn("Could not remove blob {} of failed backup {}", blob, manifest.backupId(), io);
                    }
                }
            }
        }
    }

    private boolean claimIfPresent(String backupId, String sha256) throws IOException {
        synchronized (blobLock) {
            if (!repository.hasBlob(sha256)) return false;
            claims.computeIfAbsent(backupId, k -> new HashSet<>()).add(sha256);
            return true;
        }
    }

    /**
     * Files of earlier Ready backups taken from the same Lucene writer session of the same index, by
     * name, length and Lucene checksum. Segments files are left out: every export between two
     * checkpoints writes the same segments file name with different contents.
     */
    private Map<String, BackupManifest.FileEntry> previousFiles(String sourceIndexId, String writerSession) {
        Map<String, BackupManifest.FileEntry> out = new HashMap<>();
        if (writerSession == null) return out;
        for (BackupManifest m : manifests.values()) {
            if (m.status() != BackupStatus.Ready || !m.sourceIndexId().equals(sourceIndexId)
                    || !writerSession.equals(m.writerSession())) {
                continue;
            }
            for (BackupManifest.FileEntry f : m.files()) {
                if (!f.name().startsWith("segments")) out.put(identity(f.name(), f.length(), f.luceneChecksum()), f);
            }
        }
        return out;
    }

    private static String identity(String name, long length, long luceneChecksum) {
        return name + "|" + length + "|" + luceneChecksum;
    }

    /** Lucene writes every file once and ends it with a footer whose last 8 bytes are its checksum. */
    private static long luceneFooterChecksum(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < 8) return -1;
            ByteBuffer buf = ByteBuffer.allocate(8);
            while (buf.hasRemaining() && ch.read(buf, ch.size() - 8 + buf.position()) > 0) {
                // read the footer's checksum
            }
            return buf.getLong(0);
        }
    }

    public BackupManifest describe(String project, String backupId) {
        BackupManifest m = backupId == null ? null : manifests.get(backupId);
        if (m == null || !m.project().equals(project)) throw ConiferException.notFound("Backup " + backupId + " not found.");
        return m;
    }

    /** A backup a restore can use; anything else is a clear error. */
    public BackupManifest requireReady(String project, String backupId) {
        BackupManifest m = describe(project, backupId);
        if (m.status() != BackupStatus.Ready) {
            throw ConiferException.invalid("Backup " + backupId + " is " + m.status() + ", not Ready; only Ready backups can be restored");
        }
        return m;
    }

    /** The project's backups (of one source index name, if given) in bitwise order of {@link #sortKey}. */
    public List<BackupManifest> list(String project, String sourceIndexName) {
        if (sourceIndexName != null) indexes.require(project, sourceIndexName);
        List<BackupManifest> out = new ArrayList<>();
        for (BackupManifest m : manifests.values()) {
            if (m.project().equals(project) && (sourceIndexName == null || m.sourceIndexName().equals(sourceIndexName))) out.add(m);
        }
        out.sort(Comparator.comparing(BackupService::sortKey));
        return out;
    }

    /**
     * Listing order: creation time (fixed-width RFC 3339, so bitwise order is time order), then id.
     * New backups sort after existing ones, so paging never skips or repeats when backups come and go.
     */
    public static String sortKey(BackupManifest m) {
        return m.createdAt() + "|" + m.backupId();
    }

    public void delete(String project, String backupId) throws IOException {
        synchronized (blobLock) {
            BackupManifest m = describe(project, backupId);
            if (m.status() == BackupStatus.Initializing) {
                throw new ConiferException(ErrorCode.FAILED_PRECONDITION, "Backup " + backupId
                        + " is still Initializing; delete it once it is Ready or Failed");
            }
            RestoreGuard guard = restoreGuard;
            synchronized (guard) {
                // Restores record their job under the guard's monitor: no job can start reading this
                // backup between the check and the manifest's removal.
                List<String> jobs = guard.activeJobsReading(backupId);
                if (!jobs.isEmpty()) {
                    throw new ConiferException(ErrorCode.FAILED_PRECONDITION, "Backup " + backupId
                            + " cannot be deleted while restore jobs read it: " + String.join(", ", jobs));
                }
                repository.deleteManifest(backupId);
                manifests.remove(backupId);
            }
            Set<String> referenced = referencedBlobs();
            if (m.files() != null) {
                for (BackupManifest.FileEntry f : m.files()) {
                    if (!referenced.contains(f.sha256())) repository.deleteBlob(f.sha256());
                }
            }
        }
        log.info("Deleted backup {}", backupId);
    }

    @Override
    public void close() {
        copiers.shutdownNow();
        try {
            copiers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        repository.close();
    }

    private static void deleteQuietly(Path dir) {
        try {
            DurableFiles.deleteTree(dir);
        } catch (IOException e) {
            log.warn("Could not remove staging directory {}", dir, e);
        }
    }
}
