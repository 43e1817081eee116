package io.conifer.backup;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.files.DurableFiles;
import io.conifer.index.CommitGate;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.store.PointInTime;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
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
 * the request's path), answers, and copies in the background. Each file goes into the repository under
 * its content hash unless an identical blob is there already and is proven intact (see {@link
 * #copyFile}); the manifest turns {@code Ready} only after every blob is durable.
 *
 * <p>{@link #blobLock} orders "this blob exists, so this backup will use it" against deletion's
 * "nobody uses this blob, so remove it": a blob is deleted only if no manifest names it, no backup
 * in progress has claimed it, and no manifest is unreadable.
 */
public final class BackupService implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private final CreationClock createdAt = new CreationClock();
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
    private final BackupReader checker;
    private final ExecutorService copiers;
    /** Set when the server stops: a backup failing after this was interrupted to stop, not by its own fault. */
    private volatile boolean closing;
    private final Map<String, BackupManifest> manifests = new ConcurrentHashMap<>();
    /** Backups deleted but still read by restores: hidden, their blobs kept until the restores end. */
    private final Map<String, BackupManifest> pendingDeletion = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> claims = new HashMap<>();
    /** Blobs verified in this run, with the stamp they had then; see {@link #copyFile}. */
    private final Map<String, String> trusted = new ConcurrentHashMap<>();
    /**
     * Backups whose manifests no copy of is sound, or that are encrypted under a key this server was not
     * given: while any exists, no blob is garbage-collected.
     */
    private final Set<String> unreadable = new HashSet<>();
    /**
     * Backups whose manifest the repository did not give when asked (a permission error, S3 refusing or
     * down): not known to be damaged, so not listed as Failed; read again whenever backups are listed.
     * They are in {@link #unreadable} too, until read.
     */
    private final Set<String> unreadNow = ConcurrentHashMap.newKeySet();
    private static final long READ_AGAIN_NANOS = 5_000_000_000L;
    /** When {@link #readAgainUnread} last read (under {@link #blobLock}). */
    private long lastReadAgain = System.nanoTime() - READ_AGAIN_NANOS;
    /** This server's backups a crash interrupted, found at start: still Initializing when read later, they failed. */
    private final Set<String> interruptedAtStart = ConcurrentHashMap.newKeySet();
    /** How far each running copy is. */
    private final Map<String, BackupProgress> progress = new ConcurrentHashMap<>();
    /** Backups encrypted under a key this server was not given, and why: not listed, refused by id. */
    private final Map<String, String> keyMissing = new ConcurrentHashMap<>();
    /** Initializing backups deleted while their copy runs. */
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    /** Backups this server is copying: any other Initializing backup is another server's, in a shared repository. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** Names in the manifest folder that are no backup id, each warned about once. */
    private final Set<String> strayManifests = ConcurrentHashMap.newKeySet();
    private final Object blobLock = new Object();
    private volatile RestoreGuard restoreGuard = id -> List.of();
    /** Passed just before a create's or delete's first durable change, so a timed-out request changes nothing. */
    private final CommitGate gate;

    public BackupService(BackupRepository repository, IndexManager indexes, Path stagingRoot, int quotaPerProject,
            Throttle throttle, CommitGate gate) {
        this.repository = repository;
        this.gate = gate;
        this.indexes = indexes;
        this.stagingRoot = stagingRoot;
        this.quotaPerProject = quotaPerProject;
        this.throttle = throttle;
        this.checker = new BackupReader(repository, throttle);
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
     * Loads the manifests: a backup still {@code Initializing} was interrupted by a crash and becomes
     * {@code Failed}; a deletion that waited for restores is finished (no restore runs across a
     * restart); a manifest copy found damaged is rewritten from the sound one; a backup no copy of
     * whose manifest is sound is shown {@code Failed} with the reason. Then staging debris and every
     * blob no manifest names are removed — unless a manifest is unreadable, since nobody can know
     * which blobs it names.
     */
    public void start() throws IOException {
        // A crash leaves the staging directories of this server's interrupted backups; in a shared
        // repository an Initializing backup without one is another server's, still being copied.
        Set<String> interrupted = new HashSet<>();
        if (Files.isDirectory(stagingRoot)) {
            try (var dirs = Files.list(stagingRoot)) {
                dirs.forEach(d -> interrupted.add(d.getFileName().toString()));
            }
        }
        repository.cleanStaging();
        DurableFiles.deleteTree(stagingRoot);
        Files.createDirectories(stagingRoot);
        interruptedAtStart.addAll(interrupted);
        for (String id : backupIds()) admit(id, load(id));
        synchronized (blobLock) {
            collectGarbage();
        }
    }

    /**
     * Takes a manifest read at start or later: a deletion that waited for restores is finished, a backup
     * of this server still Initializing outside a running copy was interrupted by a crash and is Failed.
     */
    private void admit(String id, BackupManifest m) throws IOException {
        if (m == null) return;
        if (m.deletionRequested()) {
            repository.deleteManifest(id);
            log.info("Deleted backup {}, whose deletion waited for restores a restart ended", id);
            return;
        }
        if (m.status() == BackupStatus.Initializing && !running.contains(id)
                && (!repository.shared() || interruptedAtStart.contains(id))) {
            m = m.withStatus(BackupStatus.Failed, "Interrupted: the server stopped while the backup was being copied");
            repository.putManifest(id, m.toJson());
            log.warn("Backup {} of index '{}' was interrupted by a restart and is marked Failed", id, m.sourceIndexName());
        }
        manifests.put(id, m);
    }

    /**
     * Reads again the manifests the repository did not give before, at most every {@link #READ_AGAIN_NANOS}
     * (each read may wait out the repository's retries); each one read is listed from now on.
     */
    private void readAgainUnread() {
        long now = System.nanoTime();
        if (now - lastReadAgain < READ_AGAIN_NANOS) return;
        lastReadAgain = now;
        for (String id : new ArrayList<>(unreadNow)) {
            try {
                BackupManifest m = load(id);
                if (m != null) {
                    admit(id, m);
                    log.info("Backup {} could be read again and is listed", id);
                }
            } catch (IOException e) {
                log.warn("Could not read backup {} from the repository: {}", id, e.getMessage());
            }
        }
    }

    /**
     * The ids of the repository's manifests. A file there that no backup could have written (not named by
     * a backup id: a stray copy, an editor's backup file) is left alone: read as a damaged manifest it
     * would stop every server sharing the repository from removing unused blobs.
     */
    private List<String> backupIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (String id : repository.manifestIds()) {
            if (BackupManifest.isBackupId(id)) ids.add(id);
            else if (strayManifests.add(id)) log.warn("Ignoring manifests/{}.json: not named by a backup id", id);
        }
        return ids;
    }

    /** A backup's manifest, repaired if one copy was damaged; a Failed stand-in (or null) if neither is sound. */
    private BackupManifest load(String id) throws IOException {
        byte[] salvage = new byte[0];
        String problem;
        try {
            Optional<BackupRepository.ManifestRead> read;
            try {
                read = repository.readManifest(id);
            } catch (BackupRepository.DamagedManifestException | BackupKeyException e) {
                throw e;
            } catch (IOException e) {
                // The repository did not answer (a permission error, S3 refusing or down): that says nothing
                // about the backup, and showing it Failed ("delete this backup") could cost a sound one.
                unreadable.add(id);
                unreadNow.add(id);
                log.warn("Backup {}: its manifest could not be read ({}); it is not listed until it can be, and no"
                        + " unreferenced backup files are removed meanwhile", id, e.getMessage());
                return null;
            }
            unreadNow.remove(id);
            unreadable.remove(id);
            if (read.isEmpty()) return null;
            salvage = read.get().json();
            BackupManifest m = BackupManifest.fromJson(id, salvage);
            if (read.get().damage() != null) {
                // Copies that disagree may be a Ready write that failed halfway, after which an older server
                // removed the backup's blobs: Ready is kept only if every blob is there to restore.
                List<String> missing = m.status() == BackupStatus.Ready ? missingFiles(m) : List.of();
                if (!missing.isEmpty()) {
                    m = m.withStatus(BackupStatus.Failed, "Backup failed: the repository lacks the files " + missing
                            + ", and its manifest's copies disagreed (" + read.get().damage() + "), so it cannot be restored");
                    log.error("Backup {} of index '{}' is Failed: {}", id, m.sourceIndexName(), m.failureReason());
                    repository.putManifest(id, m.toJson());
                } else if (read.get().fromPrimary()) {
                    log.warn("Backup {}: {}; rewriting the copy of its manifest", id, read.get().damage());
                    repository.putManifestCopy(id, read.get().json());
                } else {
                    log.warn("Backup {}: {}; rewriting both copies of its manifest", id, read.get().damage());
                    repository.putManifest(id, read.get().json());
                }
            }
            return m;
        } catch (BackupRepository.DamagedManifestException e) {
            salvage = e.salvage();
            problem = e.getMessage();
        } catch (BackupKeyException e) {
            // Nothing of it can be read, not even its project: it is kept (with every blob) for a server given its key.
            unreadable.add(id);
            keyMissing.put(id, e.getMessage());
            log.error("Backup {} cannot be read and is not listed: {}", id, e.getMessage());
            return null;
        } catch (IOException | RuntimeException e) {
            problem = "unreadable: " + e.getMessage();
        }
        unreadable.add(id);
        String reason = "Manifest damaged (" + problem + "). Which files the backup holds is unknown, so it cannot be "
                + "restored and no unreferenced backup files are removed until it is deleted: delete this backup.";
        Optional<BackupManifest> standIn = BackupManifest.salvage(id, salvage, reason);
        if (standIn.isPresent()) {
            log.error("Backup {} of index '{}' is Failed: {}", id, standIn.get().sourceIndexName(), reason);
        } else {
            log.error("Backup {}: manifest damaged ({}) beyond telling which project owns it, so no API can show or delete "
                    + "it; no unreferenced backup files are removed while it exists. Stop the server and remove "
                    + "manifests/{}.json and {}.json.copy from the backup repository.", id, problem, id, id);
        }
        return standIn.orElse(null);
    }

    /** The names of the files of {@code m} whose blobs the repository does not hold. */
    private List<String> missingFiles(BackupManifest m) throws IOException {
        List<String> out = new ArrayList<>();
        for (BackupManifest.FileEntry f : m.files()) {
            try {
                repository.blobLength(f.sha256()); // falls back to other servers' blobs, as a restore does
            } catch (NoSuchFileException e) {
                out.add(f.name());
            }
        }
        return out;
    }

    /** Deletes every blob nothing names (caller holds {@link #blobLock}), unless a manifest is unreadable. */
    private void collectGarbage() throws IOException {
        if (!unreadable.isEmpty()) {
            log.warn("Keeping every repository blob: the manifests of backups {} are unreadable, so which blobs they name "
                    + "is unknown", unreadable);
            return;
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

    /** Deletes those of {@code candidates} nothing names (caller holds {@link #blobLock}). */
    private void deleteUnreferenced(Set<String> candidates, String owner) {
        if (candidates.isEmpty()) return;
        if (!unreadable.isEmpty()) {
            log.warn("Keeping the files of {}: the manifests of backups {} are unreadable", owner, unreadable);
            return;
        }
        Set<String> referenced = referencedBlobs();
        for (String blob : candidates) {
            if (referenced.contains(blob)) continue;
            try {
                repository.deleteBlob(blob);
            } catch (IOException io) {
                log.warn("Could not remove blob {} of {}", blob, owner, io);
            }
        }
    }

    private Set<String> referencedBlobs() {
        Set<String> out = new HashSet<>();
        for (Map<String, BackupManifest> group : List.of(manifests, pendingDeletion)) {
            for (BackupManifest m : group.values()) out.addAll(blobsOf(m));
        }
        for (Set<String> claimed : claims.values()) out.addAll(claimed);
        return out;
    }

    private static Set<String> blobsOf(BackupManifest m) {
        Set<String> out = new HashSet<>();
        if (m.files() != null) for (BackupManifest.FileEntry f : m.files()) out.add(f.sha256());
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
        PointInTime pit;
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
                createdAt.next(), def.name(), def.id(), def.deployment().cloud(), def.deployment().region(),
                def.schema(), null, 0, null, null, def.tags(), def.deletionProtection(),
                pit.records(), pit.namespaces().size(), new LinkedHashMap<>(pit.namespaces()), 0, pit.writerSession(), null,
                false);
        long t1 = System.nanoTime();
        long total = 0;
        boolean writing = false;
        try {
            for (String f : pit.files()) total += Files.size(staging.resolve(f));
            gate.pass();
            running.add(id);
            writing = true;
            repository.putManifest(id, manifest.toJson());
        } catch (IOException | RuntimeException e) {
            running.remove(id);
            DurableFiles.deleteTree(staging);
            if (writing) {
                // The write may have failed after one of its two copies (a full disk): left there, the call
                // that failed would show a backup after the next start.
                try {
                    repository.deleteManifest(id);
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        progress.put(id, new BackupProgress(total));
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
        BackupProgress done = progress.get(id);
        boolean settled = true;
        BackupManifest readyTried = null;
        try {
            // Files go a few at a time, largest first, so the small files' per-file costs (fsyncs of the
            // blob and of its directory) pass while the large one is copied. The copies still share
            // one writer, which yields to live writes' fsyncs (BlobCopy), so live writes see no more
            // backup I/O in the device's queue than with one file at a time.
            List<BackupManifest.FileEntry> copied = ParallelFiles.map(largestFirst(staging, files), name -> {
                if (cancelled.contains(id)) throw new CancellationException();
                return copyFile(id, staging.resolve(name), name, known, done);
            });
            BackupManifest ready = manifest.ready(copied);
            synchronized (blobLock) {
                if (cancelled.contains(id)) throw new CancellationException();
                // A restore or verify may have found one of these blobs damaged and quarantined it meanwhile.
                for (BackupManifest.FileEntry f : copied) {
                    if (!repository.blobStamp(f.sha256()).equals(Optional.ofNullable(trusted.get(f.sha256())))) {
                        throw new IOException("the blob of file " + f.name() + " was found damaged while the backup ran");
                    }
                }
                readyTried = ready;
                repository.putManifest(id, ready.toJson());
                manifests.put(id, ready);
            }
            log.info("Backup {} of index '{}' is Ready: {} files, {} bytes", id, manifest.sourceIndexName(), copied.size(),
                    ready.sizeBytes());
        } catch (CancellationException e) {
            log.info("Backup {} of index '{}' was deleted while Initializing; its copy stopped", id, manifest.sourceIndexName());
        } catch (Throwable e) {
            if (closing) {
                // Interrupted to stop the server: the interrupt closes the files a failure would be recorded
                // through. The staging directory kept tells the next start to mark the backup Failed.
                log.info("Backup {} of index '{}' stopped with the server; the next start marks it Failed", id,
                        manifest.sourceIndexName());
                settled = false;
            } else {
                log.error("Backup {} of index '{}' failed", id, manifest.sourceIndexName(), e);
                settled = fail(manifest, readyTried, e);
            }
        } finally {
            synchronized (blobLock) {
                claims.remove(id);
                cancelled.remove(id);
                running.remove(id);
            }
            progress.remove(id);
            // Kept when the failure could not be recorded: it tells the next start the backup was ours.
            if (settled) deleteQuietly(staging);
        }
    }

    /** The files by size, largest first (a file gone meanwhile sorts last; its copy reports it). */
    private static List<String> largestFirst(Path dir, List<String> files) {
        Map<String, Long> sizes = new HashMap<>();
        for (String f : files) sizes.put(f, dir.resolve(f).toFile().length());
        return files.stream().sorted(Comparator.comparing(sizes::get, Comparator.reverseOrder())).toList();
    }

    /**
     * Copies one file into the repository (or reuses an identical blob) and returns its manifest entry.
     *
     * <p>Only a blob verified in this server run is reused without being read: one published from a
     * copy staged in this run (read back from the device, unless the repository skips that), or one
     * re-read and found intact, whose {@link
     * BackupRepository#blobStamp stamp} is unchanged since — any write to it, replacement or removal
     * changes the stamp. Re-reading every unchanged blob on each backup would make an incremental
     * backup cost a full read of the index; the stamp costs one {@code stat}. Damage the file system
     * itself does not notice (bit rot under an unchanged stamp) is caught by restores and {@code
     * conifer backup verify}, which quarantine the blob, so the next backup stores it afresh.
     */
    private BackupManifest.FileEntry copyFile(String id, Path file, String name, Map<String, BackupManifest.FileEntry> known,
            BackupProgress done) throws IOException {
        long length = Files.size(file);
        BackupProgress.InFile progress = done.startFile(length);
        BackupManifest.FileEntry entry = copyOrReuse(id, file, name, known, length, progress);
        progress.finish();
        return entry;
    }

    private BackupManifest.FileEntry copyOrReuse(String id, Path file, String name, Map<String, BackupManifest.FileEntry> known,
            long length, BackupProgress.InFile progress) throws IOException {
        long luceneChecksum = FooterCheck.requireFooter(file);
        BackupManifest.FileEntry previous = known.get(identity(name, length, luceneChecksum));
        if (previous != null && claimIfTrusted(id, previous.sha256())) return previous;
        BackupRepository.StagedBlob blob = repository.stage(file, throttle.counting(progress::chunk));
        if (blob.length() != length) {
            repository.discard(blob);
            throw new IOException("File " + name + " changed while it was copied");
        }
        BackupManifest.FileEntry entry = new BackupManifest.FileEntry(name, blob.sha256(), length, blob.crc32c(), luceneChecksum,
                blob.naming());
        // A blob with this content exists: keep it only if it is proven intact (read outside the lock,
        // so other backups are not held up); a damaged one is quarantined by the read and replaced.
        Optional<String> existing = repository.blobStamp(blob.sha256());
        boolean keepExisting = existing.isPresent() && (existing.get().equals(trusted.get(blob.sha256())) || intact(id, entry));
        synchronized (blobLock) {
            if (cancelled.contains(id)) {
                repository.discard(blob);
                throw new CancellationException();
            }
            // Claimed before it is published: a publish can fail after the blob is in place (an interrupt
            // closes the channel of the directory's fsync after the rename), and a failed backup removes
            // exactly the blobs it claimed that no other backup holds.
            claims.computeIfAbsent(id, k -> new HashSet<>()).add(blob.sha256());
            if (keepExisting && repository.blobStamp(blob.sha256()).equals(existing)) {
                repository.discard(blob);
                trusted.put(blob.sha256(), existing.get());
            } else {
                trusted.put(blob.sha256(), repository.publish(blob));
            }
        }
        return entry;
    }

    private boolean intact(String backupId, BackupManifest.FileEntry entry) throws IOException {
        try {
            checker.verify(entry, n -> {});
            return true;
        } catch (BackupReader.DamagedFileException e) {
            log.warn("Backup {}: an existing blob is damaged, so the fresh copy replaces it: {}", backupId, e.getMessage());
            return false;
        }
    }

    /**
     * Records the failure; false if it could not be written (the next start marks the backup Failed,
     * or finds it Ready). {@code readyTried}: the Ready manifest, if its write was tried and failed.
     */
    private boolean fail(BackupManifest manifest, BackupManifest readyTried, Throwable e) {
        String id = manifest.backupId();
        boolean recorded = true;
        synchronized (blobLock) {
            Set<String> mine = claims.remove(id);
            if (cancelled.contains(id)) return true;
            BackupManifest failed = manifest.withStatus(BackupStatus.Failed, "Backup failed: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            try {
                repository.putManifest(id, failed.toJson());
            } catch (IOException io) {
                log.error("Could not record the failure of backup {}", id, io);
                recorded = false;
            }
            if (!recorded && readyTried != null) {
                // The failed Ready write may have put one Ready copy in place, which the next start would
                // serve: its blobs stay, named by what is kept here so that no other deletion takes one
                // either. A leaked blob costs space; a Ready backup whose blobs are gone cannot restore.
                manifests.put(id, readyTried.withStatus(BackupStatus.Failed, failed.failureReason()));
                log.warn("Keeping the files of backup {}: a copy of its manifest may say Ready", id);
                return false;
            }
            // Its files go before it is shown Failed, so whoever sees it Failed sees them gone (a test that
            // checked right after once found one left). Until then it is shown Initializing, whose manifest
            // names no files, so it holds none of them either way.
            if (mine != null) deleteUnreferenced(mine, "failed backup " + id);
            manifests.put(id, failed);
        }
        return recorded;
    }

    private boolean claimIfTrusted(String backupId, String sha256) throws IOException {
        synchronized (blobLock) {
            if (cancelled.contains(backupId)) throw new CancellationException();
            Optional<String> stamp = repository.blobStamp(sha256);
            if (stamp.isEmpty() || !stamp.get().equals(trusted.get(sha256))) return false;
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

    public BackupManifest describe(String project, String backupId) {
        BackupManifest m = backupId == null ? null : manifests.get(backupId);
        if (m == null && backupId != null && keyMissing.containsKey(backupId)) {
            throw new ConiferException(ErrorCode.FAILED_PRECONDITION, keyMissing.get(backupId) + ", then restart the server.");
        }
        if (m == null || (m.status() == BackupStatus.Initializing && !running.contains(backupId))) refresh();
        if (backupId != null && !manifests.containsKey(backupId) && unreadNow.contains(backupId)) {
            // Not "not found": it exists, and whoever asks (retention, a restore) must not act as if it were gone.
            throw new ConiferException(ErrorCode.UNAVAILABLE, "Backup " + backupId + " cannot be read now: the backup"
                    + " repository did not give its manifest; try again");
        }
        return known(project, backupId);
    }

    /** The backup as this server knows it now, without reading the repository. */
    private BackupManifest known(String project, String backupId) {
        BackupManifest m = backupId == null ? null : manifests.get(backupId);
        if (m == null || !m.project().equals(project)) throw ConiferException.notFound("Backup " + backupId + " not found.");
        return m;
    }

    /** How far a backup's copy is, while it runs. */
    public Optional<BackupProgress> progress(String backupId) {
        return Optional.ofNullable(progress.get(backupId));
    }

    /** A backup a restore can use; anything else is a clear error. */
    public BackupManifest requireReady(String project, String backupId) {
        return ready(describe(project, backupId));
    }

    /**
     * As {@link #requireReady}, from what this server knows now: for a restore holding its guard's
     * monitor, which must not wait for the repository (nor for {@link #blobLock}).
     */
    public BackupManifest requireStillReady(String project, String backupId) {
        return ready(known(project, backupId));
    }

    private static BackupManifest ready(BackupManifest m) {
        if (m.status() != BackupStatus.Ready) throw new BackupNotReadyException(m.backupId(), m.status());
        return m;
    }

    /**
     * Catches up with a repository other servers write too (the repository, not this server's memory,
     * is what lists backups): adds the backups they made, re-reads theirs still Initializing, and
     * forgets those deleted — collecting this server's blobs only they named.
     */
    private void refresh() {
        if (!unreadNow.isEmpty()) {
            synchronized (blobLock) {
                readAgainUnread();
            }
        }
        if (!repository.shared()) return;
        synchronized (blobLock) {
            List<String> ids;
            try {
                ids = backupIds();
            } catch (IOException e) {
                log.warn("Could not list the backups in the repository; showing those known: {}", e.getMessage());
                return;
            }
            for (String id : ids) {
                BackupManifest known = manifests.get(id);
                if (pendingDeletion.containsKey(id) || running.contains(id)
                        || (known != null && known.status() != BackupStatus.Initializing)) {
                    continue;
                }
                try {
                    BackupManifest m = load(id);
                    if (m != null && !m.deletionRequested()) manifests.put(id, m);
                } catch (IOException e) {
                    log.warn("Could not read backup {} from the repository: {}", id, e.getMessage());
                }
            }
            Set<String> present = new HashSet<>(ids);
            for (BackupManifest gone : new ArrayList<>(manifests.values())) {
                String id = gone.backupId();
                if (present.contains(id) || running.contains(id)) continue;
                manifests.remove(id);
                log.info("Backup {} was deleted by another server", id);
                if (!unreadable.remove(id)) deleteUnreferenced(blobsOf(gone), "backup " + id + " another server deleted");
            }
        }
    }

    /** The project's backups in bitwise order of {@link #sortKey}. */
    public List<BackupManifest> list(String project) {
        refresh();
        return listOf(project, Set.of(), true);
    }

    /**
     * The backups of the index now named {@code indexName} (404 if none is), or with
     * {@code includeDeleted} of every incarnation that ever carried the name (404 if none ever did).
     */
    public List<BackupManifest> listForIndex(String project, String indexName, boolean includeDeleted) {
        Set<String> sources = includeDeleted
                ? indexes.incarnations(project, indexName)
                : Set.of(indexes.require(project, indexName).definition().id());
        if (sources.isEmpty()) throw ConiferException.notFound("Index " + indexName + " not found.");
        refresh();
        return listOf(project, sources, false);
    }

    private List<BackupManifest> listOf(String project, Set<String> sourceIds, boolean all) {
        List<BackupManifest> out = new ArrayList<>();
        for (BackupManifest m : manifests.values()) {
            if (m.project().equals(project) && (all || sourceIds.contains(m.sourceIndexId()))) out.add(m);
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

    /**
     * Deletes a backup and the blobs only it names; one still {@code Initializing} has its copy
     * cancelled (with the blobs only it claimed). Refused (412) while a restore reads it, as API
     * 2025-10 and 2026-04 specify.
     */
    public void delete(String project, String backupId) throws IOException {
        delete(project, backupId, false);
    }

    /**
     * Deletes a backup as {@link #delete} does, except that a backup restores are still reading is
     * not refused: it disappears from describe and list at once, the deletion is recorded in its
     * manifest (so a restart finishes it), and its files go when the last of those restores ends.
     */
    public void deleteWhenRestoresEnd(String project, String backupId) throws IOException {
        delete(project, backupId, true);
    }

    private void delete(String project, String backupId, boolean deferWhileRestored) throws IOException {
        describe(project, backupId);
        synchronized (blobLock) {
            BackupManifest m = known(project, backupId);
            RestoreGuard guard = restoreGuard;
            synchronized (guard) {
                // Restores record their job under the guard's monitor: no job can start reading this
                // backup between the check and the manifest's removal.
                List<String> jobs = guard.activeJobsReading(backupId);
                if (!jobs.isEmpty()) {
                    if (!deferWhileRestored) {
                        throw new ConiferException(ErrorCode.FAILED_PRECONDITION, "Backup " + backupId
                                + " cannot be deleted while restore jobs read it: " + String.join(", ", jobs));
                    }
                    BackupManifest marked = m.withDeletionRequested();
                    gate.pass();
                    try {
                        repository.putManifest(backupId, marked.toJson());
                    } catch (IOException | RuntimeException e) {
                        // One copy may say "deletion requested" already, which the next start would carry
                        // out although this call failed: the manifest is written back as it was.
                        try {
                            repository.putManifest(backupId, m.toJson());
                        } catch (IOException | RuntimeException again) {
                            e.addSuppressed(again);
                        }
                        throw e;
                    }
                    manifests.remove(backupId);
                    pendingDeletion.put(backupId, marked);
                    log.info("Deleted backup {}; its files are removed once restore jobs {} end", backupId, jobs);
                    return;
                }
                // The copy checks this under the same lock before it publishes a blob or the manifest.
                gate.pass();
                if (m.status() == BackupStatus.Initializing) cancelled.add(backupId);
                try {
                    repository.deleteManifest(backupId);
                } catch (IOException | RuntimeException e) {
                    // The backup stays (its primary manifest is deleted last), so its copy goes on: the
                    // copier looks at this set only under the lock held here.
                    cancelled.remove(backupId);
                    throw e;
                }
                manifests.remove(backupId);
            }
            Set<String> candidates = blobsOf(m);
            Set<String> claimed = claims.remove(backupId);
            if (claimed != null) candidates.addAll(claimed);
            if (unreadable.remove(backupId)) collectGarbage();
            else deleteUnreferenced(candidates, "deleted backup " + backupId);
        }
        log.info("Deleted backup {}", backupId);
    }

    /** Hears that a restore of {@code backupId} ended; finishes a deletion that waited for it. */
    public void restoreEnded(String backupId) {
        synchronized (blobLock) {
            BackupManifest m = pendingDeletion.get(backupId);
            if (m == null) return;
            RestoreGuard guard = restoreGuard;
            synchronized (guard) {
                if (!guard.activeJobsReading(backupId).isEmpty()) return;
            }
            try {
                repository.deleteManifest(backupId);
            } catch (IOException e) {
                log.error("Could not finish deleting backup {}; the next start finishes it", backupId, e);
                return;
            }
            pendingDeletion.remove(backupId);
            deleteUnreferenced(blobsOf(m), "deleted backup " + backupId);
        }
        log.info("Finished deleting backup {}: no restore reads it any more", backupId);
    }

    @Override
    public void close() {
        closing = true;
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
